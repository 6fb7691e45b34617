package alipay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// call runs one gopay API call with the current signer's client, keeping
// the answer body so a business error's signature can be checked too and
// an answer under a rotated certificate can be verified once the new
// certificate is fetched.
func call[T any](ctx context.Context, p *Provider, api func(*goali.Client, context.Context, gopay.BodyMap) (T, error), bm gopay.BodyMap) (T, error) {
	s := p.signer.Load()
	actx, a := withAnswer(ctx)
	rsp, err := api(s.client, actx, bm)
	return rsp, p.checked(ctx, s, err, a)
}

// checkTrade refuses, before any network call, what Alipay would refuse.
func checkTrade(op, outTradeNo string, amountFen int64) error {
	if !validOutTradeNo(outTradeNo) {
		return fmt.Errorf("alipay %s: out_trade_no %q must be 1–64 letters, digits or underscores: %w", op, outTradeNo, payments.ErrRejected)
	}
	if amountFen <= 0 || amountFen > maxFen {
		return fmt.Errorf("alipay %s: amount %d fen is outside 0.01–100000000.00 yuan: %w", op, amountFen, payments.ErrRejected)
	}
	return nil
}

// CreateQR is alipay.trade.precreate: total_amount in yuan, the subject
// (without '/', '=' and '&', at most 256 characters: see subject),
// qr_code_timeout_express in whole minutes (rounded up, so Alipay never
// closes the QR before the till's own deadline) and the notify_url.
// Alipay creates no trade until the buyer scans: until then Query answers
// StateNotFound.
func (p *Provider) CreateQR(ctx context.Context, req payments.QRRequest) (payments.QR, error) {
	if err := checkTrade("precreate", req.OutTradeNo, req.AmountFen); err != nil {
		return payments.QR{}, err
	}
	if req.Subject == "" {
		return payments.QR{}, fmt.Errorf("alipay precreate: empty subject: %w", payments.ErrRejected)
	}
	now := p.clock()
	window := p.cfg.QRTimeout
	if !req.ExpiresAt.IsZero() {
		window = req.ExpiresAt.Sub(now)
	}
	if window <= 0 {
		return payments.QR{}, fmt.Errorf("alipay precreate: expiry %s has passed: %w", req.ExpiresAt.Format(time.RFC3339), payments.ErrRejected)
	}
	minutes := int64((window + time.Minute - 1) / time.Minute)
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("total_amount", yuan(req.AmountFen)).Set("subject", subject(req.Subject, req.OutTradeNo)).
		Set("qr_code_timeout_express", fmt.Sprintf("%dm", minutes))
	if notify := p.notifyURL(req.NotifyURL); notify != "" {
		bm.Set("notify_url", notify)
	}
	rsp, err := call(ctx, p, (*goali.Client).TradePrecreate, bm)
	if err != nil {
		return payments.QR{}, classify("precreate", err)
	}
	if err := mismatch("precreate", req.OutTradeNo, rsp.Response.OutTradeNo); err != nil {
		return payments.QR{}, err
	}
	if rsp.Response.QrCode == "" {
		return payments.QR{}, fmt.Errorf("alipay precreate: answer has no qr_code: %w", payments.ErrMalformed)
	}
	expires := req.ExpiresAt
	if expires.IsZero() {
		expires = now.Add(time.Duration(minutes) * time.Minute)
	}
	return payments.QR{Content: rsp.Response.QrCode, ExpiresAt: expires}, nil
}

// Query is alipay.trade.query. ACQ.TRADE_NOT_EXIST is StateNotFound (a
// precreate nobody has scanned yet), not an error; WAIT_BUYER_PAY is
// StateScanned with the masked buyer; TRADE_SUCCESS and TRADE_FINISHED
// are StatePaid; TRADE_CLOSED is StateClosed, or StateRefunded when the
// trade had been paid (Alipay closes a trade once fully refunded).
func (p *Provider) Query(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	rsp, err := call(ctx, p, (*goali.Client).TradeQuery, bm)
	if subCode(err) == subTradeNotExist {
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateNotFound, RawCode: subTradeNotExist}, nil
	}
	if err != nil {
		return payments.TradeStatus{}, classify("query", err)
	}
	return queryStatus(outTradeNo, rsp.Response)
}

// queryStatus reads a trade.query answer.
func queryStatus(outTradeNo string, q *goali.TradeQuery) (payments.TradeStatus, error) {
	if err := mismatch("query", outTradeNo, q.OutTradeNo); err != nil {
		return payments.TradeStatus{}, err
	}
	st := payments.TradeStatus{OutTradeNo: outTradeNo, ProviderTradeNo: q.TradeNo, Buyer: q.BuyerLogonId, RawCode: q.TradeStatus}
	var err error
	if st.AmountFen, err = parseYuan(q.TotalAmount); err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay query: total_amount: %v: %w", err, payments.ErrMalformed)
	}
	paid, err := paidFen(q.BuyerPayAmount, q.ReceiptAmount, q.TotalAmount)
	if err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay query: %v: %w", err, payments.ErrMalformed)
	}
	switch q.TradeStatus {
	case "WAIT_BUYER_PAY":
		st.State = payments.StateScanned
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		st.State, st.PaidFen, st.PaidAt = payments.StatePaid, paid, parseTime(q.SendPayDate)
	case "TRADE_CLOSED":
		st.State = payments.StateClosed
		receipt, err := parseOptionalYuan(q.ReceiptAmount)
		if err != nil {
			return payments.TradeStatus{}, fmt.Errorf("alipay query: receipt_amount: %v: %w", err, payments.ErrMalformed)
		}
		if q.SendPayDate != "" || receipt > 0 {
			// Paid once, then refunded in full: that is how Alipay closes
			// a paid trade.
			st.State, st.PaidFen, st.PaidAt, st.RefundedFen = payments.StateRefunded, paid, parseTime(q.SendPayDate), st.AmountFen
		}
	default:
		return payments.TradeStatus{}, fmt.Errorf("alipay query: unknown trade_status %q: %w", q.TradeStatus, payments.ErrMalformed)
	}
	return st, nil
}

