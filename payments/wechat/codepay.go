package wechat

import (
	"errors"

	"qrtill/payments"
)

// Error codes of codepay that refuse the buyer's code or balance (v3
// spells them with underscores; the v2 spellings are kept as WeChat Pay
// still sends some of them).
var (
	codeInvalidCodes = map[string]bool{"AUTH_CODE_INVALID": true, "AUTHCODEEXPIRE": true, "AUTH_CODE_ERROR": true}
	balanceLowCodes  = map[string]bool{"NOT_ENOUGH": true, "NOTENOUGH": true}
)

// codeRefused marks a codepay refusal whose code says the payment code
// (payments.ErrCodeInvalid) or the balance (payments.ErrBalanceLow) was
// refused.
func codeRefused(e *APIError) *APIError {
	switch {
	case !errors.Is(e, payments.ErrRejected):
	case codeInvalidCodes[e.Code]:
		e.kinds = append(e.kinds, payments.ErrCodeInvalid)
	case balanceLowCodes[e.Code]:
		e.kinds = append(e.kinds, payments.ErrBalanceLow)
	}
	return e
}
