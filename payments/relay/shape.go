package relay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"qrtill/payments"
)

// The relay cannot verify a notification (the till holds the keys), but
// it can refuse what is plainly not one before storing it, so that a
// host that knows a till id cannot fill the disk with junk. These are
// the fields every real notification carries (PROTOCOLS.md A11, B3).
var (
	alipayFields = []string{"notify_id", "sign", "sign_type", "out_trade_no"}
	wechatHeader = []string{"Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce"}
)

// signTestPrefix marks WeChat Pay's deliberate bad-signature probes: a
// merchant must refuse them, and the relay can tell without any key.
const signTestPrefix = "WECHATPAY/SIGNTEST/"

// checkShape returns why body (with header h) cannot be a notification
// of channel ch, or nil. It is cheap: one parse, no keys.
func checkShape(ch payments.Channel, h http.Header, body []byte) *refusal {
	bad := func(msg string) *refusal { return &refusal{http.StatusBadRequest, reasonShape, msg} }
	if ch == payments.Alipay {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return bad("not a form")
		}
		for _, f := range alipayFields {
			if form.Get(f) == "" {
				return bad("no " + f)
			}
		}
		return nil
	}
	for _, k := range wechatHeader {
		if strings.TrimSpace(h.Get(k)) == "" {
			return bad("no " + k + " header")
		}
	}
	if strings.HasPrefix(h.Get("Wechatpay-Signature"), signTestPrefix) {
		return &refusal{http.StatusUnauthorized, reasonProbe, "signature verification failed"}
	}
	if _, err := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64); err != nil {
		return bad("Wechatpay-Timestamp is not a number")
	}
	var n struct {
		EventType string          `json:"event_type"`
		Resource  json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return bad("not JSON")
	}
	if n.EventType == "" || !bytes.HasPrefix(n.Resource, []byte("{")) {
		return bad("no event_type or resource")
	}
	return nil
}
