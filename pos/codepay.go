package pos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qrtill/payments"
)

// Customer-presented payment codes (付款码): the customer opens Alipay or
// WeChat Pay, shows the code, and the cashier scans it. The till stores a
// code attempt, charges it (Alipay trade.pay bar_code, WeChat codepay),
// and follows the answer: paid at once; "the customer must confirm"
// (Alipay 10003, WeChat USERPAYING), queried every few seconds until
// CodeWindow runs out, then reversed; an unknown outcome, queried, never
// guessed; a refusal, the attempt failed with a sentence.

// DefaultCodeWindow is how long a code payment waits for the customer's
// password before the till reverses it: WeChat Pay asks for about 45 s
// (30 s in older documents), Alipay's own face-to-face demo gives up
// after about 25 s of queries and recommends no more than a minute.
const DefaultCodeWindow = 45 * time.Second

// Payment code shapes: Alipay codes are 16 to 24 digits starting 25 to
// 30, WeChat Pay codes 18 digits starting 10 to 15.
const (
	alipayCodeMin, alipayCodeMax = 16, 24
	wechatCodeLen                = 18
)

// CodeChannel tells whose payment code a scan is, by its shape alone:
// Alipay (16–24 digits starting 25–30) or WeChat Pay (18 digits starting
// 10–15). Anything else is ErrNotPaymentCode, one sentence; nothing is
// stored or sent. The screen may call it to decide whether a scan on the
// pay screen is a payment code.
func CodeChannel(code string) (payments.Channel, error) {
	c := strings.TrimSpace(code)
	if digits(c) && len(c) >= alipayCodeMin {
		prefix := atoi(c[:2])
		switch {
		case prefix >= 25 && prefix <= 30 && len(c) <= alipayCodeMax:
			return payments.Alipay, nil
		case prefix >= 10 && prefix <= 15 && len(c) == wechatCodeLen:
			return payments.WeChat, nil
		}
	}
	return "", sentence(ErrNotPaymentCode, "That is not an Alipay or WeChat Pay payment code (Alipay: 16–24 digits starting 25–30; "+
		"WeChat Pay: 18 digits starting 10–15); ask the customer to open the payment code in the app and scan it again.")
}

// PayByCode charges the customer's own payment code for the order. The
// channel follows from the code (CodeChannel). An open QR attempt is
// closed at the provider first, and the code is charged only once the
// provider confirms (ErrClosePending otherwise; ErrAlreadyPaid if the QR
// was paid meanwhile). The code attempt is stored before the provider is
// called; the code itself is never stored or logged.
//
// A nil error means the provider answered and the till owns the rest:
// the order is paid, or its last attempt is still open, either waiting
// for the customer's password (Attempt.WaitingForPassword; the deadline
// is its ExpiresAt) or, when the answer was unclear (a timeout, a 5xx,
// Alipay 20000, WeChat SYSTEM_ERROR), being queried (status creating).
// Either way the till queries every few seconds and reverses the payment
// at the deadline; follow Subscribe for the outcome. A refusal fails the
// attempt and returns ErrCodeRefused or ErrBalanceLow as a sentence: the
// cashier may scan again or take another way. A second code while one
// is being confirmed is ErrCodeBusy.
func (t *Till) PayByCode(ctx context.Context, number, code string) (Order, error) {
	ch, err := CodeChannel(code)
	if err != nil {
		return Order{}, err
	}
	prov, err := t.provider(ch)
	if err != nil {
		return Order{}, err
	}
	unlock := t.lockOrder(number)
	defer unlock()
	o, err := t.freeToCharge(ctx, number, true)
	if err != nil {
		return o, err
	}
	o, err = t.storeCodeAttempt(ctx, number, ch, code)
	if err != nil {
		return o, err
	}
	a := o.Attempts[len(o.Attempts)-1]
	cctx, cancel := t.callCtx(ctx)
	st, perr := prov.PayByCode(cctx, payments.CodePayRequest{OutTradeNo: a.OutTradeNo,
		AuthCode: strings.TrimSpace(code), AmountFen: int64(a.Amount), Subject: t.subject(o)})
	cancel()
	// The money may have moved: store the answer even if the screen left.
	return t.settleCharge(context.WithoutCancel(ctx), number, a, st, perr)
}

// freeToCharge loads an order the cashier is about to charge and closes
// its open attempt at the provider first: the new way of paying starts
// only when nothing else can be paid. A code attempt the customer is
// still confirming is left alone when busyCode is set (ErrCodeBusy).
func (t *Till) freeToCharge(ctx context.Context, number string, busyCode bool) (Order, error) {
	o, err := t.loadUnpaid(ctx, number)
	if err != nil {
		return o, err
	}
	if o.Status == OrderCancelled {
		return o, ErrOrderClosed
	}
	a := openAttempt(&o)
	if a == nil {
		return o, nil
	}
	if busyCode && a.IsCode() && a.Intent == "" {
		return o, sentence(ErrCodeBusy, "A payment code is already being charged for order %s; wait for the customer to confirm it, or go back to the basket.", number)
	}
	no := a.OutTradeNo
	o, err = t.closeAttempt(ctx, number, no, IntentSwitch, SourceCashier)
	switch {
	case err != nil:
		return o, err
	case o.PaidBy != "":
		return o, ErrAlreadyPaid
	case openAttempt(&o) != nil:
		return o, fmt.Errorf("close %s: %w", no, ErrClosePending)
	}
	return o, nil
}

