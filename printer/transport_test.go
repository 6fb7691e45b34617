package printer_test

import (
	"errors"
	"strings"
	"testing"

	"qrtill/printer"
)

func TestOpen(t *testing.T) {
	good := map[string]string{
		"tcp://192.168.1.50:9100": "192.168.1.50:9100",
		"tcp://192.168.1.50":      "192.168.1.50:9100",
		"tcp://printer.lan:9101/": "printer.lan:9101",
		"tcp://[::1]:9100":        "[::1]:9100",
		"/dev/usb/lp0":            "/dev/usb/lp0",
		"/dev/ttyUSB0":            "/dev/ttyUSB0",
	}
	for addr, want := range good {
		tr, err := printer.Open(addr)
		if err != nil || tr.String() != want {
			t.Errorf("Open(%q) = %v, %v; want %s", addr, tr, err, want)
		}
	}
	bad := map[string]string{
		"":                          "neither",
		"192.168.1.50:9100":         "neither",
		"lp0":                       "neither",
		"http://192.168.1.50:9100":  "neither",
		"tcp://":                    "no host",
		"tcp://:9100":               "no host",
		"tcp://host:":               "port is empty",
		"tcp://host:99999":          "1 to 65535",
		"tcp://host:lp":             "cannot be read", // a named port
		"tcp://user@host:9100":      "only tcp://HOST:PORT",
		"tcp://host:9100/print?x=1": "only tcp://HOST:PORT",
	}
	for addr, why := range bad {
		_, err := printer.Open(addr)
		if !errors.Is(err, printer.ErrBadAddress) {
			t.Errorf("Open(%q) = %v, want ErrBadAddress", addr, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, why) || !strings.Contains(msg, "tcp://HOST:9100") || strings.Count(msg, ";") != 1 {
			t.Errorf("Open(%q): %q should say %q and the fix in one sentence", addr, msg, why)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (printer.Config{}).Validate(); err != nil {
		t.Errorf("empty config: %v", err)
	}
	if err := (printer.Config{Address: "tcp://p:9100", Width: 58}).Validate(); err != nil {
		t.Errorf("good config: %v", err)
	}
	err := (printer.Config{Width: 60}).Validate()
	if !errors.Is(err, printer.ErrBadWidth) || err.Error() != "[printer] width 60 is not a paper width; use 58 or 80" {
		t.Errorf("width 60: %v", err)
	}
	if err := (printer.Config{Address: "lp0"}).Validate(); !errors.Is(err, printer.ErrBadAddress) {
		t.Errorf("address lp0: %v", err)
	}
}
