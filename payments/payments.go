// Package payments defines what the till needs from a payment provider
// (Alipay, WeChat Pay, or the local sandbox that speaks both) and the
// provider-neutral types that cross that boundary, the key-file checks
// and the one RSA private-key PEM parser every provider shares.
//
// Amounts are integer fen everywhere in this package. Conversion to a
// provider's own unit (Alipay's yuan string) happens only inside that
// provider's package. This package imports the standard library only,
// and never net/http.
package payments

import (
	"context"
	"errors"
	"time"
)

// Channel names a payment provider.
type Channel string

// The two provider channels the till supports.
const (
	Alipay Channel = "alipay"
	WeChat Channel = "wechat"
)

// Cash is the channel of a sale paid in notes and coins. No provider
// stands behind it: the till takes and refunds cash itself, so it is not
// Valid (no provider, no notifications, no trade numbers).
const Cash Channel = "cash"

// Valid reports whether c is a provider channel (Alipay or WeChat Pay).
func (c Channel) Valid() bool { return c == Alipay || c == WeChat }

// State is a provider trade state, normalised across channels.
type State string

// The normalised trade states. A query answers one of these.
const (
	// StateNotFound: the provider knows no trade by that out_trade_no yet.
	// For an Alipay precreate this is the normal "waiting for scan" state
	// (ACQ.TRADE_NOT_EXIST); it never means failure on its own.
	StateNotFound State = "not_found"
	// StateWaitingScan: the trade exists, nobody has scanned it (WeChat NOTPAY).
	StateWaitingScan State = "waiting_scan"
	// StateScanned: the buyer scanned and must confirm or enter a password
	// (Alipay WAIT_BUYER_PAY, WeChat USERPAYING).
	StateScanned State = "scanned"
	// StatePaid: money taken (Alipay TRADE_SUCCESS/TRADE_FINISHED, WeChat SUCCESS).
	StatePaid State = "paid"
	// StateClosed: unpaid and closed, cancelled or expired; can no longer be paid.
	StateClosed State = "closed"
	// StateRefunded: was paid, then refunded in part or in full (WeChat REFUND;
	// Alipay TRADE_CLOSED after a full refund).
	StateRefunded State = "refunded"
	// StateFailed: the payment failed (WeChat PAYERROR, a revoked code payment).
	StateFailed State = "failed"
)

// Final reports whether no further payment can happen on a trade in s.
func (s State) Final() bool {
	return s == StatePaid || s == StateClosed || s == StateRefunded || s == StateFailed
}

// QRRequest asks for a merchant-presented QR code (Alipay precreate, WeChat native).
type QRRequest struct {
	OutTradeNo string    // the attempt's own merchant trade number
	AmountFen  int64     // > 0
	Subject    string    // short order title shown in the buyer's wallet
	ExpiresAt  time.Time // after this the QR can no longer be paid
	NotifyURL  string    // where the provider posts notifications; empty = none
}

// QR is a created QR payment: the text to encode and when it stops working.
type QR struct {
	Content   string
	ExpiresAt time.Time
}

// TradeStatus is one answer about a trade, from a query or a notification.
type TradeStatus struct {
	OutTradeNo      string
	State           State
	ProviderTradeNo string    // Alipay trade_no / WeChat transaction_id, once known
	Buyer           string    // masked buyer id (e.g. "159****5620"), once scanned
	AmountFen       int64     // order amount as the provider has it (0 if unknown)
	PaidFen         int64     // amount actually paid by the buyer (0 until paid)
	RefundedFen     int64     // amount refunded so far, when the provider says
	PaidAt          time.Time // zero until paid
	RawCode         string    // the provider's own code/status, for the event log
}

// RefundRequest asks for a refund of part or all of a paid trade.
// RefundNo is the idempotency key: the same RefundNo twice is one refund.
type RefundRequest struct {
	OutTradeNo string
	RefundNo   string
	AmountFen  int64 // this refund
	TotalFen   int64 // the trade's total (WeChat needs it)
	Reason     string
}

// RefundState is the state of one refund.
type RefundState string

// Refund states.
const (
	RefundPending RefundState = "pending"
	RefundSuccess RefundState = "success"
	RefundFailed  RefundState = "failed"
	// RefundAbnormal (added for going live): WeChat Pay's ABNORMAL. The
	// refund is neither done nor failed: the money sits in WeChat Pay's
	// refund transit account (the buyer's card was frozen or closed, say)
	// until the merchant settles it in the merchant platform or with the
	// abnormal-refund API. Keep the amount reserved; never refund it again.
	RefundAbnormal RefundState = "abnormal"
)

// RefundResult is what the provider says about one refund.
type RefundResult struct {
	OutTradeNo string
	RefundNo   string
	State      RefundState
	AmountFen  int64 // this refund
	RawCode    string
}