// storeCodeAttempt stores a new code attempt on channel ch, before the
// provider is asked; it is the order's last attempt. Only the code's
// last four digits reach the event log.
func (t *Till) storeCodeAttempt(ctx context.Context, number string, ch payments.Channel, code string) (Order, error) {
	return t.storeNewAttempt(ctx, number, ch, KindCode, t.cfg.CodeWindow, func(a *Attempt) (EventKind, string) {
		return EventCodeCharge, fmt.Sprintf("charging the customer's %s payment code ending %s for %s", ch, lastDigits(code, 4), a.Amount)
	})
}

// storeNewAttempt stores a new attempt of kind on channel ch, payable for
// window, with the cashier's event that says what the till is about to
// ask the provider (event gives its kind and detail).
func (t *Till) storeNewAttempt(ctx context.Context, number string, ch payments.Channel, kind AttemptKind, window time.Duration,
	event func(a *Attempt) (EventKind, string)) (Order, error) {
	now := t.cfg.Clock()
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		a, err := addAttempt(o, ch, kind, now, window)
		if err != nil {
			return nil, err
		}
		ek, detail := event(a)
		return []Event{{At: now, Source: SourceCashier, Kind: ek, OutTradeNo: a.OutTradeNo, Detail: detail}}, nil
	})
	if err != nil {
		return o, fmt.Errorf("store attempt: %w", err)
	}
	return o, nil
}

// addAttempt appends a new attempt of kind on channel ch for the order's
// total, payable for window, and moves the order to awaiting payment.
func addAttempt(o *Order, ch payments.Channel, kind AttemptKind, now time.Time, window time.Duration) (*Attempt, error) {
	if o.Status != OrderAwaitingPayment {
		if err := move(&o.Status, OrderAwaitingPayment, o.Number); err != nil {
			return nil, err
		}
	}
	o.Attempts = append(o.Attempts, Attempt{
		OutTradeNo: AttemptOutTradeNo(o.Number, len(o.Attempts)+1), OrderNumber: o.Number, Channel: ch, Kind: kind,
		Status: AttemptCreating, Amount: o.Total, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(window),
	})
	o.Channel = ch
	o.UpdatedAt = now
	return &o.Attempts[len(o.Attempts)-1], nil
}

// settleCharge stores the provider's answer to a code charge: paid or
// waiting for the password is applied; a refusal fails the attempt; an
// unclear outcome is left to the watcher's queries.
func (t *Till) settleCharge(ctx context.Context, number string, a Attempt, st payments.TradeStatus, perr error) (Order, error) {
	if perr == nil {
		o, err := t.apply(ctx, number, a.OutTradeNo, st, SourceCashier)
		if err != nil {
			return o, err
		}
		if na := findAttempt(&o, a.OutTradeNo); na != nil && na.Open() {
			t.ensureWatch(number, a.OutTradeNo)
		}
		return o, nil
	}
	now := t.cfg.Clock()
	refused := errors.Is(perr, payments.ErrRejected)
	o, err := t.update(ctx, number, func(o *Order) ([]Event, error) {
		na := findAttempt(o, a.OutTradeNo)
		if na == nil || !na.Open() {
			return nil, nil
		}
		na.UpdatedAt = now
		if !refused {
			return []Event{{At: now, Source: SourceSystem, Kind: EventCodeUnknown, OutTradeNo: a.OutTradeNo,
				Detail: "no clear answer to the charge (" + perr.Error() + "); asking " + string(a.Channel) + " until it says"}}, nil
		}
		if err := move(&na.Status, AttemptFailed, na.OutTradeNo); err != nil {
			return nil, err
		}
		return []Event{{At: now, Source: SourceCashier, Kind: EventFailed, OutTradeNo: a.OutTradeNo,
			Detail: string(a.Channel) + " refused the payment code: " + perr.Error()}}, nil
	})
	if err != nil {
		return o, err
	}
	if !refused {
		t.log.Warn("code charge outcome unknown; querying", "out_trade_no", a.OutTradeNo, "err", perr)
		t.ensureWatch(number, a.OutTradeNo)
		return o, nil
	}
	t.log.Info("payment code refused", "out_trade_no", a.OutTradeNo, "err", perr)
	return o, codeRefusal(a.Channel, perr)
}

