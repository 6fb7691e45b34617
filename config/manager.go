package config

import (
	"errors"

	"golang.org/x/crypto/bcrypt"
)

// ManagerConfig is the local till's manager: refunds and the day report
// ask for the PIN whose bcrypt hash this is (`qrtill manager-pin` prints
// the line). Kiosk sessions take the role from their SSH key instead.
type ManagerConfig struct {
	PINHash string // bcrypt; empty = no PIN set
}

// checkPINHash refuses a [manager] pin_hash that is not a bcrypt hash
// (a PIN pasted in clear, a line cut short). The hash is not echoed.
func checkPINHash(c Config) error {
	if c.Manager.PINHash == "" {
		return nil
	}
	if _, err := bcrypt.Cost([]byte(c.Manager.PINHash)); err != nil {
		return errors.New("manager.pin_hash: not a bcrypt hash; run qrtill manager-pin and copy the pin_hash line it prints")
	}
	return nil
}