// CodePayRequest charges a customer-presented payment code (barcode on the
// buyer's phone): Alipay trade.pay scene bar_code, WeChat codepay.
type CodePayRequest struct {
	OutTradeNo string
	AuthCode   string
	AmountFen  int64
	Subject    string
}

// Notification is a verified, decoded provider notification. A provider
// returns one only after the signature verified and the merchant ids
// (app id, seller id / mchid) matched its configuration. Matching
// OutTradeNo and amount against the stored attempt is the till's job.
type Notification struct {
	Channel Channel
	// ID identifies the notification for dedup: Alipay notify_id, WeChat
	// event id. Retries of one notification carry the same ID.
	ID         string
	ReceivedAt time.Time
	Status     TradeStatus
	// Refund is set (added for going live) when the notification is about
	// a refund: WeChat REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED, or
	// an Alipay trade notification carrying refund fields. Refunds made
	// outside the till (merchant platform, app) arrive this way too, under
	// a refund number the till never issued.
	Refund *RefundNotice
}

// RefundNotice is the refund part of a notification (added for going
// live). Amounts are fen; a provider that does not say leaves 0.
type RefundNotice struct {
	// RefundNo is the merchant refund number: WeChat out_refund_no, Alipay
	// out_biz_no (the refund's out_request_no).
	RefundNo string
	// ProviderRefundNo is WeChat's refund_id; Alipay sends none.
	ProviderRefundNo string
	// State is the refund's state: RefundSuccess, RefundAbnormal, or
	// RefundFailed (WeChat CLOSED: the amount is refundable again).
	State RefundState
	// AmountFen is this refund (WeChat amount.refund); 0 from Alipay, whose
	// notification carries only the total: ask QueryRefund for the amount.
	AmountFen int64
	// RefundedFen is the trade's total refunded so far (Alipay refund_fee);
	// 0 from WeChat, which does not say.
	RefundedFen int64
	// At is when the refund was made (WeChat success_time, Alipay
	// gmt_refund); zero if not given.
	At time.Time
}

// Provider is one payment channel as the till uses it: trade calls only.
// Receiving a provider's notifications is the HTTP edge's job
// (payments/notify), so the domain never links net/http.
type Provider interface {
	// Channel names the provider.
	Channel() Channel
	// CreateQR asks for a merchant-presented QR code.
	CreateQR(ctx context.Context, req QRRequest) (QR, error)
	// Query asks for the trade's current state.
	Query(ctx context.Context, outTradeNo string) (TradeStatus, error)
	// Close makes sure the trade can no longer be paid and answers its final
	// state: StateClosed, or StatePaid if the buyer paid before the close
	// landed. It never refunds.
	Close(ctx context.Context, outTradeNo string) (TradeStatus, error)
	// Refund refunds part or all of a paid trade, idempotent by RefundNo.
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
	// QueryRefund asks for a refund's state.
	QueryRefund(ctx context.Context, outTradeNo, refundNo string) (RefundResult, error)
	// PayByCode charges a customer-presented code. A StateScanned answer
	// means the buyer must still enter a password: poll Query.
	PayByCode(ctx context.Context, req CodePayRequest) (TradeStatus, error)
	// Reverse undoes a code payment whose result is unknown: closes it if
	// unpaid, refunds it if paid (Alipay trade.cancel, WeChat codepay reverse).
	Reverse(ctx context.Context, outTradeNo string) error
}

// Errors a provider returns. Wrap them with the provider's detail; callers
// test with errors.Is.
var (
	// ErrUnavailable: the provider could not be reached or answered 5xx or
	// timed out; the outcome of the call is unknown. Retry with backoff.
	ErrUnavailable = errors.New("payment provider unavailable")
	// ErrRejected: the provider refused the request (bad parameters, a
	// repeated out_trade_no with a different amount, refund over the total).
	ErrRejected = errors.New("payment provider rejected the request")
	// ErrBadSignature: a response or notification failed signature checks.
	ErrBadSignature = errors.New("payment signature did not verify")
	// ErrWrongMerchant: a notification names another app or merchant.
	ErrWrongMerchant = errors.New("notification is for another merchant")
	// ErrMalformed: a notification or response could not be parsed.
	ErrMalformed = errors.New("malformed payment message")
	// ErrNotFound: the provider has no such trade or refund.
	ErrNotFound = errors.New("payment provider has no such trade")
	// ErrCloseRefused (added for going live): the provider refused to close
	// a trade with a business rule the provider package does not know (the
	// trade may have just been paid). It is not transient, so retrying the
	// close blind never ends it: settle the trade with a query. It comes
	// wrapped together with ErrRejected.
	ErrCloseRefused = errors.New("payment provider refused to close the trade; query it to settle")
	// ErrNotificationRefused: a notification that verified but that the
	// merchant refuses for good (its trade or amount does not match the
	// order); the till's own refusals wrap it, so a provider can answer it
	// as a refusal (4xx) rather than a failure of the merchant's server.
	ErrNotificationRefused = errors.New("notification refused: it does not match the merchant's order")
)
