package pos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what the person at the till may do. A cashier sells; a manager
// also refunds and sees the day report.
type Role string

// The roles.
const (
	RoleCashier Role = "cashier"
	RoleManager Role = "manager"
)

type roleKey struct{}

// WithRole returns ctx carrying the role of whoever makes the till calls
// under it: a screen session puts its role on its context once (a kiosk
// from the SSH key, the local till after CheckPIN). The till reads it on
// the steps only a manager may take.
func WithRole(ctx context.Context, r Role) context.Context {
	return context.WithValue(ctx, roleKey{}, r)
}

// RoleFrom is the role ctx carries; a context without one is a cashier's,
// so a path that forgot to say is refused, never let through.
func RoleFrom(ctx context.Context) Role {
	if r, ok := ctx.Value(roleKey{}).(Role); ok && r == RoleManager {
		return RoleManager
	}
	return RoleCashier
}

// needManager refuses a step to anyone but a manager with the sentence
// msg, matching kind (and ErrManagerOnly).
func needManager(ctx context.Context, kind error, msg string) error {
	if RoleFrom(ctx) == RoleManager {
		return nil
	}
	return &sentenceError{kind: kind, msg: msg}
}

// DayReport sums a day's orders in the shop's zone (BuildDayReport); only
// a manager may see it (ErrReportManagerOnly otherwise).
func (t *Till) DayReport(ctx context.Context, day time.Time) (DayReport, error) {
	if err := needManager(ctx, ErrReportManagerOnly, "Only a manager can see the day report."); err != nil {
		return DayReport{}, err
	}
	orders, err := t.store.OrdersByDay(ctx, day)
	if err != nil {
		return DayReport{}, fmt.Errorf("report the day: %w", err)
	}
	return BuildDayReport(day, orders), nil
}

// Manager PIN limits: digits only, as a till's keypad types them.
const (
	MinPINLen = 4
	MaxPINLen = 12
)

// HashPIN checks a new manager PIN (4 to 12 digits; ErrBadPIN) and
// returns its bcrypt hash, the value of [manager] pin_hash.
func HashPIN(pin string) (string, error) {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen || !digits(pin) {
		return "", sentence(ErrBadPIN, "A manager PIN is %d to %d digits; type digits only.", MinPINLen, MaxPINLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	return string(h), nil
}

// CheckPIN reports whether pin is the manager PIN whose bcrypt hash is
// hash: nil if it is, ErrWrongPIN if not, ErrNoPIN when no hash is set
// or the hash is not a bcrypt hash. It never logs or keeps the PIN.
// bcrypt makes each check take tens of milliseconds: call it off the
// screen's update loop.
func CheckPIN(hash, pin string) error {
	if hash == "" {
		return sentence(ErrNoPIN, "No manager PIN is set; run qrtill manager-pin and put its pin_hash line under [manager] in the config.")
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pin))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return sentence(ErrWrongPIN, "That is not the manager PIN; try again.")
	}
	return sentence(ErrNoPIN, "The [manager] pin_hash in the config is not a bcrypt hash; run qrtill manager-pin and copy its line again.")
}
