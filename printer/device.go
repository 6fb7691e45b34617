//go:build unix

package printer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Device prints on a printer attached to this machine: a USB printer's
// /dev/usb/lp0, a parallel port, or a serial port. The device is opened
// for each job, so a printer plugged in later works at once.
//
// What it cannot do: a device path is written blind. The kernel's
// printer driver gives no ESC/POS answers back through a plain write, so
// Status returns ErrStatusUnsupported and an empty roll or an open cover
// is not reported; a missing device, a refused permission and a printer
// that stops taking data (the write deadline passes) are. A serial port
// is used as it is set up: set its speed and raw mode first, for example
// `stty -F /dev/ttyS0 19200 raw -echo`.
type Device struct {
	Path string
}

// String implements Transport.
func (d *Device) String() string { return d.Path }

// Status implements Transport: device paths cannot read the status.
func (d *Device) Status(context.Context) (Status, error) {
	return Status{}, fault(d.Path, "read the status", ErrStatusUnsupported, nil)
}

// Print implements Transport.
func (d *Device) Print(ctx context.Context, job []byte) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	// O_NONBLOCK: opening a serial port must not wait for a carrier.
	f, err := os.OpenFile(d.Path, os.O_WRONLY|os.O_APPEND|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fault(d.Path, "open the device", openKind(err), err)
	}
	defer f.Close()
	deadline, _ := ctx.Deadline()
	if f.SetWriteDeadline(deadline) == nil {
		context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
		if _, err := f.Write(job); err != nil {
			return fault(d.Path, "send the job", ErrUnreachable, err)
		}
		return nil
	}
	return d.writeBlocking(ctx, f, job)
}

// writeBlocking writes to a file the runtime cannot poll (a driver
// without poll support, a regular file): a blocking write, given up on
// when ctx ends. The abandoned write ends when the kernel returns.
func (d *Device) writeBlocking(ctx context.Context, f *os.File, job []byte) error {
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		return fault(d.Path, "open the device", ErrUnreachable, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.Write(job)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fault(d.Path, "send the job", ErrUnreachable, err)
		}
		return nil
	case <-ctx.Done():
		return fault(d.Path, "send the job", ErrUnreachable, ctx.Err())
	}
}

// openKind sorts an open error: no permission, or no printer there.
func openKind(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return ErrDenied
	}
	return ErrUnreachable
}
