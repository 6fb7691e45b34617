package tui_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
)

// gatedTill is the real till with some calls held at a gate: each held
// call says it has entered, then waits until the gate opens. It counts
// every call by name.
type gatedTill struct {
	*pos.Till
	hold    map[string]bool // calls to hold
	entered chan string
	open    chan struct{}

	mu    sync.Mutex
	calls map[string]int
}

func newGatedTill(t *pos.Till, hold ...string) *gatedTill {
	g := &gatedTill{Till: t, hold: map[string]bool{}, entered: make(chan string, 16), open: make(chan struct{}), calls: map[string]int{}}
	for _, h := range hold {
		g.hold[h] = true
	}
	return g
}

func (g *gatedTill) pass(call string) {
	g.mu.Lock()
	g.calls[call]++
	g.mu.Unlock()
	if g.hold[call] {
		g.entered <- call
		<-g.open
	}
}

func (g *gatedTill) count(call string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[call]
}

func (g *gatedTill) waitEntered(t *testing.T, call string) {
	t.Helper()
	select {
	case got := <-g.entered:
		if got != call {
			t.Fatalf("%s entered the gate, want %s", got, call)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never reached the till", call)
	}
}

// pressAgain presses k while the first call is held at the gate (running
// any call the press makes, as Bubble Tea would), then opens the gate and
// delivers the first answer and the second, if there is one.
func (g *gatedTill) pressAgain(m *tui.Model, k tea.KeyMsg, first <-chan tea.Msg) {
	var second <-chan tea.Msg
	if cmd := key(m, k); cmd != nil {
		second = async(cmd)
	}
	close(g.open)
	m.Update(<-first)
	if second != nil {
		m.Update(<-second)
	}
}

func (g *gatedTill) Checkout(ctx context.Context, lines []pos.Line, cashier, terminal string) (pos.Order, error) {
	g.pass("Checkout")
	return g.Till.Checkout(ctx, lines, cashier, terminal)
}

func (g *gatedTill) Refund(ctx context.Context, number string, amount pos.Money, reason string) (pos.Order, error) {
	g.pass("Refund")
	return g.Till.Refund(ctx, number, amount, reason)
}

func (g *gatedTill) OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error) {
	if sameDate(day, g.Now()) {
		g.pass("OrdersByDay today")
	}
	return g.Till.OrdersByDay(ctx, day)
}

func sameDate(a, b time.Time) bool { return a.Format(time.DateOnly) == b.Format(time.DateOnly) }

