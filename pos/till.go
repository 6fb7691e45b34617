package pos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"qrtill/payments"
)

// Errors the till service returns to its screens. Each wraps into a
// sentence the screen can show as is (see Explain in the tui package).
var (
	ErrAlreadyPaid        = errors.New("order is already paid")
	ErrOrderClosed        = errors.New("order is cancelled")
	ErrChannelUnavailable = errors.New("payment channel is not configured")
	ErrClosePending       = errors.New("the provider has not confirmed the close yet")
	ErrRefundTooMuch      = errors.New("refund exceeds what was paid")
	ErrNotPaid            = errors.New("order is not paid")
	ErrUnknownTrade       = fmt.Errorf("notification names no attempt of this till: %w", payments.ErrNotificationRefused)
	ErrMismatch           = fmt.Errorf("notification does not match the stored attempt: %w", payments.ErrNotificationRefused)
	ErrTillClosed         = errors.New("till is shutting down")
)

// TillConfig wires a till service.
type TillConfig struct {
	Store     Store
	Providers map[payments.Channel]payments.Provider
	// NextNumber makes order numbers (an *OrderNumberGenerator's Next).
	NextNumber func() string
	Clock      func() time.Time // default time.Now
	// Location is the shop's time zone: the till reads its clock there,
	// so order and event times and "today" are the shop's, whatever the
	// process's TZ. nil keeps the clock's own zone.
	Location *time.Location
	// PaymentWindow is how long a QR may be paid; default 5 minutes.
	PaymentWindow time.Duration
	// CodeWindow is how long a customer-presented code payment may wait
	// for the customer's password before the till reverses it; default
	// DefaultCodeWindow.
	CodeWindow time.Duration
	Poll       PollPolicy // default DefaultPollPolicy()
	// NoPolling turns polling off (notifications only); expiry still closes.
	NoPolling bool
	// NotifyURL returns the notify URL to hand the provider for a channel
	// ("" = none).
	NotifyURL func(payments.Channel) string
	// Notifying reports whether a notification path is up now; polling
	// then drops to a slow backstop. Nil = never.
	Notifying func() bool
	ShopName  string
	// CallTimeout bounds one provider call; default 15 s.
	CallTimeout time.Duration
	// Log gets what the cashier does not see (provider trouble, retries);
	// never keys or notification bodies. Nil discards.
	Log *slog.Logger
}

// Till runs sales: checkout, pay (a QR, the customer's payment code, or
// cash), watch, cancel, go back to the basket, refund, reconcile. It is
// safe for many screens (SSH sessions) at once; each change is stored
// before it is broadcast.
type Till struct {
	cfg   TillConfig
	store Store
	hub   *hub
	log   *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	watchers map[string]*watcher // by out_trade_no
	refunds  map[string]bool     // refund numbers being issued
	locks    map[string]*orderLock

	saving saveState // whether the order book takes the till's writes
}

type orderLock struct {
	mu   sync.Mutex
	refs int
}

