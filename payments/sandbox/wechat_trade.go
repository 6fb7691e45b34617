package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"qrtill/payments"
)

// wxCodeURLLifetime is how long a Native code_url (and, in the sandbox,
// its trade) can be paid.
const wxCodeURLLifetime = 2 * time.Hour

// wxOrderReq is the body of a Native or code payment order.
type wxOrderReq struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	TimeExpire  string `json:"time_expire"`
	Attach      string `json:"attach"`
	NotifyURL   string `json:"notify_url"`
	Amount      *struct {
		Total    json.RawMessage `json:"total"`
		Currency string          `json:"currency"`
	} `json:"amount"`
	Payer *struct {
		AuthCode string `json:"auth_code"`
	} `json:"payer"`
}

// parseOrder decodes and checks the fields both order kinds share; on
// failure it has answered and returns ok false.
func (w *wechatWire) parseOrder(rw http.ResponseWriter, req wxRequest) (o wxOrderReq, fen int64, ok bool) {
	if err := json.Unmarshal(req.body, &o); err != nil {
		w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "请求体不是合法的JSON", nil)
		return o, 0, false
	}
	k := w.keys()
	switch {
	case o.AppID == "":
		w.paramError(rw, "/appid", "必填")
	case o.MchID == "":
		w.paramError(rw, "/mchid", "必填")
	case o.MchID != req.mchID:
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "mchid与请求签名的商户号不一致", nil)
	case o.AppID != k.WeChatAppID:
		w.fail(rw, http.StatusBadRequest, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配", nil)
	case o.Description == "" || len(o.Description) > 127:
		w.paramError(rw, "/description", "必填，不超过127字节")
	case !wxOutTradeNoRE.MatchString(o.OutTradeNo):
		w.paramError(rw, "/out_trade_no", "6-32位数字、大小写字母或_-*")
	case o.Amount == nil:
		w.paramError(rw, "/amount", "必填")
	case o.Amount.Currency != "" && o.Amount.Currency != "CNY":
		w.paramError(rw, "/amount/currency", "境内商户号仅支持CNY")
	default:
		var isInt bool
		if fen, isInt = wxFen(o.Amount.Total); !isInt || fen <= 0 {
			w.paramError(rw, "/amount/total", "必须是大于0的整数（单位：分）")
			return o, 0, false
		}
		return o, fen, true
	}
	return o, 0, false
}

// native places a Native order: the trade exists at once (NOTPAY) and
// the answer is {"code_url"}, the wallet page's URL. The same
// out_trade_no with the same amount and description answers the same
// code_url; with others, 400 INVALID_REQUEST; once paid, ORDERPAID; once
// closed, ORDER_CLOSED.
func (w *wechatWire) native(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	o, fen, ok := w.parseOrder(rw, req)
	if !ok {
		return
	}
	if o.NotifyURL == "" {
		w.paramError(rw, "/notify_url", "必填")
		return
	}
	if u, err := url.Parse(o.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || len(o.NotifyURL) > 255 {
		w.paramError(rw, "/notify_url", "须为不带参数的完整http(s)地址")
		return
	}
	now := w.g.Now()
	expires := now.Add(wxCodeURLLifetime)
	if o.TimeExpire != "" {
		t, err := time.Parse(time.RFC3339, o.TimeExpire)
		if err != nil {
			w.paramError(rw, "/time_expire", "须为RFC3339格式，如2018-06-08T10:34:56+08:00")
			return
		}
		if !t.After(now) {
			w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "订单已过期（time_expire早于当前时间）", nil)
			return
		}
		if t.Before(expires) {
			expires = t
		}
	}
	t, err := w.g.Ledger().Create(payments.WeChat, KindQR, o.OutTradeNo, fen, o.Description, o.NotifyURL, expires)
	if err != nil || t.AmountFen != fen || t.Kind != KindQR {
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "商户订单号重复（OUT_TRADE_NO_USED）：同一out_trade_no的参数与之前不一致", nil)
		return
	}
	if !w.orderOpen(rw, t) {
		return
	}
	w.reply(rw, r, http.StatusOK, map[string]string{"code_url": w.g.QRContent(t.OutTradeNo)})
}

