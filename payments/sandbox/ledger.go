package sandbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sort"
	"sync"
	"time"

	"qrtill/payments"
)

// TradeKind says how a trade was started.
type TradeKind string

// Trade kinds.
const (
	KindQR   TradeKind = "qr"   // merchant-presented QR (Alipay precreate, WeChat native)
	KindCode TradeKind = "code" // customer-presented code (Alipay bar_code, WeChat codepay)
)

// TradeStatus is a trade's lifecycle state in the sandbox.
type TradeStatus string

// Trade statuses (the control API's "status").
const (
	StatusCreated  TradeStatus = "created"  // QR issued / order made, not scanned
	StatusScanned  TradeStatus = "scanned"  // buyer scanned, must confirm
	StatusPaid     TradeStatus = "paid"     // money taken
	StatusClosed   TradeStatus = "closed"   // unpaid, can no longer be paid
	StatusRefunded TradeStatus = "refunded" // paid, then refunded in full
)

// Trade is one trade at the sandbox.
type Trade struct {
	OutTradeNo  string           `json:"out_trade_no"`
	Channel     payments.Channel `json:"channel"`
	Kind        TradeKind        `json:"kind"`
	AmountFen   int64            `json:"amount_fen"`
	Subject     string           `json:"subject"`
	NotifyURL   string           `json:"notify_url"`
	Status      TradeStatus      `json:"status"`
	TradeNo     string           `json:"trade_no,omitempty"`
	BuyerID     string           `json:"buyer_id,omitempty"`
	BuyerLogon  string           `json:"buyer_logon,omitempty"`
	CreatedAt   time.Time        `json:"created_at"`
	ScannedAt   time.Time        `json:"scanned_at,omitzero"`
	PaidAt      time.Time        `json:"paid_at,omitzero"`
	ClosedAt    time.Time        `json:"closed_at,omitzero"`
	ExpiresAt   time.Time        `json:"expires_at,omitzero"`
	RefundedFen int64            `json:"refunded_fen"`
	Refunds     []Refund         `json:"refunds,omitempty"`
	// Finished: paid and no longer refundable (Alipay TRADE_FINISHED).
	Finished bool `json:"finished,omitempty"`
	// CertMode: the trade was made by an Alipay client in certificate
	// mode, so its notifications are signed as such an app's are.
	CertMode bool `json:"cert_mode,omitempty"`
	// NotifyAttempts counts notification deliveries tried; Notified says
	// whether the merchant acknowledged one.
	NotifyAttempts int  `json:"notify_attempts"`
	Notified       bool `json:"notified"`
}

// RefundStatus is a refund's state in the sandbox.
type RefundStatus string

// Refund statuses. A refund is "success" at once unless a refund fault
// makes it "processing" first; it then settles to its outcome.
const (
	RefundProcessing RefundStatus = "processing" // WeChat PROCESSING; Alipay fund_change N
	RefundSucceeded  RefundStatus = "success"    // the money is back with the buyer
	RefundAbnormal   RefundStatus = "abnormal"   // WeChat ABNORMAL: stuck in transit, not final
	RefundClosed     RefundStatus = "closed"     // WeChat CLOSED: not made; the amount is refundable again
)

// Refund is one refund of a trade.
type Refund struct {
	RefundNo  string       `json:"refund_no"`
	RefundID  string       `json:"refund_id"`
	AmountFen int64        `json:"amount_fen"`
	CreatedAt time.Time    `json:"created_at"`
	Status    RefundStatus `json:"status"`
	// Outcome and SettlesAt: a processing refund becomes Outcome at
	// SettlesAt (on the gateway's clock); SettledAt is when it did.
	Outcome   RefundStatus `json:"outcome,omitempty"`
	SettlesAt time.Time    `json:"settles_at,omitzero"`
	SettledAt time.Time    `json:"settled_at,omitzero"`
	// External: made outside the till (the control API's refund, as the
	// merchant platform would).
	External bool `json:"external,omitempty"`
	// NotifyURL receives the refund's notification ("" = none);
	// NotifyAttempts and Notified count its deliveries.
	NotifyURL      string `json:"notify_url,omitempty"`
	NotifyAttempts int    `json:"notify_attempts"`
	Notified       bool   `json:"notified"`
}

