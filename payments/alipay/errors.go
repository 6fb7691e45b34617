package alipay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-pay/gopay"
	goali "github.com/go-pay/gopay/alipay"

	"qrtill/payments"
)

// Alipay sub_codes the provider acts on. Decisions compare code and
// sub_code, never msg (10003's msg even starts with a space).
const (
	subTradeNotExist   = "ACQ.TRADE_NOT_EXIST"
	subTradeStatus     = "ACQ.TRADE_STATUS_ERROR"
	subTradeHasSuccess = "ACQ.TRADE_HAS_SUCCESS"
	subTradeHasFinish  = "ACQ.TRADE_HAS_FINISHED"
	subTradeHasClose   = "ACQ.TRADE_HAS_CLOSE"
	subSystemError     = "ACQ.SYSTEM_ERROR"
	codeUnavailable    = "20000"
	codeWaitPassword   = "10003"
)

// classify maps a gopay error to the payments sentinels: an outage or an
// unknown outcome is ErrUnavailable, a refusal ErrRejected (with code and
// sub_code in the message), a signature failure ErrBadSignature and an
// unreadable answer ErrMalformed. Messages never carry answer bodies.
func classify(op string, err error) error {
	if bizErr, ok := goali.IsBizError(err); ok {
		if bizErr.Code == codeUnavailable || bizErr.SubCode == subSystemError || strings.HasPrefix(bizErr.SubCode, "isp.") {
			return fmt.Errorf("alipay %s: %s %s, outcome unknown: %w", op, bizErr.Code, bizErr.SubCode, payments.ErrUnavailable)
		}
		return fmt.Errorf("alipay %s: %s %s (%s): %w", op, bizErr.Code, bizErr.SubCode, bizErr.SubMsg, payments.ErrRejected)
	}
	switch {
	case errors.Is(err, payments.ErrBadSignature), errors.Is(err, payments.ErrMalformed):
		return fmt.Errorf("alipay %s: %w", op, err)
	case errors.Is(err, gopay.VerifySignatureErr), errors.Is(err, gopay.CertNotMatchErr), errors.Is(err, gopay.GetSignDataErr):
		return fmt.Errorf("alipay %s: the answer's signature did not verify: %w", op, payments.ErrBadSignature)
	case errors.Is(err, gopay.UnmarshalErr):
		return fmt.Errorf("alipay %s: unreadable answer: %w", op, payments.ErrMalformed)
	case errors.Is(err, gopay.MissParamErr):
		return fmt.Errorf("alipay %s: %v: %w", op, err, payments.ErrRejected)
	}
	return fmt.Errorf("alipay %s: %v: %w", op, err, payments.ErrUnavailable)
}

// subCode returns a business error's sub_code, or "".
func subCode(err error) string {
	if bizErr, ok := goali.IsBizError(err); ok {
		return bizErr.SubCode
	}
	return ""
}

// checked verifies a business-error answer, which gopay hands back without
// looking at its signature. A signed error answer must verify like any
// other (so a tampered "ACQ.TRADE_NOT_EXIST" is caught); an unsigned one
// is let through as it is, since Alipay may not sign every gateway error.
// Other errors pass unchanged.
func (p *Provider) checked(err error, a *answer) error {
	if _, ok := goali.IsBizError(err); !ok || a.body == nil {
		return err
	}
	if verr := p.verifyAnswer(a.body); verr != nil {
		return verr
	}
	return err
}

// verifyAnswer checks an answer body the way gopay checks success answers
// (PROTOCOLS A4): the signed content is the raw bytes from after
// `_response":` up to `,"alipay_cert_sn":` (certificate mode) or
// `,"sign":`.
func (p *Provider) verifyAnswer(body []byte) error {
	var env struct {
		Sign   string `json:"sign"`
		CertSN string `json:"alipay_cert_sn"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("unreadable answer: %w", payments.ErrMalformed)
	}
	if env.Sign == "" {
		return nil
	}
	if env.CertSN != p.certSN {
		return fmt.Errorf("answer signed with certificate %q, want %q: %w", env.CertSN, p.certSN, payments.ErrBadSignature)
	}
	s := string(body)
	end := `,"sign":`
	if env.CertSN != "" {
		end = `,"alipay_cert_sn":`
	}
	start, stop := strings.Index(s, `_response":`), strings.Index(s, end)
	if start < 0 || stop < start+len(`_response":`) {
		return fmt.Errorf("answer has no signed node: %w", payments.ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Sign)
	sum := sha256.Sum256([]byte(s[start+len(`_response":`) : stop]))
	if err != nil || rsa.VerifyPKCS1v15(p.keys.verify, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("the answer's signature did not verify: %w", payments.ErrBadSignature)
	}
	return nil
}
