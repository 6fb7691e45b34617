package printer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qrtill/payments"
	"qrtill/printer"
	"qrtill/printer/decode"
	"qrtill/printer/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor is how long a test waits for something that should happen
// promptly; reaching it is a failure, never a pass.
const waitFor = 10 * time.Second

// rig is a service printing on a simulated printer.
type rig struct {
	sim      *sim.Printer
	svc      *printer.Service
	jobs     chan sim.Job
	outcomes chan printer.Outcome
}

// startSim starts a simulated printer on addr, its jobs sent to jobs.
func startSim(t *testing.T, addr string, jobs chan sim.Job) *sim.Printer {
	t.Helper()
	p, err := sim.Start(addr, sim.Options{Width: printer.Paper58, OnJob: func(j sim.Job) { jobs <- j }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func newRig(t *testing.T, timeout time.Duration) *rig {
	t.Helper()
	r := &rig{jobs: make(chan sim.Job, 64), outcomes: make(chan printer.Outcome, 64)}
	r.sim = startSim(t, "127.0.0.1:0", r.jobs)
	r.svc = startService(t, r.sim.Address(), timeout, r.outcomes)
	return r
}

func startService(t *testing.T, addr string, timeout time.Duration, outcomes chan printer.Outcome) *printer.Service {
	t.Helper()
	svc, err := printer.NewService(printer.Config{Address: addr, Width: printer.Paper58, Timeout: timeout},
		func(o printer.Outcome) { outcomes <- o })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		svc.Shutdown(ctx)
	})
	return svc
}

func (r *rig) outcome(t *testing.T) printer.Outcome { t.Helper(); return next(t, r.outcomes) }

func (r *rig) job(t *testing.T) sim.Job { t.Helper(); return next(t, r.jobs) }

func next[T any](t *testing.T, ch chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("nothing came within %s", waitFor)
	}
	panic("unreachable")
}

// noMore checks nothing else arrives once the service is idle: a second
// print of the same job would show up as a job here.
func noMore[T any](t *testing.T, ch chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %+v", what, v)
	default:
	}
}

func TestServicePrintsReceipt(t *testing.T) {
	r := newRig(t, 0)
	id, err := r.svc.Print(cashReceipt(printer.English))
	if err != nil || id != 1 {
		t.Fatalf("Print = %d, %v", id, err)
	}
	o := r.outcome(t)
	if o.Err != nil || o.Job != 1 || o.Sentence(printer.English) != "Printed receipt No. 12." ||
		o.Sentence(printer.Chinese) != "已打印12号小票。" || o.Printer != r.sim.Addr() {
		t.Fatalf("outcome %+v: %q", o, o.Sentence(printer.English))
	}
	j := r.job(t)
	if j.Err != nil || j.Doc.Count(decode.Pulse) != 1 || j.Doc.Count(decode.Cut) != 1 || j.Doc.QRs()[0] != orderNo {
		t.Fatalf("job %+v", j)
	}
	// The status was asked before and after the job.
	if got := string(j.Doc.Status); got != "\x01\x02\x04\x01\x02\x04" {
		t.Errorf("status requests % x", j.Doc.Status)
	}
}

// A printer that is off: the sale goes on, the cashier reads why, and
// F9 prints the very same receipt (drawer pulse included) once it is on.
func TestServicePrinterOffThenRetry(t *testing.T) {
	jobs := make(chan sim.Job, 8)
	gone := startSim(t, "127.0.0.1:0", jobs)
	addr := gone.Addr()
	gone.Close() // nothing listens there now: connections are refused
	outcomes := make(chan printer.Outcome, 8)
	svc := startService(t, "tcp://"+addr, 2*time.Second, outcomes)

	if _, err := svc.Print(cashReceipt(printer.English)); err != nil {
		t.Fatal(err)
	}
	o := next(t, outcomes)
	if !errors.Is(o.Err, printer.ErrUnreachable) {
		t.Fatalf("outcome %v", o.Err)
	}
	want := "The printer at " + addr + " does not answer; press F9 to try again."
	if got := o.Sentence(printer.English); got != want {
		t.Errorf("sentence %q, want %q", got, want)
	}
	if got := o.Sentence(printer.Chinese); got != "打印机 "+addr+" 没有响应，请按 F9 重试。" {
		t.Errorf("zh sentence %q", got)
	}

	startSim(t, addr, jobs) // switched on
	if _, err := svc.Retry(); err != nil {
		t.Fatal(err)
	}
	if o := next(t, outcomes); o.Err != nil {
		t.Fatalf("retry: %v", o.Err)
	}
	j := next(t, jobs)
	if j.Doc.Count(decode.Pulse) != 1 || strings.Contains(j.Doc.Render(), "COPY") {
		t.Errorf("the retried receipt should be the original, drawer pulse included:\n%s", j.Doc.Render())
	}
	noMore(t, jobs, "job")
}

// A printer that takes the connection and then says nothing: the
// service gives up at its deadline, and the retry prints exactly once.
func TestServiceStalledPrinter(t *testing.T) {
	r := newRig(t, 300*time.Millisecond)
	r.sim.Stall(true)
	if _, err := r.svc.Print(cashReceipt(printer.Chinese)); err != nil {
		t.Fatal(err)
	}
	o := r.outcome(t) // a missing deadline would hang here until waitFor
	if !errors.Is(o.Err, printer.ErrUnreachable) || !strings.Contains(o.Sentence(printer.Chinese), "没有响应，请按 F9 重试") {
		t.Fatalf("outcome %v: %q", o.Err, o.Sentence(printer.Chinese))
	}
	r.sim.Stall(false)
	if _, err := r.svc.Retry(); err != nil {
		t.Fatal(err)
	}
	if o := r.outcome(t); o.Err != nil {
		t.Fatalf("retry: %v", o.Err)
	}
	if j := r.job(t); j.Doc.QRs()[0] != orderNo {
		t.Errorf("job %+v", j)
	}
	noMore(t, r.jobs, "job")
}

