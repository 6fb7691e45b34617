package relay_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"qrtill/payments/relay"
)

// Concurrent posts and acks that arrive while a commit is on its way
// are committed together in the next one: one transaction, one fsync
// pair, for all of them — so throughput follows concurrency.
func TestOneCommitTakesEverythingWaiting(t *testing.T) {
	r := newRig(t, relay.Options{})
	r.mustPost("shop-1", "alipay", "first")
	r.mustPost("shop-1", "alipay", "second")
	st := r.s.Store().(*relay.BoltStore)

	var mu sync.Mutex
	var sizes []int
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free) // never leave the writer held
	relay.BeforeCommit(st, func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release // hold the first commit while the others queue
		}
	})
	before := st.CommitStats()
	const posters = 40
	var wg sync.WaitGroup
	codes := make(chan int, posters+1)
	for i := range posters {
		wg.Go(func() {
			code, _, _ := r.post("/n/shop-1/alipay", note("alipay", fmt.Sprint(i)), nil)
			codes <- code
		})
	}
	wg.Go(func() { codes <- r.ack("shop-1", "tok-1", `{"ids":[1,2]}`) })
	held := func() int { mu.Lock(); defer mu.Unlock(); return sizes[0] }
	waitFor(t, "the rest queued behind the held commit", func() bool {
		mu.Lock()
		started := len(sizes) > 0
		mu.Unlock()
		return started && relay.QueuedOps(st)+held() == posters+1
	})
	free()
	wg.Wait()
	close(codes)
	for code := range codes {
		if code/100 != 2 {
			t.Fatalf("a post or ack answered %d", code)
		}
	}
	relay.BeforeCommit(st, nil)
	after := st.CommitStats()
	if commits := after.Commits - before.Commits; commits != 2 || sizes[0]+sizes[1] != posters+1 {
		t.Errorf("%d commits of %v for %d operations, want 2: the held one and one with all the rest", commits, sizes, posters+1)
	}
	if after.Fsyncs-before.Fsyncs > 6 {
		t.Errorf("%d fsyncs for two commits", after.Fsyncs-before.Fsyncs)
	}
	if h := r.health("shop-1").Till; h.Stored != posters+2 || h.Backlog != posters || h.AckedThrough != 2 {
		t.Errorf("after the grouped commit: %+v", h)
	}
}

// An operation refused on its own (here an append over the quota) does
// not fail the others committed with it.
func TestARefusedOperationDoesNotFailItsCommit(t *testing.T) {
	r := newRig(t, relay.Options{Quota: relay.Quota{Count: 5}})
	for i := range 5 {
		r.mustPost("shop-1", "alipay", fmt.Sprint(i))
	}
	st := r.s.Store().(*relay.BoltStore)
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free)
	var once sync.Once
	var mu sync.Mutex
	var sizes []int
	commits := func() int { mu.Lock(); defer mu.Unlock(); return len(sizes) }
	relay.BeforeCommit(st, func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
		once.Do(func() { <-release })
	})
	var wg sync.WaitGroup
	codes := make([]int, 4)
	wg.Go(func() { codes[0] = r.ack("shop-1", "tok-1", `{"id":5}`) }) // the held commit
	waitFor(t, "the first commit held", func() bool { return relay.QueuedOps(st) == 0 && commits() == 1 })
	for i := 1; i <= 2; i++ {
		wg.Go(func() { codes[i] = r.ack("shop-1", "tok-1", fmt.Sprintf(`{"id":%d}`, i)) })
	}
	wg.Go(func() { codes[3], _, _ = r.post("/n/shop-1/alipay", note("alipay", "over"), nil) })
	waitFor(t, "three queued", func() bool { return relay.QueuedOps(st) == 3 })
	free()
	wg.Wait()
	relay.BeforeCommit(st, nil)
	if codes[0] != 204 || codes[1] != 204 || codes[2] != 204 || codes[3] != http.StatusInsufficientStorage || len(sizes) != 2 || sizes[1] != 3 {
		t.Fatalf("acks %v, post over the quota %d, commits %v", codes[:3], codes[3], sizes)
	}
	if h := r.health("shop-1").Till; h.Backlog != 2 || h.Stored != 5 || h.AckedThrough != 2 {
		t.Fatalf("%+v", h)
	}
}

// A file written by a relay of schema 1 (no counts) is counted at open.
func TestASchema1FileIsCountedAtOpen(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, relay.StoreFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	value := func(body string) []byte {
		meta := `{"c":"alipay","h":{}}`
		v := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
		v = binary.BigEndian.AppendUint16(v, uint16(len(meta)))
		return append(append(v, meta...), body...)
	}
	u64 := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		meta.Put([]byte("schema_version"), u64(1))
		tb, _ := tx.CreateBucket([]byte("tills"))
		t1, _ := tb.CreateBucket([]byte("shop-1"))
		notes, _ := t1.CreateBucket([]byte("notes"))
		acked, _ := t1.CreateBucket([]byte("acked"))
		for _, b := range []string{note("alipay", "1"), note("alipay", "2"), note("alipay", "3")} {
			id, _ := notes.NextSequence()
			notes.Put(u64(id), value(b))
		}
		acked.Put(u64(1), u64(uint64(now.UnixNano())))
		return t1.Put([]byte("acked_through"), u64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := newRig(t, relay.Options{}, dir)
	h := r.health("shop-1").Till
	if h.Stored != 3 || h.Backlog != 2 || h.LastID != 3 || h.AckedThrough != 1 || h.StoredBytes != int64(3*len(value(note("alipay", "1")))) {
		t.Fatalf("counted %+v", h)
	}
	s := r.openStream("shop-1", "tok-1", nil)
	if a := s.next(); a.ID != 2 || string(a.Body) != note("alipay", "2") {
		t.Fatalf("first after the migration: %d %q", a.ID, a.Body)
	}
	r.mustPost("shop-1", "alipay", "4")
	if h := r.health("shop-1").Till; h.Stored != 4 || h.Backlog != 3 {
		t.Fatalf("after one more: %+v", h)
	}
}

// bbolt never shrinks a file; after pruning most of it away the relay
// compacts it into a new file and swaps it in, with what is left intact
// and the sequence going on.
func TestTheFileShrinksAfterPruning(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: -1, Rate: 1e6, Burst: 1e6, CompactAbove: 1 << 20})
	big := note("alipay", "big") + "&pad=" + strings.Repeat("abcdefgh", 2<<10) // 16 KiB
	const n = 300                                                              // ~5 MB
	for range n {
		r.mustPostRaw("shop-1", "alipay", big)
	}
	r.mustPost("shop-2", "wechat", "kept")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	for i := 0; i < n; i += 100 {
		r.ack("shop-1", "tok-1", `{"ids":[`+strings.Join(ids[i:i+100], ",")+`]}`)
	}
	path := filepath.Join(r.dir, relay.StoreFile)
	before := fileSize(t, path)
	clock.Advance(2 * time.Hour)
	if got, err := r.s.Prune(); err != nil || got != n {
		t.Fatalf("pruned %d, %v; want %d", got, err, n)
	}
	after := fileSize(t, path)
	if after > before/4 {
		t.Fatalf("relay.db %d bytes before pruning, %d after: it did not shrink", before, after)
	}
	t.Logf("relay.db %d → %d bytes", before, after)
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the compaction's temporary file is left: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("relay.db after compaction: %v %v, want mode 0600", fi.Mode(), err)
	}
	if e := r.openStream("shop-2", "tok-2", nil).next(); e.ID != 1 || string(e.Body) != note("wechat", "kept") {
		t.Fatalf("shop-2's notification after compaction: %d %q", e.ID, e.Body)
	}
	r.mustPost("shop-1", "alipay", "next")
	if h := r.health("shop-1").Till; h.LastID != n+1 || h.Stored != 1 || h.Backlog != 1 {
		t.Fatalf("shop-1 after compaction: %+v", h)
	}
}

// Posts that come while the file is being compacted wait and are all
// kept.
func TestNothingIsLostWhilePruningCompacts(t *testing.T) {
	clock := newFakeClock()
	r := newRig(t, relay.Options{Clock: clock, PruneEvery: -1, Rate: 1e6, Burst: 1e6, CompactAbove: 1})
	for range 200 {
		r.mustPostRaw("shop-1", "alipay", note("alipay", "old")+"&pad="+strings.Repeat("x", 4096))
	}
	clock.Advance(73 * time.Hour)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() { r.mustPost("shop-2", "wechat", fmt.Sprint(i)) })
	}
	if _, err := r.s.Prune(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if h := r.health("shop-2").Till; h.Stored != 100 || h.Backlog != 100 || h.LastID != 100 {
		t.Fatalf("shop-2 after compacting under load: %+v", h)
	}
	s := r.openStream("shop-2", "tok-2", nil)
	for i := range 100 {
		if e := s.next(); e.ID != uint64(i+1) {
			t.Fatalf("event %d has id %d", i, e.ID)
		}
	}
}

// A compaction cut off by a crash leaves its temporary file beside the
// intact relay.db; the next open removes it and goes on.
func TestAnUnfinishedCompactionIsCleanedUpAtOpen(t *testing.T) {
	dir := storeWithData(t)
	tmp := filepath.Join(dir, relay.StoreFile+".compact")
	writeFile(t, tmp, []byte("half a compaction"))
	r := newRig(t, relay.Options{}, dir)
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there: %v", err)
	}
	if h := r.health("shop-1").Till; h.LastID != 150 {
		t.Errorf("after reopening: %+v", h)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// An acknowledgement alone waits (up to AckDelay) for a notification to
// share its fsync; a notification never waits for anything.
func TestAnAckWaitsForANotificationToShareItsCommit(t *testing.T) {
	st, err := relay.OpenBoltStore(t.TempDir(), relay.BoltOptions{AckDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	mustAppend(t, st, "shop-1", "a", t0)
	before := st.CommitStats()
	acked := make(chan error, 1)
	go func() {
		_, err := st.Ack(ctx, "shop-1", []uint64{1}, t0)
		acked <- err
	}()
	waitFor(t, "the ack waiting in the writer", func() bool { return relay.Lingering(st) == 1 })
	start := time.Now()
	mustAppend(t, st, "shop-1", "b", t0)
	if err := <-acked; err != nil {
		t.Fatal(err)
	}
	if took, commits := time.Since(start), st.CommitStats().Commits-before.Commits; commits != 1 || took > 30*time.Second {
		t.Fatalf("ack and append: %d commits, the append took %s; want one commit at once", commits, took)
	}

	short, err := relay.OpenBoltStore(t.TempDir(), relay.BoltOptions{AckDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	mustAppend(t, short, "shop-1", "a", t0)
	if _, err := short.Ack(ctx, "shop-1", []uint64{1}, t0); err != nil {
		t.Fatalf("an ack with nothing to wait for: %v", err)
	}
}
