package wechat

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/go-pay/gopay"
	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"qrtill/payments"
)

// Trade states as WeChat Pay spells them (trade_state).
const (
	tradeSuccess    = "SUCCESS"
	tradeRefund     = "REFUND"
	tradeNotPay     = "NOTPAY"
	tradeClosed     = "CLOSED"
	tradeRevoked    = "REVOKED"
	tradeUserPaying = "USERPAYING"
	tradePayError   = "PAYERROR"
)

// codeURLLifetime is how long a Native code_url can be paid.
const codeURLLifetime = 2 * time.Hour

// maxDescription is the byte limit of description (string(127)).
const maxDescription = 127

// cst is China Standard Time, the zone WeChat Pay writes times in.
var cst = time.FixedZone("CST", 8*3600)

// outTradeNoRE is WeChat's out_trade_no alphabet and length. The number
// goes into URL paths unescaped (gopay concatenates it), so nothing else
// may pass.
var outTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-*]{6,32}$`)

// checkOutTradeNo refuses an out_trade_no WeChat Pay would refuse.
func checkOutTradeNo(op, no string) error {
	if !outTradeNoRE.MatchString(no) {
		return fmt.Errorf("wechat %s: out_trade_no %q must be 6-32 of 0-9 A-Z a-z _ - *: %w", op, no, payments.ErrRejected)
	}
	return nil
}

// CreateQR places a Native order (POST /v3/pay/transactions/native). The
// order exists at WeChat Pay at once, in NOTPAY; the QR content is the
// code_url, payable until the earlier of req.ExpiresAt and two hours.
func (p *Provider) CreateQR(ctx context.Context, req payments.QRRequest) (payments.QR, error) {
	const op = "native"
	if err := checkOutTradeNo(op, req.OutTradeNo); err != nil {
		return payments.QR{}, err
	}
	if req.AmountFen <= 0 {
		return payments.QR{}, fmt.Errorf("wechat %s: amount %d fen must be positive: %w", op, req.AmountFen, payments.ErrRejected)
	}
	if req.Subject == "" {
		return payments.QR{}, fmt.Errorf("wechat %s: subject is empty; WeChat Pay needs a description: %w", op, payments.ErrRejected)
	}
	notifyURL := req.NotifyURL
	if notifyURL == "" {
		notifyURL = p.cfg.NotifyURL
	}
	if notifyURL == "" {
		return payments.QR{}, fmt.Errorf("wechat %s: no notify URL; WeChat Pay needs one: set NotifyURL in the wechat config: %w", op, payments.ErrRejected)
	}
	if err := CheckNotifyURL(notifyURL, p.cfg.live()); err != nil {
		return payments.QR{}, fmt.Errorf("wechat %s: notify URL %w: %w", op, err, payments.ErrRejected)
	}
	if err := p.ready(); err != nil {
		return payments.QR{}, err
	}
	now := p.clock()
	bm := gopay.BodyMap{}
	bm.Set("appid", p.cfg.AppID).
		Set("mchid", p.cfg.MchID).
		Set("description", shorten(req.Subject, maxDescription)).
		Set("out_trade_no", req.OutTradeNo).
		Set("notify_url", notifyURL).
		SetBodyMap("amount", func(b gopay.BodyMap) {
			b.Set("total", req.AmountFen).Set("currency", "CNY")
		})
	if !req.ExpiresAt.IsZero() {
		// RFC 3339 to the second: round up, so WeChat never closes the
		// order before the till's own deadline.
		bm.Set("time_expire", ceilSecond(req.ExpiresAt).In(cst).Format(time.RFC3339))
	}
	rsp, err := p.client.V3TransactionNative(ctx, bm)
	if err != nil {
		return payments.QR{}, callError(op, rsp != nil, err)
	}
	if rsp.Code != wxv3.Success {
		return payments.QR{}, apiError(op, rsp.Code, rsp.ErrResponse)
	}
	if rsp.Response == nil || rsp.Response.CodeUrl == "" {
		return payments.QR{}, fmt.Errorf("wechat %s: response has no code_url: %w", op, payments.ErrMalformed)
	}
	exp := now.Add(codeURLLifetime)
	if !req.ExpiresAt.IsZero() && req.ExpiresAt.Before(exp) {
		exp = req.ExpiresAt
	}
	return payments.QR{Content: rsp.Response.CodeUrl, ExpiresAt: exp}, nil
}

// Query asks for a trade by out_trade_no. An order WeChat Pay does not
// know (404 ORDER_NOT_EXIST) is StateNotFound with a nil error.
func (p *Provider) Query(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	const op = "query"
	if err := checkOutTradeNo(op, outTradeNo); err != nil {
		return payments.TradeStatus{}, err
	}
	if err := p.ready(); err != nil {
		return payments.TradeStatus{}, err
	}
	rsp, err := p.client.V3TransactionQueryOrder(ctx, wxv3.OutTradeNo, outTradeNo)
	if err != nil {
		return payments.TradeStatus{}, callError(op, rsp != nil, err)
	}
	if rsp.Code == http.StatusNotFound && rsp.ErrResponse.Code == "ORDER_NOT_EXIST" {
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateNotFound, RawCode: rsp.ErrResponse.Code}, nil
	}
	if rsp.Code != wxv3.Success {
		return payments.TradeStatus{}, apiError(op, rsp.Code, rsp.ErrResponse)
	}
	q := rsp.Response
	if q == nil {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: empty response: %w", op, payments.ErrMalformed)
	}
	if q.OutTradeNo != outTradeNo {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: asked for %s, answer is about %q: %w", op, outTradeNo, q.OutTradeNo, payments.ErrMalformed)
	}
	if q.Mchid != "" && q.Mchid != p.cfg.MchID {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: answer names merchant %q: %w", op, q.Mchid, payments.ErrWrongMerchant)
	}
	return p.tradeStatus(op, transaction{
		OutTradeNo: q.OutTradeNo, TransactionID: q.TransactionId, TradeState: q.TradeState,
		SuccessTime: q.SuccessTime, Payer: q.Payer, Amount: q.Amount,
	})
}

// transaction is the part of a WeChat transaction object (query, code
// payment, notification) the till uses.
type transaction struct {
	OutTradeNo    string
	TransactionID string
	TradeState    string
	SuccessTime   string
	Payer         *wxv3.Payer
	Amount        *wxv3.Amount
}

// tradeStatus maps a transaction to the till's TradeStatus.
func (p *Provider) tradeStatus(op string, t transaction) (payments.TradeStatus, error) {
	st := payments.TradeStatus{
		OutTradeNo:      t.OutTradeNo,
		ProviderTradeNo: t.TransactionID,
		RawCode:         t.TradeState,
	}
	switch t.TradeState {
	case tradeNotPay:
		st.State = payments.StateWaitingScan
	case tradeUserPaying:
		st.State = payments.StateScanned
	case tradeSuccess:
		st.State = payments.StatePaid
	case tradeRefund:
		st.State = payments.StateRefunded
	case tradeClosed, tradeRevoked:
		st.State = payments.StateClosed
	case tradePayError:
		st.State = payments.StateFailed
	default:
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: unknown trade_state %q: %w", op, t.TradeState, payments.ErrMalformed)
	}
	if t.Payer != nil {
		st.Buyer = maskOpenID(t.Payer.Openid)
	}
	if t.Amount != nil {
		st.AmountFen = int64(t.Amount.Total)
		if st.State == payments.StatePaid || st.State == payments.StateRefunded {
			st.PaidFen = int64(t.Amount.PayerTotal)
		}
	}
	if t.SuccessTime != "" {
		if at, err := time.Parse(time.RFC3339, t.SuccessTime); err == nil {
			st.PaidAt = at
		}
	}
	return st, nil
}

// maskOpenID keeps the ends of an openid, enough to tell buyers apart on
// a receipt without printing the identifier.
func maskOpenID(id string) string {
	switch {
	case id == "":
		return ""
	case len(id) <= 8:
		return "****"
	default:
		return id[:4] + "****" + id[len(id)-4:]
	}
}

// Close makes sure the trade can no longer be paid. Following WeChat's
// advice it queries first (a paid or already final trade is answered as
// is, never closed), closes (POST …/close, 204), then queries again to
// confirm CLOSED, since a buyer can pay between the query and the close.
// A trade WeChat Pay does not know is answered StateClosed with RawCode
// ORDER_NOT_EXIST: nothing can be paid on it. A close refused with a 4xx
// while the trade is still open is payments.ErrCloseRefused (and
// ErrRejected): not transient, settle the trade with a query. Close never
// refunds.
func (p *Provider) Close(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	const op = "close"
	if err := checkOutTradeNo(op, outTradeNo); err != nil {
		return payments.TradeStatus{}, err
	}
	before, err := p.Query(ctx, outTradeNo)
	if err != nil {
		return payments.TradeStatus{}, err
	}
	switch {
	case before.State == payments.StateNotFound:
		before.State = payments.StateClosed
		return before, nil
	case before.State.Final():
		return before, nil
	}
	rsp, err := p.client.V3TransactionCloseOrder(ctx, outTradeNo)
	if err != nil {
		return payments.TradeStatus{}, callError(op, rsp != nil, err)
	}
	refused := rsp.Code != wxv3.Success
	after, qerr := p.Query(ctx, outTradeNo)
	if qerr != nil {
		if refused {
			return payments.TradeStatus{}, apiError(op, rsp.Code, rsp.ErrResponse)
		}
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: closed, but the confirming query failed: %w", op, qerr)
	}
	if after.State.Final() {
		return after, nil
	}
	if refused {
		return payments.TradeStatus{}, closeRefused(apiError(op, rsp.Code, rsp.ErrResponse))
	}
	return payments.TradeStatus{}, fmt.Errorf("wechat %s: close accepted but the trade is still %s: %w", op, after.RawCode, payments.ErrUnavailable)
}

// PayByCode charges a customer-presented code (POST
// /v3/pay/transactions/codepay). HTTP 202 USERPAYING means the buyer must
// enter a password: StateScanned, poll Query. A refused or expired code
// is also payments.ErrCodeInvalid, a balance too low payments.ErrBalanceLow.
func (p *Provider) PayByCode(ctx context.Context, req payments.CodePayRequest) (payments.TradeStatus, error) {
	const op = "codepay"
	if err := checkOutTradeNo(op, req.OutTradeNo); err != nil {
		return payments.TradeStatus{}, err
	}
	if req.AmountFen <= 0 {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: amount %d fen must be positive: %w", op, req.AmountFen, payments.ErrRejected)
	}
	if req.AuthCode == "" || req.Subject == "" {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: auth code and subject are required: %w", op, payments.ErrRejected)
	}
	if err := p.ready(); err != nil {
		return payments.TradeStatus{}, err
	}
	storeID := p.cfg.StoreID
	if storeID == "" {
		storeID = "qrtill"
	}
	bm := gopay.BodyMap{}
	bm.Set("appid", p.cfg.AppID).
		Set("mchid", p.cfg.MchID).
		Set("description", shorten(req.Subject, maxDescription)).
		Set("out_trade_no", req.OutTradeNo).
		SetBodyMap("payer", func(b gopay.BodyMap) { b.Set("auth_code", req.AuthCode) }).
		SetBodyMap("amount", func(b gopay.BodyMap) {
			b.Set("total", req.AmountFen).Set("currency", "CNY")
		}).
		SetBodyMap("scene_info", func(b gopay.BodyMap) {
			b.SetBodyMap("store_info", func(s gopay.BodyMap) { s.Set("out_id", storeID) })
		})
	rsp, err := p.client.V3TransactionCodePay(ctx, bm)
	if err != nil {
		return payments.TradeStatus{}, callError(op, rsp != nil, err)
	}
	if rsp.Code == http.StatusAccepted && rsp.ErrResponse.Code == tradeUserPaying {
		return payments.TradeStatus{OutTradeNo: req.OutTradeNo, State: payments.StateScanned, AmountFen: req.AmountFen, RawCode: tradeUserPaying}, nil
	}
	if rsp.Code != wxv3.Success {
		return payments.TradeStatus{}, codeRefused(apiError(op, rsp.Code, rsp.ErrResponse))
	}
	c := rsp.Response
	if c == nil || c.OutTradeNo != req.OutTradeNo {
		return payments.TradeStatus{}, fmt.Errorf("wechat %s: answer is not about %s: %w", op, req.OutTradeNo, payments.ErrMalformed)
	}
	return p.tradeStatus(op, transaction{
		OutTradeNo: c.OutTradeNo, TransactionID: c.TransactionId, TradeState: c.TradeState,
		SuccessTime: c.SuccessTime, Payer: c.Payer, Amount: c.Amount,
	})
}

// Reverse undoes a code payment (POST …/{out_trade_no}/reverse): WeChat
// Pay closes it if unpaid and refunds it if paid.
func (p *Provider) Reverse(ctx context.Context, outTradeNo string) error {
	const op = "reverse"
	if err := checkOutTradeNo(op, outTradeNo); err != nil {
		return err
	}
	if err := p.ready(); err != nil {
		return err
	}
	bm := gopay.BodyMap{}
	bm.Set("appid", p.cfg.AppID).Set("mchid", p.cfg.MchID)
	rsp, err := p.client.V3TransactionCodePayReverse(ctx, outTradeNo, bm)
	if err != nil {
		return callError(op, rsp != nil, err)
	}
	if rsp.Code != wxv3.Success {
		return apiError(op, rsp.Code, rsp.ErrResponse)
	}
	return nil
}

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}
