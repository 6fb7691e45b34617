// Package alipay is the Alipay payment provider (当面付: merchant QR,
// customer bar code, refunds, notifications) on gopay's OpenAPI v1 client,
// in public-key mode with RSA2. Every answer's signature is verified with
// the Alipay public key; notifications must verify and name this app and
// seller. Amounts cross this package's boundary as fen; the yuan strings
// Alipay wants are made and read here, without floats.
//
// With Config.GatewayURL the client is pointed, by its transport, at
// another gateway that speaks the same protocol (the local sandbox).
package alipay

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"
	"github.com/go-pay/gopay/pkg/xhttp"

	"qrtill/payments"
)

// Config is what the provider needs.
type Config struct {
	AppID    string // the app id
	SellerID string // the 2088… partner id notifications must name
	// AppPrivateKeyFile is the app's RSA private key (PEM, PKCS#1 or
	// PKCS#8), mode 600.
	AppPrivateKeyFile string
	// AlipayPublicKeyFile is Alipay's public key (PEM, PKIX). Not needed
	// in certificate mode.
	AlipayPublicKeyFile string
	// Certificate mode, used when all three are set: the app's public key
	// certificate, Alipay's root certificate bundle, and Alipay's public
	// key certificate (PEM).
	AppCertFile, AlipayRootCertFile, AlipayCertFile string
	// GatewayURL redirects every call to this gateway ("" = Alipay).
	GatewayURL string
	// Prod selects Alipay's production host; false is Alipay's own sandbox.
	Prod bool
	// NotifyURL is the default notify_url when a request names none.
	NotifyURL string
	// QRTimeout is qr_code_timeout_express when a request gives no
	// expiry; default 5 minutes.
	QRTimeout time.Duration
	// HTTPTimeout bounds one call; default 10 s.
	HTTPTimeout time.Duration
	// Clock stamps notification receipt; nil = time.Now.
	Clock func() time.Time
}

// Validate names the first missing field and the fix.
func (c Config) Validate() error {
	required := []struct{ name, v string }{
		{"AppID", c.AppID}, {"SellerID", c.SellerID}, {"AppPrivateKeyFile", c.AppPrivateKeyFile},
	}
	if c.certMode() {
		required = append(required, struct{ name, v string }{"AppCertFile", c.AppCertFile},
			struct{ name, v string }{"AlipayRootCertFile", c.AlipayRootCertFile}, struct{ name, v string }{"AlipayCertFile", c.AlipayCertFile})
	} else {
		required = append(required, struct{ name, v string }{"AlipayPublicKeyFile", c.AlipayPublicKeyFile})
	}
	for _, f := range required {
		if f.v == "" {
			return fmt.Errorf("alipay: %s is missing; set it in the [alipay] configuration", f.name)
		}
	}
	if c.GatewayURL != "" {
		if u, err := url.Parse(c.GatewayURL); err != nil || u.Host == "" {
			return fmt.Errorf("alipay: GatewayURL %q is not a URL; write it like http://127.0.0.1:8700/gateway.do", c.GatewayURL)
		}
	}
	return nil
}

// certMode reports whether any certificate file is configured.
func (c Config) certMode() bool {
	return c.AppCertFile != "" || c.AlipayRootCertFile != "" || c.AlipayCertFile != ""
}

// Provider is Alipay as a payments.Provider; safe for concurrent use.
type Provider struct {
	cfg        Config
	client     *goali.Client
	publicKey  string // bare base64 PKIX, the form gopay's VerifySign wants
	alipayCert []byte // certificate mode: Alipay's public key certificate
	clock      func() time.Time
}

var _ payments.Provider = (*Provider)(nil)

