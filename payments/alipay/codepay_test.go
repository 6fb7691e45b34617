package alipay_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/payments/alipay"
	"qrtill/payments/sandbox"
)

func codePay(r *rig, no, code string, fen int64) (payments.TradeStatus, error) {
	return r.p.PayByCode(ctx, payments.CodePayRequest{OutTradeNo: no, AuthCode: code, AmountFen: fen, Subject: "Tea"})
}

func TestCodePayPaidAtOnce(t *testing.T) {
	r := newRig(t)
	st, err := codePay(r, "C0000001P01", "281234567890123456", 300)
	if err != nil || st.State != payments.StatePaid || st.PaidFen != 300 || st.AmountFen != 300 || st.RawCode != "10000" ||
		len(st.ProviderTradeNo) != 28 || st.Buyer == "" || st.PaidAt.IsZero() {
		t.Fatalf("28…: %+v %v", st, err)
	}
	if tr := r.trade(t, "C0000001P01"); tr.Status != sandbox.StatusPaid || tr.Kind != sandbox.KindCode {
		t.Fatalf("sandbox: %+v", tr)
	}
	// Asked again (the till retrying an unknown outcome): the trade is paid.
	if st, err := codePay(r, "C0000001P01", "281234567890123456", 300); err != nil || st.State != payments.StatePaid {
		t.Fatalf("repeat: %+v %v", st, err)
	}
	// The same out_trade_no for another amount.
	if _, err := codePay(r, "C0000001P01", "281234567890123456", 301); !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), "ACQ.CONTEXT_INCONSISTENT") {
		t.Fatalf("conflicting repeat: %v", err)
	}
	// A paid code payment reversed is refunded.
	if err := r.p.Reverse(ctx, "C0000001P01"); err != nil {
		t.Fatal(err)
	}
	if tr := r.trade(t, "C0000001P01"); tr.Status != sandbox.StatusRefunded || tr.RefundedFen != 300 {
		t.Fatalf("reverse of a paid code payment: %+v", tr)
	}
}

func TestCodePayWaitingForPassword(t *testing.T) {
	r := newRig(t)
	st, err := codePay(r, "C0000002P01", "251234567890123456", 300)
	if err != nil || st.State != payments.StateScanned || st.RawCode != "10003" || st.ProviderTradeNo == "" || st.PaidFen != 0 {
		t.Fatalf("25… (password): %+v %v", st, err)
	}
	if st := query(t, r.p, "C0000002P01"); st.State != payments.StateScanned {
		t.Fatalf("query while waiting: %+v", st)
	}
	r.control(t, "C0000002P01", "pay") // the buyer enters the password
	if st := query(t, r.p, "C0000002P01"); st.State != payments.StatePaid || st.PaidFen != 300 {
		t.Fatalf("after the password: %+v", st)
	}
	// One that never gets its password is reversed at the deadline: closed.
	if _, err := codePay(r, "C0000003P01", "251234567890123457", 300); err != nil {
		t.Fatal(err)
	}
	if err := r.p.Reverse(ctx, "C0000003P01"); err != nil {
		t.Fatal(err)
	}
	if st := query(t, r.p, "C0000003P01"); st.State != payments.StateClosed {
		t.Fatalf("after reverse: %+v", st)
	}
	if tr := r.trade(t, "C0000003P01"); tr.Status != sandbox.StatusClosed || tr.RefundedFen != 0 {
		t.Fatalf("sandbox after reverse: %+v", tr)
	}
}

func TestCodePayRefusals(t *testing.T) {
	r := newRig(t)
	for code, sub := range map[string]string{
		"291234567890123456": "ACQ.PAYMENT_AUTH_CODE_INVALID",
		"2812":               "ACQ.PAYMENT_AUTH_CODE_INVALID", // too short
		"28123456789012345x": "ACQ.PAYMENT_AUTH_CODE_INVALID",
		"261234567890123456": "ACQ.BUYER_BALANCE_NOT_ENOUGH",
	} {
		_, err := codePay(r, "C0000004P01", code, 300)
		if !errors.Is(err, payments.ErrRejected) || !strings.Contains(err.Error(), sub) {
			t.Errorf("%s: %v, want %s", code, err, sub)
		}
		lowBalance := sub == "ACQ.BUYER_BALANCE_NOT_ENOUGH"
		if errors.Is(err, payments.ErrBalanceLow) != lowBalance || errors.Is(err, payments.ErrCodeInvalid) == lowBalance {
			t.Errorf("%s: %v is not told apart as a refused code or a low balance", code, err)
		}
	}
	if _, err := r.gw.Ledger().Get("C0000004P01"); err == nil {
		t.Fatal("a refused code made a trade")
	}
	if _, err := codePay(r, "C0000004P01", "", 300); !errors.Is(err, payments.ErrRejected) {
		t.Fatalf("empty code: %v", err)
	}
}

func TestCodePayUnknownOutcome(t *testing.T) {
	r := newRig(t)
	// 27…: ACQ.SYSTEM_ERROR, but the money moved. The till queries.
	_, err := codePay(r, "C0000005P01", "271234567890123456", 300)
	if !errors.Is(err, payments.ErrUnavailable) || !strings.Contains(err.Error(), "ACQ.SYSTEM_ERROR") {
		t.Fatalf("27…: %v", err)
	}
	if st := query(t, r.p, "C0000005P01"); st.State != payments.StatePaid {
		t.Fatalf("query after the unknown outcome: %+v", st)
	}
	// An outage: HTTP 503.
	r.gw.SetFaults(sandbox.Faults{FailNext: 1})
	if _, err := codePay(r, "C0000006P01", "281234567890123456", 300); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("503: %v", err)
	}
}

func TestReverseRetries(t *testing.T) {
	r := newRig(t)
	alipay.SetCancelRetry(r.p, 3, time.Millisecond)
	if _, err := codePay(r, "C0000007P01", "251234567890123456", 300); err != nil {
		t.Fatal(err)
	}
	// The first cancel fails; the second closes the trade.
	r.gw.SetFaults(sandbox.Faults{FailNext: 1})
	if err := r.p.Reverse(ctx, "C0000007P01"); err != nil {
		t.Fatalf("reverse through one outage: %v", err)
	}
	if tr := r.trade(t, "C0000007P01"); tr.Status != sandbox.StatusClosed {
		t.Fatalf("sandbox: %+v", tr)
	}
	// Every try fails: unknown, retry later.
	if _, err := codePay(r, "C0000008P01", "251234567890123456", 300); err != nil {
		t.Fatal(err)
	}
	r.gw.SetFaults(sandbox.Faults{FailNext: 3})
	if err := r.p.Reverse(ctx, "C0000008P01"); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("reverse through a long outage: %v", err)
	}
	if f := r.gw.Faults(); f.FailNext != 0 {
		t.Fatalf("%d of 3 tries left unused", f.FailNext)
	}
	// A trade Alipay never saw needs no reversing.
	if err := r.p.Reverse(ctx, "C0000009P01"); err != nil {
		t.Fatalf("reverse of an unknown trade: %v", err)
	}
}
