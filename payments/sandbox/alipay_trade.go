package sandbox

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qrtill/payments"
)

// Test auth codes for alipay.trade.pay (scene bar_code). A code is 16–24
// digits, as Alipay's are; its first two digits decide:
//
//	28…  paid at once: 10000
//	25…  the buyer must enter a password: 10003; the trade waits (scanned)
//	     until the control API's pay or the wallet page pays it
//	26…  refused: 40004 ACQ.BUYER_BALANCE_NOT_ENOUGH; no trade is made
//	27…  outcome unknown: 40004 ACQ.SYSTEM_ERROR, yet the payment went
//	     through (query shows it paid; the till must query, then cancel)
//	else refused: 40004 ACQ.PAYMENT_AUTH_CODE_INVALID (29… and any code
//	     that is not 16–24 digits); no trade is made
const (
	AlipayCodePaid        = "28" // paid at once (10000)
	AlipayCodePassword    = "25" // waits for the buyer's password (10003)
	AlipayCodeNoBalance   = "26" // ACQ.BUYER_BALANCE_NOT_ENOUGH, no trade
	AlipayCodeSystemError = "27" // ACQ.SYSTEM_ERROR, but paid
)

// alipayTradeTimeout is how long an Alipay trade (precreate before scan,
// or a code payment waiting for the password) stays payable when the
// request names no timeout: 2 h, as a real precreate QR.
const alipayTradeTimeout = 2 * time.Hour

// maxAlipayFen is Alipay's largest amount, 100000000.00 yuan.
const maxAlipayFen int64 = 100_000_000_00

func (w *alipayWire) precreate(c aliCall) aliReply {
	biz := c.biz
	no, subject := biz.str("out_trade_no"), biz.str("subject")
	fen, ok := aliParseYuan(biz.str("total_amount"))
	if no == "" || subject == "" || biz.str("total_amount") == "" {
		return aliMissing("isv.missing-parameter", "缺少必选参数")
	}
	if !ok || fen <= 0 || fen > maxAlipayFen {
		return aliBizFail("ACQ.INVALID_PARAMETER", "参数无效: total_amount", aliReply{"out_trade_no": no})
	}
	if !aliSubjectOK(subject) {
		return aliBizFail("ACQ.INVALID_PARAMETER", "参数无效: subject 不可含 /、=、& 且不超过256个字符", aliReply{"out_trade_no": no})
	}
	window := alipayTradeTimeout
	if d, ok := aliTimeoutExpress(biz.str("qr_code_timeout_express")); ok {
		window = d
	}
	t, err := w.g.Ledger().Create(payments.Alipay, KindQR, no, fen, subject, c.params.Get("notify_url"), w.g.Now().Add(window))
	switch {
	case err != nil || t.Channel != payments.Alipay:
		return aliBizFail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改", aliReply{"out_trade_no": no})
	case t.Status == StatusPaid || t.Status == StatusRefunded:
		return aliBizFail("ACQ.TRADE_HAS_SUCCESS", "交易已被支付", aliReply{"out_trade_no": no})
	case t.Status == StatusClosed:
		return aliBizFail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭", aliReply{"out_trade_no": no})
	}
	if c.certMode {
		w.g.Ledger().MarkCertMode(no)
	}
	return aliOK(aliReply{"out_trade_no": no, "qr_code": w.g.QRContent(no)})
}

// lookup finds the Alipay trade a call names, scanned or not (by
// trade_no only once scanned: a precreate has no trade_no before).
func (w *alipayWire) lookup(r aliRef) (Trade, bool) {
	var t Trade
	var err error
	if r.tradeNo != "" {
		t, err = w.g.Ledger().ByTradeNo(payments.Alipay, r.tradeNo)
	} else {
		t, err = w.g.Ledger().Get(r.outTradeNo)
	}
	return t, err == nil && t.Channel == payments.Alipay
}