// RefundSpec asks the ledger for a refund.
type RefundSpec struct {
	RefundNo  string // the merchant's refund number, the idempotency key
	AmountFen int64
	NotifyURL string // where the refund's notification goes; "" = none
	External  bool   // made outside the till
	// Outcome, if set, makes the refund processing for Delay (gateway
	// clock) before it becomes Outcome; unset = success at once.
	Outcome RefundStatus
	Delay   time.Duration
	// Plan, if set, is asked for Outcome and Delay only when the refund
	// is made (not for a repeat or a refused one), so a fault it draws is
	// spent on a real refund.
	Plan func() (RefundStatus, time.Duration)
}

// Ledger errors. The wires map them to each provider's own error codes.
var (
	ErrTradeNotFound = errors.New("sandbox: no such trade")
	ErrTradeConflict = errors.New("sandbox: out_trade_no already used with other parameters")
	ErrTradePaid     = errors.New("sandbox: trade is already paid")
	ErrTradeClosed   = errors.New("sandbox: trade is closed")
	ErrRefundTooMuch = errors.New("sandbox: refund exceeds the trade amount")
	ErrNotPaid       = errors.New("sandbox: trade is not paid")
	ErrTradeFinished = errors.New("sandbox: trade is finished and can no longer be refunded")
)

// Ledger holds the sandbox's trades. It is safe for concurrent use; expiry
// is applied lazily whenever a trade is read or changed.
type Ledger struct {
	clock  func() time.Time
	onPaid func(Trade) // notification delivery hook, called outside the lock
	// onRefund is the refund notification hook, called outside the lock
	// for every new refund.
	onRefund func(Trade, Refund)
	// finishOnPay, called under the lock as a trade is paid, says whether
	// it is finished at once (the alipay_finished fault).
	finishOnPay func(payments.Channel) bool
	// beforeClose runs before a close or cancel, outside the lock (the
	// pay_before_close fault pays the trade there).
	beforeClose func(outTradeNo string)

	mu     sync.Mutex
	trades map[string]*Trade
	path   string       // where trades are kept; "" = memory only
	log    *slog.Logger // reports save failures
}

// NewLedger returns an empty ledger on clock (time.Now if nil).
func NewLedger(clock func() time.Time) *Ledger {
	if clock == nil {
		clock = time.Now
	}
	return &Ledger{clock: clock, trades: map[string]*Trade{}}
}

// expire closes an unpaid trade whose time ran out, and settles the
// processing refunds whose time came. Caller holds mu.
func (l *Ledger) expire(t *Trade) {
	now := l.clock()
	if (t.Status == StatusCreated || t.Status == StatusScanned) && !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		t.Status = StatusClosed
		t.ClosedAt = t.ExpiresAt
	}
	for i := range t.Refunds {
		r := &t.Refunds[i]
		switch {
		case r.Status == "": // kept by a sandbox before refund states
			r.Status, r.SettledAt = RefundSucceeded, r.CreatedAt
		case r.Status == RefundProcessing && !now.Before(r.SettlesAt):
			r.Status, r.SettledAt = r.Outcome, r.SettlesAt
			if r.Status == RefundClosed {
				t.RefundedFen -= r.AmountFen
				if t.Status == StatusRefunded && t.RefundedFen < t.AmountFen {
					t.Status = StatusPaid
				}
			}
		}
	}
}

func (l *Ledger) get(no string) (*Trade, error) {
	t := l.trades[no]
	if t == nil {
		return nil, fmt.Errorf("%w: %s", ErrTradeNotFound, no)
	}
	l.expire(t)
	return t, nil
}

