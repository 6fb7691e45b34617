package sandbox

import (
	"errors"
	"fmt"
	"time"

	"qrtill/payments"
)

// refund is alipay.trade.refund. out_request_no is the idempotency key
// (the trade's out_trade_no when absent, Alipay's rule). A new refund
// answers fund_change Y; a repeat, or a refund still processing (the
// refund_processing fault), fund_change N: no money moved by this call.
// refund_fee is what has reached the buyer so far. The notification with
// the refund fields goes to the trade's notify_url once the refund is
// done. With the refund_lost_reply fault the refund is made but the
// answer is 20000 isp.unknow-error.
func (w *alipayWire) refund(r aliRef, biz aliBiz) aliReply {
	fen, ok := aliParseYuan(biz.str("refund_amount"))
	if !r.given() || biz.str("refund_amount") == "" {
		return aliMissing("isv.missing-parameter", "缺少必选参数")
	}
	if !ok || fen <= 0 {
		return aliBizFail("ACQ.INVALID_PARAMETER", "参数无效: refund_amount", nil)
	}
	found, exists := w.existing(r)
	if !exists {
		return aliBizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", nil)
	}
	requestNo := biz.str("out_request_no")
	if requestNo == "" {
		requestNo = found.OutTradeNo
	}
	spec := RefundSpec{RefundNo: requestNo, AmountFen: fen, NotifyURL: found.NotifyURL,
		Plan: func() (RefundStatus, time.Duration) { return w.g.refundPlan(payments.Alipay) }}
	t, rf, isNew, err := w.g.Ledger().RefundWith(found.OutTradeNo, spec)
	ids := aliReply{"out_trade_no": t.OutTradeNo, "trade_no": t.TradeNo}
	switch {
	case errors.Is(err, ErrNotPaid):
		return aliBizFail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法", ids)
	case errors.Is(err, ErrTradeFinished):
		return aliBizFail("ACQ.TRADE_HAS_FINISHED", "交易已完结", ids)
	case err != nil:
		return aliBizFail("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限", ids)
	case rf.AmountFen != fen:
		return aliBizFail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改：同一退款请求号的退款金额不一致", ids)
	case w.g.take(func(f *Faults) *int { return &f.RefundLostReply }):
		w.g.cfg.Log.Warn(fmt.Sprintf("fault: refund %s of %s made, answer lost", requestNo, t.OutTradeNo))
		return aliFail("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙", nil)
	}
	change := "Y"
	if !isNew || rf.Status != RefundSucceeded {
		change = "N"
	}
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "buyer_logon_id": t.BuyerLogon, "buyer_user_id": t.BuyerID,
		"fund_change": change, "refund_fee": aliYuan(SettledRefundFen(t))}
	if rf.Status == RefundSucceeded {
		rep["send_back_fee"], rep["gmt_refund_pay"] = aliYuan(rf.AmountFen), alipayTime(rf.SettledAt)
	}
	return aliOK(rep)
}

// refundQuery is alipay.trade.fastpay.refund.query: one refund that
// reached the buyer (refund_status REFUND_SUCCESS), or — Alipay's way of
// saying it did not happen (yet) — a 10000 answer without refund data,
// which is also how a refund still processing is answered.
func (w *alipayWire) refundQuery(r aliRef, requestNo string) aliReply {
	t, ok := w.existing(r)
	if !ok {
		return aliBizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", nil)
	}
	if requestNo == "" {
		requestNo = t.OutTradeNo
	}
	for _, rf := range t.Refunds {
		if rf.RefundNo == requestNo && rf.Status == RefundSucceeded {
			return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "out_request_no": requestNo,
				"total_amount": aliYuan(t.AmountFen), "refund_amount": aliYuan(rf.AmountFen), "refund_status": "REFUND_SUCCESS",
				"gmt_refund_pay": alipayTime(rf.SettledAt), "send_back_fee": aliYuan(rf.AmountFen)})
		}
	}
	return aliOK(aliReply{"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo})
}
