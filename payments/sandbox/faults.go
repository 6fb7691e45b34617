package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"time"

	"qrtill/payments"
)

// Faults are the failures and modes the sandbox injects, switched at run
// time with POST /sandbox/faults (the whole set, as JSON; absent fields
// are zero = off) or SetFaults. Counters mean "the next N" and count down
// as they are used, so tests are exact; FailPercent is the one
// chance-based fault, drawn from a generator seeded with Seed, so a run
// repeats. The package doc lists every field.
type Faults struct {
	LatencyMS          int    `json:"latency_ms"`
	FailNext           int    `json:"fail_next"`
	FailPercent        int    `json:"fail_percent"`
	Seed               uint64 `json:"seed"`
	TimeoutNext        int    `json:"timeout_next"`
	DropNotify         int    `json:"drop_notify"`
	DuplicateNotify    int    `json:"duplicate_notify"`
	ReorderNotify      int    `json:"reorder_notify"`
	BadSignatureNotify int    `json:"bad_signature_notify"`
	WrongAmountNotify  int    `json:"wrong_amount_notify"`
	PayBeforeClose     int    `json:"pay_before_close"`

	// CloseRefuseNext closes are refused with CloseRefuseCode (Alipay
	// 40004 sub_code, WeChat HTTP 400 code); combined with pay_before_close
	// that is a close refused because the trade was just paid.
	CloseRefuseNext int    `json:"close_refuse_next"`
	CloseRefuseCode string `json:"close_refuse_code"`
	// RefundProcessing refunds (either channel) are processing for a minute
	// × time-scale, then succeed: WeChat answers PROCESSING, Alipay
	// fund_change N with no refund data in the refund query until then.
	RefundProcessing int `json:"refund_processing"`
	// RefundAbnormal and RefundClosed WeChat refunds are processing, then
	// end ABNORMAL (the money stuck in transit) or CLOSED (not made).
	RefundAbnormal int `json:"refund_abnormal"`
	RefundClosed   int `json:"refund_closed"`
	// RefundDelayMS, if set, is how long a processing refund takes, in
	// milliseconds, not scaled (instead of a minute × time-scale).
	RefundDelayMS int `json:"refund_delay_ms"`
	// RefundLostReply refunds are made, but the answer is lost: WeChat
	// answers HTTP RefundLostReplyStatus (500 if 0) with an error body,
	// Alipay 20000 isp.unknow-error.
	RefundLostReply       int `json:"refund_lost_reply"`
	RefundLostReplyStatus int `json:"refund_lost_reply_status"`
	// RefundRateLimited WeChat refunds answer HTTP 429 FREQUENCY_LIMITED
	// and are not made.
	RefundRateLimited int `json:"refund_rate_limited"`
	// AlipayFinished Alipay payments are TRADE_FINISHED at once (a product
	// that cannot be refunded): query and notification say so, refunds are
	// refused with ACQ.TRADE_HAS_FINISHED.
	AlipayFinished int `json:"alipay_finished"`
	// AlipayCertRotated: Alipay has rotated its certificate. Answers to
	// certificate-mode clients, and the notifications of their trades, are
	// signed with the new certificate's key and carry its SN; the new
	// certificate is downloadable with alipay.open.app.alipaycert.download.
	AlipayCertRotated bool `json:"alipay_cert_rotated"`
	// WeChatSigning is how WeChat Pay signs: WeChatPublicKey ("" too), the
	// WeChat Pay public key; WeChatPlatformCert, the platform certificate
	// (GET /v3/certificates hands it out); WeChatSwitching, the 7-day
	// switch from one to the other: answers are signed as the request's
	// Wechatpay-Serial asks, notifications alternately one way and the
	// other, starting with the platform certificate.
	WeChatSigning string `json:"wechat_signing"`
}

// WeChat signing modes (Faults.WeChatSigning).
const (
	WeChatPublicKey    = "public_key"
	WeChatPlatformCert = "platform_certificate"
	WeChatSwitching    = "switching"
)

// closeCodeRE is the shape of a business code a close may be refused with.
var closeCodeRE = regexp.MustCompile(`^[A-Za-z0-9_.]{1,64}$`)

// Validate reports a fault set that makes no sense.
func (f Faults) Validate() error {
	for _, c := range []struct {
		name string
		v    int
	}{
		{"latency_ms", f.LatencyMS}, {"fail_next", f.FailNext}, {"fail_percent", f.FailPercent},
		{"timeout_next", f.TimeoutNext}, {"drop_notify", f.DropNotify}, {"duplicate_notify", f.DuplicateNotify},
		{"reorder_notify", f.ReorderNotify}, {"bad_signature_notify", f.BadSignatureNotify},
		{"wrong_amount_notify", f.WrongAmountNotify}, {"pay_before_close", f.PayBeforeClose},
		{"close_refuse_next", f.CloseRefuseNext}, {"refund_processing", f.RefundProcessing},
		{"refund_abnormal", f.RefundAbnormal}, {"refund_closed", f.RefundClosed},
		{"refund_lost_reply", f.RefundLostReply}, {"refund_rate_limited", f.RefundRateLimited},
		{"alipay_finished", f.AlipayFinished}, {"refund_delay_ms", f.RefundDelayMS},
	} {
		if c.v < 0 {
			return &faultError{c.name + " must not be negative"}
		}
	}
	switch {
	case f.FailPercent > 100:
		return &faultError{"fail_percent must be 0 to 100"}
	case f.CloseRefuseNext > 0 && !closeCodeRE.MatchString(f.CloseRefuseCode):
		return &faultError{"close_refuse_next needs close_refuse_code, a business code such as ACQ.REASON_TRADE_STATUS_INVALID"}
	case f.CloseRefuseCode != "" && !closeCodeRE.MatchString(f.CloseRefuseCode):
		return &faultError{"close_refuse_code must be 1 to 64 letters, digits, '_' or '.'"}
	case f.RefundLostReplyStatus != 0 && (f.RefundLostReplyStatus < 400 || f.RefundLostReplyStatus > 599 || f.RefundLostReplyStatus == 429):
		return &faultError{"refund_lost_reply_status must be an HTTP error status, 400 to 599 (429 is refund_rate_limited)"}
	}
	switch f.WeChatSigning {
	case "", WeChatPublicKey, WeChatPlatformCert, WeChatSwitching:
	default:
		return &faultError{fmt.Sprintf("wechat_signing %q must be %q, %q or %q", f.WeChatSigning, WeChatPublicKey, WeChatPlatformCert, WeChatSwitching)}
	}
	return nil
}