// New reads the key files and builds the provider. No network call is made.
func New(cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	priv, err := payments.ReadSecretFile(cfg.AppPrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("alipay: %w", err)
	}
	privB64, err := bareBase64(priv)
	if err != nil {
		return nil, fmt.Errorf("alipay: AppPrivateKeyFile %s: %w", cfg.AppPrivateKeyFile, err)
	}
	client, err := goali.NewClient(cfg.AppID, privB64, cfg.Prod)
	if err != nil {
		return nil, fmt.Errorf("alipay: AppPrivateKeyFile %s is not a usable RSA private key", cfg.AppPrivateKeyFile)
	}
	client.SetLocation(goali.LocationShanghai)
	p := &Provider{cfg: cfg, client: client}
	if cfg.certMode() {
		var appCert, rootCert []byte
		for _, f := range []struct {
			path string
			dst  *[]byte
		}{{cfg.AppCertFile, &appCert}, {cfg.AlipayRootCertFile, &rootCert}, {cfg.AlipayCertFile, &p.alipayCert}} {
			if *f.dst, err = os.ReadFile(f.path); err != nil {
				return nil, fmt.Errorf("alipay: read certificate %s: %v; check the path", f.path, err)
			}
		}
		if err := client.SetCertSnByContent(appCert, rootCert, p.alipayCert); err != nil {
			return nil, fmt.Errorf("alipay: the certificate files are not usable Alipay certificates: %w", err)
		}
		client.AutoVerifySign(p.alipayCert)
	} else {
		pub, err := os.ReadFile(cfg.AlipayPublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("alipay: read AlipayPublicKeyFile %s: %v; check the path", cfg.AlipayPublicKeyFile, err)
		}
		if p.publicKey, err = bareBase64(pub); err != nil {
			return nil, fmt.Errorf("alipay: AlipayPublicKeyFile %s: %w", cfg.AlipayPublicKeyFile, err)
		}
		client.AutoVerifySign(pub)
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = 10 * time.Second
	}
	hc := xhttp.NewClient().SetTimeout(cfg.HTTPTimeout)
	if cfg.GatewayURL != "" {
		u, _ := url.Parse(cfg.GatewayURL)
		hc.SetTransport(redirect{scheme: u.Scheme, host: u.Host, next: http.DefaultTransport})
	}
	client.SetHttpClient(hc)
	if cfg.QRTimeout <= 0 {
		cfg.QRTimeout = 5 * time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	p.cfg, p.clock = cfg, cfg.Clock
	return p, nil
}

// redirect sends every request to another gateway, keeping the path and
// query gopay built.
type redirect struct {
	scheme, host string
	next         http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.scheme, r.host, r.host
	return r.next.RoundTrip(req)
}

// bareBase64 turns a PEM key into the unarmoured base64 gopay expects.
func bareBase64(pemData []byte) (string, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return "", errors.New("no PEM block; the file must hold a PEM key")
	}
	return base64.StdEncoding.EncodeToString(block.Bytes), nil
}

// Channel is Alipay.
func (p *Provider) Channel() payments.Channel { return payments.Alipay }

// classify maps a gopay error to the payments errors.
func classify(op string, err error) error {
	if bizErr, ok := goali.IsBizError(err); ok {
		if bizErr.Code == "20000" || bizErr.SubCode == "ACQ.SYSTEM_ERROR" || strings.HasPrefix(bizErr.SubCode, "aop.") {
			return fmt.Errorf("alipay %s: %s %s: %w", op, bizErr.Code, bizErr.SubCode, payments.ErrUnavailable)
		}
		return fmt.Errorf("alipay %s: %s %s (%s): %w", op, bizErr.Code, bizErr.SubCode, bizErr.SubMsg, payments.ErrRejected)
	}
	if errors.Is(err, gopay.VerifySignatureErr) || errors.Is(err, gopay.CertNotMatchErr) || errors.Is(err, gopay.GetSignDataErr) {
		return fmt.Errorf("alipay %s: %w", op, payments.ErrBadSignature)
	}
	if errors.Is(err, gopay.UnmarshalErr) {
		return fmt.Errorf("alipay %s: unreadable answer: %w", op, payments.ErrMalformed)
	}
	if errors.Is(err, gopay.MissParamErr) {
		return fmt.Errorf("alipay %s: %v: %w", op, err, payments.ErrRejected)
	}
	return fmt.Errorf("alipay %s: %v: %w", op, err, payments.ErrUnavailable)
}

// subCode returns an Alipay business error's sub_code, or "".
func subCode(err error) string {
	if bizErr, ok := goali.IsBizError(err); ok {
		return bizErr.SubCode
	}
	return ""
}

