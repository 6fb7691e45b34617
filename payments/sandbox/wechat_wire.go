package sandbox

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"qrtill/payments"
)

// cst is China Standard Time, the zone WeChat Pay writes times in.
var cst = time.FixedZone("CST", 8*3600)

// wechatWire is WeChat Pay API v3 as the sandbox speaks it: requests
// authenticated by the merchant's signature, every 2xx answer signed with
// the platform key (public-key mode, Wechatpay-Serial = PUB_KEY_ID_…),
// notifications encrypted with AEAD_AES_256_GCM under the APIv3 key.
type wechatWire struct{ g *Gateway }

// NewWeChatWire returns the WeChat Pay v3 wire of a gateway.
func NewWeChatWire(g *Gateway) Wire { return &wechatWire{g: g} }

func init() {
	prev := defaultWires
	defaultWires = func(g *Gateway) []Wire { return append(prev(g), NewWeChatWire(g)) }
}

// Channel is WeChat Pay.
func (w *wechatWire) Channel() payments.Channel { return payments.WeChat }

// RetrySchedule is WeChat Pay's documented redelivery schedule.
func (w *wechatWire) RetrySchedule() []time.Duration {
	m, h := time.Minute, time.Hour
	return []time.Duration{15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * m, 10 * m, 20 * m,
		30 * m, 30 * m, 30 * m, 60 * m, 3 * h, 3 * h, 3 * h, 6 * h, 6 * h}
}

// Acknowledged: WeChat Pay takes HTTP 200 or 204 as success.
func (w *wechatWire) Acknowledged(status int, _ []byte) bool {
	return status == http.StatusOK || status == http.StatusNoContent
}

// Routes adds the /v3 API.
func (w *wechatWire) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/pay/transactions/native", w.api(w.native))
	mux.HandleFunc("GET /v3/pay/transactions/out-trade-no/{no}", w.api(w.queryByOutTradeNo))
	mux.HandleFunc("GET /v3/pay/transactions/id/{id}", w.api(w.queryByID))
	mux.HandleFunc("POST /v3/pay/transactions/out-trade-no/{no}/close", w.api(w.close))
	mux.HandleFunc("POST /v3/pay/transactions/codepay", w.api(w.codepay))
	mux.HandleFunc("POST /v3/pay/transactions/out-trade-no/{no}/reverse", w.api(w.reverse))
	mux.HandleFunc("POST /v3/refund/domestic/refunds", w.api(w.refund))
	mux.HandleFunc("GET /v3/refund/domestic/refunds/{no}", w.api(w.refundQuery))
}

// wxReply is one API answer: a status and a JSON body (nil for 204).
type wxReply struct {
	status int
	body   any
}

func wxError(status int, code, message string) wxReply {
	return wxReply{status, map[string]string{"code": code, "message": message}}
}

// api authenticates the request, runs the handler, and signs a 2xx answer.
func (w *wechatWire) api(h func(r *http.Request, body []byte) wxReply) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if w.g.InjectAPIFault(rw, r) {
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			w.write(rw, wxError(http.StatusBadRequest, "PARAM_ERROR", "cannot read body"))
			return
		}
		if msg := w.authenticate(r, body); msg != "" {
			w.write(rw, wxError(http.StatusUnauthorized, "SIGN_ERROR", msg))
			return
		}
		w.write(rw, h(r, body))
	}
}

// authenticate checks the WECHATPAY2-SHA256-RSA2048 Authorization header
// over the raw request line and body. It returns "" when it verifies.
func (w *wechatWire) authenticate(r *http.Request, body []byte) string {
	const scheme = "WECHATPAY2-SHA256-RSA2048 "
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, scheme) {
		return "签名错误：缺少 Authorization"
	}
	attrs := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, scheme), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			attrs[k] = strings.Trim(v, `"`)
		}
	}
	k := w.g.keys
	if attrs["mchid"] != k.WeChatMchID || attrs["serial_no"] != k.WeChatSerialNo {
		return "签名错误：商户号或证书序列号不匹配"
	}
	ts, err := strconv.ParseInt(attrs["timestamp"], 10, 64)
	if err != nil {
		return "签名错误：时间戳无效"
	}
	if skew := w.g.Now().Sub(time.Unix(ts, 0)); skew > 5*time.Minute || skew < -5*time.Minute {
		return "签名错误：请求时间与系统时间相差过大"
	}
	msg := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n", r.Method, r.RequestURI, attrs["timestamp"], attrs["nonce_str"], body)
	sig, err := base64.StdEncoding.DecodeString(attrs["signature"])
	if err != nil {
		return "签名错误，请检查后再试"
	}
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(&k.WeChatMerchantKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "签名错误，请检查后再试"
	}
	return ""
}

