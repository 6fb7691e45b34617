package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/go-pay/gopay"
	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// refundNoRE is the out_refund_no alphabet this provider sends. WeChat
// also allows '|', but the number travels in a URL path where Go would
// escape '|' after gopay signed it unescaped, so '|' is refused here.
var refundNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-*@]{1,64}$`)

// maxReason is the byte limit of a refund reason (string(80)).
const maxReason = 80

// Refund refunds part or all of a paid trade (POST
// /v3/refund/domestic/refunds). RefundNo is out_refund_no, WeChat's
// idempotency key: asking twice answers the same refund. The answer's
// status is RefundSuccess, RefundPending (PROCESSING), RefundAbnormal
// (ABNORMAL: not final; the money is in WeChat Pay's refund transit
// account) or RefundFailed (CLOSED). An answer that is not 200 is not
// taken as a failure on its word (WeChat Pay's refund practice): 429
// FREQUENCY_LIMITED is ErrUnavailable, retry later with the same
// RefundNo; any other is followed by a query by out_refund_no, whose
// answer counts if the refund exists with the amount asked for; the
// refusal stands if the query says there is no such refund (or the number
// is another amount's).
func (p *Provider) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	const op = "refund"
	if err := checkOutTradeNo(op, req.OutTradeNo); err != nil {
		return payments.RefundResult{}, err
	}
	if err := checkRefundNo(op, req.RefundNo); err != nil {
		return payments.RefundResult{}, err
	}
	if err := p.ready(); err != nil {
		return payments.RefundResult{}, err
	}
	if req.AmountFen <= 0 || req.TotalFen <= 0 || req.AmountFen > req.TotalFen {
		return payments.RefundResult{}, fmt.Errorf("wechat %s: refund %d of total %d fen is not possible: %w", op, req.AmountFen, req.TotalFen, payments.ErrRejected)
	}
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).
		Set("out_refund_no", req.RefundNo).
		SetBodyMap("amount", func(b gopay.BodyMap) {
			b.Set("refund", req.AmountFen).Set("total", req.TotalFen).Set("currency", "CNY")
		})
	if req.Reason != "" {
		bm.Set("reason", shorten(req.Reason, maxReason))
	}
	if p.cfg.NotifyURL != "" {
		bm.Set("notify_url", p.cfg.NotifyURL)
	}
	rsp, err := p.client.V3Refund(ctx, bm)
	if err != nil {
		return payments.RefundResult{}, callError(op, rsp != nil, err)
	}
	if rsp.Code != wxv3.Success {
		return p.refundRefused(ctx, req, apiError(op, rsp.Code, rsp.ErrResponse))
	}
	return refundResult(op, req.OutTradeNo, req.RefundNo, rsp.Response)
}

// refundRefused settles a refund answered with an error status.
func (p *Provider) refundRefused(ctx context.Context, req payments.RefundRequest, refusal *APIError) (payments.RefundResult, error) {
	if refusal.HTTPStatus == http.StatusTooManyRequests {
		return payments.RefundResult{}, fmt.Errorf("wechat refund %s: rate limited; retry later with the same refund number: %w", req.RefundNo, refusal)
	}
	res, err := p.QueryRefund(ctx, req.OutTradeNo, req.RefundNo)
	switch {
	case err == nil && res.AmountFen == req.AmountFen:
		return res, nil // the refund exists: its state counts
	case err == nil, errors.Is(err, payments.ErrNotFound):
		return payments.RefundResult{}, refusal // no such refund (or one of another amount): the refusal stands
	}
	return payments.RefundResult{}, fmt.Errorf("wechat refund %s: answered %d %s and the refund query failed (%v); outcome unknown, ask again with the same refund number: %w",
		req.RefundNo, refusal.HTTPStatus, refusal.Code, err, payments.ErrUnavailable)
}

// QueryRefund asks for one refund by out_refund_no (GET
// /v3/refund/domestic/refunds/{out_refund_no}). An unknown refund is
// payments.ErrNotFound.
func (p *Provider) QueryRefund(ctx context.Context, outTradeNo, refundNo string) (payments.RefundResult, error) {
	const op = "refund query"
	if err := checkOutTradeNo(op, outTradeNo); err != nil {
		return payments.RefundResult{}, err
	}
	if err := checkRefundNo(op, refundNo); err != nil {
		return payments.RefundResult{}, err
	}
	if err := p.ready(); err != nil {
		return payments.RefundResult{}, err
	}
	rsp, err := p.client.V3RefundQuery(ctx, refundNo, nil)
	if err != nil {
		return payments.RefundResult{}, callError(op, rsp != nil, err)
	}
	if rsp.Code != wxv3.Success {
		return payments.RefundResult{}, apiError(op, rsp.Code, rsp.ErrResponse)
	}
	return refundResult(op, outTradeNo, refundNo, (*wxv3.RefundOrderResponse)(rsp.Response))
}

// checkRefundNo refuses an out_refund_no that cannot travel safely.
func checkRefundNo(op, no string) error {
	if !refundNoRE.MatchString(no) {
		return fmt.Errorf("wechat %s: out_refund_no %q must be 1-64 of 0-9 A-Z a-z _ - * @: %w", op, no, payments.ErrRejected)
	}
	return nil
}

// refundResult maps a refund object, checking it is the one asked about.
func refundResult(op, outTradeNo, refundNo string, r *wxv3.RefundOrderResponse) (payments.RefundResult, error) {
	if r == nil || r.OutRefundNo != refundNo {
		return payments.RefundResult{}, fmt.Errorf("wechat %s: answer is not about refund %s: %w", op, refundNo, payments.ErrMalformed)
	}
	if r.OutTradeNo != outTradeNo {
		return payments.RefundResult{}, fmt.Errorf("wechat %s: refund %s belongs to trade %q, not %s: %w", op, refundNo, r.OutTradeNo, outTradeNo, payments.ErrRejected)
	}
	res := payments.RefundResult{OutTradeNo: r.OutTradeNo, RefundNo: r.OutRefundNo, RawCode: r.Status}
	switch r.Status {
	case "SUCCESS":
		res.State = payments.RefundSuccess
	case "PROCESSING":
		res.State = payments.RefundPending
	case "ABNORMAL":
		res.State = payments.RefundAbnormal
	case "CLOSED":
		res.State = payments.RefundFailed
	default:
		return payments.RefundResult{}, fmt.Errorf("wechat %s: unknown refund status %q: %w", op, r.Status, payments.ErrMalformed)
	}
	if r.Amount != nil {
		res.AmountFen = int64(r.Amount.Refund)
	}
	return res, nil
}