// ByTradeNo returns the trade of a channel with a provider trade number
// (Alipay trade_no, WeChat transaction_id).
func (l *Ledger) ByTradeNo(ch payments.Channel, tradeNo string) (Trade, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tradeNo != "" {
		for _, t := range l.trades {
			if t.Channel == ch && t.TradeNo == tradeNo {
				l.expire(t)
				return snapshot(t), nil
			}
		}
	}
	return Trade{}, fmt.Errorf("%w: trade_no %s", ErrTradeNotFound, tradeNo)
}

// MarkCertMode records that an Alipay certificate-mode client made the
// trade.
func (l *Ledger) MarkCertMode(outTradeNo string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.trades[outTradeNo]; t != nil && !t.CertMode {
		t.CertMode = true
		l.saveLocked()
	}
}

func snapshot(t *Trade) Trade {
	c := *t
	c.Refunds = append([]Refund(nil), t.Refunds...)
	return c
}

// Create records a new trade. The same out_trade_no with the same amount
// and subject returns the existing trade (providers treat a repeat as
// idempotent); with other parameters it is ErrTradeConflict.
func (l *Ledger) Create(ch payments.Channel, kind TradeKind, outTradeNo string, amountFen int64, subject, notifyURL string, expiresAt time.Time) (Trade, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.trades[outTradeNo]; t != nil {
		l.expire(t)
		if t.Channel != ch || t.AmountFen != amountFen || t.Subject != subject {
			return snapshot(t), fmt.Errorf("%w: %s", ErrTradeConflict, outTradeNo)
		}
		return snapshot(t), nil
	}
	t := &Trade{OutTradeNo: outTradeNo, Channel: ch, Kind: kind, AmountFen: amountFen, Subject: subject,
		NotifyURL: notifyURL, Status: StatusCreated, CreatedAt: l.clock(), ExpiresAt: expiresAt}
	l.trades[outTradeNo] = t
	l.saveLocked()
	return snapshot(t), nil
}

// Get returns a trade.
func (l *Ledger) Get(outTradeNo string) (Trade, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.get(outTradeNo)
	if err != nil {
		return Trade{}, err
	}
	return snapshot(t), nil
}

// List returns every trade, newest first.
func (l *Ledger) List() []Trade {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Trade, 0, len(l.trades))
	for _, t := range l.trades {
		l.expire(t)
		out = append(out, snapshot(t))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].OutTradeNo > out[j].OutTradeNo
	})
	return out
}

// Scan is the buyer scanning the QR: created → scanned, with a buyer.
// Scanning a scanned trade again changes nothing.
func (l *Ledger) Scan(outTradeNo string) (Trade, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.get(outTradeNo)
	if err != nil {
		return Trade{}, err
	}
	if err := l.scan(t); err != nil {
		return snapshot(t), err
	}
	l.saveLocked()
	return snapshot(t), nil
}

func (l *Ledger) scan(t *Trade) error {
	switch t.Status {
	case StatusScanned:
		return nil
	case StatusPaid, StatusRefunded:
		return ErrTradePaid
	case StatusClosed:
		return ErrTradeClosed
	}
	t.Status = StatusScanned
	t.ScannedAt = l.clock()
	t.BuyerID, t.BuyerLogon = fakeBuyer(t.Channel)
	if t.Channel == payments.Alipay {
		t.TradeNo = providerTradeNo(t.Channel, t.ScannedAt)
	}
	return nil
}

// Pay is the buyer confirming: it scans first if needed, then marks the
// trade paid and hands it to notification delivery.
func (l *Ledger) Pay(outTradeNo string) (Trade, error) {
	l.mu.Lock()
	t, err := l.get(outTradeNo)
	if err == nil {
		err = l.pay(t)
	}
	if err == nil {
		l.saveLocked()
	}
	var snap Trade
	if t != nil {
		snap = snapshot(t)
	}
	onPaid := l.onPaid
	l.mu.Unlock()
	if err != nil {
		return snap, err
	}
	if onPaid != nil {
		onPaid(snap)
	}
	return snap, nil
}

