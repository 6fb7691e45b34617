package sim_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"qrtill/printer"
	"qrtill/printer/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = 10 * time.Second

func start(t *testing.T, opts sim.Options) (*sim.Printer, chan sim.Job) {
	t.Helper()
	jobs := make(chan sim.Job, 8)
	opts.OnJob = func(j sim.Job) { jobs <- j }
	p, err := sim.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, jobs
}

func dial(t *testing.T, p *sim.Printer) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(waitFor))
	return c
}

// The simulator answers DLE EOT as soon as it reads it, from the status
// it was given; a status check alone is not a job.
func TestStatusAnswers(t *testing.T) {
	p, jobs := start(t, sim.Options{})
	for _, st := range []printer.Status{{}, {PaperOut: true}, {CoverOpen: true}} {
		p.SetStatus(st)
		c := dial(t, p)
		c.Write([]byte{0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10})
		c.Write([]byte{0x04, 0x04})
		var answer [3]byte
		if _, err := io.ReadFull(c, answer[:]); err != nil {
			t.Fatal(err)
		}
		c.Close()
		got, err := printer.ParseStatus(answer)
		if err != nil || got.Err() != st.Err() {
			t.Errorf("status %+v answered % x (%+v, %v)", st, answer, got, err)
		}
	}
	p.Close()
	select {
	case j := <-jobs:
		t.Fatalf("status checks became job %+v", j)
	default:
	}
}

// Each job is rendered to NNNN.txt beside its raw NNNN.escpos.
func TestJobFiles(t *testing.T) {
	out := t.TempDir()
	p, jobs := start(t, sim.Options{Width: printer.Paper58, Out: filepath.Join(out, "jobs")})
	w := printer.NewWriter()
	w.Align(printer.AlignCenter)
	w.Line("谢谢惠顾")
	w.QR("20261122103000000abc0001", 6, printer.QRLevelM)
	w.Cut()
	stream, _ := w.Bytes()
	for i := 1; i <= 2; i++ {
		c := dial(t, p)
		c.Write(stream)
		c.Close()
		var j sim.Job
		select {
		case j = <-jobs:
		case <-time.After(waitFor):
			t.Fatal("no job")
		}
		if j.Seq != i || j.Err != nil || j.File != filepath.Join(out, "jobs", "000"+string(rune('0'+i))+".txt") {
			t.Fatalf("job %+v", j)
		}
		text, _ := os.ReadFile(j.File)
		raw, _ := os.ReadFile(strings.TrimSuffix(j.File, ".txt") + ".escpos")
		if !strings.HasPrefix(string(text), strings.Repeat(" ", 12)+"谢谢惠顾\n") || !strings.Contains(string(text), "█") ||
			!bytes.Equal(raw, stream) {
			t.Errorf("files:\n%s", text)
		}
	}
}

// A simulator started again on the same directory numbers on.
func TestRestartNumbersOn(t *testing.T) {
	out := t.TempDir()
	for _, name := range []string{"0007.txt", "0003.txt", "notes.txt", "0009.escpos"} {
		os.WriteFile(filepath.Join(out, name), nil, 0o644)
	}
	p, jobs := start(t, sim.Options{Out: out})
	c := dial(t, p)
	c.Write([]byte("x\n"))
	c.Close()
	select {
	case j := <-jobs:
		if j.Seq != 8 || j.File != filepath.Join(out, "0008.txt") {
			t.Fatalf("job %+v", j)
		}
	case <-time.After(waitFor):
		t.Fatal("no job")
	}
}

// A stream the decoder cannot read is still a job, with its error.
func TestUnreadableStream(t *testing.T) {
	p, jobs := start(t, sim.Options{Out: t.TempDir()})
	c := dial(t, p)
	c.Write([]byte{0x1B, '@', 0x1B, 'Z', 0x00})
	c.Close()
	select {
	case j := <-jobs:
		text, _ := os.ReadFile(j.File)
		if j.Err == nil || !strings.Contains(string(text), "unreadable stream") {
			t.Fatalf("job %+v", j)
		}
	case <-time.After(waitFor):
		t.Fatal("no job")
	}
}

// A stalled printer neither reads nor answers; ending the stall drops
// what it held, so nothing prints late.
func TestStall(t *testing.T) {
	p, jobs := start(t, sim.Options{})
	p.Stall(true)
	c := dial(t, p)
	c.Write(append([]byte("late\n"), 0x10, 0x04, 0x01))
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := c.Read(make([]byte, 1)); n != 0 || !os.IsTimeout(err) {
		t.Fatalf("a stalled printer answered: %d, %v", n, err)
	}
	p.Stall(false)
	c.SetReadDeadline(time.Now().Add(waitFor))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || os.IsTimeout(err) {
		t.Fatalf("held connection after the stall: %d, %v (want it closed)", n, err)
	}
	c.Close()
	p.Close()
	if len(jobs) != 0 {
		t.Fatalf("held job printed: %+v", <-jobs)
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := sim.Start("127.0.0.1:0", sim.Options{Width: 60}); err == nil {
		t.Error("width 60 accepted")
	}
	p, _ := start(t, sim.Options{})
	if _, err := sim.Start(p.Addr(), sim.Options{}); err == nil {
		t.Error("second printer on a taken port")
	}
}