// Yuan formats fen as Alipay's yuan string.
func Yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// ParseYuan reads an Alipay yuan string ("12.5", "12.50") as fen.
func ParseYuan(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(frac) > 2 {
		return 0, fmt.Errorf("amount %q is not a yuan amount", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e12 {
		return 0, fmt.Errorf("amount %q is not a yuan amount", s)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("amount %q is not a yuan amount", s)
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, nil
}

var cst = time.FixedZone("CST", 8*3600)

func parseTime(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, cst)
	if err != nil {
		return time.Time{}
	}
	return t
}

// CreateQR is alipay.trade.precreate. No trade exists until the buyer
// scans; until then a query answers StateNotFound.
func (p *Provider) CreateQR(ctx context.Context, req payments.QRRequest) (payments.QR, error) {
	if req.AmountFen <= 0 {
		return payments.QR{}, fmt.Errorf("alipay precreate: amount %d fen: %w", req.AmountFen, payments.ErrRejected)
	}
	window := p.cfg.QRTimeout
	if !req.ExpiresAt.IsZero() {
		window = time.Until(req.ExpiresAt)
	}
	minutes := int((window + time.Minute - 1) / time.Minute) // round up: the till closes at its own deadline
	if minutes < 1 {
		minutes = 1
	}
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("total_amount", Yuan(req.AmountFen)).Set("subject", req.Subject).
		Set("qr_code_timeout_express", fmt.Sprintf("%dm", minutes))
	if notify := firstNonEmpty(req.NotifyURL, p.cfg.NotifyURL); notify != "" {
		bm.Set("notify_url", notify)
	}
	rsp, err := p.client.TradePrecreate(ctx, bm)
	if err != nil {
		return payments.QR{}, classify("precreate", err)
	}
	expires := req.ExpiresAt
	if expires.IsZero() {
		expires = p.clock().Add(time.Duration(minutes) * time.Minute)
	}
	return payments.QR{Content: rsp.Response.QrCode, ExpiresAt: expires}, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Query is alipay.trade.query.
func (p *Provider) Query(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	rsp, err := p.client.TradeQuery(ctx, bm)
	if subCode(err) == "ACQ.TRADE_NOT_EXIST" {
		// Normal before the scan: keep waiting.
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateNotFound, RawCode: "ACQ.TRADE_NOT_EXIST"}, nil
	}
	if err != nil {
		return payments.TradeStatus{}, classify("query", err)
	}
	q := rsp.Response
	st := payments.TradeStatus{OutTradeNo: outTradeNo, ProviderTradeNo: q.TradeNo, Buyer: q.BuyerLogonId, RawCode: q.TradeStatus}
	st.AmountFen, _ = ParseYuan(q.TotalAmount)
	switch q.TradeStatus {
	case "WAIT_BUYER_PAY":
		st.State = payments.StateScanned
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		st.State = payments.StatePaid
		st.PaidFen, _ = ParseYuan(firstNonEmpty(q.BuyerPayAmount, q.TotalAmount))
		st.PaidAt = parseTime(q.SendPayDate)
	case "TRADE_CLOSED":
		st.State = payments.StateClosed
		if paid, _ := ParseYuan(q.ReceiptAmount); paid > 0 || q.SendPayDate != "" {
			st.State = payments.StateRefunded // paid, then fully refunded
		}
	default:
		return st, fmt.Errorf("alipay query: unknown trade_status %q: %w", q.TradeStatus, payments.ErrMalformed)
	}
	return st, nil
}

// Close makes sure the QR can no longer be paid, and never refunds:
// alipay.trade.close for a scanned trade; for a precreate nobody scanned
// (ACQ.TRADE_NOT_EXIST), alipay.trade.cancel, so a later scan cannot pay
// it. If the buyer paid first, the answer is StatePaid.
func (p *Provider) Close(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	_, err := p.client.TradeClose(ctx, bm)
	switch subCode(err) {
	case "":
		if err != nil {
			return payments.TradeStatus{}, classify("close", err)
		}
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateClosed, RawCode: "TRADE_CLOSED"}, nil
	case "ACQ.TRADE_NOT_EXIST":
		return p.cancelUnscanned(ctx, outTradeNo)
	case "ACQ.TRADE_STATUS_ERROR", "ACQ.TRADE_HAS_SUCCESS", "ACQ.TRADE_HAS_FINISHED":
		return p.Query(ctx, outTradeNo)
	default:
		return payments.TradeStatus{}, classify("close", err)
	}
}

func (p *Provider) cancelUnscanned(ctx context.Context, outTradeNo string) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	rsp, err := p.client.TradeCancel(ctx, bm)
	if err != nil {
		return payments.TradeStatus{}, classify("cancel", err)
	}
	if rsp.Response.Action == "refund" {
		// The buyer paid between the close and the cancel; the money went
		// back to them. Report it as such.
		return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateRefunded, RawCode: "cancel:refund"}, nil
	}
	if rsp.Response.RetryFlag == "Y" {
		return payments.TradeStatus{}, fmt.Errorf("alipay cancel: retry asked: %w", payments.ErrUnavailable)
	}
	return payments.TradeStatus{OutTradeNo: outTradeNo, State: payments.StateClosed, RawCode: "cancel:" + rsp.Response.Action}, nil
}

