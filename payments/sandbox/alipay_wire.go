package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"qrtill/payments"
)

// alipayWire is the Alipay OpenAPI v1 gateway as the sandbox speaks it:
// POST /gateway.do with an RSA2-signed form, answers as compact JSON
// {"<method>_response":{…},"sign":"…"} signed over the node's exact bytes,
// form-encoded notifications signed the same way.
type alipayWire struct{ g *Gateway }

// NewAlipayWire returns the Alipay wire of a gateway.
func NewAlipayWire(g *Gateway) Wire { return &alipayWire{g: g} }

func init() {
	prev := defaultWires
	defaultWires = func(g *Gateway) []Wire { return append(prev(g), NewAlipayWire(g)) }
}

// Channel is Alipay.
func (w *alipayWire) Channel() payments.Channel { return payments.Alipay }

// RetrySchedule is Alipay's documented redelivery schedule.
func (w *alipayWire) RetrySchedule() []time.Duration {
	return []time.Duration{4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
}

// Acknowledged: only the exact body "success" acknowledges.
func (w *alipayWire) Acknowledged(_ int, body []byte) bool { return string(body) == "success" }

// Routes adds the gateway.
func (w *alipayWire) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /gateway.do", w.gateway)
}

// aliReply is one answer node.
type aliReply map[string]any

func aliOK(fields aliReply) aliReply {
	fields["code"], fields["msg"] = "10000", "Success"
	return fields
}

func aliFail(code, msg, subCode, subMsg string, fields aliReply) aliReply {
	if fields == nil {
		fields = aliReply{}
	}
	fields["code"], fields["msg"], fields["sub_code"], fields["sub_msg"] = code, msg, subCode, subMsg
	return fields
}

func bizFail(subCode, subMsg string, fields aliReply) aliReply {
	return aliFail("40004", "Business Failed", subCode, subMsg, fields)
}

func (w *alipayWire) gateway(rw http.ResponseWriter, r *http.Request) {
	if w.g.InjectAPIFault(rw, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "bad form", http.StatusBadRequest)
		return
	}
	form := r.PostForm // never r.Form: the URL repeats charset
	method := form.Get("method")
	if method == "" {
		method = "alipay.error"
	}
	var rep aliReply
	certMode := form.Get("app_cert_sn") != "" || form.Get("alipay_root_cert_sn") != ""
	certs := w.g.keys.Certs
	switch {
	case certMode && (certs == nil || form.Get("app_cert_sn") != certs.AppSN || form.Get("alipay_root_cert_sn") != certs.RootSN):
		rep = aliFail("40002", "Invalid Arguments", "isv.app-cert-sn-not-match", "应用公钥证书序列号不匹配", nil)
	case form.Get("app_id") != w.g.keys.AlipayAppID:
		rep = aliFail("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数", nil)
	case form.Get("sign_type") != "RSA2":
		rep = aliFail("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型", nil)
	case !w.verifyRequest(form):
		rep = aliFail("40002", "Invalid Arguments", "isv.invalid-signature", "验签出错", nil)
	default:
		var biz map[string]any
		if err := json.Unmarshal([]byte(form.Get("biz_content")), &biz); err != nil {
			rep = aliFail("40002", "Invalid Arguments", "isv.invalid-parameter", "biz_content 不是合法的 JSON", nil)
			break
		}
		rep = w.dispatch(method, form, biz)
	}
	w.respond(rw, method, rep, certMode)
}

// verifyRequest checks the RSA2 signature over every parameter but sign,
// empty ones dropped, sorted, joined raw as k=v&k=v.
func (w *alipayWire) verifyRequest(form url.Values) bool {
	sig, err := base64.StdEncoding.DecodeString(form.Get("sign"))
	if err != nil || len(sig) == 0 {
		return false
	}
	params := map[string]string{}
	for k, v := range form {
		if k != "sign" && len(v) > 0 && v[0] != "" {
			params[k] = v[0]
		}
	}
	sum := sha256.Sum256([]byte(signString(params)))
	return rsa.VerifyPKCS1v15(&w.g.keys.AlipayAppKey.PublicKey, crypto.SHA256, sum[:], sig) == nil
}