func (l *Ledger) pay(t *Trade) error {
	if err := l.scan(t); err != nil {
		return err
	}
	t.Status = StatusPaid
	t.PaidAt = l.clock()
	if l.finishOnPay != nil && l.finishOnPay(t.Channel) {
		t.Finished = true
	}
	if t.TradeNo == "" {
		t.TradeNo = providerTradeNo(t.Channel, t.PaidAt)
	}
	return nil
}

// Close makes an unpaid trade unpayable. A paid trade is ErrTradePaid.
func (l *Ledger) Close(outTradeNo string) (Trade, error) {
	l.hookBeforeClose(outTradeNo)
	return l.close(outTradeNo)
}

// close closes without the fault hook (the buyer cancelling in the wallet).
func (l *Ledger) close(outTradeNo string) (Trade, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.get(outTradeNo)
	if err != nil {
		return Trade{}, err
	}
	switch t.Status {
	case StatusPaid, StatusRefunded:
		return snapshot(t), ErrTradePaid
	case StatusClosed:
		return snapshot(t), nil
	}
	t.Status = StatusClosed
	t.ClosedAt = l.clock()
	l.saveLocked()
	return snapshot(t), nil
}

// Cancel is Alipay's trade.cancel: an unpaid trade is closed (action
// "close"), a paid one refunded in full (action "refund").
func (l *Ledger) Cancel(outTradeNo string) (Trade, string, error) {
	l.hookBeforeClose(outTradeNo)
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.get(outTradeNo)
	if err != nil {
		return Trade{}, "", err
	}
	switch t.Status {
	case StatusPaid:
		left := t.AmountFen - t.RefundedFen
		l.refundLocked(t, RefundSpec{RefundNo: "CANCEL-" + t.OutTradeNo, AmountFen: left})
		return snapshot(t), "refund", nil
	case StatusRefunded:
		return snapshot(t), "refund", nil
	case StatusClosed:
		return snapshot(t), "close", nil
	}
	t.Status = StatusClosed
	t.ClosedAt = l.clock()
	l.saveLocked()
	return snapshot(t), "close", nil
}

func (l *Ledger) hookBeforeClose(outTradeNo string) {
	if l.beforeClose != nil {
		l.beforeClose(outTradeNo)
	}
}

// Refund refunds part of a paid trade at once (see RefundWith).
func (l *Ledger) Refund(outTradeNo, refundNo string, amountFen int64) (Trade, Refund, bool, error) {
	return l.RefundWith(outTradeNo, RefundSpec{RefundNo: refundNo, AmountFen: amountFen})
}

// RefundWith refunds part of a paid trade. The same refund number again
// returns the first refund with isNew false; refunds never exceed the
// amount (processing and abnormal ones count, closed ones do not); a
// finished trade refuses with ErrTradeFinished. A new refund is handed to
// notification delivery.
func (l *Ledger) RefundWith(outTradeNo string, spec RefundSpec) (Trade, Refund, bool, error) {
	l.mu.Lock()
	t, r, isNew, err := l.refund(outTradeNo, spec)
	var snap Trade
	if t != nil {
		snap = snapshot(t)
	}
	onRefund := l.onRefund
	l.mu.Unlock()
	if isNew && onRefund != nil {
		onRefund(snap, r)
	}
	return snap, r, isNew, err
}

func (l *Ledger) refund(outTradeNo string, spec RefundSpec) (*Trade, Refund, bool, error) {
	t, err := l.get(outTradeNo)
	if err != nil {
		return nil, Refund{}, false, err
	}
	for _, r := range t.Refunds {
		if r.RefundNo == spec.RefundNo {
			return t, r, false, nil
		}
	}
	switch {
	case t.Status == StatusRefunded:
		return t, Refund{}, false, ErrRefundTooMuch
	case t.Status != StatusPaid:
		return t, Refund{}, false, ErrNotPaid
	case t.Finished:
		return t, Refund{}, false, ErrTradeFinished
	case spec.AmountFen <= 0 || t.RefundedFen+spec.AmountFen > t.AmountFen:
		return t, Refund{}, false, fmt.Errorf("%w: %d + %d > %d", ErrRefundTooMuch, t.RefundedFen, spec.AmountFen, t.AmountFen)
	}
	if spec.Plan != nil {
		spec.Outcome, spec.Delay = spec.Plan()
	}
	return t, l.refundLocked(t, spec), true, nil
}

