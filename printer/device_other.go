//go:build !unix

package printer

import (
	"context"
	"errors"
)

var errUnixOnly = errors.New("device paths are supported on Linux and other Unix systems only")

// Device would print on a local printer device; outside Unix systems it
// reports that device paths are not supported.
type Device struct {
	Path string
}

// String implements Transport.
func (d *Device) String() string { return d.Path }

// Status implements Transport.
func (d *Device) Status(context.Context) (Status, error) {
	return Status{}, fault(d.Path, "read the status", ErrStatusUnsupported, nil)
}

// Print implements Transport: device paths work on Unix systems only.
func (d *Device) Print(context.Context, []byte) error {
	return fault(d.Path, "open the device", ErrUnreachable, errUnixOnly)
}
