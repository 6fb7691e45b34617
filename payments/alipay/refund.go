package alipay

import (
	"context"
	"fmt"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// Refund is alipay.trade.refund with out_request_no = RefundNo, so the
// same RefundNo again is the same refund. fund_change Y is success.
// fund_change N says no money moved with this call — a repeat of a done
// refund, or a first refund Alipay has not carried out yet — so it is
// never taken as success on its own: the refund is queried inside the
// call (alipay.trade.fastpay.refund.query), and the answer is
// RefundSuccess only when that query shows it done, RefundPending
// otherwise (ask QueryRefund later; repeating Refund with the same
// RefundNo is safe). A refund over what is left is ErrRejected;
// ACQ.SYSTEM_ERROR is ErrUnavailable (repeat the same RefundNo, or ask
// QueryRefund).
func (p *Provider) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	if err := checkTrade("refund", req.OutTradeNo, req.AmountFen); err != nil {
		return payments.RefundResult{}, err
	}
	if !validOutTradeNo(req.RefundNo) {
		return payments.RefundResult{}, fmt.Errorf("alipay refund: refund number %q must be 1–64 letters, digits or underscores: %w", req.RefundNo, payments.ErrRejected)
	}
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("refund_amount", yuan(req.AmountFen)).Set("out_request_no", req.RefundNo)
	if req.Reason != "" {
		bm.Set("refund_reason", req.Reason)
	}
	rsp, err := call(ctx, p, (*goali.Client).TradeRefund, bm)
	if err != nil {
		return payments.RefundResult{}, classify("refund", err)
	}
	if err := mismatch("refund", req.OutTradeNo, rsp.Response.OutTradeNo); err != nil {
		return payments.RefundResult{}, err
	}
	res := payments.RefundResult{OutTradeNo: req.OutTradeNo, RefundNo: req.RefundNo, State: payments.RefundSuccess,
		AmountFen: req.AmountFen, RawCode: "fund_change:" + rsp.Response.FundChange}
	if rsp.Response.FundChange == "Y" {
		return res, nil
	}
	q, err := p.QueryRefund(ctx, req.OutTradeNo, req.RefundNo)
	if err != nil || q.State != payments.RefundSuccess {
		res.State, res.RawCode = payments.RefundPending, res.RawCode+",unconfirmed"
		return res, nil
	}
	res.AmountFen, res.RawCode = q.AmountFen, res.RawCode+",confirmed"
	return res, nil
}

// QueryRefund is alipay.trade.fastpay.refund.query. Alipay's rule: an
// answer with data whose refund_status is empty or REFUND_SUCCESS is a
// done refund; an answer without data means the refund did not happen
// (ErrNotFound: repeat Refund with the same RefundNo). A trade Alipay does
// not know is ErrNotFound too.
func (p *Provider) QueryRefund(ctx context.Context, outTradeNo, refundNo string) (payments.RefundResult, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo).Set("out_request_no", refundNo)
	rsp, err := call(ctx, p, (*goali.Client).TradeFastPayRefundQuery, bm)
	if subCode(err) == subTradeNotExist {
		return payments.RefundResult{}, fmt.Errorf("alipay refund query %s: no trade %s: %w", refundNo, outTradeNo, payments.ErrNotFound)
	}
	if err != nil {
		return payments.RefundResult{}, classify("refund query", err)
	}
	r := rsp.Response
	if err := mismatch("refund query", outTradeNo, r.OutTradeNo); err != nil {
		return payments.RefundResult{}, err
	}
	if err := mismatch("refund query", refundNo, r.OutRequestNo); err != nil {
		return payments.RefundResult{}, err
	}
	if r.RefundAmount == "" {
		return payments.RefundResult{}, fmt.Errorf("alipay refund query %s: %w", refundNo, payments.ErrNotFound)
	}
	amount, err := parseYuan(r.RefundAmount)
	if err != nil {
		return payments.RefundResult{}, fmt.Errorf("alipay refund query: refund_amount: %v: %w", err, payments.ErrMalformed)
	}
	state := payments.RefundSuccess
	if r.RefundStatus != "" && r.RefundStatus != "REFUND_SUCCESS" {
		state = payments.RefundPending
	}
	return payments.RefundResult{OutTradeNo: outTradeNo, RefundNo: refundNo, State: state, AmountFen: amount, RawCode: r.RefundStatus}, nil
}