func (l *Ledger) refundLocked(t *Trade, spec RefundSpec) Refund {
	now := l.clock()
	r := Refund{RefundNo: spec.RefundNo, RefundID: refundID(t.Channel, now), AmountFen: spec.AmountFen, CreatedAt: now,
		Status: RefundSucceeded, SettledAt: now, External: spec.External, NotifyURL: spec.NotifyURL}
	if spec.Outcome != "" {
		r.Status, r.Outcome, r.SettlesAt, r.SettledAt = RefundProcessing, spec.Outcome, now.Add(spec.Delay), time.Time{}
	}
	t.Refunds = append(t.Refunds, r)
	t.RefundedFen += spec.AmountFen
	if t.RefundedFen >= t.AmountFen {
		t.Status = StatusRefunded
	}
	l.saveLocked()
	return r
}

// SettledRefundFen is what has been refunded on t and reached the buyer.
func SettledRefundFen(t Trade) int64 {
	var sum int64
	for _, r := range t.Refunds {
		if r.Status == RefundSucceeded {
			sum += r.AmountFen
		}
	}
	return sum
}

// RefundOf returns one refund of a trade, as it stands now.
func (l *Ledger) RefundOf(outTradeNo, refundNo string) (Trade, Refund, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.get(outTradeNo)
	if err != nil {
		return Trade{}, Refund{}, err
	}
	for _, r := range t.Refunds {
		if r.RefundNo == refundNo {
			return snapshot(t), r, nil
		}
	}
	return snapshot(t), Refund{}, fmt.Errorf("%w: refund %s of %s", ErrTradeNotFound, refundNo, outTradeNo)
}

// noteDelivery records a notification attempt and its outcome.
func (l *Ledger) noteDelivery(outTradeNo string, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.trades[outTradeNo]; t != nil {
		t.NotifyAttempts++
		t.Notified = t.Notified || acked
		l.saveLocked()
	}
}

// noteRefundDelivery records a refund notification attempt and its
// outcome.
func (l *Ledger) noteRefundDelivery(outTradeNo, refundNo string, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.trades[outTradeNo]; t != nil {
		for i := range t.Refunds {
			if r := &t.Refunds[i]; r.RefundNo == refundNo {
				r.NotifyAttempts++
				r.Notified = r.Notified || acked
				l.saveLocked()
			}
		}
	}
}

// refundID makes a provider refund number: WeChat's refund_id starts
// 5030…, Alipay's is a trade-number-like 28 digits.
func refundID(ch payments.Channel, at time.Time) string {
	if ch == payments.WeChat {
		return "5030" + at.Format("20060102") + randDigits(17)
	}
	return providerTradeNo(ch, at)
}

// providerTradeNo makes a 28-digit provider trade number: Alipay's start
// with the date, WeChat's with 4200.
func providerTradeNo(ch payments.Channel, at time.Time) string {
	prefix := at.Format("20060102") + "2200"
	if ch == payments.WeChat {
		prefix = "4200" + at.Format("20060102")
	}
	return prefix + randDigits(28-len(prefix))
}

func fakeBuyer(ch payments.Channel) (id, masked string) {
	if ch == payments.WeChat {
		id = "o" + randAlnum(27)
		return id, id[:4] + "***" + id[len(id)-4:]
	}
	phone := "159" + randDigits(8)
	return "2088" + randDigits(12), phone[:3] + "****" + phone[7:]
}

func randDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + v.Int64())
	}
	return string(b)
}

func randAlnum(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
