package tui_test

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/printer/decode"
	"qrtill/printer/sim"
	"qrtill/tui"
)

// jobs collects what a simulated printer printed.
type jobs struct {
	mu   sync.Mutex
	list []sim.Job
}

func (j *jobs) add(job sim.Job) { j.mu.Lock(); j.list = append(j.list, job); j.mu.Unlock() }

func (j *jobs) wait(t *testing.T, n int) []sim.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j.mu.Lock()
		got := append([]sim.Job(nil), j.list...)
		j.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A printer that is off never holds up a sale: the sale is paid, the
// screen says the printer does not answer, and F9 prints the receipt
// once the printer is back — with the cash drawer, since it never opened.
func TestPrinterOffThenF9(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there: the printer is off
	r := newRigWith(t, rigOptions{notifying: true, printer: "tcp://" + addr})
	tm := teatest.NewTestModel(t, r.model(tui.English, 120, 40), teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("3")
	waitText(t, tm, "Cash given")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitAll(t, tm, "PAID", "does not answer")

	var printed jobs
	p, err := sim.Start(addr, sim.Options{OnJob: printed.add})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tm.Send(tea.KeyMsg{Type: tea.KeyF9})
	waitText(t, tm, "Printed")
	got := printed.wait(t, 1)
	if len(got) != 1 {
		t.Fatalf("%d jobs printed", len(got))
	}
	doc := got[0].Doc
	text := doc.Render()
	if doc.Count(decode.Pulse) != 1 || doc.Count(decode.Cut) != 1 || !strings.Contains(text, r.onlyOrder(t).Number) ||
		strings.Contains(text, "COPY") {
		t.Fatalf("printed: pulses %d cuts %d\n%s", doc.Count(decode.Pulse), doc.Count(decode.Cut), text)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyF9}) // again: a copy, no drawer
	if got = printed.wait(t, 2); len(got) != 2 || got[1].Doc.Count(decode.Pulse) != 0 || !strings.Contains(got[1].Doc.Render(), "COPY") {
		t.Fatalf("the reprint: %d jobs\n%s", len(got), got[len(got)-1].Doc.Render())
	}
	quit(t, tm)
}
