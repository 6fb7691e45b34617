package alipay_test

import (
	"errors"
	"strings"
	"testing"

	"qrtill/payments"
	"qrtill/payments/sandbox"
)

func TestRefunds(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000021P01", 1250, "")
	r.control(t, "A0000021P01", "pay")
	refund := func(no string, fen int64) (payments.RefundResult, error) {
		return r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "A0000021P01", RefundNo: no, AmountFen: fen, TotalFen: 1250, Reason: "returned"})
	}
	// Partial.
	res, err := refund("A0000021R01", 250)
	if err != nil || res.State != payments.RefundSuccess || res.AmountFen != 250 || res.RawCode != "fund_change:Y" {
		t.Fatalf("partial refund: %+v %v", res, err)
	}
	// The same refund number again is the same refund (fund_change N,
	// confirmed by the refund query).
	res, err = refund("A0000021R01", 250)
	if err != nil || res.State != payments.RefundSuccess || res.RawCode != "fund_change:N,confirmed" {
		t.Fatalf("repeated refund: %+v %v", res, err)
	}
	if tr := r.trade(t, "A0000021P01"); tr.RefundedFen != 250 || tr.Status != sandbox.StatusPaid {
		t.Fatalf("after the repeat: %+v", tr)
	}
	// Still paid after a partial refund.
	if st := query(t, r.p, "A0000021P01"); st.State != payments.StatePaid {
		t.Fatalf("after a partial refund: %+v", st)
	}
	// Over what is left.
	if _, err := refund("A0000021R02", 1001); !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL") {
		t.Fatalf("over refund: %v", err)
	}
	// Refund query: done, and not done.
	if res, err := r.p.QueryRefund(ctx, "A0000021P01", "A0000021R01"); err != nil || res.AmountFen != 250 || res.State != payments.RefundSuccess || res.RawCode != "REFUND_SUCCESS" {
		t.Fatalf("refund query: %+v %v", res, err)
	}
	if _, err := r.p.QueryRefund(ctx, "A0000021P01", "A0000021R02"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("query of the refused refund: %v", err)
	}
	// The rest, in full: the trade closes as refunded.
	if _, err := refund("A0000021R03", 1000); err != nil {
		t.Fatal(err)
	}
	st := query(t, r.p, "A0000021P01")
	if st.State != payments.StateRefunded || st.RefundedFen != 1250 || st.PaidFen != 1250 || st.RawCode != "TRADE_CLOSED" {
		t.Fatalf("after the full refund: %+v", st)
	}
	if _, err := refund("A0000021R04", 1); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("refund of a refunded trade: %v", err)
	}
}

func TestRefundRefusals(t *testing.T) {
	r := newRig(t)
	qr(t, r.p, "A0000022P01", 500, "")
	// Before the scan Alipay has no trade.
	_, err := r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "A0000022P01", RefundNo: "A0000022R01", AmountFen: 100})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.TRADE_NOT_EXIST") {
		t.Fatalf("refund before scan: %v", err)
	}
	if _, err := r.p.QueryRefund(ctx, "A0000022P01", "A0000022R01"); !errors.Is(err, payments.ErrNotFound) {
		t.Fatalf("refund query before scan: %v", err)
	}
	// Scanned, not paid.
	r.control(t, "A0000022P01", "scan")
	_, err = r.p.Refund(ctx, payments.RefundRequest{OutTradeNo: "A0000022P01", RefundNo: "A0000022R01", AmountFen: 100})
	if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.TRADE_STATUS_ERROR") {
		t.Fatalf("refund of an unpaid trade: %v", err)
	}
	// Refused before any call.
	for name, req := range map[string]payments.RefundRequest{
		"no refund number": {OutTradeNo: "A0000022P01", AmountFen: 100},
		"zero amount":      {OutTradeNo: "A0000022P01", RefundNo: "A0000022R02"},
		"bad trade number": {OutTradeNo: "A 22", RefundNo: "A0000022R02", AmountFen: 1},
	} {
		if _, err := r.p.Refund(ctx, req); !errors.Is(err, payments.ErrRejected) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
