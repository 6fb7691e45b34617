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
// (PROTOCOLS A3–A11): POST /gateway.do with an RSA2-signed form, its
// parameters in the body, the URL query or both (gopay sends them in the
// body, the official alipay-sdk the common ones in the query); answers
// are compact JSON {"<method>_response":{…},"sign":"…"}, node first,
// signed over the node's exact bytes with the Alipay platform key (gopay
// cuts the signed bytes out by position); notifications are signed forms.
//
// The methods of 当面付 are served: alipay.trade.precreate, .query,
// .close, .cancel, .refund, .fastpay.refund.query and .pay (bar_code;
// test auth codes in alipay_trade.go), and, for certificate mode,
// alipay.open.app.alipaycert.download. Every call that takes out_trade_no
// takes trade_no instead (trade_no wins when both are given). A
// precreate is recorded in the ledger at once (the control API lists it
// as "created"), but Alipay knows no trade until the buyer scans, so
// until then query, close, refund and refund query answer
// ACQ.TRADE_NOT_EXIST; cancel closes the precreate itself, after which a
// scan or pay of it fails.
type alipayWire struct{ g *Gateway }

// NewAlipayWire returns the Alipay wire of a gateway.
func NewAlipayWire(g *Gateway) Wire { return &alipayWire{g: g} }

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

// AnswerDeadline: Alipay documents none; the sandbox waits 10 s.
func (w *alipayWire) AnswerDeadline() time.Duration { return 10 * time.Second }

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

// aliCall is one verified API call.
type aliCall struct {
	params   url.Values // body and URL query merged, one value per key
	biz      aliBiz
	certMode bool // the client sent its certificate SNs
}

// gateway serves one API call: the parameters, faults, the gateway's own
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
	c := aliCall{params: aliParams(r)}
	form := c.params
	method := form.Get("method")
	c.certMode = form.Get("app_cert_sn") != "" || form.Get("alipay_root_cert_sn") != ""
	keys, certs := w.g.Keys(), w.g.Keys().Certs
	node := strings.ReplaceAll(method, ".", "_") + "_response"
	var rep aliReply
	switch {
	case method == "":
		// No method, no node to answer in: the gateway's own node.
		node, rep = "error_response", aliMissing("isv.missing-method", "缺少方法名参数")
	case form.Get("app_id") == "":
		rep = aliMissing("isv.missing-app-id", "缺少AppID参数")
	case form.Get("sign") == "":
		rep = aliMissing("isv.missing-signature", "缺少签名参数")
	case form.Get("app_id") != keys.AlipayAppID:
		rep = aliInvalid("isv.invalid-app-id", "无效的AppID参数")
	case c.certMode && (certs == nil || form.Get("app_cert_sn") != certs.AppSN || form.Get("alipay_root_cert_sn") != certs.RootSN):
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
		c.biz = biz
		rep = w.dispatch(method, c)
	}
	w.respond(rw, node, rep, c.certMode)
}

// aliParams merges a call's parameters: the body's, then each URL-query
// parameter the body lacks, one value per key. Never r.Form, which would
// turn the charset gopay sends in both into a two-element list.
func aliParams(r *http.Request) url.Values {
	params := url.Values{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			params.Set(k, v[0])
		}
	}
	for k, v := range r.URL.Query() {
		if _, ok := params[k]; !ok && len(v) > 0 {
			params.Set(k, v[0])
		}
	}
	return params
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

// signer is the Alipay key that signs for a client: the platform key,
// or, once Alipay rotated its certificate, the new certificate's key for
// certificate-mode clients; and the certificate SN answers carry ("" in
// public-key mode).
func (w *alipayWire) signer(certMode bool) (*rsa.PrivateKey, string) {
	keys := w.g.Keys()
	switch {
	case !certMode || keys.Certs == nil:
		return keys.AlipayPlatformKey, ""
	case w.g.Faults().AlipayCertRotated:
		return keys.AlipayNextPlatformKey, keys.Certs.NextAlipaySN
	}
	return keys.AlipayPlatformKey, keys.Certs.AlipaySN
}

// sign is SHA256withRSA with key, base64.
func sign(key *rsa.PrivateKey, content []byte) string {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// respond writes the answer: HTTP 200, compact JSON, the node first, then
// (certificate mode) the signing certificate's SN, then the signature over
// the node's exact bytes. Error answers are signed too.
func (w *alipayWire) respond(rw http.ResponseWriter, nodeName string, rep aliReply, certMode bool) {
	node, err := json.Marshal(rep)
	if err != nil {
		http.Error(rw, "sandbox: cannot encode the answer", http.StatusInternalServerError)
		return
	}
	key, sn := w.signer(certMode)
	var b bytes.Buffer
	b.WriteString(`{"` + nodeName + `":`)
	b.Write(node)
	if sn != "" {
		b.WriteString(`,"alipay_cert_sn":"` + sn + `"`)
	}
	b.WriteString(`,"sign":"` + sign(key, node) + `"}`)
	rw.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = rw.Write(b.Bytes())
}

func (w *alipayWire) dispatch(method string, c aliCall) aliReply {
	switch method {
	case "alipay.trade.precreate":
		return w.precreate(c)
	case "alipay.trade.query":
		return w.query(ref(c.biz))
	case "alipay.trade.close":
		return w.close(ref(c.biz))
	case "alipay.trade.cancel":
		return w.cancel(ref(c.biz))
	case "alipay.trade.refund":
		return w.refund(ref(c.biz), c.biz)
	case "alipay.trade.fastpay.refund.query":
		return w.refundQuery(ref(c.biz), c.biz.str("out_request_no"))
	case "alipay.trade.pay":
		return w.pay(c)
	case "alipay.open.app.alipaycert.download":
		return w.certDownload(c.biz.str("alipay_cert_sn"))
	}
	return aliInvalid("isv.invalid-method", "不存在的方法名")
}

// aliRef is the trade a call names: by out_trade_no, trade_no or both.
type aliRef struct{ outTradeNo, tradeNo string }

// ref reads the trade a call names.
func ref(biz aliBiz) aliRef {
	return aliRef{outTradeNo: biz.str("out_trade_no"), tradeNo: biz.str("trade_no")}
}

// given reports whether the call names a trade at all.
func (r aliRef) given() bool { return r.outTradeNo != "" || r.tradeNo != "" }

// certDownload is alipay.open.app.alipaycert.download: the Alipay
// certificate with an SN, base64 of its PEM file (chain included).
func (w *alipayWire) certDownload(sn string) aliReply {
	certs := w.g.Keys().Certs
	switch {
	case sn == "":
		return aliMissing("isv.missing-parameter", "缺少必选参数 alipay_cert_sn")
	case certs == nil:
	case sn == certs.AlipaySN:
		return aliOK(aliReply{"alipay_cert_content": base64.StdEncoding.EncodeToString(certs.AlipayPEM)})
	case sn == certs.NextAlipaySN:
		return aliOK(aliReply{"alipay_cert_content": base64.StdEncoding.EncodeToString(certs.NextAlipayPEM)})
	}
	return aliBizFail("ALIPAY_CERT_NOT_EXIST", "支付宝公钥证书不存在", nil)
}

// aliYuan formats fen as Alipay's two-decimal yuan string, without floats.
func aliYuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }
