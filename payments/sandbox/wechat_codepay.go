package sandbox

import (
	"errors"
	"net/http"
	"regexp"
	"time"

	"qrtill/payments"
)

// wxAuthCodeRE is a WeChat payment code: 18 digits starting 10-15.
var wxAuthCodeRE = regexp.MustCompile(`^1[0-5][0-9]{16}$`)

// wxCodeTradeLifetime is how long an unconfirmed code payment
// (USERPAYING) waits for the buyer's password before it expires.
const wxCodeTradeLifetime = 5 * time.Minute

// codepayRule is what the sandbox does with a test auth code, by its
// first two digits (the code must be 18 digits starting 10-15, else 400
// AUTH_CODE_INVALID):
//
//	10  400 AUTH_CODE_INVALID — no trade is made (an expired code)
//	11  403 NOT_ENOUGH — no trade is made (balance too low)
//	12  the trade is made and paid, but the answer is 500 SYSTEM_ERROR:
//	    the "result unknown" case a till must settle by query or reverse
//	13  200 SUCCESS — paid at once
//	14  202 USERPAYING — the buyer must "enter a password"; the trade stays
//	    USERPAYING until the control API pays (or cancels) it
//	15  200 SUCCESS — paid at once
type codepayRule string

// The auth-code rules.
const (
	codeInvalid   codepayRule = "invalid"
	codeNoMoney   codepayRule = "not_enough"
	codeLostReply codepayRule = "lost_reply"
	codePaid      codepayRule = "paid"
	codePassword  codepayRule = "userpaying"
)

// ruleFor classifies an auth code.
func ruleFor(authCode string) codepayRule {
	if !wxAuthCodeRE.MatchString(authCode) {
		return codeInvalid
	}
	switch authCode[:2] {
	case "10":
		return codeInvalid
	case "11":
		return codeNoMoney
	case "12":
		return codeLostReply
	case "14":
		return codePassword
	}
	return codePaid
}

// codepay answers POST /v3/pay/transactions/codepay by codepayRule. A
// repeated request for the same out_trade_no with the same parameters
// answers the trade's current state.
func (w *wechatWire) codepay(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	o, fen, ok := w.parseOrder(rw, req)
	if !ok {
		return
	}
	if o.Payer == nil || o.Payer.AuthCode == "" {
		w.paramError(rw, "/payer/auth_code", "必填")
		return
	}
	rule := ruleFor(o.Payer.AuthCode)
	switch rule {
	case codeInvalid:
		w.fail(rw, http.StatusBadRequest, "AUTH_CODE_INVALID", "付款码无效，请重新扫码", nil)
		return
	case codeNoMoney:
		w.fail(rw, http.StatusForbidden, "NOT_ENOUGH", "用户余额不足", nil)
		return
	}
	l := w.g.Ledger()
	t, err := l.Create(payments.WeChat, KindCode, o.OutTradeNo, fen, o.Description, "", w.g.Now().Add(wxCodeTradeLifetime))
	if err != nil || t.AmountFen != fen || t.Kind != KindCode {
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "商户订单号重复（OUT_TRADE_NO_USED）：同一out_trade_no的参数与之前不一致", nil)
		return
	}
	if t.Status == StatusCreated {
		if rule == codePassword {
			t, err = l.Scan(t.OutTradeNo)
		} else {
			t, err = l.Pay(t.OutTradeNo)
		}
		if err != nil && !errors.Is(err, ErrTradePaid) {
			w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
			return
		}
	}
	switch {
	case rule == codeLostReply:
		w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统超时，请查询订单状态", nil)
	case t.Status == StatusScanned:
		w.reply(rw, r, http.StatusAccepted, map[string]string{"code": "USERPAYING", "message": "用户支付中，需要输入密码"})
	case t.Status == StatusClosed:
		w.fail(rw, http.StatusBadRequest, "ORDER_CLOSED", "订单已撤销或关闭", nil)
	default:
		w.reply(rw, r, http.StatusOK, w.transaction(t))
	}
}

// reverse answers POST …/{no}/reverse: closes an unpaid code payment,
// refunds a paid one; repeating it is harmless. Only code payments can be
// reversed.
func (w *wechatWire) reverse(rw http.ResponseWriter, r *http.Request, req wxRequest) {
	if !w.parseMchBody(rw, req, true) {
		return
	}
	t, ok := w.trade(rw, r.PathValue("no"))
	if !ok {
		return
	}
	if t.Kind != KindCode {
		w.fail(rw, http.StatusBadRequest, "INVALID_REQUEST", "非付款码订单不能撤销，请使用关单或退款接口", nil)
		return
	}
	if t.Status != StatusClosed && t.Status != StatusRefunded {
		if _, _, err := w.g.Ledger().Cancel(t.OutTradeNo); err != nil && !errors.Is(err, ErrTradeClosed) {
			w.fail(rw, http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
			return
		}
	}
	k := w.keys()
	w.reply(rw, r, http.StatusOK, map[string]string{"appid": k.WeChatAppID, "mchid": k.WeChatMchID, "out_trade_no": t.OutTradeNo})
}
