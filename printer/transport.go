package printer

import (
	"context"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Transport carries print jobs to one printer. Each job opens its own
// connection (or opens the device) and closes it when done, so a printer
// switched off between receipts costs nothing until the next one.
type Transport interface {
	// Print sends one job. It returns when the printer has taken it, or
	// with an error wrapping ErrUnreachable, ErrPaperOut, ErrCoverOpen,
	// ErrOffline or ErrDenied. ctx bounds every step.
	Print(ctx context.Context, job []byte) error
	// Status asks the printer how it is, or returns ErrStatusUnsupported.
	Status(ctx context.Context) (Status, error)
	// String names the printer for people: "192.168.1.50:9100".
	String() string
}

// DefaultPort is the raw printing port of network printers (JetDirect).
const DefaultPort = "9100"

// Open reads a printer address: tcp://HOST[:PORT] for a network printer
// (port 9100 unless given) or the absolute path of a device such as
// /dev/usb/lp0 or a serial port. It does not connect: each job does.
func Open(addr string) (Transport, error) {
	switch {
	case strings.HasPrefix(addr, "tcp://"):
		hostport, err := parseTCP(addr)
		if err != nil {
			return nil, err
		}
		return &TCP{Addr: hostport}, nil
	case filepath.IsAbs(addr) && !strings.ContainsAny(addr, "\x00"):
		return &Device{Path: filepath.Clean(addr)}, nil
	}
	return nil, badAddress(addr, "it is neither tcp://HOST:PORT nor an absolute device path")
}

// parseTCP checks tcp://HOST[:PORT] and returns HOST:PORT.
func parseTCP(addr string) (string, error) {
	u, err := url.Parse(addr)
	if err != nil {
		return "", badAddress(addr, "it cannot be read as tcp://HOST:PORT")
	}
	if u.Hostname() == "" {
		return "", badAddress(addr, "it names no host")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", badAddress(addr, "only tcp://HOST:PORT may be given")
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", badAddress(addr, "its port is empty")
		}
		port = DefaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", badAddress(addr, "its port is not a number from 1 to 65535")
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

func badAddress(addr, why string) error {
	return sentencef(ErrBadAddress, "printer address %q is not usable: %s; write tcp://HOST:9100 for a network printer "+
		"or a device path such as /dev/usb/lp0", addr, why)
}
