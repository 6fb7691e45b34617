package bookapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"qrtill/pos"
)

// SocketName is the socket's file name in the data dir.
const SocketName = "qrtill.sock"

// Errors of the API. A Client's errors match them too.
var (
	// ErrBadQuery is a query the book cannot answer as asked (a malformed
	// day, a relative backup path): the asker's to fix.
	ErrBadQuery = errors.New("bad query")
	// ErrNoServer means nothing answers on the socket: no till runs.
	ErrNoServer = errors.New("no till answers on the socket")
)

// dayLayout is how days are written in queries: YYYY-MM-DD.
const dayLayout = "2006-01-02"

// Book is what the API reads: the order book (storage.DB is one).
type Book interface {
	OrdersByDay(ctx context.Context, day time.Time) ([]pos.Order, error)
	AllOrders(ctx context.Context) ([]pos.Order, error)
	// Location is the shop's zone, whose days the book files orders under.
	Location() *time.Location
	// BackupFile writes a consistent copy of the book to path.
	BackupFile(path string) (int64, error)
}

// Query selects orders.
type Query struct {
	Day    string // YYYY-MM-DD in the shop's zone; "" is today
	All    bool   // every day
	Status string // only orders in this status; "" is any
}

// Listing is the answer to a Query.
type Listing struct {
	Day    string      `json:"day,omitempty"` // the day listed, "" for all
	Zone   string      `json:"zone"`          // the shop's zone, e.g. Asia/Shanghai
	Orders []pos.Order `json:"orders"`
}

// Reader answers the commands' questions about the book.
type Reader interface {
	Orders(ctx context.Context, q Query) (Listing, error)
	Report(ctx context.Context, day string) (pos.DayReport, error)
	// Backup writes a consistent copy of the book to path (absolute for a
	// Client) and returns its size.
	Backup(ctx context.Context, path string) (int64, error)
}

// Local answers from a Book in this process.
type Local struct {
	book Book
	now  func() time.Time
}

var _ Reader = (*Local)(nil)

// NewLocal answers from book; now is the clock for "today" (time.Now if
// nil).
func NewLocal(book Book, now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{book: book, now: now}
}

// Orders lists a day's orders (or all), oldest first, keeping those in
// q.Status when it is set.
func (l *Local) Orders(ctx context.Context, q Query) (Listing, error) {
	out := Listing{Zone: l.book.Location().String()}
	var err error
	if q.All {
		out.Orders, err = l.book.AllOrders(ctx)
	} else {
		var d time.Time
		if d, err = l.day(q.Day); err != nil {
			return Listing{}, err
		}
		out.Day = d.Format(dayLayout)
		out.Orders, err = l.book.OrdersByDay(ctx, d)
	}
	if err != nil {
		return Listing{}, fmt.Errorf("list orders: %w", err)
	}
	if q.Status != "" {
		out.Orders = slices.DeleteFunc(out.Orders, func(o pos.Order) bool { return string(o.Status) != q.Status })
	}
	if out.Orders == nil {
		out.Orders = []pos.Order{}
	}
	return out, nil
}

// Report sums a day's orders.
func (l *Local) Report(ctx context.Context, day string) (pos.DayReport, error) {
	d, err := l.day(day)
	if err != nil {
		return pos.DayReport{}, err
	}
	orders, err := l.book.OrdersByDay(ctx, d)
	if err != nil {
		return pos.DayReport{}, fmt.Errorf("report the day: %w", err)
	}
	return pos.BuildDayReport(d, orders), nil
}

// Backup writes a copy of the book to path.
func (l *Local) Backup(ctx context.Context, path string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return l.book.BackupFile(path)
}

// day reads a YYYY-MM-DD day in the shop's zone; "" is today there.
func (l *Local) day(s string) (time.Time, error) {
	loc := l.book.Location()
	if s == "" {
		return l.now().In(loc), nil
	}
	return ParseDay(s, loc)
}

// ParseDay reads a YYYY-MM-DD day as midnight in loc; ErrBadQuery with
// the fix when it is not one.
func ParseDay(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(dayLayout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q is not a date; write it like 2026-11-22: %w", s, ErrBadQuery)
	}
	return d, nil
}
