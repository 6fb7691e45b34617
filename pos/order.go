package pos

import (
	"time"

	"qrtill/payments"
)

// OrderStatus is where an order stands. The strings are a contract
// (DESIGN.md: `qrtill orders` JSON).
type OrderStatus string

// Order statuses.
const (
	// OrderOpen: created from a basket, no payment attempt yet.
	OrderOpen OrderStatus = "open"
	// OrderAwaitingPayment: a payment attempt is (or may still be) open.
	OrderAwaitingPayment OrderStatus = "awaiting_payment"
	// OrderPaid: paid in full.
	OrderPaid OrderStatus = "paid"
	// OrderCancelled: the shop gave up the sale; the provider confirmed no
	// attempt can be paid any more.
	OrderCancelled OrderStatus = "cancelled"
	// OrderExpired: every attempt ran out of time and was closed.
	OrderExpired OrderStatus = "expired"
	// OrderPartiallyRefunded: paid, then part of the money given back.
	OrderPartiallyRefunded OrderStatus = "partially_refunded"
	// OrderRefunded: paid, then all the money given back.
	OrderRefunded OrderStatus = "refunded"
)

// AttemptStatus is where one payment attempt stands.
type AttemptStatus string

// Attempt statuses.
const (
	// AttemptCreating: stored, the provider has not yet answered with a QR.
	AttemptCreating AttemptStatus = "creating"
	// AttemptWaiting: QR issued, nobody has scanned it yet.
	AttemptWaiting AttemptStatus = "waiting"
	// AttemptScanned: the buyer scanned and must confirm.
	AttemptScanned AttemptStatus = "scanned"
	// AttemptClosing: the till asked the provider to close; not confirmed yet.
	AttemptClosing AttemptStatus = "closing"
	// AttemptPaid: the provider says paid.
	AttemptPaid AttemptStatus = "paid"
	// AttemptClosed: the provider confirmed it can no longer be paid.
	AttemptClosed AttemptStatus = "closed"
	// AttemptExpired: ran out of time and the provider confirmed it closed.
	AttemptExpired AttemptStatus = "expired"
	// AttemptFailed: the provider refused it (or the payment failed).
	AttemptFailed AttemptStatus = "failed"
	// AttemptRefunded: a paid attempt that was refunded in full (for example
	// a second payment on an already paid order).
	AttemptRefunded AttemptStatus = "refunded"
)

// Line is one basket line frozen into an order: a snapshot, so a later
// catalog change never alters a past sale.
type Line struct {
	SKU       string `json:"sku"`
	Barcode   string `json:"barcode,omitempty"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	Unit      string `json:"unit,omitempty"`
	UnitPrice Money  `json:"unit_price_fen"`
	Quantity  int    `json:"quantity"`
	Total     Money  `json:"total_fen"`
}

// Attempt is one try at taking the money for an order on one channel.
type Attempt struct {
	OutTradeNo      string           `json:"out_trade_no"` // derived from the order number
	OrderNumber     string           `json:"order_number"`
	Channel         payments.Channel `json:"channel"`
	Status          AttemptStatus    `json:"status"`
	Amount          Money            `json:"amount_fen"`
	QRContent       string           `json:"qr_content,omitempty"`
	ProviderTradeNo string           `json:"provider_trade_no,omitempty"`
	Buyer           string           `json:"buyer,omitempty"` // masked
	PaidAmount      Money            `json:"paid_fen,omitempty"`
	PaidAt          time.Time        `json:"paid_at,omitzero"`
	CreatedAt       time.Time        `json:"created_at"`
	ExpiresAt       time.Time        `json:"expires_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
	LastCode        string           `json:"last_code,omitempty"` // provider's last raw status
	// Intent says why the till is closing the attempt; empty while
	// nobody is.
	Intent Intent `json:"intent,omitempty"`
	// Kind is how the money is taken: a QR the buyer scans, the buyer's
	// own payment code the cashier scans, or cash. Empty (attempts stored
	// before kinds existed) is a QR.
	Kind AttemptKind `json:"kind,omitempty"`
	// CashGiven is the cash the customer handed over and Change what went
	// back (a cash attempt only).
	CashGiven Money `json:"cash_given_fen,omitempty"`
	Change    Money `json:"change_fen,omitempty"`
}