func signString(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + params[k])
	}
	return b.String()
}

func (w *alipayWire) sign(content []byte) string {
	sum := sha256.Sum256(content)
	sig, _ := rsa.SignPKCS1v15(rand.Reader, w.g.keys.AlipayPlatformKey, crypto.SHA256, sum[:])
	return base64.StdEncoding.EncodeToString(sig)
}

// respond writes {"<node>":{…},"sign":"…"} compact, node first, the
// signature over the node's exact bytes (gopay cuts it out by position).
// In certificate mode the Alipay certificate's SN sits between them.
func (w *alipayWire) respond(rw http.ResponseWriter, method string, rep aliReply, certMode bool) {
	node, _ := json.Marshal(rep)
	name := strings.ReplaceAll(method, ".", "_") + "_response"
	body := fmt.Sprintf(`{"%s":%s,"sign":"%s"}`, name, node, w.sign(node))
	if certMode && w.g.keys.Certs != nil {
		body = fmt.Sprintf(`{"%s":%s,"alipay_cert_sn":"%s","sign":"%s"}`, name, node, w.g.keys.Certs.AlipaySN, w.sign(node))
	}
	rw.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = rw.Write([]byte(body))
}

func (w *alipayWire) dispatch(method string, form url.Values, biz map[string]any) aliReply {
	str := func(k string) string { s, _ := biz[k].(string); return s }
	switch method {
	case "alipay.trade.precreate":
		return w.precreate(form, str)
	case "alipay.trade.query":
		return w.query(str("out_trade_no"))
	case "alipay.trade.close":
		return w.close(str("out_trade_no"))
	case "alipay.trade.cancel":
		return w.cancel(str("out_trade_no"))
	case "alipay.trade.refund":
		return w.refund(str)
	case "alipay.trade.fastpay.refund.query":
		return w.refundQuery(str("out_trade_no"), str("out_request_no"))
	case "alipay.trade.pay":
		return w.pay(form, str)
	}
	return aliFail("40002", "Invalid Arguments", "isv.invalid-method", "不存在的方法名", nil)
}

func (w *alipayWire) precreate(form url.Values, str func(string) string) aliReply {
	no, subject := str("out_trade_no"), str("subject")
	fen, ok := parseYuan(str("total_amount"))
	if no == "" || subject == "" || !ok || fen <= 0 {
		return aliFail("40002", "Invalid Arguments", "isv.missing-parameter", "缺少必选参数或金额无效", nil)
	}
	window := 2 * time.Hour
	if d, ok := parseTimeoutExpress(str("qr_code_timeout_express")); ok {
		window = d
	}
	if _, err := w.g.ledger.Create(payments.Alipay, KindQR, no, fen, subject, form.Get("notify_url"), w.g.Now().Add(window)); err != nil {
		return bizFail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改", aliReply{"out_trade_no": no})
	}
	return aliOK(aliReply{"out_trade_no": no, "qr_code": w.g.QRContent(no)})
}

// existing returns the trade if Alipay would know it: a precreate is no
// trade until it is scanned.
func (w *alipayWire) existing(no string) (Trade, bool) {
	t, err := w.g.ledger.Get(no)
	if err != nil || t.Channel != payments.Alipay || t.ScannedAt.IsZero() {
		return t, false
	}
	return t, true
}

func notExist(no string) aliReply {
	return bizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", aliReply{"out_trade_no": no, "buyer_pay_amount": "0.00",
		"invoice_amount": "0.00", "point_amount": "0.00", "receipt_amount": "0.00"})
}