// gatedModel is a manager's screens on a gated till, driven by direct
// Update calls so the test decides when each command runs.
func (r *rig) gatedModel(g *gatedTill) *tui.Model {
	m := tui.New(tui.Options{Till: g, Catalog: r.catalog, Cashier: "ann", Terminal: "t1", Lang: tui.English, Manager: true,
		ShopName: "Test shop", Width: 120, Height: 40, DisableTickSeconds: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// async runs a command as Bubble Tea does, in its own goroutine; the
// message it returns comes out of the channel.
func async(cmd tea.Cmd) <-chan tea.Msg {
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	return out
}

func key(m *tui.Model, k tea.KeyMsg) tea.Cmd {
	_, cmd := m.Update(k)
	return cmd
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestSecondCheckoutBeforeAnswer: F12 pressed twice while the till is
// still storing the first order makes one order, not two.
func TestSecondCheckoutBeforeAnswer(t *testing.T) {
	r := newRig(t)
	g := newGatedTill(r.till, "Checkout")
	m := r.gatedModel(g)
	typeKeys(m, "6921168509256\n")
	first := key(m, tea.KeyMsg{Type: tea.KeyF12})
	if first == nil {
		t.Fatal("F12 made no checkout")
	}
	answer := async(first)
	g.waitEntered(t, "Checkout")
	g.pressAgain(m, tea.KeyMsg{Type: tea.KeyF12}, answer)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Choose how") {
		t.Fatalf("after the checkout answered:\n%s", v)
	}
	orders, err := r.till.OrdersByDay(context.Background(), r.till.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := g.count("Checkout"); n != 1 || len(orders) != 1 {
		t.Fatalf("two F12 presses: %d checkout calls, %d orders stored; want 1 and 1", n, len(orders))
	}
}

// TestLateDayAnswerDropped: the orders screen asks for today, the
// cashier moves to the day before, and today's answer arriving after
// that is dropped.
func TestLateDayAnswerDropped(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	g := newGatedTill(r.till, "OrdersByDay today")
	m := r.gatedModel(g)
	today := async(key(m, tea.KeyMsg{Type: tea.KeyF2}))
	g.waitEntered(t, "OrdersByDay today")
	m.Update(key(m, runes("["))()) // the day before answers at once
	close(g.open)
	m.Update(<-today)
	v := ansi.Strip(m.View())
	if strings.Contains(v, o.Number) || !strings.Contains(v, "No orders on this day") {
		t.Fatalf("a late answer for today replaced the day before:\n%s", v)
	}
}

// TestRefundConfirmedTwice: y pressed again while the refund is under
// way sends no second refund.
func TestRefundConfirmedTwice(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	g := newGatedTill(r.till, "Refund")
	m := r.gatedModel(g)
	m.Update(key(m, tea.KeyMsg{Type: tea.KeyF2})()) // the day's orders
	key(m, runes("r"))
	key(m, tea.KeyMsg{Type: tea.KeyEnter})
	refund := key(m, runes("y"))
	if refund == nil {
		t.Fatal("y made no refund")
	}
	answer := async(refund)
	g.waitEntered(t, "Refund")
	g.pressAgain(m, runes("y"), answer)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Refund done") {
		t.Fatalf("after the refund answered:\n%s", v)
	}
	got, _ := r.till.Order(context.Background(), o.Number)
	if n := g.count("Refund"); n != 1 || len(got.Refunds) != 1 {
		t.Fatalf("y twice: %d refund calls, %d refunds; want 1 and 1", n, len(got.Refunds))
	}
}

// TestCashierCannotReachReport: a cashier's F3 opens no day report, from
// the sale screen nor from the orders screen.
func TestCashierCannotReachReport(t *testing.T) {
	r := newRig(t)
	o := r.paidOrder(t)
	tm := teatest.NewTestModel(t, r.modelAs(tui.English, 120, 40, false), teatest.WithInitialTermSize(120, 40))
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, o.Number)
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	tm.Send(tui.NoticeMsg{Text: "after F3"}) // read after the F3
	waitText(t, tm, "after F3")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
	if strings.Contains(final, "Day report") || !strings.Contains(final, o.Number) {
		t.Fatalf("a cashier reached the day report:\n%s", final)
	}
}

type sessionKey struct{}

// contextTill is the real till recording, for every call the screens
// make, whether it came with the session's context.
type contextTill struct {
	*pos.Till
	mu    sync.Mutex
	calls map[string]int
	wrong []string
}

func (c *contextTill) check(ctx context.Context, call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[call]++
	if ctx.Value(sessionKey{}) != "ann's session" {
		c.wrong = append(c.wrong, call)
	}
}

func (c *contextTill) Checkout(ctx context.Context, lines []pos.Line, cashier, terminal string) (pos.Order, error) {
	c.check(ctx, "Checkout")
	return c.Till.Checkout(ctx, lines, cashier, terminal)
}

func (c *contextTill) Pay(ctx context.Context, number string, ch payments.Channel) (pos.Order, error) {
	c.check(ctx, "Pay")
	return c.Till.Pay(ctx, number, ch)
}

func (c *contextTill) Reopen(ctx context.Context, number string) (pos.Order, error) {
	c.check(ctx, "Reopen")
	return c.Till.Reopen(ctx, number)
}

func (c *contextTill) Cancel(ctx context.Context, number string) (pos.Order, error) {
	c.check(ctx, "Cancel")
	return c.Till.Cancel(ctx, number)
}

func (c *contextTill) Refund(ctx context.Context, number string, amount pos.Money, reason string) (pos.Order, error) {
	c.check(ctx, "Refund")
	return c.Till.Refund(ctx, number, amount, reason)
}

func (c *contextTill) Reconcile(ctx context.Context) ([]pos.Change, error) {
	c.check(ctx, "Reconcile")
	return c.Till.Reconcile(ctx)
}

func (c *contextTill) OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error) {
	c.check(ctx, "OrdersByDay")
	return c.Till.OrdersByDay(ctx, day)
}

func (c *contextTill) Events(ctx context.Context, number string) ([]pos.Event, error) {
	c.check(ctx, "Events")
	return c.Till.Events(ctx, number)
}

// TestCallsUseSessionContext drives every screen that calls the till and
// checks each call carries the session's context (whose end cancels it).
func TestCallsUseSessionContext(t *testing.T) {
	r := newRig(t)
	paid := r.paidOrder(t)
	ct := &contextTill{Till: r.till, calls: map[string]int{}}
	updates, stop := r.till.Subscribe()
	ctx := context.WithValue(context.Background(), sessionKey{}, "ann's session")
	m := tui.New(tui.Options{Till: ct, Catalog: r.catalog, Cashier: "ann", Terminal: "t1", Lang: tui.English, Manager: true,
		ShopName: "Test shop", Width: 120, Height: 40, Updates: updates, StopUpdates: stop, DisableTickSeconds: true,
		Reconcile: true, Context: ctx})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "Scan or type") // nothing was open: no reconcile screen
	startSale(t, tm, "1")
	waitText(t, tm, "Waiting for scan")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // back to the basket
	waitText(t, tm, "Editing order")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // give the sale up
	waitText(t, tm, "The basket is empty")
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitText(t, tm, paid.Number)
	tm.Type("///") // the filter: all → open → awaiting payment → paid
	waitText(t, tm, "[paid]")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, tm, "QR issued") // the event log, worded
	tm.Type("r")
	waitText(t, tm, "Refund amount")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("y")
	waitText(t, tm, "Refund done")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, call := range []string{"Reconcile", "Checkout", "Pay", "Reopen", "Cancel", "OrdersByDay", "Events", "Refund"} {
		if ct.calls[call] == 0 {
			t.Errorf("the flow made no %s call", call)
		}
	}
	if len(ct.wrong) > 0 {
		t.Errorf("calls without the session's context: %s", fmt.Sprint(ct.wrong))
	}
}