// faultError is a refused fault set.
type faultError struct{ msg string }

// Error is the message for the control API.
func (e *faultError) Error() string { return "faults: " + e.msg }

// Faults returns the faults now in force (counters as far as used).
func (g *Gateway) Faults() Faults {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faults
}

// SetFaults replaces the faults in force and reseeds the chance of
// FailPercent from f.Seed.
func (g *Gateway) SetFaults(f Faults) {
	g.mu.Lock()
	g.faults = f
	g.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	g.mu.Unlock()
}

// take uses one of a counter, reporting whether one was left.
func (g *Gateway) take(counter func(f *Faults) *int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := counter(&g.faults)
	if *c > 0 {
		*c--
		return true
	}
	return false
}

// failByChance draws FailPercent.
func (g *Gateway) failByChance() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.faults.FailPercent <= 0 {
		return false
	}
	if g.rng == nil {
		g.rng = rand.New(rand.NewPCG(g.faults.Seed, g.faults.Seed^0x9e3779b97f4a7c15))
	}
	return g.rng.IntN(100) < g.faults.FailPercent
}

// InjectAPIFault applies the API faults to one request. Each wire calls it
// first thing; true means the request was answered (503) or abandoned
// (timeout; the client's context ended or the gateway closed) already,
// and the wire must not write anything more.
func (g *Gateway) InjectAPIFault(w http.ResponseWriter, r *http.Request) bool {
	done := g.notifier.stop.Done()
	if ms := g.Faults().LatencyMS; ms > 0 {
		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return true
		case <-done:
		}
	}
	if g.take(func(f *Faults) *int { return &f.TimeoutNext }) {
		g.cfg.Log.Warn(fmt.Sprintf("fault: %s %s hangs", r.Method, r.URL.Path))
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-done:
		}
		return true
	}
	if g.take(func(f *Faults) *int { return &f.FailNext }) || g.failByChance() {
		g.cfg.Log.Warn(fmt.Sprintf("fault: %s %s answers 503", r.Method, r.URL.Path))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "SYSTEM_ERROR", "message": "sandbox fault: service unavailable"})
		return true
	}
	return false
}

// payBeforeClose is the ledger's hook before a close or cancel: with the
// pay_before_close fault the buyer's payment lands first.
func (g *Gateway) payBeforeClose(outTradeNo string) {
	if g.take(func(f *Faults) *int { return &f.PayBeforeClose }) {
		if _, err := g.ledger.Pay(outTradeNo); err != nil {
			g.cfg.Log.Warn(fmt.Sprintf("fault: pay before close of %s: %v", outTradeNo, err))
		}
	}
}

// refundProcessingTime is how long a processing refund takes to settle
// (× the time-scale).
const refundProcessingTime = time.Minute

// refundPlan draws the refund faults for a new refund of channel ch: its
// outcome and how long it stays processing ("" = succeeds at once).
func (g *Gateway) refundPlan(ch payments.Channel) (RefundStatus, time.Duration) {
	delay := time.Duration(float64(refundProcessingTime) * g.cfg.TimeScale)
	if ms := g.Faults().RefundDelayMS; ms > 0 {
		delay = time.Duration(ms) * time.Millisecond
	}
	switch {
	case ch == payments.WeChat && g.take(func(f *Faults) *int { return &f.RefundAbnormal }):
		return RefundAbnormal, delay
	case ch == payments.WeChat && g.take(func(f *Faults) *int { return &f.RefundClosed }):
		return RefundClosed, delay
	case g.take(func(f *Faults) *int { return &f.RefundProcessing }):
		return RefundSucceeded, delay
	}
	return "", 0
}

// closeRefusal takes the close_refuse fault: the code to refuse the next
// close with, or "".
func (g *Gateway) closeRefusal() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.faults.CloseRefuseNext > 0 {
		g.faults.CloseRefuseNext--
		return g.faults.CloseRefuseCode
	}
	return ""
}

// finishOnPay is the ledger's hook as a trade is paid: with the
// alipay_finished fault an Alipay payment is finished at once.
func (g *Gateway) finishOnPay(ch payments.Channel) bool {
	return ch == payments.Alipay && g.take(func(f *Faults) *int { return &f.AlipayFinished })
}