// codeRefusal words a provider's refusal of a code for the cashier.
func codeRefusal(ch payments.Channel, perr error) error {
	if errors.Is(perr, payments.ErrBalanceLow) {
		return sentence(ErrBalanceLow, "%s says the customer's balance is not enough; ask them to choose another card in the app, or pay another way.", channelTitle(ch))
	}
	return sentence(ErrCodeRefused, "%s refused the payment code; ask the customer to refresh it and scan again, or pay another way.", channelTitle(ch))
}

// channelTitle is a channel's name in a sentence.
func channelTitle(ch payments.Channel) string {
	switch ch {
	case payments.Alipay:
		return "Alipay"
	case payments.WeChat:
		return "WeChat Pay"
	case payments.Cash:
		return "Cash"
	}
	return string(ch)
}

// lastDigits is the last n characters of s, for a log line that must not
// carry the whole code.
func lastDigits(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// endTrade makes sure an attempt's trade can no longer be paid and
// answers its final state: Close for a QR; for a code payment, reverseCode.
func endTrade(ctx context.Context, prov payments.Provider, a Attempt) (payments.TradeStatus, error) {
	if !a.IsCode() {
		return prov.Close(ctx, a.OutTradeNo)
	}
	return reverseCode(ctx, prov, a.OutTradeNo)
}

// reverseCode ends a code payment: it asks first, and a trade found paid
// (or otherwise settled) is answered as it is, so a customer who just
// confirmed is booked, not refunded. Otherwise it reverses (Alipay
// trade.cancel, WeChat reverse) and asks again for the final state:
// closed, or refunded when the payment landed between the two calls (the
// reverse then gave the money back). A trade the provider never had is
// closed. Anything unclear is an error, to be tried again.
func reverseCode(ctx context.Context, prov payments.Provider, no string) (payments.TradeStatus, error) {
	st, err := prov.Query(ctx, no)
	switch {
	case err != nil && !errors.Is(err, payments.ErrNotFound):
		return payments.TradeStatus{}, fmt.Errorf("query %s before reversing it: %w", no, err)
	case err == nil && st.State.Final():
		return st, nil
	}
	if err := prov.Reverse(ctx, no); err != nil && !errors.Is(err, payments.ErrNotFound) {
		return payments.TradeStatus{}, fmt.Errorf("reverse %s: %w", no, err)
	}
	st, err = prov.Query(ctx, no)
	switch {
	case errors.Is(err, payments.ErrNotFound), err == nil && st.State == payments.StateNotFound:
		return payments.TradeStatus{OutTradeNo: no, State: payments.StateClosed, RawCode: "reversed"}, nil
	case err != nil:
		return payments.TradeStatus{}, fmt.Errorf("query %s after reversing it: %w", no, err)
	case !st.State.Final():
		return payments.TradeStatus{}, fmt.Errorf("reverse %s: the trade is still %s: %w", no, st.State, payments.ErrUnavailable)
	}
	return st, nil
}

// scannedEvent is the event of an attempt the buyer must confirm: a QR
// scanned, or a code payment waiting for the password until its deadline.
func scannedEvent(a *Attempt) (EventKind, string) {
	if a.IsCode() {
		return EventWaitPassword, "the customer must confirm the payment in " + string(a.Channel) +
			" (password); waiting until " + a.ExpiresAt.Format("15:04:05") + ", then reversing it"
	}
	return EventScanned, "scanned by buyer " + orDash(a.Buyer) + "; waiting for the buyer to confirm"
}

// closingEvent is the event of the till asking the provider to end an
// attempt: a QR is closed, a code payment reversed.
func closingEvent(a *Attempt, intent Intent) (EventKind, string) {
	if a.IsCode() {
		return EventReversing, "asking " + string(a.Channel) + " to reverse the code payment (" + string(intent) + ")"
	}
	return EventClosing, "asking " + string(a.Channel) + " to close the QR (" + string(intent) + ")"
}

// awaitCode follows a code payment the customer may still be confirming,
// for Reconcile: it queries every few seconds until the provider settles
// it or its deadline passes (the caller then reverses it), or ctx or the
// till ends. It returns the order as last stored.
func (t *Till) awaitCode(ctx context.Context, prov payments.Provider, o Order, outTradeNo string) Order {
	for {
		a := findAttempt(&o, outTradeNo)
		if a == nil || !a.Open() || a.Intent != "" || !t.cfg.Clock().Before(a.ExpiresAt) {
			return o
		}
		if !t.sleepCtx(ctx, min(t.cfg.Poll.codeEvery(), a.ExpiresAt.Sub(t.cfg.Clock()))) {
			return o
		}
		cctx, cancel := t.callCtx(ctx)
		st, err := prov.Query(cctx, outTradeNo)
		cancel()
		if err != nil {
			t.log.Warn("reconcile: query code payment", "out_trade_no", outTradeNo, "err", err)
			continue
		}
		if after, err := t.apply(ctx, o.Number, outTradeNo, st, SourceReconcile); err == nil {
			o = after
		}
	}
}

// sleepCtx waits for d unless ctx or the till ends first; it reports
// whether the caller should go on.
func (t *Till) sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-t.ctx.Done():
		return false
	}
}
