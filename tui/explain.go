package tui

import (
	"errors"
	"fmt"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// channelName is a channel's name on screen.
func channelName(lang Lang, ch payments.Channel) string {
	switch ch {
	case payments.WeChat:
		return T(lang, "ch.wechat")
	case payments.Cash:
		return T(lang, "ch.cash")
	}
	return T(lang, "ch.alipay")
}

// Explain words an error for the cashier: a short sentence, never a Go
// error string.
func Explain(lang Lang, err error, ch payments.Channel, retryIn time.Duration) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, pos.ErrUnknownProduct):
		return T(lang, "e.noproduct")
	case errors.Is(err, pos.ErrEmptyBasket):
		return T(lang, "e.empty")
	case errors.Is(err, pos.ErrQuantityLimit):
		return T(lang, "e.qty")
	case errors.Is(err, pos.ErrTotalLimit):
		return T(lang, "e.total")
	case errors.Is(err, pos.ErrLineLimit):
		return T(lang, "e.lines")
	case errors.Is(err, pos.ErrClosePending):
		return fmt.Sprintf(T(lang, "e.closepend"), channelName(lang, ch))
	case errors.Is(err, pos.ErrAlreadyPaid):
		return T(lang, "e.paid")
	case errors.Is(err, pos.ErrChannelUnavailable):
		return T(lang, "e.nochannel")
	case errors.Is(err, pos.ErrRefundTooMuch):
		return T(lang, "refund.no")
	case errors.Is(err, pos.ErrRefundPending):
		return T(lang, "e.refundpending")
	case errors.Is(err, pos.ErrRefundAbnormal):
		return T(lang, "e.refundabnormal")
	case errors.Is(err, pos.ErrRefundManagerOnly):
		return T(lang, "e.refundmgr")
	case errors.Is(err, pos.ErrReportManagerOnly):
		return T(lang, "e.reportmgr")
	case errors.Is(err, pos.ErrNotPaymentCode):
		return T(lang, "e.notcode")
	case errors.Is(err, pos.ErrCodeRefused):
		return fmt.Sprintf(T(lang, "e.coderefused"), channelName(lang, ch))
	case errors.Is(err, pos.ErrBalanceLow):
		return fmt.Sprintf(T(lang, "e.balance"), channelName(lang, ch))
	case errors.Is(err, pos.ErrCodeBusy):
		return T(lang, "e.codebusy")
	case errors.Is(err, pos.ErrCashShort):
		return T(lang, "e.cashshort")
	case errors.Is(err, pos.ErrCashTooMuch):
		return T(lang, "e.cashmax")
	case errors.Is(err, pos.ErrBadMoney):
		return T(lang, "e.money")
	case errors.Is(err, pos.ErrBadQuantity):
		return T(lang, "e.qtyprefix")
	case errors.Is(err, pos.ErrNotOpen):
		return T(lang, "e.notopen")
	case errors.Is(err, pos.ErrWrongPIN):
		return T(lang, "e.wrongpin")
	case errors.Is(err, pos.ErrNoPIN):
		return T(lang, "e.nopin")
	case errors.Is(err, pos.ErrBadPIN):
		return T(lang, "e.badpin")
	case errors.Is(err, payments.ErrUnavailable):
		return fmt.Sprintf(T(lang, "e.unavailable"), channelName(lang, ch), retryIn.Round(time.Second))
	case errors.Is(err, payments.ErrRejected):
		return fmt.Sprintf(T(lang, "e.rejected"), channelName(lang, ch))
	}
	return T(lang, "e.generic")
}