// AttemptKind is how an attempt takes the money.
type AttemptKind string

// The attempt kinds.
const (
	// KindQR: the till shows a QR, the buyer scans it (precreate / native).
	KindQR AttemptKind = "qr"
	// KindCode: the cashier scans the buyer's payment code (付款码):
	// Alipay trade.pay bar_code, WeChat codepay. Undone by Reverse.
	KindCode AttemptKind = "code"
	// KindCash: notes and coins; paid the moment it is stored.
	KindCash AttemptKind = "cash"
)

// IsCode reports whether the attempt charges a customer-presented code.
func (a Attempt) IsCode() bool { return a.Kind == KindCode }

// WaitingForPassword reports whether the attempt is a code payment the
// customer must still confirm in the app (Alipay 10003, WeChat
// USERPAYING): the screen shows "Waiting for password" and the
// deadline, ExpiresAt.
func (a Attempt) WaitingForPassword() bool { return a.IsCode() && a.Status == AttemptScanned }

// Intent is why the till closes an attempt. It is stored with the
// attempt so that a close interrupted by a crash is finished the same way.
type Intent string

// The intents.
const (
	IntentCancel  Intent = "cancel"  // the cashier cancelled the sale
	IntentExpire  Intent = "expire"  // the attempt ran out of time
	IntentSwitch  Intent = "switch"  // the cashier chose the other channel
	IntentAbandon Intent = "abandon" // the QR was never shown, or the till restarted
	IntentReopen  Intent = "reopen"  // the cashier went back to the basket to edit it
)

// Open reports whether the attempt may still be paid (the till must keep
// watching it or close it).
func (a Attempt) Open() bool {
	switch a.Status {
	case AttemptCreating, AttemptWaiting, AttemptScanned, AttemptClosing:
		return true
	}
	return false
}

// Refund is money given back on a paid order.
type Refund struct {
	RefundNo   string               `json:"refund_no"` // idempotency key at the provider
	OutTradeNo string               `json:"out_trade_no"`
	Amount     Money                `json:"amount_fen"`
	Reason     string               `json:"reason,omitempty"`
	Status     payments.RefundState `json:"status"`
	CreatedAt  time.Time            `json:"created_at"`
	UpdatedAt  time.Time            `json:"updated_at"`
	// External: made outside the till (the merchant platform, the
	// provider's app) and booked from the provider's word.
	External bool `json:"external,omitempty"`
}

// Unsettled reports whether the refund may still change: pending at the
// provider, or ABNORMAL (WeChat Pay could not pay it into the buyer's
// account; the money waits until the merchant reissues it). Its amount
// stays reserved either way.
func (r Refund) Unsettled() bool {
	return r.Status == payments.RefundPending || r.Status == payments.RefundAbnormal
}