// NewTill builds a till service. Call Close when done: it stops watchers
// (open payments stay in the store for the next Reconcile).
func NewTill(cfg TillConfig) (*Till, error) {
	if cfg.Store == nil {
		return nil, errors.New("new till: no store")
	}
	if cfg.NextNumber == nil {
		return nil, errors.New("new till: no order number generator")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if loc, clock := cfg.Location, cfg.Clock; loc != nil {
		cfg.Clock = func() time.Time { return clock().In(loc) }
	}
	if cfg.PaymentWindow <= 0 {
		cfg.PaymentWindow = 5 * time.Minute
	}
	if cfg.CodeWindow <= 0 {
		cfg.CodeWindow = DefaultCodeWindow
	}
	if cfg.Poll.MaxQueries == 0 && len(cfg.Poll.Alone) == 0 {
		cfg.Poll = DefaultPollPolicy()
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 15 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.NotifyURL == nil {
		cfg.NotifyURL = func(payments.Channel) string { return "" }
	}
	if cfg.Notifying == nil {
		cfg.Notifying = func() bool { return false }
	}
	if cfg.Providers == nil {
		cfg.Providers = map[payments.Channel]payments.Provider{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Till{
		cfg:      cfg,
		store:    cfg.Store,
		hub:      newHub(),
		log:      cfg.Log,
		ctx:      ctx,
		cancel:   cancel,
		watchers: make(map[string]*watcher),
		refunds:  make(map[string]bool),
		locks:    make(map[string]*orderLock),
	}, nil
}

// Close stops every watcher and retry and ends all subscriptions. Open
// payments stay in the store; the next start reconciles them.
func (t *Till) Close() {
	t.cancel()
	t.wg.Wait()
	t.hub.closeAll()
}

// Subscribe returns a stream of every change the till makes, and a
// function that ends it.
func (t *Till) Subscribe() (<-chan Update, func()) { return t.hub.subscribe() }

// Channels lists the configured payment channels, Alipay first.
func (t *Till) Channels() []payments.Channel {
	var out []payments.Channel
	for _, ch := range []payments.Channel{payments.Alipay, payments.WeChat} {
		if t.cfg.Providers[ch] != nil {
			out = append(out, ch)
		}
	}
	return out
}

// Now is the till's clock, in the shop's zone when one is set.
func (t *Till) Now() time.Time { return t.cfg.Clock() }

// Order returns a stored order.
func (t *Till) Order(ctx context.Context, number string) (Order, error) {
	return t.store.Order(ctx, number)
}

// OrdersByDay lists a local day's orders, oldest first.
func (t *Till) OrdersByDay(ctx context.Context, day time.Time) ([]Order, error) {
	return t.store.OrdersByDay(ctx, day)
}

// Events returns an order's event log.
func (t *Till) Events(ctx context.Context, number string) ([]Event, error) {
	return t.store.Events(ctx, number)
}

// Checkout turns basket lines into a stored order, before any network call.
func (t *Till) Checkout(ctx context.Context, lines []Line, cashier, terminal string) (Order, error) {
	now := t.cfg.Clock()
	o, err := NewOrder(t.cfg.NextNumber(), lines, cashier, terminal, now)
	if err != nil {
		return Order{}, err
	}
	ev := Event{OrderNumber: o.Number, At: now, Source: SourceCashier, Kind: EventCreated,
		Detail: fmt.Sprintf("%d lines, total %s, cashier %s", len(o.Lines), o.Total, orDash(cashier))}
	if err := t.store.CreateOrder(ctx, o, ev); err != nil {
		return Order{}, fmt.Errorf("store order: %w", err)
	}
	// The store gave the order its daily number as it stored it.
	if stored, err := t.store.Order(ctx, o.Number); err == nil {
		o = stored
	}
	t.hub.publish(Update{Order: o, Event: &ev})
	return o, nil
}

// lockOrder serialises the cashier-driven steps (pay, cancel, refund) of
// one order across screens.
func (t *Till) lockOrder(number string) func() {
	t.mu.Lock()
	l := t.locks[number]
	if l == nil {
		l = &orderLock{}
		t.locks[number] = l
	}
	l.refs++
	t.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		t.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(t.locks, number)
		}
		t.mu.Unlock()
	}
}

// update stores a change made by fn and broadcasts it.
func (t *Till) update(ctx context.Context, number string, fn func(o *Order) ([]Event, error)) (Order, error) {
	var evs []Event
	var fnErr error
	o, err := t.store.UpdateOrder(ctx, number, func(o *Order) ([]Event, error) {
		evs, fnErr = fn(o)
		return evs, fnErr
	})
	if err != nil {
		if fnErr == nil && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
			t.saveFailed(err) // the change was decided but not stored
		}
		return o, err
	}
	t.saved()
	if len(evs) == 0 {
		t.hub.publish(Update{Order: o})
	}
	for i := range evs {
		ev := evs[i]
		ev.OrderNumber = o.Number
		t.hub.publish(Update{Order: o, Event: &ev})
	}
	return o, nil
}

func (t *Till) provider(ch payments.Channel) (payments.Provider, error) {
	p := t.cfg.Providers[ch]
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrChannelUnavailable, ch)
	}
	return p, nil
}

func (t *Till) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.cfg.CallTimeout)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// findAttempt returns a pointer into o.Attempts.
func findAttempt(o *Order, outTradeNo string) *Attempt {
	for i := range o.Attempts {
		if o.Attempts[i].OutTradeNo == outTradeNo {
			return &o.Attempts[i]
		}
	}
	return nil
}

// openAttempt returns the order's open attempt, if any.
func openAttempt(o *Order) *Attempt {
	for i := range o.Attempts {
		if o.Attempts[i].Open() {
			return &o.Attempts[i]
		}
	}
	return nil
}