// orderOpen answers a re-submitted order that can no longer be paid.
func (w *wechatWire) orderOpen(rw http.ResponseWriter, t Trade) bool {
	switch t.Status {
	case StatusPaid, StatusRefunded:
		w.fail(rw, http.StatusBadRequest, "ORDERPAID", "该订单已支付", nil)
		return false
	case StatusClosed:
		w.fail(rw, http.StatusBadRequest, "ORDER_CLOSED", "订单已关闭", nil)
		return false
	}
	return true
}

// trade finds a WeChat trade by out_trade_no, answering 404
// ORDER_NOT_EXIST if there is none.
func (w *wechatWire) trade(rw http.ResponseWriter, no string) (Trade, bool) {
	t, err := w.g.Ledger().Get(no)
	if err != nil || t.Channel != payments.WeChat {
		w.fail(rw, http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在", nil)
		return Trade{}, false
	}
	return t, true
}

// queryMchID checks the ?mchid= of a query against the signer.
func (w *wechatWire) queryMchID(rw http.ResponseWriter, r *http.Request, req wxRequest) bool {
	if m := r.URL.Query().Get("mchid"); m == "" {
		w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "参数错误: mchid 必填", &wxErrDetail{Field: "mchid", Issue: "必填", Location: "query"})
		return false
	} else if m != req.mchID {
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "mchid与请求签名的商户号不一致", nil)
		return false
	}
	return true
}

// queryByOutTradeNo answers GET /v3/pay/transactions/out-trade-no/{no}.
func (w *wechatWire) queryByOutTradeNo(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	if !w.queryMchID(rw, r, req) {
		return
	}
	if t, ok := w.trade(rw, r.PathValue("no")); ok {
		w.reply(rw, r, http.StatusOK, w.transaction(t))
	}
}

// queryByTransactionID answers GET /v3/pay/transactions/id/{id}; only
// paid trades have a transaction_id.
func (w *wechatWire) queryByTransactionID(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	if !w.queryMchID(rw, r, req) {
		return
	}
	if t, ok := w.tradeByTransactionID(r.PathValue("id")); ok {
		w.reply(rw, r, http.StatusOK, w.transaction(t))
		return
	}
	w.fail(rw, http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在", nil)
}

// tradeByTransactionID scans the ledger for a WeChat transaction_id.
func (w *wechatWire) tradeByTransactionID(id string) (Trade, bool) {
	if id == "" {
		return Trade{}, false
	}
	for _, t := range w.g.Ledger().List() {
		if t.Channel == payments.WeChat && t.TradeNo == id {
			return t, true
		}
	}
	return Trade{}, false
}

// wxMchBody is the {"mchid"[, "appid"]} body of close and reverse.
type wxMchBody struct {
	MchID string `json:"mchid"`
	AppID string `json:"appid"`
}

// parseMchBody checks a close/reverse body; on failure it has answered.
func (w *wechatWire) parseMchBody(rw http.ResponseWriter, req wxRequest, needAppID bool) bool {
	var b wxMchBody
	if err := json.Unmarshal(req.body, &b); err != nil {
		w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "请求体不是合法的JSON", nil)
		return false
	}
	switch {
	case b.MchID == "":
		w.paramError(rw, "/mchid", "必填")
	case b.MchID != req.mchID:
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "mchid与请求签名的商户号不一致", nil)
	case needAppID && b.AppID == "":
		w.paramError(rw, "/appid", "必填")
	case needAppID && b.AppID != w.keys().WeChatAppID:
		w.fail(rw, http.StatusBadRequest, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配", nil)
	default:
		return true
	}
	return false
}

// close answers POST …/{no}/close: 204 (signed over the empty body), also
// for a trade already closed; 400 ORDERPAID for a paid one; 400 with the
// close_refuse fault's code when that fault is set.
func (w *wechatWire) close(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	if !w.parseMchBody(rw, req, false) {
		return
	}
	t, ok := w.trade(rw, r.PathValue("no"))
	if !ok {
		return
	}
	w.g.payBeforeClose(t.OutTradeNo) // the pay_before_close fault: the buyer's payment lands first
	if code := w.g.closeRefusal(); code != "" {
		w.fail(rw, http.StatusBadRequest, code, "订单状态不允许关单", nil)
		return
	}
	if _, err := w.g.ledger.close(t.OutTradeNo); err != nil && !errors.Is(err, ErrTradeClosed) {
		if errors.Is(err, ErrTradePaid) {
			w.fail(rw, http.StatusBadRequest, "ORDERPAID", "订单已支付，不能关闭", nil)
			return
		}
		w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
		return
	}
	w.reply(rw, r, http.StatusNoContent, nil)
}
