package alipay_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"qrtill/payments"
)

// BenchmarkPrecreateQuery measures precreate + query pairs through real
// gopay clients against the sandbox on loopback (RSA2 signing and
// verification on both sides), with parallel callers; one op is two calls.
func BenchmarkPrecreateQuery(b *testing.B) {
	r := newRig(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			no := fmt.Sprintf("B%010dP01", n.Add(1))
			if _, err := r.p.CreateQR(ctx, payments.QRRequest{OutTradeNo: no, AmountFen: 100, Subject: "x"}); err != nil {
				b.Error(err)
				return
			}
			if st, err := r.p.Query(ctx, no); err != nil || st.State != payments.StateNotFound {
				b.Error(st, err)
				return
			}
		}
	})
}

// BenchmarkVerifyNotification measures ParseNotification of a real signed
// notification: form parsing, RSA2 verification, merchant checks.
func BenchmarkVerifyNotification(b *testing.B) {
	r := newRig(b)
	body := notificationBody(b, r, "V0000001P01", 500)
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.p.ParseNotification(formRequest(body)); err != nil {
			b.Fatal(err)
		}
	}
}