// existing returns the trade if Alipay would know it: a precreate is no
// trade until it is scanned.
func (w *alipayWire) existing(r aliRef) (Trade, bool) {
	t, ok := w.lookup(r)
	return t, ok && !t.ScannedAt.IsZero()
}

// aliNotExist is ACQ.TRADE_NOT_EXIST as a real query answers it, "0.00"
// amounts included.
func aliNotExist(no string) aliReply {
	return aliBizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", aliReply{"out_trade_no": no, "buyer_pay_amount": "0.00",
		"invoice_amount": "0.00", "point_amount": "0.00", "receipt_amount": "0.00"})
}

// alipayTradeStatus is a trade's trade_status.
func alipayTradeStatus(t Trade) string {
	switch t.Status {
	case StatusScanned:
		return "WAIT_BUYER_PAY"
	case StatusPaid:
		if t.Finished {
			return "TRADE_FINISHED"
		}
		return "TRADE_SUCCESS"
	}
	return "TRADE_CLOSED" // closed unpaid, or refunded in full
}

func (w *alipayWire) query(r aliRef) aliReply {
	t, ok := w.existing(r)
	if !ok {
		return aliNotExist(r.outTradeNo)
	}
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "buyer_logon_id": t.BuyerLogon, "buyer_user_id": t.BuyerID,
		"buyer_user_type": "PRIVATE", "trade_status": alipayTradeStatus(t), "total_amount": aliYuan(t.AmountFen), "point_amount": "0.00"}
	paid := "0.00"
	if !t.PaidAt.IsZero() {
		paid = aliYuan(t.AmountFen)
		rep["send_pay_date"] = alipayTime(t.PaidAt)
	}
	rep["buyer_pay_amount"], rep["receipt_amount"], rep["invoice_amount"] = paid, paid, paid
	return aliOK(rep)
}

// close closes a scanned, unpaid trade. A paid one is refused with
// ACQ.TRADE_STATUS_ERROR, or with the close_refuse fault's code.
func (w *alipayWire) close(r aliRef) aliReply {
	if t, ok := w.lookup(r); ok {
		w.g.payBeforeClose(t.OutTradeNo) // the pay_before_close fault: the buyer's payment lands first
	}
	t, ok := w.existing(r)
	if !ok {
		return aliNotExist(r.outTradeNo)
	}
	ids := aliReply{"out_trade_no": t.OutTradeNo, "trade_no": t.TradeNo}
	if code := w.g.closeRefusal(); code != "" {
		return aliBizFail(code, "非待支付状态下不支持关单操作", ids)
	}
	if _, err := w.g.ledger.close(t.OutTradeNo); err != nil {
		return aliBizFail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法", ids)
	}
	return aliOK(ids)
}

// cancel closes an unpaid trade (action close) or refunds a paid one in
// full (action refund). Unlike query and close it also takes a precreate
// nobody scanned: that QR can then never be paid.
func (w *alipayWire) cancel(r aliRef) aliReply {
	found, ok := w.lookup(r)
	if !ok {
		return aliBizFail("ACQ.TRADE_NOT_EXIST", "交易不存在", aliReply{"out_trade_no": r.outTradeNo, "retry_flag": "N"})
	}
	t, action, err := w.g.Ledger().Cancel(found.OutTradeNo)
	if err != nil {
		return aliFail("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙", aliReply{"out_trade_no": found.OutTradeNo, "retry_flag": "Y"})
	}
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "retry_flag": "N", "action": action}
	if action == "refund" && len(t.Refunds) > 0 {
		rep["gmt_refund_pay"] = alipayTime(t.Refunds[len(t.Refunds)-1].CreatedAt)
	}
	return aliOK(rep)
}

