package pos_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"qrtill/pos"
)

// BenchmarkCodeToPaid is the time from a scanned payment code to PAID on
// the sandbox, through the real till, order book (fsync off) and gopay
// providers: the code is charged (alipay.trade.pay / WeChat codepay,
// signed both ways) and the answer stored. It reports the median of 20
// charges beside the median of 20 RSA-2048 signatures (SHA-256, PKCS #1
// v1.5, what every Alipay request and WeChat Pay request carries),
// measured in the same run, and their ratio: the machine is shared, so
// compare ratios, not milliseconds.
//
//	go test ./pos -run '^$' -bench CodeToPaid -benchtime 1x
func BenchmarkCodeToPaid(b *testing.B) {
	for _, c := range []struct{ name, code string }{
		{"alipay", "281234567890123456"},
		{"wechat", "134567890123456789"},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := counterRig(b, 10*time.Second)
			sign := rsaSignMedian(b, 20)
			var paid time.Duration
			for b.Loop() {
				paid = codeToPaidMedian(b, r.Till, r.Catalog, c.code, 20)
			}
			b.ReportMetric(float64(paid.Microseconds())/1000, "ms/paid(median)")
			b.ReportMetric(float64(sign.Microseconds())/1000, "ms/rsa-sign(median)")
			b.ReportMetric(float64(paid)/float64(sign), "signs/paid")
		})
	}
}

// codeToPaidMedian charges n payment codes, each for a fresh sale, and
// returns the median time from the scan to the order stored paid.
func codeToPaidMedian(b *testing.B, till *pos.Till, cat *pos.Catalog, code string, n int) time.Duration {
	b.Helper()
	ctx := context.Background()
	basket := pos.NewBasket(cat)
	if _, err := basket.Add("6921168509256"); err != nil {
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, n)
	for range n {
		o, err := till.Checkout(ctx, basket.Lines(), "bench", "till-1")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		got, err := till.PayByCode(ctx, o.Number, code)
		times = append(times, time.Since(start))
		if err != nil || got.Status != pos.OrderPaid {
			b.Fatalf("charge %d: %s, %v", len(times), got.Status, err)
		}
	}
	return median(times)
}

// rsaSignMedian is the median time of n RSA-2048 SHA-256 signatures.
func rsaSignMedian(b *testing.B, n int) time.Duration {
	b.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte("app_id=2021000000000000&biz_content={}&method=alipay.trade.pay"))
	times := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	return median(times)
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