// write answers a reply; 2xx answers are signed, errors are not (as the
// real gateway).
func (w *wechatWire) write(rw http.ResponseWriter, rep wxReply) {
	var body []byte
	if rep.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rep.body)
		body = bytes.TrimRight(buf.Bytes(), "\n")
	}
	h := rw.Header()
	h.Set("Request-ID", randHex(16))
	if rep.status >= 200 && rep.status < 300 {
		for k, v := range w.signHeaders(body, false) {
			h[k] = v
		}
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	rw.WriteHeader(rep.status)
	_, _ = rw.Write(body)
}

// signHeaders signs ts\nnonce\nbody\n with the platform key.
func (w *wechatWire) signHeaders(body []byte, corrupt bool) http.Header {
	ts := strconv.FormatInt(w.g.Now().Unix(), 10)
	nonce := randHexUpper(16)
	sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, w.g.keys.WeChatPlatformKey, crypto.SHA256, sum[:])
	if corrupt {
		sig[len(sig)/2] ^= 0xff
	}
	return http.Header{
		"Wechatpay-Timestamp":      {ts},
		"Wechatpay-Nonce":          {nonce},
		"Wechatpay-Serial":         {w.g.keys.WeChatPublicKeyID},
		"Wechatpay-Signature":      {base64.StdEncoding.EncodeToString(sig)},
		"Wechatpay-Signature-Type": {"WECHATPAY2-SHA256-RSA2048"},
	}
}

type wxAmount struct {
	Total    int64  `json:"total"`
	Currency string `json:"currency"`
}

type wxOrder struct {
	AppID       string   `json:"appid"`
	MchID       string   `json:"mchid"`
	Description string   `json:"description"`
	OutTradeNo  string   `json:"out_trade_no"`
	TimeExpire  string   `json:"time_expire"`
	NotifyURL   string   `json:"notify_url"`
	Amount      wxAmount `json:"amount"`
	Payer       struct {
		AuthCode string `json:"auth_code"`
	} `json:"payer"`
}

