package pos

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The expected matrices are written out here, independently of the tables
// in state.go: a change to either must be made on purpose in both. Rows
// are "from", columns "to", in the order of the header; x = allowed.
var wantOrderMoves = []string{
	//                      open await paid cancl expir part refund
	"open                   .    x     .    x     .     .    .",
	"awaiting_payment       x    .     x    x     x     .    .",
	"paid                   .    .     .    .     .     x    x",
	"cancelled              .    .     .    .     .     .    .",
	"expired                x    x     x    .     .     .    .",
	"partially_refunded     .    .     .    .     .     x    x",
	"refunded               .    .     .    .     .     .    .",
}

// A closed, expired or failed attempt moves to paid when a late payment
// lands (the buyer paid just before the close), and is refunded from
// there if the order does not want the money.
var wantAttemptMoves = []string{
	//            creat wait scan closing paid closed expired failed refunded
	"creating     .     x    x    x       x    x      x       x      .",
	"waiting      .     .    x    x       x    x      x       x      .",
	"scanned      .     .    .    x       x    x      x       x      .",
	"closing      .     .    .    .       x    x      x       x      .",
	"paid         .     .    .    .       .    .      .       .      x",
	"closed       .     .    .    .       x    .      .       .      .",
	"expired      .     .    .    .       x    .      .       .      .",
	"failed       .     .    .    .       x    .      .       .      .",
	"refunded     .     .    .    .       .    .      .       .      .",
}

// matrix reads rows like the ones above into from → to → allowed.
func matrix(t *testing.T, rows []string, columns []string) map[string]map[string]bool {
	t.Helper()
	m := map[string]map[string]bool{}
	for _, row := range rows {
		f := strings.Fields(row)
		if len(f) != len(columns)+1 {
			t.Fatalf("row %q has %d cells, want %d", row, len(f)-1, len(columns))
		}
		m[f[0]] = map[string]bool{}
		for i, cell := range f[1:] {
			m[f[0]][columns[i]] = cell == "x"
		}
	}
	return m
}

func TestOrderMovesEveryPair(t *testing.T) {
	var names []string
	for _, s := range OrderStatuses() {
		names = append(names, string(s))
	}
	want := matrix(t, wantOrderMoves, names)
	if len(want) != len(names) {
		t.Fatalf("matrix has %d rows, want one per status (%d)", len(want), len(names))
	}
	pairs := 0
	for _, from := range OrderStatuses() {
		for _, to := range OrderStatuses() {
			pairs++
			wantMove := want[string(from)][string(to)]
			if got := allowed(from, to); got != wantMove {
				t.Errorf("allowed(%s, %s) = %v, want %v", from, to, got, wantMove)
			}
			o := Order{Number: "N1", Status: from}
			err := move(&o.Status, to, o.Number)
			switch {
			case wantMove && (err != nil || o.Status != to):
				t.Errorf("move %s → %s: %v, status %s", from, to, err, o.Status)
			case !wantMove && (!errors.Is(err, ErrForbiddenTransition) || o.Status != from):
				t.Errorf("move %s → %s: %v, status %s; want ErrForbiddenTransition and no change", from, to, err, o.Status)
			case !wantMove && !strings.Contains(err.Error(), "order N1 from "+string(from)+" to "+string(to)):
				t.Errorf("move %s → %s: error %q does not name the order and both statuses", from, to, err)
			}
		}
	}
	if pairs != 49 {
		t.Fatalf("checked %d pairs, want 49", pairs)
	}
}

func TestAttemptMovesEveryPair(t *testing.T) {
	var names []string
	for _, s := range AttemptStatuses() {
		names = append(names, string(s))
	}
	want := matrix(t, wantAttemptMoves, names)
	if len(want) != len(names) {
		t.Fatalf("matrix has %d rows, want one per status (%d)", len(want), len(names))
	}
	pairs := 0
	for _, from := range AttemptStatuses() {
		for _, to := range AttemptStatuses() {
			pairs++
			wantMove := want[string(from)][string(to)]
			if got := allowed(from, to); got != wantMove {
				t.Errorf("allowed(%s, %s) = %v, want %v", from, to, got, wantMove)
			}
			a := Attempt{OutTradeNo: "A1", Status: from}
			err := move(&a.Status, to, a.OutTradeNo)
			switch {
			case wantMove && (err != nil || a.Status != to):
				t.Errorf("move %s → %s: %v, status %s", from, to, err, a.Status)
			case !wantMove && (!errors.Is(err, ErrForbiddenTransition) || a.Status != from):
				t.Errorf("move %s → %s: %v, status %s; want ErrForbiddenTransition and no change", from, to, err, a.Status)
			case !wantMove && !strings.Contains(err.Error(), "attempt A1 from "+string(from)+" to "+string(to)):
				t.Errorf("move %s → %s: error %q does not name the attempt and both statuses", from, to, err)
			}
		}
	}
	if pairs != 81 {
		t.Fatalf("checked %d pairs, want 81", pairs)
	}
}

