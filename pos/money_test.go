package pos

import (
	"errors"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"12", 1200, true}, {"12.5", 1250, true}, {"12.50", 1250, true}, {"¥12.50", 1250, true},
		{"￥12.50", 1250, true}, {"12.50元", 1250, true}, {"  ¥ 0.05 ", 5, true}, {"0", 0, true},
		{"100000000", MaxMoney, true}, {"007.10", 710, true},
		{"", 0, false}, {"¥", 0, false}, {"12.345", 0, false}, {"-1", 0, false}, {"abc", 0, false},
		{"1,000", 0, false}, {"12.", 0, false}, {".5", 0, false}, {"1e3", 0, false}, {"100000000.01", 0, false},
		{"99999999999999999999", 0, false}, {"12.5.0", 0, false}, {"+1", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if !tt.ok && (err == nil || !errors.Is(err, ErrBadMoney)) {
			t.Errorf("ParseMoney(%q) = %d, %v; want ErrBadMoney", tt.in, got, err)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		m         Money
		str, yuan string
	}{
		{0, "¥0.00", "0.00"}, {5, "¥0.05", "0.05"}, {1250, "¥12.50", "12.50"},
		{-100, "-¥1.00", "-1.00"}, {MaxMoney, "¥100000000.00", "100000000.00"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%d.String() = %q, want %q", tt.m, got, tt.str)
		}
		if got := tt.m.Yuan(); got != tt.yuan {
			t.Errorf("%d.Yuan() = %q, want %q", tt.m, got, tt.yuan)
		}
	}
}

func TestMoneyMul(t *testing.T) {
	if got, err := Money(250).Mul(3); err != nil || got != 750 {
		t.Errorf("Mul = %d, %v", got, err)
	}
	if _, err := Money(1 << 62).Mul(4); !errors.Is(err, ErrTotalLimit) {
		t.Errorf("overflow: %v", err)
	}
	if _, err := Money(1).Mul(-1); err == nil {
		t.Error("negative quantity accepted")
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.50", "¥1", "0.05", "12.345", "-1", "元"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		if m < 0 || m > MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d out of range", s, m)
		}
		back, err := ParseMoney(m.String())
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %s → %d, %v", s, m, back, err)
		}
	})
}
