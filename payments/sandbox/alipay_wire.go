package sandbox

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"qrtill/payments"
)

// alipayWire is the Alipay OpenAPI v1 gateway as the sandbox speaks it
// (PROTOCOLS A3–A11): POST /gateway.do with an RSA2-signed form; answers
// are compact JSON {"<method>_response":{…},"sign":"…"}, node first, signed
// over the node's exact bytes with the Alipay platform key (gopay cuts the
// signed bytes out by position); notifications are signed forms.
//
// The methods of 当面付 are served: alipay.trade.precreate, .query,
// .close, .cancel, .refund, .fastpay.refund.query and .pay (bar_code;
// test auth codes in alipay_trade.go). A precreate is recorded in the
// ledger at once (the control API lists it as "created"), but Alipay
// knows no trade until the buyer scans, so until then query, close,
// refund and refund query answer ACQ.TRADE_NOT_EXIST; cancel closes the
// precreate itself, after which a scan or pay of it fails.
type alipayWire struct{ g *Gateway }

// NewAlipayWire returns the Alipay wire of a gateway.
func NewAlipayWire(g *Gateway) Wire { return &alipayWire{g: g} }

func init() {
	prev := defaultWires
	defaultWires = func(g *Gateway) []Wire { return append(prev(g), NewAlipayWire(g)) }
}

// alipayZone is GMT+8, the zone of every Alipay time stamp.
var alipayZone = time.FixedZone("CST", 8*3600)

// alipayTime formats t as Alipay does: "2006-01-02 15:04:05", GMT+8.
func alipayTime(t time.Time) string { return t.In(alipayZone).Format(time.DateTime) }

// Channel is Alipay.
func (w *alipayWire) Channel() payments.Channel { return payments.Alipay }

// RetrySchedule is Alipay's documented redelivery schedule: 4m, 10m, 10m,
// 1h, 2h, 6h, 15h.
func (w *alipayWire) RetrySchedule() []time.Duration {
	return []time.Duration{4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
}

// Acknowledged is true only for the exact body "success".
func (w *alipayWire) Acknowledged(_ int, body []byte) bool { return string(body) == "success" }

// Routes adds POST /gateway.do.
func (w *alipayWire) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /gateway.do", w.gateway)
}

// aliReply is one answer node; encoding/json writes it compact with
// sorted keys.
type aliReply map[string]any

// aliOK is a 10000 answer with fields.
func aliOK(fields aliReply) aliReply {
	fields["code"], fields["msg"] = "10000", "Success"
	return fields
}

// aliFail is an error answer: code, msg, sub_code, sub_msg and fields.
func aliFail(code, msg, subCode, subMsg string, fields aliReply) aliReply {
	if fields == nil {
		fields = aliReply{}
	}
	fields["code"], fields["msg"], fields["sub_code"], fields["sub_msg"] = code, msg, subCode, subMsg
	return fields
}

// aliMissing is a 40001 answer (a required argument is missing).
func aliMissing(subCode, subMsg string) aliReply {
	return aliFail("40001", "Missing Required Arguments", subCode, subMsg, nil)
}

// aliInvalid is a 40002 answer (an argument is invalid, e.g. the signature).
func aliInvalid(subCode, subMsg string) aliReply {
	return aliFail("40002", "Invalid Arguments", subCode, subMsg, nil)
}

// aliBizFail is a 40004 answer with an ACQ.* sub_code.
func aliBizFail(subCode, subMsg string, fields aliReply) aliReply {
	return aliFail("40004", "Business Failed", subCode, subMsg, fields)
}

