package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// wxEnvelope is a v3 notification body.
type wxEnvelope struct {
	ID           string     `json:"id"`
	CreateTime   string     `json:"create_time"`
	ResourceType string     `json:"resource_type"`
	EventType    string     `json:"event_type"`
	Summary      string     `json:"summary"`
	Resource     wxResource `json:"resource"`
}

// wxResource is the encrypted part of a notification.
type wxResource struct {
	OriginalType   string `json:"original_type"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

// wxEventID is a notification's id, derived from what it is about so
// every retry carries the same one, shaped like the UUIDs WeChat Pay
// sends.
func (w *wechatWire) wxEventID(about ...string) string {
	msg := "wechat-notify\x00" + w.keys().WeChatMchID
	for _, a := range about {
		msg += "\x00" + a
	}
	sum := sha256.Sum256([]byte(msg))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Notification builds one delivery of the TRANSACTION.SUCCESS
// notification for a paid trade: the transaction object encrypted with
// AEAD_AES_256_GCM (key = the APIv3 key, a fresh 12-character nonce, AAD
// "transaction"), the envelope signed (notifySigner). Each call is a
// fresh delivery (new timestamp and nonces) of the same event id.
// f.AmountFen claims that amount inside the encrypted resource, still
// correctly signed; f.BadSignature corrupts the signature.
func (w *wechatWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	if t.Channel != "" && t.Channel != w.Channel() {
		return Delivery{}, errors.New("wechat notification for a " + string(t.Channel) + " trade")
	}
	if t.PaidAt.IsZero() {
		return Delivery{}, errors.New("wechat notifies only paid trades; " + t.OutTradeNo + " is " + string(t.Status))
	}
	tx := w.transaction(t)
	tx.TradeState, tx.TradeStateDesc = "SUCCESS", "支付成功" // what was notified: the payment
	if f.AmountFen != 0 {
		claimed := f.AmountFen
		tx.Amount.Total, tx.Amount.PayerTotal = claimed, &claimed
	}
	env := wxEnvelope{ID: w.wxEventID(t.OutTradeNo, t.TradeNo), CreateTime: wxTime(t.PaidAt),
		EventType: "TRANSACTION.SUCCESS", Summary: "支付成功"}
	return w.notice(env, "transaction", tx, f.BadSignature)
}

// wxRefundNotice is the plaintext of a REFUND.* notification.
type wxRefundNotice struct {
	MchID               string             `json:"mchid"`
	OutTradeNo          string             `json:"out_trade_no"`
	TransactionID       string             `json:"transaction_id"`
	OutRefundNo         string             `json:"out_refund_no"`
	RefundID            string             `json:"refund_id"`
	RefundStatus        string             `json:"refund_status"`
	SuccessTime         string             `json:"success_time,omitempty"`
	UserReceivedAccount string             `json:"user_received_account"`
	Amount              wxRefundNoticeAmts `json:"amount"`
}

// wxRefundNoticeAmts is a refund notification's amount object.
type wxRefundNoticeAmts struct {
	Total       int64 `json:"total"`
	Refund      int64 `json:"refund"`
	PayerTotal  int64 `json:"payer_total"`
	PayerRefund int64 `json:"payer_refund"`
}

// wxRefundEvents are the event type and summary of each settled refund
// status.
var wxRefundEvents = map[RefundStatus][2]string{
	RefundSucceeded: {"REFUND.SUCCESS", "退款成功"},
	RefundAbnormal:  {"REFUND.ABNORMAL", "退款异常"},
	RefundClosed:    {"REFUND.CLOSED", "退款关闭"},
}

// RefundNotification builds one delivery of the REFUND.SUCCESS,
// REFUND.ABNORMAL or REFUND.CLOSED notification of a settled refund: the
// refund object encrypted like a payment's (AAD "refund"), signed.
func (w *wechatWire) RefundNotification(t Trade, r Refund) (Delivery, error) {
	ev, ok := wxRefundEvents[r.Status]
	if !ok {
		return Delivery{}, errors.New("wechat refund " + r.RefundNo + " is " + string(r.Status) + ", not settled")
	}
	view := refundView(t, r)
	plain := wxRefundNotice{MchID: w.keys().WeChatMchID, OutTradeNo: t.OutTradeNo, TransactionID: t.TradeNo,
		OutRefundNo: r.RefundNo, RefundID: r.RefundID, RefundStatus: view.Status, SuccessTime: view.SuccessTime,
		UserReceivedAccount: view.UserReceivedAccount,
		Amount:              wxRefundNoticeAmts{Total: t.AmountFen, Refund: r.AmountFen, PayerTotal: t.AmountFen, PayerRefund: r.AmountFen}}
	env := wxEnvelope{ID: w.wxEventID("refund", r.RefundID, view.Status), CreateTime: wxTime(r.SettledAt),
		EventType: ev[0], Summary: ev[1]}
	return w.notice(env, "refund", plain, false)
}

// notice encrypts plain into env's resource (AAD aad), signs the
// envelope with notifySigner and makes the delivery; bad corrupts the
// signature.
func (w *wechatWire) notice(env wxEnvelope, aad string, plain any, bad bool) (Delivery, error) {
	body, err := wxJSON(plain)
	if err != nil {
		return Delivery{}, err
	}
	enc, err := w.encrypt(body, aad)
	if err != nil {
		return Delivery{}, errors.New("wechat notification: " + err.Error())
	}
	env.ResourceType = "encrypt-resource"
	env.Resource = wxResource{OriginalType: aad, Algorithm: enc.Algorithm, AssociatedData: aad, Nonce: enc.Nonce, Ciphertext: enc.Ciphertext}
	if body, err = wxJSON(env); err != nil {
		return Delivery{}, err
	}
	h := http.Header{}
	if err := w.signedHeaders(h, body, w.notifySigner()); err != nil {
		return Delivery{}, err
	}
	if bad {
		h.Set("Wechatpay-Signature", corruptSignature(h.Get("Wechatpay-Signature")))
	}
	h.Set("Wechatpay-Signature-Type", wxAuthScheme)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Mozilla/4.0")
	h.Set("Request-ID", wxRequestID())
	return Delivery{Header: h, Body: body, NotifyID: env.ID}, nil
}

// notifySigner is the key a notification delivery is signed with (the
// wechat_signing mode); during the switch deliveries alternate, the
// platform certificate first.
func (w *wechatWire) notifySigner() wxSigner {
	switch w.g.Faults().WeChatSigning {
	case WeChatPlatformCert:
		return w.certSigner()
	case WeChatSwitching:
		if w.notices.Add(1)%2 == 1 {
			return w.certSigner()
		}
		return w.publicKeySigner()
	}
	return w.publicKeySigner()
}

// corruptSignature changes one base64 character so the signature stays
// well-formed but no longer verifies.
func corruptSignature(sig string) string {
	if sig == "" {
		return "AAAA"
	}
	b := []byte(sig)
	i := len(strings.TrimRight(sig, "=")) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
