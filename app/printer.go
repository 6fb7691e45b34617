package app

import (
	"sync"
	"time"

	"qrtill/pos"
	"qrtill/printer"
	"qrtill/tui"
)

// newPrinter builds the receipt printer's service when one is set up
// ([printer] address); its outcomes go to every screen that listens.
func (a *App) newPrinter() error {
	if a.cfg.Printer.Address == "" {
		return nil
	}
	p := &screenPrinter{shop: a.cfg.Shop.Name, zone: a.store.Location(), subs: map[chan tui.PrintOutcome]struct{}{}}
	svc, err := printer.NewService(printer.Config{Address: a.cfg.Printer.Address, Width: printer.Width(a.cfg.Printer.Width),
		Auto: a.cfg.Printer.Auto}, p.broadcast)
	if err != nil {
		return err
	}
	p.svc = svc
	a.printer = p
	return nil
}

// Printer is the receipt printer for the screens; nil when the till has
// none.
func (a *App) Printer() tui.Printer {
	if a.printer == nil {
		return nil
	}
	return a.printer
}

// screenPrinter adapts the print service to what the screens call, and
// fans its outcomes out to the screens' subscriptions.
type screenPrinter struct {
	svc  *printer.Service
	shop string
	zone *time.Location

	mu   sync.Mutex
	subs map[chan tui.PrintOutcome]struct{}
}

func (p *screenPrinter) header(lang tui.Lang) printer.Header {
	l := printer.English
	if lang == tui.Chinese {
		l = printer.Chinese
	}
	return printer.Header{Shop: p.shop, Lang: l, Location: p.zone}
}

func (p *screenPrinter) Receipt(o pos.Order, lang tui.Lang, copy bool) (int, error) {
	r := printer.ReceiptFromOrder(o, p.header(lang))
	r.Copy = copy
	return worded(p.svc.Print(r))
}

func (p *screenPrinter) RefundSlip(o pos.Order, refundNo string, lang tui.Lang) (int, error) {
	slip, err := printer.RefundSlipFromOrder(o, refundNo, p.header(lang))
	if err != nil {
		return worded(0, err)
	}
	return worded(p.svc.Print(slip))
}

func (p *screenPrinter) DayReport(rep pos.DayReport, orders []pos.Order, lang tui.Lang) (int, error) {
	return worded(p.svc.Print(printer.ZReportFromDay(rep, orders, time.Now(), p.header(lang))))
}

func (p *screenPrinter) OpenDrawer() (int, error) { return worded(p.svc.OpenDrawer()) }
func (p *screenPrinter) Auto() bool               { return p.svc.Auto() }

// worded turns a job the printer would not take into the sentence the
// screens show.
func worded(job int, err error) (int, error) {
	if err != nil {
		return job, tui.PrintError{English: printer.Sentence(err, printer.English), Chinese: printer.Sentence(err, printer.Chinese)}
	}
	return job, nil
}

// Outcomes subscribes to the outcome of every job.
func (p *screenPrinter) Outcomes() (<-chan tui.PrintOutcome, func()) {
	ch := make(chan tui.PrintOutcome, 8)
	p.mu.Lock()
	p.subs[ch] = struct{}{}
	p.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			p.mu.Lock()
			delete(p.subs, ch)
			p.mu.Unlock()
			close(ch)
		})
	}
}

// broadcast words one job's outcome and hands it to every subscriber; a
// subscriber that is not reading loses it rather than holding up the
// printer.
func (p *screenPrinter) broadcast(o printer.Outcome) {
	out := tui.PrintOutcome{Job: o.Job, OK: o.Err == nil,
		English: o.Sentence(printer.English), Chinese: o.Sentence(printer.Chinese)}
	p.mu.Lock()
	defer p.mu.Unlock()
	for ch := range p.subs {
		select {
		case ch <- out:
		default:
		}
	}
}

// Demo is what the screens show of a demo till: DEMO in every header,
// and the sandbox's address and the data dir on the help screen.
func (a *App) Demo() tui.DemoInfo {
	if !a.cfg.DemoMode() {
		return tui.DemoInfo{}
	}
	d := tui.DemoInfo{On: true, Data: a.cfg.Data}
	if a.sandbox != nil {
		d.Sandbox = a.sandbox.baseURL
	}
	return d
}
