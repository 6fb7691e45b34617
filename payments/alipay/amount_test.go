package alipay

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 1: "0.01", 10: "0.10", 1250: "12.50", 100: "1.00", 10000000000: "100000000.00"} {
		if got := yuan(fen); got != want {
			t.Errorf("yuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestParseYuan(t *testing.T) {
	for s, want := range map[string]int64{"0.00": 0, "0.01": 1, "12.5": 1250, "12.50": 1250, "12": 1200, "007.07": 707, "100000000.00": 10000000000} {
		if got, err := parseYuan(s); err != nil || got != want {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", ".", "1.", ".5", "-0.50", "+1.00", "1.234", "1e3", " 1.00", "1.00 ", "1,00", "1.0.0", "0x10",
		"100000000.01", "9999999999999.00", "１.00"} {
		if got, err := parseYuan(s); err == nil {
			t.Errorf("parseYuan(%q) = %d, want an error", s, got)
		}
	}
	if got, err := parseOptionalYuan(""); err != nil || got != 0 {
		t.Errorf("parseOptionalYuan(\"\") = %d, %v", got, err)
	}
}

func TestValidOutTradeNo(t *testing.T) {
	for s, want := range map[string]bool{"A0000001P01": true, "a_b_9": true, "": false, "A-1": false, "A 1": false, "订单1": false,
		string(make([]byte, 65)): false} {
		if got := validOutTradeNo(s); got != want {
			t.Errorf("validOutTradeNo(%q) = %v", s, got)
		}
	}
}

func TestClassify(t *testing.T) {
	biz := func(code, sub string) error { return &goali.BizErr{Code: code, Msg: "m", SubCode: sub, SubMsg: "s"} }
	for _, c := range []struct {
		err  error
		want error
	}{
		{biz("20000", "isp.unknow-error"), payments.ErrUnavailable},
		{biz("20000", ""), payments.ErrUnavailable},
		{biz("40004", "ACQ.SYSTEM_ERROR"), payments.ErrUnavailable},
		{biz("40004", "ACQ.PAYMENT_AUTH_CODE_INVALID"), payments.ErrRejected},
		{biz("40002", "isv.invalid-signature"), payments.ErrRejected},
		{biz("20001", "aop.invalid-auth-token"), payments.ErrRejected},
		{fmt.Errorf("[%w]: crypto/rsa: verification error", gopay.VerifySignatureErr), payments.ErrBadSignature},
		{fmt.Errorf("[%w], SN", gopay.CertNotMatchErr), payments.ErrBadSignature},
		{fmt.Errorf("[%w], value: body", gopay.GetSignDataErr), payments.ErrBadSignature},
		{fmt.Errorf("[%w], bytes: body", gopay.UnmarshalErr), payments.ErrMalformed},
		{errors.New("HTTP Request Error, StatusCode = 502"), payments.ErrUnavailable},
		{errors.New("context deadline exceeded"), payments.ErrUnavailable},
	} {
		got := classify("op", c.err)
		if !errors.Is(got, c.want) {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
		if errors.Is(c.err, gopay.UnmarshalErr) || errors.Is(c.err, gopay.GetSignDataErr) {
			if s := got.Error(); s != "alipay op: unreadable answer: "+payments.ErrMalformed.Error() &&
				s != "alipay op: the answer's signature did not verify: "+payments.ErrBadSignature.Error() {
				t.Errorf("classify shows the answer body: %q", s)
			}
		}
	}
	if sub := "ACQ.PAYMENT_AUTH_CODE_INVALID"; !strings.Contains(classify("pay", biz("40004", sub)).Error(), sub) {
		t.Error("a refusal's message does not name its sub_code")
	}
}
