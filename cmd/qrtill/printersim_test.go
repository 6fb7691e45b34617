package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"qrtill/printer"
)

// syncBuffer is a bytes.Buffer safe for the simulator's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// `qrtill printer-sim` takes a job from the printer package and renders
// it to DIR/0001.txt.
func TestPrinterSimCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "paper")
	var stdout syncBuffer
	root := newRootCmd()
	root.SetArgs([]string{"printer-sim", "--addr", "127.0.0.1:0", "--out", out, "--width", "58"})
	root.SetOut(&stdout)
	root.SetErr(&stdout)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("printer-sim: %v", err)
		}
	}()

	addr := waitMatch(t, &stdout, regexp.MustCompile(`--printer (tcp://\S+)\)`))
	tr, err := printer.Open(addr)
	if err != nil {
		t.Fatal(err)
	}
	w := printer.NewWriter()
	w.Line("谢谢惠顾")
	w.QR("20261122103000000abc0001", 6, printer.QRLevelM)
	w.Cut()
	job, _ := w.Bytes()
	if err := tr.Print(ctx, job); err != nil {
		t.Fatal(err)
	}
	file := waitMatch(t, &stdout, regexp.MustCompile(`job 0001: .*QR 20261122103000000abc0001, 1 cut -> (\S+)`))
	text, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(text), "谢谢惠顾\n") || file != filepath.Join(out, "0001.txt") {
		t.Fatalf("%s: %q %v", file, text, err)
	}
}

func TestPrinterSimBadFlags(t *testing.T) {
	_, errOut, code := cli(t, "printer-sim", "--width", "60")
	if code != 2 || !strings.Contains(errOut, "--width 60 is not a paper width; use 58 or 80") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	_, errOut, code = cli(t, "printer-sim", "--addr", "nowhere")
	if code != 2 || !strings.Contains(errOut, "choose another --addr") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// waitMatch polls the output until re matches and returns its group.
func waitMatch(t *testing.T, out *syncBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("output never matched %s:\n%s", re, out.String())
	return ""
}
