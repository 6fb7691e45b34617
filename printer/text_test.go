package printer_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"qrtill/printer"
)

func TestEncodeTextGB18030(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"abc 12.50", []byte("abc 12.50")},
		{"水", []byte{0xCB, 0xAE}},
		{"￥", []byte{0xA3, 0xA4}},
		{"€", []byte{0xA2, 0xE3}},             // GB18030 two-byte
		{"¥", []byte{0x81, 0x30, 0x84, 0x36}}, // four bytes: not in GBK
		{"\x1bp\x00\x19", []byte(" p  ")},     // no command smuggled in a name
		{"a\nb\tc", []byte("a b c")},
	}
	for _, tt := range tests {
		got, err := printer.EncodeText(tt.in)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("EncodeText(%q) = % x, %v; want % x", tt.in, got, err, tt.want)
		}
	}
}

func TestGB18030RoundTrip(t *testing.T) {
	for _, s := range []string{"农夫山泉饮用天然水 550ml", "康师傅红烧牛肉面", "𠮷野家", "Café ½"} {
		b, err := printer.EncodeText(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || string(back) != s {
			t.Errorf("round trip of %q gave %q (%v)", s, back, err)
		}
	}
}

func TestCells(t *testing.T) {
	tests := map[string]int{
		"":           0,
		"Water":      5,
		"水":          2,
		"农夫山泉 550ml": 14,
		"￥12.50":     7,
		"Café":       5, // é prints in the full-width font
		"·":          2,
		"\x1b":       1, // replaced by a space
	}
	for s, want := range tests {
		if got := printer.Cells(s); got != want {
			t.Errorf("Cells(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"Coca-Cola Classic 330 ml can", 12, []string{"Coca-Cola", "Classic 330", "ml can"}},
		{"农夫山泉饮用天然水", 8, []string{"农夫山泉", "饮用天然", "水"}},
		{"农夫山泉 550ml 瓶装", 10, []string{"农夫山泉", "550ml 瓶装"}},
		{"Supercalifragilistic", 8, []string{"Supercal", "ifragili", "stic"}},
		{"水a", 2, []string{"水", "a"}},
		{"", 10, []string{""}},
		{"fits", 10, []string{"fits"}},
	}
	for _, tt := range tests {
		got := printer.Wrap(tt.in, tt.width)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		for _, l := range got {
			if printer.Cells(l) > tt.width {
				t.Errorf("Wrap(%q, %d): line %q is %d cells", tt.in, tt.width, l, printer.Cells(l))
			}
		}
	}
}

func TestSpread(t *testing.T) {
	if got := printer.Spread("合计", "￥7.50", 20); !reflect.DeepEqual(got, []string{"合计" + strings.Repeat(" ", 10) + "￥7.50"}) {
		t.Errorf("Spread = %q", got)
	}
	got := printer.Spread("Trade no.", "2026112222001400001234567890", 32)
	want := []string{"Trade no.", "    2026112222001400001234567890"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Spread too long = %q, want %q", got, want)
	}
}
