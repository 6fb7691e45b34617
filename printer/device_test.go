//go:build unix

package printer_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"qrtill/printer"
	"qrtill/printer/decode"
)

// fifo makes a named pipe to stand in for a printer device.
func fifo(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return path
}

// A device path is a FIFO here: the test reads what a USB printer's
// /dev/usb/lp0 would get.
func TestDevicePrintsThroughFIFO(t *testing.T) {
	path := fifo(t, t.TempDir(), "lp0")
	// The reader holds the FIFO open read-write, as the printer driver
	// is always there; it reads exactly one job.
	reader, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	tr, err := printer.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	job, err := cashReceipt(printer.Chinese).Render(printer.Paper80)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, len(job))
		io.ReadFull(reader, b)
		got <- b
	}()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := tr.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	stream := next(t, got)
	doc := decodeJob(t, stream, printer.Paper80)
	if doc.QRs()[0] != orderNo || doc.Count(decode.Pulse) != 1 || !strings.Contains(doc.Render(), "谢谢惠顾") {
		t.Errorf("printed:\n%s", doc.Render())
	}
	if _, err := tr.Status(ctx); !errors.Is(err, printer.ErrStatusUnsupported) {
		t.Errorf("Status on a device = %v, want ErrStatusUnsupported", err)
	}
}

func TestDeviceFaults(t *testing.T) {
	dir := t.TempDir()
	noReader := fifo(t, dir, "unplugged")
	readOnly := filepath.Join(dir, "readonly")
	if err := os.WriteFile(readOnly, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		kind  error
		words string
	}{
		{filepath.Join(dir, "missing"), printer.ErrUnreachable, "does not answer"},
		{noReader, printer.ErrUnreachable, "does not answer"}, // ENXIO: nobody at the other end
	}
	if os.Geteuid() != 0 { // root may write anything
		tests = append(tests, struct {
			path  string
			kind  error
			words string
		}{readOnly, printer.ErrDenied, "cannot be opened by this user"})
	}
	for _, tt := range tests {
		tr, err := printer.Open(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = tr.Print(ctx, []byte{0x1B, '@'})
		cancel()
		if !errors.Is(err, tt.kind) || !strings.Contains(printer.Sentence(err, printer.English), tt.path+" "+tt.words) {
			t.Errorf("%s: %v (%q)", tt.path, err, printer.Sentence(err, printer.English))
		}
	}
}

// A regular file cannot be polled: the write is bounded another way, and
// jobs are appended (handy to capture a stream for a real printer).
func TestDeviceRegularFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "capture.escpos")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tr, _ := printer.Open(path)
	for range 2 {
		if err := tr.Print(context.Background(), []byte("ab\n")); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "ab\nab\n" {
		t.Fatalf("file holds %q", b)
	}
}

// A printer that stops taking data (the FIFO is held but never read, so
// its buffer fills): the write gives up at the deadline.
func TestDeviceStalledWrite(t *testing.T) {
	path := fifo(t, t.TempDir(), "lp0")
	held, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	tr, _ := printer.Open(path)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = tr.Print(ctx, make([]byte, 1<<20)) // more than a pipe holds
	if !errors.Is(err, printer.ErrUnreachable) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("stalled write = %v", err)
	}
}
