package sandbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// wxNotifyAAD is the associated data of a payment notification resource.
const wxNotifyAAD = "transaction"

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

// wxEventID is a paid trade's notification id: the same for every retry,
// shaped like the UUIDs WeChat Pay sends.
func (w *wechatWire) wxEventID(t Trade) string {
	sum := sha256.Sum256([]byte("wechat-notify\x00" + w.keys().WeChatMchID + "\x00" + t.OutTradeNo + "\x00" + t.TradeNo))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Notification builds one delivery of the TRANSACTION.SUCCESS
// notification for a paid trade: the transaction object encrypted with
// AEAD_AES_256_GCM (key = the APIv3 key, a fresh 12-character nonce, AAD
// "transaction"), the envelope signed by the platform key. Each call is a
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
	plain, err := wxJSON(tx)
	if err != nil {
		return Delivery{}, err
	}
	k := w.keys()
	block, err := aes.NewCipher([]byte(k.WeChatAPIv3Key))
	if err != nil {
		return Delivery{}, errors.New("wechat notification: the APIv3 key is not an AES key")
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return Delivery{}, err
	}
	nonce := randAlnum(gcm.NonceSize()) // 12 ASCII bytes, used as is
	env := wxEnvelope{
		ID: w.wxEventID(t), CreateTime: wxTime(t.PaidAt), ResourceType: "encrypt-resource",
		EventType: "TRANSACTION.SUCCESS", Summary: "支付成功",
		Resource: wxResource{
			OriginalType: "transaction", Algorithm: "AEAD_AES_256_GCM", AssociatedData: wxNotifyAAD, Nonce: nonce,
			Ciphertext: base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plain, []byte(wxNotifyAAD))),
		},
	}
	body, err := wxJSON(env)
	if err != nil {
		return Delivery{}, err
	}
	h := http.Header{}
	if err := w.signedHeaders(h, body); err != nil {
		return Delivery{}, err
	}
	if f.BadSignature {
		h.Set("Wechatpay-Signature", corruptSignature(h.Get("Wechatpay-Signature")))
	}
	h.Set("Wechatpay-Signature-Type", wxAuthScheme)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Mozilla/4.0")
	h.Set("Request-ID", wxRequestID())
	return Delivery{Header: h, Body: body, NotifyID: env.ID}, nil
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
