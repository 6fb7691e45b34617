package alipay

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// PayByCode is alipay.trade.pay, scene bar_code, charging the code on the
// buyer's phone. Code 10000 is StatePaid; 10003 is StateScanned: the buyer
// must still enter a password, so poll Query (and Reverse at the
// deadline). 40004 refusals (e.g. ACQ.PAYMENT_AUTH_CODE_INVALID) are
// ErrRejected with the sub_code in the message; 20000 and
// ACQ.SYSTEM_ERROR leave the outcome unknown: ErrUnavailable, so query.
// ACQ.TRADE_HAS_SUCCESS (a repeated call for a trade already paid) is
// answered by a query. A refused or expired code is also
// payments.ErrCodeInvalid, a balance too low payments.ErrBalanceLow.
func (p *Provider) PayByCode(ctx context.Context, req payments.CodePayRequest) (payments.TradeStatus, error) {
	if err := checkTrade("pay", req.OutTradeNo, req.AmountFen); err != nil {
		return payments.TradeStatus{}, err
	}
	if req.AuthCode == "" || req.Subject == "" {
		return payments.TradeStatus{}, fmt.Errorf("alipay pay: empty auth_code or subject: %w", payments.ErrRejected)
	}
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("scene", "bar_code").Set("auth_code", req.AuthCode).
		Set("subject", subject(req.Subject, req.OutTradeNo)).Set("total_amount", yuan(req.AmountFen)).Set("product_code", "FACE_TO_FACE_PAYMENT")
	rsp, err := call(ctx, p, (*goali.Client).TradePay, bm)
	if subCode(err) == subTradeHasSuccess {
		return p.Query(ctx, req.OutTradeNo)
	}
	if err != nil {
		return payments.TradeStatus{}, codeRefusal(classify("pay", err), subCode(err))
	}
	r := rsp.Response
	if err := mismatch("pay", req.OutTradeNo, r.OutTradeNo); err != nil {
		return payments.TradeStatus{}, err
	}
	st := payments.TradeStatus{OutTradeNo: req.OutTradeNo, ProviderTradeNo: r.TradeNo, Buyer: r.BuyerLogonId, RawCode: r.Code}
	if st.AmountFen, err = parseOptionalYuan(r.TotalAmount); err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay pay: total_amount: %v: %w", err, payments.ErrMalformed)
	}
	if r.Code == codeWaitPassword {
		st.State = payments.StateScanned
		return st, nil
	}
	st.State, st.PaidAt = payments.StatePaid, p.clock()
	if st.PaidFen, err = paidFen(r.BuyerPayAmount, r.ReceiptAmount, r.TotalAmount); err != nil {
		return payments.TradeStatus{}, fmt.Errorf("alipay pay: %v: %w", err, payments.ErrMalformed)
	}
	return st, nil
}

// Reverse is alipay.trade.cancel for a code payment whose result is
// unknown: Alipay closes it if unpaid and refunds it if paid. It is
// retried while Alipay answers retry_flag Y or cannot be reached (3
// tries, 2 s apart). A trade Alipay does not know (the pay request never
// arrived) needs no reversing: nil.
func (p *Provider) Reverse(ctx context.Context, outTradeNo string) error {
	_, err := p.cancel(ctx, outTradeNo)
	if subCode(err) == subTradeNotExist {
		return nil
	}
	return err
}

// cancel sends alipay.trade.cancel, retrying while the answer says
// retry_flag Y, or (with no retry_flag) while the outcome is unknown. It
// returns gopay's own error for ACQ.TRADE_NOT_EXIST so callers can tell
// it apart, and classified errors otherwise.
func (p *Provider) cancel(ctx context.Context, outTradeNo string) (*goali.TradeCancel, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	var last error
	for try := 0; try < p.cancelRetries; try++ {
		if try > 0 {
			if err := sleep(ctx, p.cancelDelay); err != nil {
				break
			}
		}
		rsp, err := call(ctx, p, (*goali.Client).TradeCancel, bm)
		flag := ""
		if rsp != nil && rsp.Response != nil {
			flag = rsp.Response.RetryFlag
		}
		switch {
		case err == nil && flag != "Y":
			if err := mismatch("cancel", outTradeNo, rsp.Response.OutTradeNo); err != nil {
				return nil, err
			}
			return rsp.Response, nil
		case err == nil:
			last = errors.New("retry_flag Y")
			continue
		case subCode(err) == subTradeNotExist:
			return nil, err
		}
		last = classify("cancel", err)
		if flag == "N" || errors.Is(last, payments.ErrBadSignature) || (flag == "" && !errors.Is(last, payments.ErrUnavailable)) {
			return nil, last
		}
	}
	return nil, fmt.Errorf("alipay cancel: not done after %d tries (%v): %w", p.cancelRetries, last, payments.ErrUnavailable)
}

// Sub-codes of alipay.trade.pay that refuse the buyer's code or balance.
var (
	codeInvalidSubs = map[string]bool{"ACQ.PAYMENT_AUTH_CODE_INVALID": true, "ACQ.AUTH_CODE_INVALID": true}
	balanceLowSubs  = map[string]bool{
		"ACQ.BUYER_BALANCE_NOT_ENOUGH": true, "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH": true,
	}
)

// codeRefusal marks a refusal of trade.pay (err, already classified)
// whose sub_code says the code or the balance was refused.
func codeRefusal(err error, sub string) error {
	switch {
	case !errors.Is(err, payments.ErrRejected):
		return err
	case codeInvalidSubs[sub]:
		return fmt.Errorf("%w: %w", err, payments.ErrCodeInvalid)
	case balanceLowSubs[sub]:
		return fmt.Errorf("%w: %w", err, payments.ErrBalanceLow)
	}
	return err
}