// gateway serves one API call: the form, faults, the gateway's own
// checks (app, signature), then the method.
func (w *alipayWire) gateway(rw http.ResponseWriter, r *http.Request) {
	// The body is read before the faults: only then does net/http notice
	// a client that gives up, which ends the timeout fault's hang.
	r.Body = http.MaxBytesReader(rw, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "bad form", http.StatusBadRequest)
		return
	}
	if w.g.InjectAPIFault(rw, r) {
		return
	}
	form := r.PostForm // never r.Form: the URL's ?charset=utf-8 would double the body's
	method := form.Get("method")
	certMode := form.Get("app_cert_sn") != "" || form.Get("alipay_root_cert_sn") != ""
	keys, certs := w.g.Keys(), w.g.Keys().Certs
	var rep aliReply
	switch {
	case method == "":
		method, rep = "alipay.error", aliMissing("isv.missing-method", "缺少方法名参数")
	case form.Get("app_id") == "":
		rep = aliMissing("isv.missing-app-id", "缺少AppID参数")
	case form.Get("sign") == "":
		rep = aliMissing("isv.missing-signature", "缺少签名参数")
	case form.Get("app_id") != keys.AlipayAppID:
		rep = aliInvalid("isv.invalid-app-id", "无效的AppID参数")
	case certMode && (certs == nil || form.Get("app_cert_sn") != certs.AppSN || form.Get("alipay_root_cert_sn") != certs.RootSN):
		rep = aliInvalid("isv.app-cert-sn-not-match", "应用公钥证书序列号不匹配")
	case form.Get("sign_type") != "RSA2":
		rep = aliInvalid("isv.invalid-signature-type", "无效的签名类型")
	case !verifyAlipayRequest(&keys.AlipayAppKey.PublicKey, form):
		rep = aliInvalid("isv.invalid-signature", "验签出错")
	default:
		biz, err := aliDecodeBiz(form.Get("biz_content"))
		if err != nil {
			rep = aliInvalid("isv.invalid-parameter", "biz_content 不是合法的 JSON")
			break
		}
		rep = w.dispatch(method, form, biz)
	}
	w.respond(rw, method, rep, certMode)
}

// aliBiz is a decoded biz_content; amounts may come as strings or
// JSON numbers (gopay sends whatever Go type the caller set).
type aliBiz map[string]any

func aliDecodeBiz(s string) (aliBiz, error) {
	biz := aliBiz{}
	if s == "" {
		return biz, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&biz); err != nil {
		return nil, err
	}
	return biz, nil
}

// str returns a biz field as text: a string, or a number's literal.
func (b aliBiz) str(k string) string {
	switch v := b[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// verifyAlipayRequest checks the RSA2 signature over every body parameter
// but sign (sign_type included), empty ones dropped, sorted, joined raw as
// k=v&k=v (PROTOCOLS A3).
func verifyAlipayRequest(pub *rsa.PublicKey, form url.Values) bool {
	sig, err := base64.StdEncoding.DecodeString(form.Get("sign"))
	if err != nil || len(sig) == 0 {
		return false
	}
	params := map[string]string{}
	for k, v := range form {
		if k != "sign" && len(v) > 0 {
			params[k] = v[0]
		}
	}
	sum := sha256.Sum256([]byte(alipaySignString(params)))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}

// alipaySignString is Alipay's content to sign: non-empty parameters,
// sorted by key, joined as k=v with &, values raw.
func alipaySignString(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	return b.String()
}

// sign is SHA256withRSA with the Alipay platform key, base64.
func (w *alipayWire) sign(content []byte) string {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, w.g.Keys().AlipayPlatformKey, crypto.SHA256, sum[:])
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// respond writes the answer: HTTP 200, compact JSON, the node first, then
// (certificate mode) the Alipay certificate's SN, then the signature over
// the node's exact bytes. Error answers are signed too.
func (w *alipayWire) respond(rw http.ResponseWriter, method string, rep aliReply, certMode bool) {
	node, err := json.Marshal(rep)
	if err != nil {
		http.Error(rw, "sandbox: cannot encode the answer", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"` + strings.ReplaceAll(method, ".", "_") + `_response":`)
	b.Write(node)
	if certs := w.g.Keys().Certs; certMode && certs != nil {
		b.WriteString(`,"alipay_cert_sn":"` + certs.AlipaySN + `"`)
	}
	b.WriteString(`,"sign":"` + w.sign(node) + `"}`)
	rw.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = rw.Write(b.Bytes())
}

func (w *alipayWire) dispatch(method string, form url.Values, biz aliBiz) aliReply {
	switch method {
	case "alipay.trade.precreate":
		return w.precreate(form, biz)
	case "alipay.trade.query":
		return w.query(biz.str("out_trade_no"))
	case "alipay.trade.close":
		return w.close(biz.str("out_trade_no"))
	case "alipay.trade.cancel":
		return w.cancel(biz.str("out_trade_no"))
	case "alipay.trade.refund":
		return w.refund(biz)
	case "alipay.trade.fastpay.refund.query":
		return w.refundQuery(biz.str("out_trade_no"), biz.str("out_request_no"))
	case "alipay.trade.pay":
		return w.pay(form, biz)
	}
	return aliInvalid("isv.invalid-method", "不存在的方法名")
}

// aliYuan formats fen as Alipay's two-decimal yuan string, without floats.
func aliYuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }
