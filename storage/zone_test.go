package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/pos"
)

// late is 00:34 on 2 March in Shanghai: 16:34 on 1 March in UTC.
var late = time.Date(2025, 3, 1, 16, 34, 0, 0, time.UTC)

// withLocal runs the test as a process whose TZ is loc.
func withLocal(t *testing.T, loc *time.Location) {
	old := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = old })
}

func dayNumbers(t *testing.T, db *DB, day string) []string {
	t.Helper()
	d, err := db.ParseDay(day)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.OrdersByDay(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return numbers(got)
}

// A till under TZ=UTC used to file 00:34 Shanghai time under the day
// before; the book files it under the shop's day by default.
func TestDayIsTheShopsWhateverTheProcessTZ(t *testing.T) {
	withLocal(t, time.UTC)
	db, err := Open(filepath.Join(t.TempDir(), "orders.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateOrder(context.Background(), newOrder("N1", late.Local())); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "2 March (Shanghai)", dayNumbers(t, db, "2025-03-02"), []string{"N1"})
	sameJSON(t, "1 March", dayNumbers(t, db, "2025-03-01"), []string{})
	for _, loc := range []*time.Location{time.Local, time.FixedZone("", 8*3600), time.FixedZone("CST", 8*3600)} {
		if db, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Location: loc}); err == nil {
			db.Close()
			t.Errorf("Open in zone %q succeeded; want a zone the book can record by name", loc)
		}
	}
}

// v1Book is a schema-1 book written by a till under TZ=UTC: N1 at 00:34
// Shanghai on 2 March filed under 1 March, with an open attempt and
// three events; N2 on 1 March proper.
func v1Book(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "orders.db")
	n1 := newOrder("20250302003400000k3f0000", late, newAttempt("20250302003400000k3f0000P01", pos.AttemptWaiting))
	n2 := newOrder("20250301100000000k3f0000", at(1, 10, 0, 0))
	writeV1Book(t, path, time.UTC,
		v1Order{n1, []pos.Event{event("created"), event("attempt"), event("qr_issued")}},
		v1Order{n2, []pos.Event{event("created")}})
	return path
}

func TestMigrateV1FilesUnderTheShopsDay(t *testing.T) {
	ctx := context.Background()
	path := v1Book(t)
	db := openAt(t, path, Options{Location: shanghai})
	if got := version(t, db); got != schemaVersion {
		t.Errorf("version = %d, want %d", got, schemaVersion)
	}
	sameJSON(t, "2 March", dayNumbers(t, db, "2025-03-02"), []string{"20250302003400000k3f0000"})
	sameJSON(t, "1 March", dayNumbers(t, db, "2025-03-01"), []string{"20250301100000000k3f0000"})
	// The old attempt index, open attempts and events still answer.
	o, err := db.OrderByOutTradeNo(ctx, "20250302003400000k3f0000P01")
	if err != nil || o.Number != "20250302003400000k3f0000" {
		t.Errorf("OrderByOutTradeNo = %q, %v", o.Number, err)
	}
	open, err := db.OpenAttempts(ctx)
	if err != nil || len(open) != 1 {
		t.Errorf("OpenAttempts = %v, %v", numbers(open), err)
	}
	// New events follow the old ones in one log.
	_, err = db.UpdateOrder(ctx, o.Number, func(o *pos.Order) ([]pos.Event, error) {
		o.Attempts[0].Status = pos.AttemptPaid
		return []pos.Event{event("paid")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i, ev := range evs {
		kinds = append(kinds, string(ev.Kind))
		if ev.Seq != uint64(i+1) {
			t.Errorf("event %d has seq %d", i, ev.Seq)
		}
	}
	sameJSON(t, "events", kinds, []string{"created", "attempt", "qr_issued", "paid"})
	if open, _ := db.OpenAttempts(ctx); len(open) != 0 {
		t.Errorf("OpenAttempts after paying = %v", numbers(open))
	}
}

func TestReopenInAnotherZoneFilesAgain(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data for Europe/Berlin")
	}
	db := openTest(t, Options{})
	if err := db.CreateOrder(context.Background(), newOrder("N1", late)); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Shanghai", dayNumbers(t, db, "2025-03-02"), []string{"N1"})
	db.Close()
	db = openAt(t, db.Path(), Options{Location: berlin})
	sameJSON(t, "Berlin 1 March", dayNumbers(t, db, "2025-03-01"), []string{"N1"})
	sameJSON(t, "Berlin 2 March", dayNumbers(t, db, "2025-03-02"), []string{})
	db.Close()
	// A read-only open reads in the zone the book records, not the one asked.
	ro, err := Open(db.Path(), Options{ReadOnly: true, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Location().String() != "Europe/Berlin" {
		t.Errorf("read-only Location = %v, want the recorded Europe/Berlin", ro.Location())
	}
	sameJSON(t, "read-only Berlin 1 March", dayNumbers(t, ro, "2025-03-01"), []string{"N1"})
}

func TestReadOnlyReadsAV1BookAsIs(t *testing.T) {
	path := v1Book(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{ReadOnly: true, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "2 March", dayNumbers(t, db, "2025-03-02"), []string{"20250302003400000k3f0000"})
	sameJSON(t, "1 March", dayNumbers(t, db, "2025-03-01"), []string{"20250301100000000k3f0000"})
	sameJSON(t, "28 February", dayNumbers(t, db, "2025-02-28"), []string{})
	evs, err := db.Events(context.Background(), "20250302003400000k3f0000")
	if err != nil || len(evs) != 3 {
		t.Errorf("Events = %d, %v; want 3", len(evs), err)
	}
	db.Close()
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("a read-only open changed the schema-1 book")
	}
	raw, _ := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	defer raw.Close()
	raw.View(func(tx *bolt.Tx) error {
		if v, _ := storedVersion(tx); v != 1 {
			t.Errorf("version after a read-only open = %d, want 1", v)
		}
		return nil
	})
}
