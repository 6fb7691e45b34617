package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"qrtill/payments"
)

// wxRefundReq is the body of POST /v3/refund/domestic/refunds.
type wxRefundReq struct {
	TransactionID string `json:"transaction_id"`
	OutTradeNo    string `json:"out_trade_no"`
	OutRefundNo   string `json:"out_refund_no"`
	Reason        string `json:"reason"`
	NotifyURL     string `json:"notify_url"`
	Amount        *struct {
		Refund   json.RawMessage `json:"refund"`
		Total    json.RawMessage `json:"total"`
		Currency string          `json:"currency"`
	} `json:"amount"`
}

// wxRefundAmount is a refund's amount object.
type wxRefundAmount struct {
	Total            int64  `json:"total"`
	Refund           int64  `json:"refund"`
	From             []any  `json:"from"`
	PayerTotal       int64  `json:"payer_total"`
	PayerRefund      int64  `json:"payer_refund"`
	SettlementRefund int64  `json:"settlement_refund"`
	SettlementTotal  int64  `json:"settlement_total"`
	DiscountRefund   int64  `json:"discount_refund"`
	Currency         string `json:"currency"`
	RefundFee        int64  `json:"refund_fee"`
}

// wxRefund is the refund object both refund endpoints answer.
type wxRefund struct {
	RefundID            string         `json:"refund_id"`
	OutRefundNo         string         `json:"out_refund_no"`
	TransactionID       string         `json:"transaction_id"`
	OutTradeNo          string         `json:"out_trade_no"`
	Channel             string         `json:"channel"`
	UserReceivedAccount string         `json:"user_received_account"`
	SuccessTime         string         `json:"success_time,omitempty"`
	CreateTime          string         `json:"create_time"`
	Status              string         `json:"status"`
	FundsAccount        string         `json:"funds_account"`
	Amount              wxRefundAmount `json:"amount"`
	PromotionDetail     []any          `json:"promotion_detail"`
}

// wxRefundStatus is a refund's status as WeChat Pay spells it.
var wxRefundStatus = map[RefundStatus]string{RefundProcessing: "PROCESSING", RefundSucceeded: "SUCCESS",
	RefundAbnormal: "ABNORMAL", RefundClosed: "CLOSED"}

// refundView renders one refund of t: its status, and success_time once
// it succeeded.
func refundView(t Trade, rf Refund) wxRefund {
	status := wxRefundStatus[rf.Status]
	if status == "" {
		status = "SUCCESS" // kept by a sandbox before refund states
	}
	success := ""
	if status == "SUCCESS" {
		success = wxTime(rf.SettledAt)
		if success == "" {
			success = wxTime(rf.CreatedAt)
		}
	}
	return wxRefund{
		RefundID: rf.RefundID, OutRefundNo: rf.RefundNo, TransactionID: t.TradeNo, OutTradeNo: t.OutTradeNo,
		Channel: "ORIGINAL", UserReceivedAccount: "支付用户零钱", SuccessTime: success, CreateTime: wxTime(rf.CreatedAt),
		Status: status, FundsAccount: "AVAILABLE",
		Amount: wxRefundAmount{
			Total: t.AmountFen, Refund: rf.AmountFen, From: []any{}, PayerTotal: t.AmountFen,
			PayerRefund: rf.AmountFen, SettlementRefund: rf.AmountFen, SettlementTotal: t.AmountFen, Currency: "CNY",
		},
		PromotionDetail: []any{},
	}
}