// Refund is alipay.trade.refund with out_request_no = RefundNo, so a
// repeat is the same refund.
func (p *Provider) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("refund_amount", Yuan(req.AmountFen)).Set("out_request_no", req.RefundNo)
	if req.Reason != "" {
		bm.Set("refund_reason", req.Reason)
	}
	rsp, err := p.client.TradeRefund(ctx, bm)
	if err != nil {
		return payments.RefundResult{}, classify("refund", err)
	}
	return payments.RefundResult{OutTradeNo: req.OutTradeNo, RefundNo: req.RefundNo, State: payments.RefundSuccess,
		AmountFen: req.AmountFen, RawCode: "fund_change:" + rsp.Response.FundChange}, nil
}

// QueryRefund is alipay.trade.fastpay.refund.query: data with an empty or
// REFUND_SUCCESS status is a done refund; no data is no refund.
func (p *Provider) QueryRefund(ctx context.Context, outTradeNo, refundNo string) (payments.RefundResult, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo).Set("out_request_no", refundNo)
	rsp, err := p.client.TradeFastPayRefundQuery(ctx, bm)
	if err != nil {
		return payments.RefundResult{}, classify("refund query", err)
	}
	r := rsp.Response
	if r.RefundAmount == "" {
		return payments.RefundResult{}, fmt.Errorf("alipay refund query %s: %w", refundNo, payments.ErrNotFound)
	}
	amount, _ := ParseYuan(r.RefundAmount)
	state := payments.RefundSuccess
	if r.RefundStatus != "" && r.RefundStatus != "REFUND_SUCCESS" {
		state = payments.RefundPending
	}
	return payments.RefundResult{OutTradeNo: outTradeNo, RefundNo: refundNo, State: state, AmountFen: amount, RawCode: r.RefundStatus}, nil
}

// PayByCode is alipay.trade.pay, scene bar_code. 10000 is paid; 10003
// means the buyer must enter a password (StateScanned: poll Query).
func (p *Provider) PayByCode(ctx context.Context, req payments.CodePayRequest) (payments.TradeStatus, error) {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", req.OutTradeNo).Set("scene", "bar_code").Set("auth_code", req.AuthCode).
		Set("subject", req.Subject).Set("total_amount", Yuan(req.AmountFen)).Set("product_code", "FACE_TO_FACE_PAYMENT")
	rsp, err := p.client.TradePay(ctx, bm)
	if err != nil {
		return payments.TradeStatus{}, classify("pay", err)
	}
	r := rsp.Response
	st := payments.TradeStatus{OutTradeNo: req.OutTradeNo, ProviderTradeNo: r.TradeNo, Buyer: r.BuyerLogonId,
		AmountFen: req.AmountFen, RawCode: r.Code}
	if r.Code == "10003" {
		st.State = payments.StateScanned
		return st, nil
	}
	st.State = payments.StatePaid
	st.PaidFen, _ = ParseYuan(firstNonEmpty(r.BuyerPayAmount, r.TotalAmount))
	st.PaidAt = p.clock()
	return st, nil
}

// Reverse is alipay.trade.cancel: closes an unpaid code payment or
// refunds a paid one.
func (p *Provider) Reverse(ctx context.Context, outTradeNo string) error {
	bm := gopay.BodyMap{}
	bm.Set("out_trade_no", outTradeNo)
	rsp, err := p.client.TradeCancel(ctx, bm)
	if err != nil {
		return classify("cancel", err)
	}
	if rsp.Response.RetryFlag == "Y" {
		return fmt.Errorf("alipay cancel: retry asked: %w", payments.ErrUnavailable)
	}
	return nil
}