// pay charges a customer-presented code (scene bar_code) by the test
// auth-code rules above.
func (w *alipayWire) pay(c aliCall) aliReply {
	biz := c.biz
	no, code, subject := biz.str("out_trade_no"), biz.str("auth_code"), biz.str("subject")
	if no == "" || code == "" || subject == "" || biz.str("total_amount") == "" || biz.str("scene") == "" {
		return aliMissing("isv.missing-parameter", "缺少必选参数")
	}
	fen, ok := aliParseYuan(biz.str("total_amount"))
	if !ok || fen <= 0 || fen > maxAlipayFen || biz.str("scene") != "bar_code" || !aliSubjectOK(subject) {
		return aliBizFail("ACQ.INVALID_PARAMETER", "参数无效", aliReply{"out_trade_no": no})
	}
	prefix := alipayCodePrefix(code)
	switch prefix {
	case AlipayCodePaid, AlipayCodePassword, AlipayCodeSystemError:
	case AlipayCodeNoBalance:
		return aliBizFail("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足", aliReply{"out_trade_no": no})
	default:
		return aliBizFail("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款", aliReply{"out_trade_no": no})
	}
	window := alipayTradeTimeout
	if d, ok := aliTimeoutExpress(biz.str("timeout_express")); ok {
		window = d
	}
	l := w.g.Ledger()
	t, err := l.Create(payments.Alipay, KindCode, no, fen, subject, c.params.Get("notify_url"), w.g.Now().Add(window))
	if err != nil || t.Channel != payments.Alipay {
		return aliBizFail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改", aliReply{"out_trade_no": no})
	}
	if c.certMode {
		l.MarkCertMode(no)
	}
	if prefix == AlipayCodePassword {
		t, err = l.Scan(no)
	} else {
		t, err = l.Pay(no)
	}
	switch {
	case errors.Is(err, ErrTradePaid):
		return aliBizFail("ACQ.TRADE_HAS_SUCCESS", "交易已被支付", aliReply{"out_trade_no": no, "trade_no": t.TradeNo})
	case err != nil:
		return aliBizFail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭", aliReply{"out_trade_no": no, "trade_no": t.TradeNo})
	case prefix == AlipayCodeSystemError:
		return aliBizFail("ACQ.SYSTEM_ERROR", "系统错误", aliReply{"out_trade_no": no})
	}
	rep := aliReply{"trade_no": t.TradeNo, "out_trade_no": no, "buyer_logon_id": t.BuyerLogon, "buyer_user_id": t.BuyerID,
		"total_amount": aliYuan(t.AmountFen), "receipt_amount": "0.00", "buyer_pay_amount": "0.00", "invoice_amount": "0.00", "point_amount": "0.00"}
	if t.Status != StatusPaid {
		rep["code"], rep["msg"] = "10003", " order success pay inprocess" // the leading space is Alipay's
		return rep
	}
	rep["receipt_amount"], rep["buyer_pay_amount"], rep["invoice_amount"] = aliYuan(t.AmountFen), aliYuan(t.AmountFen), aliYuan(t.AmountFen)
	rep["gmt_payment"] = alipayTime(t.PaidAt)
	rep["fund_bill_list"] = []map[string]string{{"fund_channel": "ALIPAYACCOUNT", "amount": aliYuan(t.AmountFen)}}
	return aliOK(rep)
}

// aliSubjectOK is Alipay's rule for subject: no '/', '=' or '&', at most
// 256 characters.
func aliSubjectOK(s string) bool {
	return !strings.ContainsAny(s, "/=&") && utf8.RuneCountInString(s) <= 256
}

// alipayCodePrefix is a test auth code's first two digits, or "" if it is
// not 16–24 digits.
func alipayCodePrefix(code string) string {
	if len(code) < 16 || len(code) > 24 {
		return ""
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return ""
		}
	}
	return code[:2]
}

// aliParseYuan reads "12", "12.5" or "12.50" as fen, without floats.
func aliParseYuan(s string) (int64, bool) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || (hasPoint && frac == "") {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}

// aliTimeoutExpress reads Alipay's relative timeouts: "5m", "2h", "1d"
// (whole numbers only; "1c", end of day, is not supported).
func aliTimeoutExpress(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 15*24*60 {
		return 0, false
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