func (w *wechatWire) parseOrder(body []byte, needNotify bool) (wxOrder, *wxReply) {
	var o wxOrder
	if err := json.Unmarshal(body, &o); err != nil {
		rep := wxError(http.StatusBadRequest, "PARAM_ERROR", "请求体不是合法的 JSON")
		return o, &rep
	}
	missing := ""
	switch {
	case o.AppID == "":
		missing = "appid"
	case o.MchID == "":
		missing = "mchid"
	case o.Description == "":
		missing = "description"
	case o.OutTradeNo == "":
		missing = "out_trade_no"
	case needNotify && o.NotifyURL == "":
		missing = "notify_url"
	case o.Amount.Total <= 0:
		missing = "amount.total"
	}
	if missing != "" {
		rep := wxError(http.StatusBadRequest, "PARAM_ERROR", "参数错误："+missing)
		return o, &rep
	}
	if o.AppID != w.g.keys.WeChatAppID || o.MchID != w.g.keys.WeChatMchID {
		rep := wxError(http.StatusBadRequest, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
		return o, &rep
	}
	return o, nil
}

func (w *wechatWire) native(r *http.Request, body []byte) wxReply {
	o, bad := w.parseOrder(body, true)
	if bad != nil {
		return *bad
	}
	expires := w.g.Now().Add(2 * time.Hour)
	if o.TimeExpire != "" {
		t, err := time.Parse(time.RFC3339, o.TimeExpire)
		if err != nil {
			return wxError(http.StatusBadRequest, "PARAM_ERROR", "time_expire 格式错误")
		}
		if t.Before(expires) {
			expires = t
		}
	}
	if _, err := w.g.ledger.Create(payments.WeChat, KindQR, o.OutTradeNo, o.Amount.Total, o.Description, o.NotifyURL, expires); err != nil {
		return wxError(http.StatusBadRequest, "INVALID_REQUEST", "201 商户订单号重复")
	}
	return wxReply{http.StatusOK, map[string]string{"code_url": w.g.QRContent(o.OutTradeNo)}}
}

func (w *wechatWire) checkMchID(r *http.Request) *wxReply {
	if r.URL.Query().Get("mchid") != w.g.keys.WeChatMchID {
		rep := wxError(http.StatusBadRequest, "PARAM_ERROR", "mchid 不匹配")
		return &rep
	}
	return nil
}

func (w *wechatWire) queryByOutTradeNo(r *http.Request, _ []byte) wxReply {
	if bad := w.checkMchID(r); bad != nil {
		return *bad
	}
	t, err := w.g.ledger.Get(r.PathValue("no"))
	if err != nil || t.Channel != payments.WeChat {
		return wxError(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
	}
	return wxReply{http.StatusOK, w.transaction(t, 0)}
}

func (w *wechatWire) queryByID(r *http.Request, _ []byte) wxReply {
	if bad := w.checkMchID(r); bad != nil {
		return *bad
	}
	for _, t := range w.g.ledger.List() {
		if t.Channel == payments.WeChat && t.TradeNo == r.PathValue("id") {
			return wxReply{http.StatusOK, w.transaction(t, 0)}
		}
	}
	return wxError(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
}

// transaction is the query / notification object of a trade; amountFen
// overrides the amount (fault injection) when not 0.
func (w *wechatWire) transaction(t Trade, amountFen int64) map[string]any {
	state, desc := "NOTPAY", "未支付"
	switch t.Status {
	case StatusScanned:
		if t.Kind == KindCode {
			state, desc = "USERPAYING", "用户支付中"
		}
	case StatusPaid:
		state, desc = "SUCCESS", "支付成功"
	case StatusRefunded:
		state, desc = "REFUND", "转入退款"
	case StatusClosed:
		state, desc = "CLOSED", "已关闭"
		if t.Kind == KindCode {
			state, desc = "REVOKED", "已撤销"
		}
	}
	if t.Status == StatusPaid && t.RefundedFen > 0 {
		state, desc = "REFUND", "转入退款"
	}
	tradeType := "NATIVE"
	if t.Kind == KindCode {
		tradeType = "MICROPAY"
	}
	total := t.AmountFen
	if amountFen != 0 {
		total = amountFen
	}
	out := map[string]any{
		"appid": w.g.keys.WeChatAppID, "mchid": w.g.keys.WeChatMchID, "out_trade_no": t.OutTradeNo,
		"trade_type": tradeType, "trade_state": state, "trade_state_desc": desc, "attach": "",
	}
	if t.Status == StatusPaid || t.Status == StatusRefunded {
		out["transaction_id"] = t.TradeNo
		out["bank_type"] = "OTHERS"
		out["success_time"] = t.PaidAt.In(cst).Format(time.RFC3339)
		out["payer"] = map[string]string{"openid": t.BuyerID}
		out["amount"] = map[string]any{"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"}
	} else {
		out["amount"] = map[string]any{"total": total, "currency": "CNY", "payer_currency": "CNY"}
	}
	return out
}

func (w *wechatWire) close(r *http.Request, body []byte) wxReply {
	var req struct {
		MchID string `json:"mchid"`
	}
	if json.Unmarshal(body, &req) != nil || req.MchID != w.g.keys.WeChatMchID {
		return wxError(http.StatusBadRequest, "PARAM_ERROR", "mchid 不匹配")
	}
	t, err := w.g.ledger.Get(r.PathValue("no"))
	if err != nil || t.Channel != payments.WeChat {
		return wxError(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
	}
	if _, err := w.g.ledger.Close(t.OutTradeNo); err != nil {
		return wxError(http.StatusBadRequest, "ORDERPAID", "订单已支付")
	}
	return wxReply{status: http.StatusNoContent}
}

// codepay charges a customer-presented code. Test codes (18 digits): 13…
// pays at once; 14… waits for the buyer's password (202 USERPAYING; the
// control API's pay completes it); anything else is AUTH_CODE_INVALID.
func (w *wechatWire) codepay(r *http.Request, body []byte) wxReply {
	o, bad := w.parseOrder(body, false)
	if bad != nil {
		return *bad
	}
	code := o.Payer.AuthCode
	if len(code) != 18 || !(strings.HasPrefix(code, "13") || strings.HasPrefix(code, "14")) {
		return wxError(http.StatusBadRequest, "AUTH_CODE_INVALID", "付款码无效，请重新扫码")
	}
	if _, err := w.g.ledger.Create(payments.WeChat, KindCode, o.OutTradeNo, o.Amount.Total, o.Description, "", w.g.Now().Add(time.Minute)); err != nil {
		return wxError(http.StatusBadRequest, "INVALID_REQUEST", "201 商户订单号重复")
	}
	if strings.HasPrefix(code, "14") {
		w.g.ledger.Scan(o.OutTradeNo)
		return wxError(http.StatusAccepted, "USERPAYING", "用户支付中，需要输入密码")
	}
	t, err := w.g.ledger.Pay(o.OutTradeNo)
	if err != nil {
		return wxError(http.StatusBadRequest, "TRADE_ERROR", "交易错误")
	}
	return wxReply{http.StatusOK, w.transaction(t, 0)}
}

func (w *wechatWire) reverse(r *http.Request, body []byte) wxReply {
	no := r.PathValue("no")
	t, err := w.g.ledger.Get(no)
	if err != nil || t.Channel != payments.WeChat {
		return wxError(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
	}
	if _, _, err := w.g.ledger.Cancel(no); err != nil {
		return wxError(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误")
	}
	return wxReply{http.StatusOK, map[string]string{"appid": w.g.keys.WeChatAppID, "mchid": w.g.keys.WeChatMchID, "out_trade_no": no}}
}

func (w *wechatWire) refund(r *http.Request, body []byte) wxReply {
	var req struct {
		OutTradeNo  string `json:"out_trade_no"`
		OutRefundNo string `json:"out_refund_no"`
		Amount      struct {
			Refund   int64  `json:"refund"`
			Total    int64  `json:"total"`
			Currency string `json:"currency"`
		} `json:"amount"`
	}
	if json.Unmarshal(body, &req) != nil || req.OutTradeNo == "" || req.OutRefundNo == "" || req.Amount.Refund <= 0 {
		return wxError(http.StatusBadRequest, "PARAM_ERROR", "参数错误")
	}
	t, err := w.g.ledger.Get(req.OutTradeNo)
	if err != nil || t.Channel != payments.WeChat {
		return wxError(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在")
	}
	if req.Amount.Total != t.AmountFen {
		return wxError(http.StatusBadRequest, "INVALID_REQUEST", "订单金额不一致")
	}
	t, ref, _, err := w.g.ledger.Refund(req.OutTradeNo, req.OutRefundNo, req.Amount.Refund)
	switch {
	case err == nil:
	case errors.Is(err, ErrNotPaid):
		return wxError(http.StatusBadRequest, "INVALID_REQUEST", "订单未支付")
	default:
		return wxError(http.StatusBadRequest, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
	}
	return wxReply{http.StatusOK, w.refundObject(t, ref)}
}

func (w *wechatWire) refundQuery(r *http.Request, _ []byte) wxReply {
	no := r.PathValue("no")
	for _, t := range w.g.ledger.List() {
		for _, ref := range t.Refunds {
			if t.Channel == payments.WeChat && ref.RefundNo == no {
				return wxReply{http.StatusOK, w.refundObject(t, ref)}
			}
		}
	}
	return wxError(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "退款单不存在")
}

func (w *wechatWire) refundObject(t Trade, ref Refund) map[string]any {
	at := ref.CreatedAt.In(cst).Format(time.RFC3339)
	return map[string]any{
		"refund_id": ref.RefundID, "out_refund_no": ref.RefundNo, "transaction_id": t.TradeNo,
		"out_trade_no": t.OutTradeNo, "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
		"success_time": at, "create_time": at, "status": "SUCCESS", "funds_account": "AVAILABLE",
		"amount": map[string]any{"total": t.AmountFen, "refund": ref.AmountFen, "payer_total": t.AmountFen,
			"payer_refund": ref.AmountFen, "settlement_refund": ref.AmountFen, "settlement_total": t.AmountFen,
			"discount_refund": 0, "currency": "CNY"},
	}
}

// Notification is a TRANSACTION.SUCCESS notification: the transaction
// encrypted with AEAD_AES_256_GCM (key = APIv3 key, 12-character nonce,
// AAD "transaction"), the envelope signed like a response.
func (w *wechatWire) Notification(t Trade, f NotifyFault) (Delivery, error) {
	plain, err := json.Marshal(w.transaction(t, f.AmountFen))
	if err != nil {
		return Delivery{}, err
	}
	block, err := aes.NewCipher([]byte(w.g.keys.WeChatAPIv3Key))
	if err != nil {
		return Delivery{}, fmt.Errorf("wechat notification: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return Delivery{}, err
	}
	nonce := randAlnum(12)
	sealed := gcm.Seal(nil, []byte(nonce), plain, []byte("transaction"))
	id := "EV-" + t.TradeNo // the same id on every retry
	env := map[string]any{
		"id": id, "create_time": t.PaidAt.In(cst).Format(time.RFC3339), "resource_type": "encrypt-resource",
		"event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
		"resource": map[string]string{"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(sealed), "associated_data": "transaction", "nonce": nonce},
	}
	body, err := json.Marshal(env)
	if err != nil {
		return Delivery{}, err
	}
	h := w.signHeaders(body, f.BadSignature)
	h.Set("Content-Type", "application/json")
	h.Set("Request-ID", randHex(16))
	h.Set("User-Agent", "Mozilla/4.0")
	return Delivery{Header: h, Body: body, NotifyID: id}, nil
}