// Order is one sale.
type Order struct {
	Number string `json:"number"`
	// DailyNo is the short number staff say aloud: 1, 2, 3… per shop day,
	// given by the store when the order is created.
	DailyNo   int         `json:"daily_no"`
	Status    OrderStatus `json:"status"`
	Lines     []Line      `json:"lines"`
	Total     Money       `json:"total_fen"`
	Cashier   string      `json:"cashier,omitempty"`
	Terminal  string      `json:"terminal,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	// Channel is the channel of the attempt that paid (or of the latest attempt).
	Channel payments.Channel `json:"channel,omitempty"`
	// PaidBy is the out_trade_no of the attempt that paid the order.
	PaidBy   string    `json:"paid_by,omitempty"`
	Attempts []Attempt `json:"attempts,omitempty"`
	Refunds  []Refund  `json:"refunds,omitempty"`
}

// EventSource says who or what caused an event.
type EventSource string

// Event sources.
const (
	SourceCashier   EventSource = "cashier"
	SourcePoll      EventSource = "poll"
	SourceNotify    EventSource = "notify"
	SourceRelay     EventSource = "relay"
	SourceReconcile EventSource = "reconcile"
	SourceSystem    EventSource = "system"
)

// EventKind is the short machine word of an event. The words are stored
// in the order book and labelled on screen (tui/i18n.go), so each is a
// constant the compiler checks.
type EventKind string

// The event kinds.
const (
	EventCreated         EventKind = "created"          // checkout stored the order
	EventAttempt         EventKind = "attempt"          // a payment attempt is stored; asking for a QR
	EventQRIssued        EventKind = "qr_issued"        // the provider issued the QR
	EventQRUnknown       EventKind = "qr_unknown"       // no answer to the QR request; closing it to be safe
	EventWaiting         EventKind = "waiting"          // the provider has the trade; nobody scanned yet
	EventScanned         EventKind = "scanned"          // the buyer scanned and must confirm
	EventPaid            EventKind = "paid"             // the provider says paid
	EventClosing         EventKind = "closing"          // the till asked the provider to close the QR
	EventClosed          EventKind = "closed"           // the provider confirmed the close
	EventExpired         EventKind = "expired"          // the payment window ran out and the QR is closed
	EventFailed          EventKind = "failed"           // the provider refused or the payment failed
	EventOrderCancelled  EventKind = "order_cancelled"  // the sale is cancelled
	EventOrderExpired    EventKind = "order_expired"    // the sale expired
	EventDoublePayment   EventKind = "double_payment"   // paid twice; the second payment goes back
	EventLatePayment     EventKind = "late_payment"     // paid after the sale was cancelled; refunding
	EventRefundRequested EventKind = "refund_requested" // a refund is stored, the provider not yet asked
	EventRefunded        EventKind = "refunded"         // a refund is done (or the provider reports one)
	EventRefundFailed    EventKind = "refund_failed"    // the provider refused a refund
	EventCodeCharge      EventKind = "code_charge"      // a code attempt is stored; charging the buyer's code
	EventCodeUnknown     EventKind = "code_unknown"     // no clear answer to the charge; asking the provider
	EventWaitPassword    EventKind = "wait_password"    // the buyer must confirm the code payment in the app
	EventReversing       EventKind = "reversing"        // the till asked the provider to reverse a code payment
	EventCashPaid        EventKind = "cash_paid"        // paid in cash, with the cash given and the change
	EventReopened        EventKind = "reopened"         // the order went back to the basket to be edited
	EventAmended         EventKind = "amended"          // the basket of an open order was edited
	EventRefundAbnormal  EventKind = "refund_abnormal"  // the refund could not reach the buyer's account; the manager must act
	EventExternalRefund  EventKind = "external_refund"  // a refund made outside the till, booked from the provider
)

// EventKinds lists every event kind.
func EventKinds() []EventKind {
	return []EventKind{EventCreated, EventAttempt, EventQRIssued, EventQRUnknown, EventWaiting, EventScanned, EventPaid,
		EventClosing, EventClosed, EventExpired, EventFailed, EventOrderCancelled, EventOrderExpired, EventDoublePayment,
		EventLatePayment, EventRefundRequested, EventRefunded, EventRefundFailed, EventCodeCharge, EventCodeUnknown,
		EventWaitPassword, EventReversing, EventCashPaid, EventReopened, EventAmended, EventRefundAbnormal, EventExternalRefund}
}

// Event is one entry of an order's append-only log.
type Event struct {
	OrderNumber string      `json:"order_number"`
	Seq         uint64      `json:"seq"` // assigned by the store, increasing per order
	At          time.Time   `json:"at"`
	Source      EventSource `json:"source"`
	Kind        EventKind   `json:"kind"`
	OutTradeNo  string      `json:"out_trade_no,omitempty"`
	Detail      string      `json:"detail,omitempty"` // human text; never secrets
}
