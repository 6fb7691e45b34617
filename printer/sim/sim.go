// Package sim is a fake network receipt printer for demos and tests
// (`qrtill printer-sim`). It listens like a printer's raw port, answers
// DLE EOT status requests at once from a status the test sets, and
// renders each job — everything one connection sent — to a text file
// through the decode package, with the raw stream beside it.
package sim

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"qrtill/printer"
	"qrtill/printer/decode"
)

// Job is one connection's stream, decoded.
type Job struct {
	Seq  int        // 1, 2, 3… in the order jobs ended (after the jobs already in Out)
	Raw  []byte     // the stream as received
	Doc  decode.Doc // what it printed
	Err  error      // a stream the decoder could not read
	File string     // the text rendering, when Options.Out is set
}

// Options set up a simulated printer.
type Options struct {
	// Width is the paper in the printer: 58 or 80 (0 means 80).
	Width printer.Width
	// Out is a directory for NNNN.txt renderings and NNNN.escpos raw
	// streams; empty writes no files.
	Out string
	// OnJob is called when a job that printed something (or failed to
	// decode) ends. Connections that only asked the status are not jobs.
	OnJob func(Job)
}

// Printer is a running simulated printer.
type Printer struct {
	opts Options
	ln   net.Listener

	mu      sync.Mutex
	status  printer.Status
	stalled chan struct{} // non-nil while stalled; closed when it ends
	conns   map[net.Conn]struct{}
	seq     int
	closing bool
	wg      sync.WaitGroup
}

// Start listens on addr (HOST:PORT; port 0 picks a free one).
func Start(addr string, opts Options) (*Printer, error) {
	if opts.Width == 0 {
		opts.Width = printer.Paper80
	}
	if _, err := printer.ParseWidth(int(opts.Width)); err != nil {
		return nil, err
	}
	seq := 0
	if opts.Out != "" {
		if err := os.MkdirAll(opts.Out, 0o755); err != nil {
			return nil, fmt.Errorf("create output directory: %w", err)
		}
		var err error
		if seq, err = lastSeq(opts.Out); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for print jobs: %w", err)
	}
	p := &Printer{opts: opts, ln: ln, conns: map[net.Conn]struct{}{}, seq: seq}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// lastSeq is the highest job number already in dir, so a restarted
// simulator numbers on instead of overwriting earlier jobs.
func lastSeq(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("read output directory: %w", err)
	}
	last := 0
	for _, e := range entries {
		digits, ok := strings.CutSuffix(e.Name(), ".txt")
		if n, err := strconv.Atoi(digits); ok && err == nil && n > last {
			last = n
		}
	}
	return last, nil
}

// Addr is the HOST:PORT the printer listens on.
func (p *Printer) Addr() string { return p.ln.Addr().String() }

// Address is the printer's address as the till takes it: tcp://HOST:PORT.
func (p *Printer) Address() string { return "tcp://" + p.Addr() }

// SetStatus sets what the printer answers to DLE EOT (paper out, cover
// open…); a printer that cannot print does not print the jobs it gets.
func (p *Printer) SetStatus(s printer.Status) {
	p.mu.Lock()
	p.status = s
	p.mu.Unlock()
}

// Stall makes the printer hang like a jammed one: it takes connections
// but neither reads them nor answers. Ending the stall drops the
// connections it held unread, as a printer that is switched off and on.
func (p *Printer) Stall(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.stalled == nil:
		p.stalled = make(chan struct{})
	case !on && p.stalled != nil:
		close(p.stalled)
		p.stalled = nil
	}
}

// Close stops listening, ends open connections and waits for them.
func (p *Printer) Close() error {
	p.mu.Lock()
	p.closing = true
	for c := range p.conns {
		c.Close()
	}
	if p.stalled != nil {
		close(p.stalled)
		p.stalled = nil
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Printer) accept() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		if p.closing {
			p.mu.Unlock()
			conn.Close()
			return
		}
		p.conns[conn] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(conn)
	}
}

// serve reads one connection to its end and files the job.
func (p *Printer) serve(conn net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, conn)
		p.mu.Unlock()
		conn.Close()
	}()
	if p.holdIfStalled() {
		return
	}
	dec := decode.NewDecoder(p.opts.Width.Columns())
	dec.OnStatus = func(n byte) {
		p.mu.Lock()
		answer := p.status.Answer(n)
		p.mu.Unlock()
		conn.Write([]byte{answer})
	}
	var raw []byte
	buf := make([]byte, 4096)
	var decodeErr error
	for {
		n, err := conn.Read(buf)
		raw = append(raw, buf[:n]...)
		if decodeErr == nil {
			_, decodeErr = dec.Write(buf[:n])
		}
		if err != nil {
			break
		}
	}
	doc, closeErr := dec.Close()
	if decodeErr == nil {
		decodeErr = closeErr
	}
	p.file(raw, doc, decodeErr)
}

// holdIfStalled waits out a stall without reading; true means drop the
// connection.
func (p *Printer) holdIfStalled() bool {
	p.mu.Lock()
	stalled := p.stalled
	p.mu.Unlock()
	if stalled == nil {
		return false
	}
	<-stalled
	return true
}

// file numbers a finished job, writes its files and reports it. A
// printer that cannot print (paper out, cover open) prints nothing.
func (p *Printer) file(raw []byte, doc decode.Doc, decodeErr error) {
	p.mu.Lock()
	blocked := p.status.Err() != nil
	if (!doc.Printed() && decodeErr == nil) || (blocked && decodeErr == nil) {
		p.mu.Unlock()
		return
	}
	p.seq++
	job := Job{Seq: p.seq, Raw: raw, Doc: doc, Err: decodeErr}
	p.mu.Unlock()
	if p.opts.Out != "" {
		job.File = filepath.Join(p.opts.Out, fmt.Sprintf("%04d.txt", job.Seq))
		text := doc.Render()
		if decodeErr != nil {
			text += "\n[unreadable stream: " + decodeErr.Error() + "]\n"
		}
		err := errors.Join(os.WriteFile(job.File, []byte(text), 0o644),
			os.WriteFile(filepath.Join(p.opts.Out, fmt.Sprintf("%04d.escpos", job.Seq)), raw, 0o644))
		if err != nil && job.Err == nil {
			job.Err = fmt.Errorf("write job files: %w", err)
		}
	}
	if p.opts.OnJob != nil {
		p.opts.OnJob(job)
	}
}