// paidFen is what the buyer paid: buyer_pay_amount, else receipt_amount,
// else total_amount (the first one present).
func paidFen(buyerPay, receipt, total string) (int64, error) {
	for _, s := range []string{buyerPay, receipt, total} {
		if s != "" {
			return parseYuan(s)
		}
	}
	return 0, nil
}

// Close makes sure the QR can no longer be paid, and never refunds on
// purpose (PROTOCOLS A9):
//
//   - alipay.trade.close closes a scanned, unpaid trade (WAIT_BUYER_PAY);
//   - a precreate nobody scanned is no trade yet, so close answers
//     ACQ.TRADE_NOT_EXIST; then alipay.trade.cancel is sent, which closes
//     the precreate itself so a later scan cannot pay it (the sandbox
//     refuses a later scan or pay of that out_trade_no). Should the buyer
//     pay in the moment between the two calls, cancel refunds that payment
//     and the answer is StateRefunded with the payment's details; cancel
//     finding no trade at all (the precreate never reached Alipay) is
//     StateClosed, as nothing exists that could be paid;
//   - a trade the buyer already paid makes close answer
//     ACQ.TRADE_STATUS_ERROR, ACQ.REASON_TRADE_STATUS_INVALID or
//     ACQ.REASON_ILLEGAL_STATUS (or TRADE_HAS_SUCCESS/FINISHED/CLOSE); then
//     the trade is queried and the answer is StatePaid (or StateRefunded /
//     StateClosed if it is settled otherwise);
//   - any other business refusal (40004 with a sub_code this package does
//     not list) is not transient, so retrying the close blind never ends
//     it: it is payments.ErrCloseRefused (and ErrRejected), and the caller
//     settles the trade with a query.
func (p *Provider) Close(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	rsp, err := call(ctx, p, (*goali.Client).TradeClose, bm)
	switch subCode(err) {
	case "":
		if err != nil {
			return payments.TradeStatus{}, classify("close", err)
		}
		if err := mismatch("close", outTradeNo, rsp.Response.OutTradeNo); err != nil {
			return payments.TradeStatus{}, err
		}
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateClosed, ProviderTradeNo: rsp.Response.TradeNo, RawCode: "TRADE_CLOSED"}, nil
	case subTradeNotExist:
		return p.cancelUnscanned(ctx, outTradeNo)
	case subTradeStatus, subReasonStatusInvalid, subReasonIllegalStatus, subTradeHasSuccess, subTradeHasFinish, subTradeHasClose:
		return p.settled(ctx, outTradeNo)
	}
	if bizErr, ok := goali.IsBizError(err); ok && bizErr.Code == codeBusinessFailed && !errors.Is(classify("close", err), payments.ErrUnavailable) {
		return payments.TradeStatus{}, fmt.Errorf("alipay close: %s %s (%s), a business rule: %w: %w",
			bizErr.Code, bizErr.SubCode, bizErr.SubMsg, payments.ErrCloseRefused, payments.ErrRejected)
	}
	return payments.TradeStatus{}, classify("close", err)
}

// settled queries a trade close refused and insists on a final state.
func (p *Provider) settled(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	st, err := p.Query(ctx, outTradeNo)
	if err != nil {
		return st, err
	}
	if !st.State.Final() {
		return payments.TradeStatus{}, fmt.Errorf("alipay close: refused, yet the trade is %s: %w", st.State, payments.ErrUnavailable)
	}
	return st, nil
}

// cancelUnscanned cancels a precreate nobody scanned (see Close).
func (p *Provider) cancelUnscanned(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	c, err := p.cancel(ctx, outTradeNo)
	switch {
	case subCode(err) == subTradeNotExist:
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateClosed, RawCode: "cancel:" + subTradeNotExist}, nil
	case err != nil:
		return payments.TradeStatus{}, err
	case c.Action == "refund":
		// The buyer paid between close and cancel and got the money back.
		st, qerr := p.Query(ctx, outTradeNo)
		if qerr != nil || st.State != payments.StateRefunded {
			st = payments.TradeStatus{OutTradeNo: outTradeNo, ProviderTradeNo: c.TradeNo}
		}
		st.State, st.RawCode = payments.StateRefunded, "cancel:refund"
		return st, nil
	}
	return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateClosed, ProviderTradeNo: c.TradeNo, RawCode: "cancel:" + c.Action}, nil
}
