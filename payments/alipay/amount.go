package alipay

import (
	"fmt"
	"strings"
	"time"
)

// maxFen is Alipay's largest amount, 100000000.00 yuan.
const maxFen int64 = 100_000_000_00

// yuan formats fen as Alipay's two-decimal yuan string ("12.50"), with
// integer arithmetic only. fen must not be negative.
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// parseYuan reads an Alipay yuan string ("12", "12.5", "12.50") as fen by
// splitting it at the point: digits only, at most two decimals, no sign,
// no exponent, no spaces, at most maxFen.
func parseYuan(s string) (int64, error) {
	var fen, frac int64
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && point < 0 && digits > 0:
			point = i
		case c >= '0' && c <= '9':
			if point >= 0 {
				frac++
				if frac > 2 {
					return 0, fmt.Errorf("amount %q has more than two decimals", s)
				}
			} else if digits++; digits > 12 {
				return 0, fmt.Errorf("amount %q is too large", s)
			}
			fen = fen*10 + int64(c-'0')
		default:
			return 0, fmt.Errorf("amount %q is not a yuan amount", s)
		}
	}
	if digits == 0 || (point >= 0 && frac == 0) {
		return 0, fmt.Errorf("amount %q is not a yuan amount", s)
	}
	for ; frac < 2; frac++ {
		fen *= 10
	}
	if fen > maxFen {
		return 0, fmt.Errorf("amount %q is over Alipay's limit", s)
	}
	return fen, nil
}

// parseOptionalYuan is parseYuan where an absent amount reads as 0.
func parseOptionalYuan(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return parseYuan(s)
}

// beijing is GMT+8, the zone of every Alipay time stamp.
var beijing = time.FixedZone("CST", 8*3600)

// parseTime reads Alipay's "2006-01-02 15:04:05" (GMT+8); zero if absent
// or unreadable.
func parseTime(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, beijing)
	if err != nil {
		return time.Time{}
	}
	return t
}

// validOutTradeNo reports whether s is an Alipay out_trade_no or
// out_request_no: 1 to 64 letters, digits or underscores.
func validOutTradeNo(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// maxSubject is the longest subject Alipay takes, in characters.
const maxSubject = 256

// subject makes an order title fit Alipay's subject: it must not carry
// '/', '=' or '&' (each becomes a space), runs of white space are one
// space, and it is cut to maxSubject characters. A title left empty is
// the out_trade_no.
func subject(title, outTradeNo string) string {
	title = strings.Map(func(r rune) rune {
		if r == '/' || r == '=' || r == '&' {
			return ' '
		}
		return r
	}, title)
	title = strings.Join(strings.Fields(title), " ")
	if r := []rune(title); len(r) > maxSubject {
		title = strings.TrimSpace(string(r[:maxSubject]))
	}
	if title == "" {
		return outTradeNo
	}
	return title
}