func TestServicePaperOutAndCoverOpen(t *testing.T) {
	r := newRig(t, 0)
	for _, tt := range []struct {
		status printer.Status
		kind   error
		words  string
	}{
		{printer.Status{PaperOut: true}, printer.ErrPaperOut, "is out of paper; load a new roll and press F9"},
		{printer.Status{CoverOpen: true}, printer.ErrCoverOpen, "has its cover open; close it and press F9"},
		{printer.Status{Error: true}, printer.ErrOffline, "is offline"},
	} {
		r.sim.SetStatus(tt.status)
		if _, err := r.svc.Print(cashReceipt(printer.English)); err != nil {
			t.Fatal(err)
		}
		o := r.outcome(t)
		if !errors.Is(o.Err, tt.kind) || !strings.Contains(o.Sentence(printer.English), tt.words) {
			t.Errorf("%+v: %v %q", tt.status, o.Err, o.Sentence(printer.English))
		}
	}
	noMore(t, r.jobs, "job")
	r.sim.SetStatus(printer.Status{PaperNearEnd: true}) // still prints
	if _, err := r.svc.Retry(); err != nil {
		t.Fatal(err)
	}
	if o := r.outcome(t); o.Err != nil {
		t.Fatalf("retry with a roll near its end: %v", o.Err)
	}
	r.job(t)
}

// After a receipt printed, F9 prints a copy, which opens no drawer.
func TestServiceRetryAfterSuccessPrintsCopy(t *testing.T) {
	r := newRig(t, 0)
	if _, err := r.svc.Retry(); !errors.Is(err, printer.ErrNothingToRetry) {
		t.Fatalf("Retry before any job = %v", err)
	}
	r.svc.Print(cashReceipt(printer.English))
	r.outcome(t)
	r.job(t)
	if _, err := r.svc.Retry(); err != nil {
		t.Fatal(err)
	}
	r.outcome(t)
	j := r.job(t)
	if j.Doc.Count(decode.Pulse) != 0 || !strings.Contains(j.Doc.Render(), "*** COPY ***") {
		t.Errorf("reprint:\n%s", j.Doc.Render())
	}
}

// Print never waits for the printer: with the printer hung, jobs queue
// up to MaxQueue, the rest are refused at once, and F9 waits its turn.
func TestServiceNeverBlocks(t *testing.T) {
	r := newRig(t, time.Hour)
	r.sim.Stall(true)
	accepted, full := 0, 0
	for range printer.MaxQueue + 2 {
		_, err := r.svc.Print(cashReceipt(printer.English))
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, printer.ErrQueueFull):
			full++
		default:
			t.Fatal(err)
		}
	}
	if full == 0 || accepted < printer.MaxQueue {
		t.Fatalf("accepted %d, refused %d", accepted, full)
	}
	if _, err := r.svc.Retry(); !errors.Is(err, printer.ErrBusy) {
		t.Errorf("Retry while printing = %v, want ErrBusy", err)
	}
	// Shutting down abandons the queue; every accepted job is reported.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.svc.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v", err)
	}
	for range accepted {
		if o := r.outcome(t); !errors.Is(o.Err, printer.ErrClosed) {
			t.Errorf("abandoned job %d: %v", o.Job, o.Err)
		}
	}
	if _, err := r.svc.Print(cashReceipt(printer.English)); !errors.Is(err, printer.ErrClosed) {
		t.Errorf("Print after Shutdown = %v", err)
	}
}

func TestServiceWithoutPrinter(t *testing.T) {
	svc, err := printer.NewService(printer.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Shutdown(context.Background())
	_, err = svc.Print(cashReceipt(printer.English))
	if !errors.Is(err, printer.ErrNoPrinter) || !strings.Contains(printer.Sentence(err, printer.English), "--printer tcp://HOST:9100") {
		t.Fatalf("Print with no printer = %v (%q)", err, printer.Sentence(err, printer.English))
	}
	if svc.Printer() != "" || svc.Width() != printer.Paper80 || svc.Auto() {
		t.Errorf("defaults: %q %d %v", svc.Printer(), svc.Width(), svc.Auto())
	}
	if _, err := printer.NewService(printer.Config{Address: "printer"}, nil); !errors.Is(err, printer.ErrBadAddress) {
		t.Errorf("bad address: %v", err)
	}
}

// A cash sale printed without a receipt still opens the drawer; the kick
// is not what F9 prints again.
func TestServiceOpenDrawer(t *testing.T) {
	r := newRig(t, 0)
	r.svc.Print(printer.ReceiptFromOrder(paidOrder(orderNo, payments.Alipay, tea), printer.Header{Lang: printer.English}))
	r.outcome(t)
	r.job(t)
	if _, err := r.svc.OpenDrawer(); err != nil {
		t.Fatal(err)
	}
	if o := r.outcome(t); o.Err != nil || o.Sentence(printer.English) != "Opened the cash drawer." {
		t.Fatalf("outcome %v %q", o.Err, o.Sentence(printer.English))
	}
	j := r.job(t)
	if j.Doc.Count(decode.Pulse) != 1 || j.Doc.Count(decode.Cut) != 0 || len(j.Doc.Texts()) != 0 {
		t.Errorf("drawer kick printed %+v", j.Doc)
	}
	r.svc.Retry()
	r.outcome(t)
	if j := r.job(t); j.Doc.Count(decode.Pulse) != 0 || len(j.Doc.QRs()) != 1 {
		t.Errorf("F9 after the kick should reprint the receipt: %+v", j.Doc)
	}
}
