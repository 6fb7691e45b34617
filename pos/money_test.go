package pos

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want Money
	}{
		{"12", 1200}, {"12.5", 1250}, {"12.50", 1250}, {"¥12.50", 1250}, {"￥12.50", 1250},
		{"12.50元", 1250}, {"12.50 元", 1250}, {"  ¥ 0.05 ", 5}, {"\t3\n", 300}, {"0", 0}, {"0.00", 0},
		{"007.10", 710}, {"100000000", MaxMoney}, {"100000000.00", MaxMoney}, {"0000000000001.00", 100},
		{"１２．５０", 1250}, {"￥１２", 1200}, {"12。5", 1250}, {"\u300012\u3000", 1200},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMoneyErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "the amount is empty; write it like 12.50"},
		{"   ", "the amount is empty; write it like 12.50"},
		{"¥", `"¥" has no digits; write an amount like 12.50`},
		{"元", `"元" has no digits; write an amount like 12.50`},
		{"12.345", `"12.345" has more than two decimals; write it like 12.35`},
		{"12.344", `"12.344" has more than two decimals; write it like 12.34`},
		{"0.999", `"0.999" has more than two decimals; write it like 1.00`},
		{"-1", `"-1" is negative; an amount is 0 or more`},
		{"¥-1.00", `"¥-1.00" is negative; an amount is 0 or more`},
		{"-¥1.00", `"-¥1.00" is negative; an amount is 0 or more`},
		{"－１", `"－１" is negative; an amount is 0 or more`},
		{"1,000", `"1,000" has a thousands separator; write it without, like 1000.00`},
		{"abc", `"abc" is not an amount; write it like 12.50`},
		{"12.", `"12." is not an amount; write it like 12.50`},
		{".5", `".5" is not an amount; write it like 12.50`},
		{"1e3", `"1e3" is not an amount; write it like 12.50`},
		{"+1", `"+1" is not an amount; write it like 12.50`},
		{"12.5.0", `"12.5.0" is not an amount; write it like 12.50`},
		{"1 2", `"1 2" is not an amount; write it like 12.50`},
		{"NaN", `"NaN" is not an amount; write it like 12.50`},
		{"¥¥1", `"¥¥1" is not an amount; write it like 12.50`},
		{"100000000.01", `"100000000.01" is more than ¥100000000.00, the most one amount can be`},
		{"1000000000", `"1000000000" is more than ¥100000000.00, the most one amount can be`},
		{"99999999999999999999999", `"99999999999999999999999" is more than ¥100000000.00, the most one amount can be`},
		{"9223372036854775807", `"9223372036854775807" is more than ¥100000000.00, the most one amount can be`},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrBadMoney) {
			t.Errorf("ParseMoney(%q) error %v does not match ErrBadMoney", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("ParseMoney(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		m         Money
		str, yuan string
	}{
		{0, "¥0.00", "0.00"},
		{5, "¥0.05", "0.05"},
		{10, "¥0.10", "0.10"},
		{1250, "¥12.50", "12.50"},
		{-100, "-¥1.00", "-1.00"},
		{-5, "-¥0.05", "-0.05"},
		{MaxMoney, "¥100000000.00", "100000000.00"},
		{math.MaxInt64, "¥92233720368547758.07", "92233720368547758.07"},
		{math.MinInt64, "-¥92233720368547758.08", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("Money(%d).String() = %q, want %q", tt.m, got, tt.str)
		}
		if got := tt.m.Yuan(); got != tt.yuan {
			t.Errorf("Money(%d).Yuan() = %q, want %q", tt.m, got, tt.yuan)
		}
		if got := tt.m.Fen(); got != int64(tt.m) {
			t.Errorf("Money(%d).Fen() = %d", tt.m, got)
		}
	}
}

func TestMoneyMul(t *testing.T) {
	tests := []struct {
		m       Money
		qty     int
		want    Money
		wantErr error
	}{
		{250, 3, 750, nil},
		{250, 0, 0, nil},
		{0, math.MaxInt, 0, nil},
		{-250, 2, -500, nil},
		{1, -1, 0, ErrQuantityLimit},
		{1 << 62, 2, 0, ErrTotalLimit},
		{math.MaxInt64, 1, math.MaxInt64, nil},
		{math.MaxInt64/3 + 1, 3, 0, ErrTotalLimit},
		{-(1 << 62) - 1, 2, 0, ErrTotalLimit},
	}
	for _, tt := range tests {
		got, err := tt.m.Mul(tt.qty)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("Money(%d).Mul(%d) = %d, %v; want %d, %v", tt.m, tt.qty, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.50", "¥1", "0.05", "12.345", "-1", "元", "１２．５", "100000000.00", "0000000000000009"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			if !errors.Is(err, ErrBadMoney) || err.Error() == "" {
				t.Fatalf("ParseMoney(%q) error %v", s, err)
			}
			return
		}
		if m < 0 || m > MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d, out of range", s, m)
		}
		for _, form := range []string{m.String(), m.Yuan(), m.Yuan() + "元"} {
			back, err := ParseMoney(form)
			if err != nil || back != m {
				t.Fatalf("round trip of %q: %s → %d, %v", s, form, back, err)
			}
		}
		if strings.Contains(m.Yuan(), "e") {
			t.Fatalf("Yuan() of %d is %q", m, m.Yuan())
		}
	})
}