// refund answers POST /v3/refund/domestic/refunds. out_refund_no is the
// idempotency key: repeating a refund answers the same refund; the same
// number with another amount, a refund over what is left, a total that is
// not the order's, or a refund of an unpaid trade is 400 INVALID_REQUEST.
// The refund's notification goes to its notify_url once it settles. The
// refund faults: refund_rate_limited answers 429 FREQUENCY_LIMITED and
// makes no refund; refund_lost_reply makes it and answers an error
// status; refund_processing/_abnormal/_closed make it PROCESSING first.
func (w *wechatWire) refund(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	o, refundFen, t, ok := w.parseRefund(rw, req)
	if !ok {
		return
	}
	if w.g.take(func(f *Faults) *int { return &f.RefundRateLimited }) {
		w.fail(rw, http.StatusTooManyRequests, "FREQUENCY_LIMITED", "请求频率超限，请稍后使用原参数重试", nil)
		return
	}
	spec := RefundSpec{RefundNo: o.OutRefundNo, AmountFen: refundFen, NotifyURL: o.NotifyURL,
		Plan: func() (RefundStatus, time.Duration) { return w.g.refundPlan(payments.WeChat) }}
	t, rf, _, err := w.g.Ledger().RefundWith(t.OutTradeNo, spec)
	if err == nil && rf.AmountFen == refundFen && w.g.take(func(f *Faults) *int { return &f.RefundLostReply }) {
		status := w.g.Faults().RefundLostReplyStatus
		if status == 0 {
			status = http.StatusInternalServerError
		}
		w.g.cfg.Log.Warn(fmt.Sprintf("fault: refund %s of %s made, answered HTTP %d", o.OutRefundNo, t.OutTradeNo, status))
		w.fail(rw, status, "SYSTEM_ERROR", "系统超时，请使用原参数重试或查询退款", nil)
		return
	}
	switch {
	case err == nil && rf.AmountFen != refundFen:
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "退款单号重复：同一out_refund_no的退款金额与之前不一致", nil)
	case errors.Is(err, ErrRefundTooMuch):
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "申请退款金额超过订单可退金额", nil)
	case errors.Is(err, ErrNotPaid), errors.Is(err, ErrTradeFinished):
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "订单未支付，不能退款", nil)
	case errors.Is(err, ErrTradeNotFound):
		w.fail(rw, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在", nil)
	case err != nil:
		w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
	default:
		w.reply(rw, r, http.StatusOK, refundView(t, rf))
	}
}

// parseRefund decodes and checks a refund request and finds its trade;
// on failure it has answered and returns ok false.
func (w *wechatWire) parseRefund(rw http.ResponseWriter, req wxRequest) (o wxRefundReq, refundFen int64, t Trade, ok bool) {
	if err := json.Unmarshal(req.body, &o); err != nil {
		w.fail(rw, http.StatusBadRequest, "PARAM_ERROR", "请求体不是合法的JSON", nil)
		return o, 0, t, false
	}
	var totalFen int64
	var ok1, ok2 bool
	if o.Amount != nil {
		refundFen, ok1 = wxFen(o.Amount.Refund)
		totalFen, ok2 = wxFen(o.Amount.Total)
	}
	switch {
	case o.OutTradeNo == "" && o.TransactionID == "":
		w.paramError(rw, "/out_trade_no", "out_trade_no与transaction_id必填其一")
	case !wxOutRefundNoRE.MatchString(o.OutRefundNo):
		w.paramError(rw, "/out_refund_no", "必填，1-64位数字、大小写字母或_-|*@")
	case o.Amount == nil:
		w.paramError(rw, "/amount", "必填")
	case !ok1 || refundFen <= 0:
		w.paramError(rw, "/amount/refund", "必须是大于0的整数（单位：分）")
	case !ok2 || totalFen <= 0:
		w.paramError(rw, "/amount/total", "必须是大于0的整数（单位：分）")
	case o.Amount.Currency != "CNY":
		w.paramError(rw, "/amount/currency", "必填，境内商户号仅支持CNY")
	default:
		var found bool
		if o.OutTradeNo != "" {
			t, found = w.lookup(o.OutTradeNo)
		} else {
			t, found = w.tradeByTransactionID(o.TransactionID)
		}
		switch {
		case !found:
			w.fail(rw, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在", nil)
		case totalFen != t.AmountFen:
			w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "订单金额与原订单金额不一致", nil)
		default:
			return o, refundFen, t, true
		}
	}
	return o, 0, t, false
}

// lookup finds a WeChat trade by out_trade_no.
func (w *wechatWire) lookup(no string) (Trade, bool) {
	t, err := w.g.Ledger().Get(no)
	return t, err == nil && t.Channel == payments.WeChat
}

// refundQuery answers GET /v3/refund/domestic/refunds/{out_refund_no};
// an unknown refund is 404 RESOURCE_NOT_EXISTS.
func (w *wechatWire) refundQuery(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	no := r.PathValue("no")
	for _, t := range w.g.Ledger().List() {
		if t.Channel != payments.WeChat {
			continue
		}
		for _, rf := range t.Refunds {
			if rf.RefundNo == no {
				w.reply(rw, r, http.StatusOK, refundView(t, rf))
				return
			}
		}
	}
	w.fail(rw, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "退款单不存在", nil)
}