func (w *alipayWire) query(no string) aliReply {
	t, ok := w.existing(no)
	if !ok {
		return notExist(no)
	}
	status := map[TradeStatus]string{StatusScanned: "WAIT_BUYER_PAY", StatusPaid: "TRADE_SUCCESS",
		StatusRefunded: "TRADE_CLOSED", StatusClosed: "TRADE_CLOSED"}[t.Status]
	paid := "0.00"
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "buyer_logon_id": t.BuyerLogon, "buyer_user_id": t.BuyerID,
		"trade_status": status, "total_amount": yuan(t.AmountFen), "point_amount": "0.00"}
	if t.Status == StatusPaid || t.Status == StatusRefunded {
		paid = yuan(t.AmountFen)
		rep["send_pay_date"] = t.PaidAt.In(cst).Format(time.DateTime)
	}
	rep["buyer_pay_amount"], rep["receipt_amount"], rep["invoice_amount"] = paid, paid, paid
	return aliOK(rep)
}

func (w *alipayWire) close(no string) aliReply {
	w.g.payBeforeClose(no) // the buyer may pay just before the close lands
	t, ok := w.existing(no)
	if !ok {
		return notExist(no)
	}
	if t.Status == StatusPaid || t.Status == StatusRefunded {
		return bizFail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法", aliReply{"out_trade_no": no})
	}
	if _, err := w.g.ledger.close(no); err != nil {
		return bizFail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法", aliReply{"out_trade_no": no})
	}
	return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": no})
}

// cancel closes an unpaid trade or refunds a paid one. Unlike query and
// close it also takes a precreate nobody scanned: that QR can then never
// be paid.
func (w *alipayWire) cancel(no string) aliReply {
	t, err := w.g.ledger.Get(no)
	if err != nil || t.Channel != payments.Alipay {
		return bizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", aliReply{"out_trade_no": no, "retry_flag": "N"})
	}
	t, action, err := w.g.ledger.Cancel(no)
	if err != nil {
		return aliFail("20000", "Service Currently Unavailable", "aop.unknow-error", "系统繁忙", aliReply{"retry_flag": "Y"})
	}
	return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "retry_flag": "N", "action": action})
}

func (w *alipayWire) refund(str func(string) string) aliReply {
	no := str("out_trade_no")
	requestNo := str("out_request_no")
	if requestNo == "" {
		requestNo = no
	}
	fen, ok := parseYuan(str("refund_amount"))
	if !ok || fen <= 0 {
		return aliFail("40002", "Invalid Arguments", "isv.invalid-parameter", "退款金额无效", nil)
	}
	if _, exists := w.existing(no); !exists {
		return bizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", nil)
	}
	t, r, isNew, err := w.g.ledger.Refund(no, requestNo, fen)
	switch {
	case errors.Is(err, ErrNotPaid):
		return bizFail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法", nil)
	case err != nil:
		return bizFail("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限", nil)
	}
	change := "Y"
	if !isNew {
		change = "N"
	}
	return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "buyer_logon_id": t.BuyerLogon, "fund_change": change,
		"refund_fee": yuan(t.RefundedFen), "gmt_refund_pay": r.CreatedAt.In(cst).Format(time.DateTime), "buyer_user_id": t.BuyerID})
}

func (w *alipayWire) refundQuery(no, requestNo string) aliReply {
	t, ok := w.existing(no)
	if !ok {
		return bizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", nil)
	}
	if requestNo == "" {
		requestNo = no
	}
	for _, r := range t.Refunds {
		if r.RefundNo == requestNo {
			return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "out_request_no": requestNo,
				"total_amount": yuan(t.AmountFen), "refund_amount": yuan(r.AmountFen), "refund_status": "REFUND_SUCCESS",
				"gmt_refund_pay": r.CreatedAt.In(cst).Format(time.DateTime)})
		}
	}
	// No data: this refund did not happen.
	return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": no})
}