func TestStatusKinds(t *testing.T) {
	// Open attempts are exactly those the till must still watch or close;
	// only a refunded attempt moves nowhere (a closed one may still be
	// paid late).
	for _, s := range AttemptStatuses() {
		wantOpen := s == AttemptCreating || s == AttemptWaiting || s == AttemptScanned || s == AttemptClosing
		if got := (Attempt{Status: s}).Open(); got != wantOpen {
			t.Errorf("Attempt{%s}.Open() = %v, want %v", s, got, wantOpen)
		}
		wantFinal := s == AttemptRefunded
		if got := s.Final(); got != wantFinal {
			t.Errorf("%s.Final() = %v, want %v", s, got, wantFinal)
		}
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
	}
	for _, s := range OrderStatuses() {
		wantFinal := s == OrderCancelled || s == OrderRefunded
		if got := s.Final(); got != wantFinal {
			t.Errorf("%s.Final() = %v, want %v", s, got, wantFinal)
		}
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
	}
	for _, s := range []string{"", "PAID", "unknown"} {
		if OrderStatus(s).Valid() || AttemptStatus(s).Valid() || OrderStatus(s).Final() {
			t.Errorf("status %q counts as valid", s)
		}
		if allowed(OrderStatus(s), OrderPaid) || allowed(AttemptStatus(s), AttemptPaid) {
			t.Errorf("unknown status %q may move", s)
		}
	}
}

func TestNewOrder(t *testing.T) {
	const number = "20261122090000000abc0001"
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	good := []Line{{SKU: "A", Quantity: 2, UnitPrice: 250, Total: 500}, {SKU: "B", Quantity: 1, UnitPrice: 300, Total: 300}}
	many := make([]Line, MaxLines+1)
	for i := range many {
		many[i] = Line{SKU: "X", Quantity: 1, UnitPrice: 1, Total: 1}
	}
	tests := []struct {
		name    string
		number  string
		lines   []Line
		want    Money
		wantErr error
	}{
		{"two lines", number, good, 800, nil},
		{"the most", number, []Line{{SKU: "G", Quantity: 1, UnitPrice: MaxTotal, Total: MaxTotal}}, MaxTotal, nil},
		{"no lines", number, nil, 0, ErrEmptyBasket},
		{"nothing to pay", number, []Line{{SKU: "F", Quantity: 1}}, 0, ErrEmptyBasket},
		{"bad number", "bad number!", good, 0, ErrBadOrderNumber},
		{"zero quantity", number, []Line{{SKU: "A", Quantity: 0, UnitPrice: 1}}, 0, ErrQuantityLimit},
		{"too many", number, []Line{{SKU: "A", Quantity: MaxQuantity + 1, UnitPrice: 1, Total: MaxQuantity + 1}}, 0, ErrQuantityLimit},
		{"negative price", number, []Line{{SKU: "A", Quantity: 1, UnitPrice: -1, Total: -1}}, 0, ErrQuantityLimit},
		{"total does not add up", number, []Line{{SKU: "A", Quantity: 2, UnitPrice: 250, Total: 1}}, 0, ErrQuantityLimit},
		{"line overflows", number, []Line{{SKU: "A", Quantity: 4, UnitPrice: 1 << 62, Total: 0}}, 0, ErrTotalLimit},
		{"line too large", number, []Line{{SKU: "A", Quantity: 2, UnitPrice: MaxTotal, Total: 2 * MaxTotal}}, 0, ErrTotalLimit},
		{"sum too large", number, []Line{{SKU: "A", Quantity: 1, UnitPrice: MaxTotal, Total: MaxTotal}, {SKU: "B", Quantity: 1, UnitPrice: 1, Total: 1}}, 0, ErrTotalLimit},
		{"too many lines", number, many, 0, ErrLineLimit},
	}
	for _, tt := range tests {
		o, err := NewOrder(tt.number, tt.lines, "ann", "t1", now)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || o.Total != tt.want || o.Status != OrderOpen || o.Number != tt.number ||
			o.Cashier != "ann" || o.Terminal != "t1" || !o.CreatedAt.Equal(now) || !o.UpdatedAt.Equal(now) || len(o.Lines) != len(tt.lines) {
			t.Errorf("%s: NewOrder = %+v, %v; want total %s", tt.name, o, err, tt.want)
		}
	}
	o, _ := NewOrder(number, good, "", "", now)
	good[0].SKU = "changed"
	if o.Lines[0].SKU != "A" {
		t.Error("the order shares the caller's lines")
	}
}
