package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"qrtill/pos"
	"qrtill/printer"
	"qrtill/printer/decode"
	"qrtill/printer/sim"
)

// `qrtill report --print` prints the day's Z report, whose figures are
// the ones `--format json` gives; a printer that does not answer is a
// sentence and a failure, and no printer set up is bad input.
func TestReportPrint(t *testing.T) {
	data := t.TempDir()
	seed(t, data)
	jobs := make(chan sim.Job, 4)
	p, err := sim.Start("127.0.0.1:0", sim.Options{Width: printer.Paper58, OnJob: func(j sim.Job) { jobs <- j }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	out, errOut, code := cli(t, "report", "--data", data, "--format", "json", "--print", "--printer", p.Address())
	if code != 0 || !strings.Contains(errOut, "Printed") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var rep pos.DayReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var job sim.Job
	select {
	case job = <-jobs:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing printed")
	}
	text := job.Doc.Render()
	if job.Doc.Count(decode.Cut) != 1 || job.Doc.Count(decode.Pulse) != 0 {
		t.Errorf("cuts %d, drawer pulses %d", job.Doc.Count(decode.Cut), job.Doc.Count(decode.Pulse))
	}
	for _, want := range []string{"N1", "N3", rep.Net.Yuan(), rep.Paid.Total.Yuan(), rep.Refunded.Total.Yuan()} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed Z report lacks %q:\n%s", want, text)
		}
	}

	p.Close()
	_, errOut, code = cli(t, "report", "--data", data, "--print", "--printer", p.Address())
	if code != 1 || !strings.Contains(errOut, "does not answer") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("printer off: exit %d, %q", code, errOut)
	}
	_, errOut, code = cli(t, "report", "--data", data, "--print")
	if code != 2 || !strings.Contains(errOut, "--printer") {
		t.Errorf("no printer: exit %d, %q", code, errOut)
	}
}
