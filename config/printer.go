package config

import (
	"fmt"

	"qrtill/printer"
)

// checkPrinterAddress refuses a [printer] address the printer package
// cannot open: not tcp://HOST:PORT and not a device path.
func checkPrinterAddress(c Config) error {
	if c.Printer.Address == "" {
		return nil
	}
	if _, err := printer.Open(c.Printer.Address); err != nil {
		return fmt.Errorf("printer.address: %w", err)
	}
	return nil
}

// checkPrinterWidth refuses a paper width receipt printers do not have.
func checkPrinterWidth(c Config) error {
	if _, err := printer.ParseWidth(c.Printer.Width); err != nil {
		return fmt.Errorf("printer.width: %d is not a paper width; use 58 or 80", c.Printer.Width)
	}
	return nil
}

// checkBackupKeep refuses keeping no daily copy at all.
func checkBackupKeep(c Config) error {
	if c.Backup.Keep < 1 {
		return fmt.Errorf("backup.keep: %d keeps no copy of the order book; use 1 or more (14 is two weeks)", c.Backup.Keep)
	}
	return nil
}

// checkQRInvert refuses a [tui] qr_invert other than auto, true, false.
func checkQRInvert(c Config) error {
	switch c.TUI.QRInvert {
	case "auto", "true", "false", "":
		return nil
	}
	return fmt.Errorf("tui.qr_invert: %q is not auto, true or false", c.TUI.QRInvert)
}
