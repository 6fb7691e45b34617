package printer

import "time"

// Config is the printer's settings ([printer] in the configuration).
type Config struct {
	// Address is tcp://HOST:9100 for a network printer or a device path
	// such as /dev/usb/lp0; empty means the till has no printer.
	Address string
	// Width is the paper roll, 58 or 80 mm; 0 means 80.
	Width Width
	// Auto prints each receipt as soon as the sale is paid; without it
	// receipts print when the cashier presses F9.
	Auto bool
	// Timeout bounds one job: connecting, the printer's status answer
	// and the write. 0 means DefaultTimeout.
	Timeout time.Duration
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.Width == 0 {
		c.Width = Paper80
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Validate checks the settings; its errors are one sentence naming the
// setting and the fix.
func (c Config) Validate() error {
	if c.Width != 0 {
		if _, err := ParseWidth(int(c.Width)); err != nil {
			return err
		}
	}
	if c.Address != "" {
		if _, err := Open(c.Address); err != nil {
			return err
		}
	}
	return nil
}