// pay charges a customer-presented code (scene bar_code). Test codes: 28…
// pays at once (10000); 25… waits for the buyer's password (10003; the
// control API's pay completes it); anything else is an invalid code.
func (w *alipayWire) pay(form url.Values, str func(string) string) aliReply {
	no, code := str("out_trade_no"), str("auth_code")
	fen, ok := parseYuan(str("total_amount"))
	if no == "" || str("subject") == "" || !ok || fen <= 0 || str("scene") != "bar_code" {
		return aliFail("40002", "Invalid Arguments", "isv.missing-parameter", "缺少必选参数", nil)
	}
	if !strings.HasPrefix(code, "28") && !strings.HasPrefix(code, "25") {
		return bizFail("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款", nil)
	}
	if _, err := w.g.ledger.Create(payments.Alipay, KindCode, no, fen, str("subject"), form.Get("notify_url"), w.g.Now().Add(time.Minute)); err != nil {
		return bizFail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改", nil)
	}
	var t Trade
	var err error
	if strings.HasPrefix(code, "25") {
		t, err = w.g.ledger.Scan(no)
	} else {
		t, err = w.g.ledger.Pay(no)
	}
	if err != nil {
		return bizFail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭", nil)
	}
	paid := "0.00"
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "buyer_logon_id": t.BuyerLogon, "buyer_user_id": t.BuyerID,
		"total_amount": yuan(t.AmountFen)}
	if t.Status == StatusPaid {
		paid = yuan(t.AmountFen)
		rep["gmt_payment"] = t.PaidAt.In(cst).Format(time.DateTime)
		rep = aliOK(rep)
	} else {
		rep["code"], rep["msg"] = "10003", " order success pay inprocess"
	}
	rep["receipt_amount"], rep["buyer_pay_amount"] = paid, paid
	return rep
}

// Notification is a trade_status_sync form for a paid trade.
func (w *alipayWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	amount := t.AmountFen
	if f.AmountFen != 0 {
		amount = f.AmountFen
	}
	notifyID := "2026" + strings.TrimLeft(t.TradeNo, "0") + "N"
	p := map[string]string{
		"notify_time": w.g.Now().In(cst).Format(time.DateTime), "notify_type": "trade_status_sync", "notify_id": notifyID,
		"app_id": w.g.keys.AlipayAppID, "auth_app_id": w.g.keys.AlipayAppID, "charset": "utf-8", "version": "1.0",
		"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "buyer_id": t.BuyerID, "buyer_logon_id": t.BuyerLogon,
		"seller_id": w.g.keys.AlipaySellerID, "trade_status": "TRADE_SUCCESS", "total_amount": yuan(amount),
		"receipt_amount": yuan(amount), "buyer_pay_amount": yuan(amount), "invoice_amount": yuan(amount), "point_amount": "0.00",
		"subject": t.Subject, "gmt_create": t.CreatedAt.In(cst).Format(time.DateTime), "gmt_payment": t.PaidAt.In(cst).Format(time.DateTime),
		"fund_bill_list": fmt.Sprintf(`[{"amount":"%s","fundChannel":"ALIPAYACCOUNT"}]`, yuan(amount)),
	}
	sig := w.sign([]byte(signString(p)))
	if f.BadSignature {
		raw, _ := base64.StdEncoding.DecodeString(sig)
		raw[len(raw)/2] ^= 0xff
		sig = base64.StdEncoding.EncodeToString(raw)
	}
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	form.Set("sign_type", "RSA2")
	form.Set("sign", sig)
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	return Delivery{Header: h, Body: []byte(form.Encode()), NotifyID: notifyID}, nil
}

// yuan formats fen as Alipay's two-decimal yuan string, without floats.
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// parseYuan reads "12", "12.5" or "12.50" as fen, without floats.
func parseYuan(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, false
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	var f uint64
	if frac != "" {
		f, err = strconv.ParseUint(frac, 10, 64)
		if err != nil {
			return 0, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return int64(w*100 + f), true
}

// parseTimeoutExpress reads Alipay's relative timeouts: "5m", "2h", "1d".
func parseTimeoutExpress(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
