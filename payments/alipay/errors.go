package alipay

import (
	"context"
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
	// The close of a trade that is not waiting for payment (just paid,
	// say) is also answered with these (alipay.trade.close's error list).
	subReasonStatusInvalid = "ACQ.REASON_TRADE_STATUS_INVALID"
	subReasonIllegalStatus = "ACQ.REASON_ILLEGAL_STATUS"
	codeUnavailable        = "20000"
	codeBusinessFailed     = "40004"
	codeWaitPassword       = "10003"
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

// checked verifies what gopay does not, and follows a certificate
// rotation:
//
//   - a business-error answer, which gopay hands back without looking at
//     its signature, must verify like any other (so a tampered
//     "ACQ.TRADE_NOT_EXIST" is caught); an unsigned one is let through as
//     it is, since Alipay may not sign every gateway error;
//   - a success answer gopay refused because it names another Alipay
//     certificate (CertNotMatchErr) is verified with that certificate once
//     rotate has fetched and trusted it, and then counts.
//
// Other errors pass unchanged.
func (p *Provider) checked(ctx context.Context, s *signer, err error, a *answer) error {
	_, isBiz := goali.IsBizError(err)
	switch {
	case a.body == nil:
		return err
	case errors.Is(err, gopay.CertNotMatchErr):
		return p.verifyFollowing(ctx, s, a.body)
	case isBiz:
		if verr := p.verifyFollowing(ctx, s, a.body); verr != nil {
			return verr
		}
	}
	return err
}

// verifyFollowing verifies an answer with s, or, if it names another
// Alipay certificate, with that one after rotating to it.
func (p *Provider) verifyFollowing(ctx context.Context, s *signer, body []byte) error {
	err := s.verifyAnswer(body)
	var changed *certChanged
	if !errors.As(err, &changed) {
		return err
	}
	if s, err = p.rotate(ctx, changed.sn); err != nil {
		return err
	}
	return s.verifyAnswer(body)
}

// verifyAnswer checks an answer body the way gopay checks success answers
// (PROTOCOLS A4): the signed content is the raw bytes from after
// `_response":` up to `,"alipay_cert_sn":` (when the answer names a
// certificate) or `,"sign":`. An answer without alipay_cert_sn is
// verified with the current key, as gopay and Alipay's Java SDK do; one
// naming another certificate than s's is *certChanged (in public-key mode,
// where answers name none, it is refused).
func (s *signer) verifyAnswer(body []byte) error {
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
	switch {
	case env.CertSN == "" || env.CertSN == s.certSN:
	case s.certSN == "":
		return fmt.Errorf("answer names Alipay certificate %q in public-key mode: %w", env.CertSN, payments.ErrBadSignature)
	default:
		return &certChanged{sn: env.CertSN}
	}
	str := string(body)
	end := `,"sign":`
	if env.CertSN != "" {
		end = `,"alipay_cert_sn":`
	}
	start, stop := strings.Index(str, `_response":`), strings.Index(str, end)
	if start < 0 || stop < start+len(`_response":`) {
		return fmt.Errorf("answer has no signed node: %w", payments.ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Sign)
	sum := sha256.Sum256([]byte(str[start+len(`_response":`) : stop]))
	if err != nil || rsa.VerifyPKCS1v15(s.verify, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("the answer's signature did not verify: %w", payments.ErrBadSignature)
	}
	return nil
}
