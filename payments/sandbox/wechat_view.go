package sandbox

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wxTime formats t as WeChat Pay does (RFC 3339, +08:00); "" for zero.
func wxTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format(time.RFC3339)
}

// wxAmount is a transaction's amount object.
type wxAmount struct {
	Total         int64  `json:"total"`
	PayerTotal    *int64 `json:"payer_total,omitempty"`
	Currency      string `json:"currency"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

// wxPayer is a transaction's payer object.
type wxPayer struct {
	OpenID string `json:"openid,omitempty"`
}

// wxTransaction is the transaction object of query answers, code
// payments and (encrypted) notifications.
type wxTransaction struct {
	AppID          string   `json:"appid"`
	MchID          string   `json:"mchid"`
	OutTradeNo     string   `json:"out_trade_no"`
	TransactionID  string   `json:"transaction_id,omitempty"`
	TradeType      string   `json:"trade_type"`
	TradeState     string   `json:"trade_state"`
	TradeStateDesc string   `json:"trade_state_desc"`
	BankType       string   `json:"bank_type,omitempty"`
	Attach         string   `json:"attach"`
	SuccessTime    string   `json:"success_time,omitempty"`
	Payer          wxPayer  `json:"payer"`
	Amount         wxAmount `json:"amount"`
}

// wxTradeState maps a ledger trade to trade_state and its description.
// Any refund, partial or full, is REFUND; a closed code payment was
// reversed (or never confirmed) and is REVOKED.
func wxTradeState(t Trade) (state, desc string) {
	if t.RefundedFen > 0 {
		return "REFUND", "转入退款"
	}
	switch t.Status {
	case StatusCreated:
		return "NOTPAY", "订单未支付"
	case StatusScanned:
		// Real WeChat: a scanned Native order stays NOTPAY until paid;
		// USERPAYING is a code payment waiting for the buyer's password.
		if t.Kind == KindCode {
			return "USERPAYING", "用户支付中"
		}
		return "NOTPAY", "订单未支付"
	case StatusPaid:
		return "SUCCESS", "支付成功"
	case StatusRefunded:
		return "REFUND", "转入退款"
	case StatusClosed:
		if t.Kind == KindCode {
			return "REVOKED", "已撤销"
		}
		return "CLOSED", "订单已关闭"
	}
	return "PAYERROR", "支付失败"
}

// transaction renders a trade as WeChat's transaction object. amount.total
// is always there; once scanned the payer's openid; once paid
// transaction_id, success_time, bank_type and payer_total.
func (w *wechatWire) transaction(t Trade) wxTransaction {
	k := w.keys()
	state, desc := wxTradeState(t)
	tx := wxTransaction{
		AppID: k.WeChatAppID, MchID: k.WeChatMchID, OutTradeNo: t.OutTradeNo,
		TradeType: "NATIVE", TradeState: state, TradeStateDesc: desc,
		Amount: wxAmount{Total: t.AmountFen, Currency: "CNY"},
	}
	if t.Kind == KindCode {
		tx.TradeType = "MICROPAY"
	}
	if t.Status != StatusCreated {
		tx.Payer.OpenID = t.BuyerID
	}
	if !t.PaidAt.IsZero() {
		paid := t.AmountFen
		tx.TransactionID = t.TradeNo
		tx.SuccessTime = wxTime(t.PaidAt)
		tx.BankType = "OTHERS"
		tx.Amount.PayerTotal = &paid
		tx.Amount.PayerCurrency = "CNY"
	}
	return tx
}

// wxOutTradeNoRE is out_trade_no's alphabet and length.
var wxOutTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-*]{6,32}$`)

// wxOutRefundNoRE is out_refund_no's alphabet and length.
var wxOutRefundNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-|*@]{1,64}$`)

// wxFen parses an amount field: a JSON integer, never a string, a
// fraction or an exponent.
func wxFen(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s[0] == '"' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
