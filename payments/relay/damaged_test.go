package relay_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qrtill/payments/relay"
)

// storeWithData makes a relay.db holding a few hundred notifications
// and returns its directory, closed.
func storeWithData(t *testing.T) string {
	t.Helper()
	r := newRig(t, relay.Options{Rate: 1e6, Burst: 1e6})
	for i := range 300 {
		r.mustPost([]string{"shop-1", "shop-2"}[i%2], "alipay", fmt.Sprint(i))
	}
	r.ack("shop-1", "tok-1", `{"ids":[1,2,3]}`)
	r.stop()
	return r.dir
}

// openRefused opens dir's store and insists it is refused as damaged,
// in one sentence that names the file and says what is wrong and what
// to do.
func openRefused(t *testing.T, dir, what string) {
	t.Helper()
	_, err := relay.Open(dir, relay.Options{Tokens: testTokens})
	if err == nil {
		t.Fatalf("%s: opened", what)
	}
	msg := err.Error()
	path := filepath.Join(dir, relay.StoreFile)
	if !errors.Is(err, relay.ErrStoreDamaged) || !strings.Contains(msg, path) || !strings.Contains(msg, what) ||
		!strings.Contains(msg, "restore relay.db from a backup, or move it away") || strings.Contains(msg, "\n") {
		t.Fatalf("refusal %q: want ErrStoreDamaged, one line naming %s, %q and the fix", msg, path, what)
	}
	if strings.Contains(msg, "another relay") {
		t.Errorf("a damaged file is blamed on another relay: %s", msg)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A file cut short used to crash the relay with SIGSEGV and a trace of
// 185 lines; a random file was blamed on "another relay"; an empty one
// was silently replaced. Each is now refused with one sentence.
func TestADamagedStoreIsRefusedWithOneSentence(t *testing.T) {
	t.Run("cut short", func(t *testing.T) {
		dir := storeWithData(t)
		if err := os.Truncate(filepath.Join(dir, relay.StoreFile), 16<<10); err != nil {
			t.Fatal(err)
		}
		openRefused(t, dir, "is cut short")
	})
	t.Run("cut to half", func(t *testing.T) {
		dir := storeWithData(t)
		path := filepath.Join(dir, relay.StoreFile)
		if err := os.Truncate(path, fileSize(t, path)/2); err != nil {
			t.Fatal(err)
		}
		openRefused(t, dir, "is cut short")
	})
	t.Run("random bytes", func(t *testing.T) {
		dir := t.TempDir()
		junk := make([]byte, 64<<10)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		writeFile(t, filepath.Join(dir, relay.StoreFile), junk)
		openRefused(t, dir, "is not a relay store")
	})
	t.Run("empty", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, relay.StoreFile), nil)
		openRefused(t, dir, "is empty")
	})
	t.Run("header overwritten", func(t *testing.T) {
		dir := storeWithData(t)
		path := filepath.Join(dir, relay.StoreFile)
		data, _ := os.ReadFile(path)
		for _, off := range []int{16 + 20, 4096 + 16 + 20} { // inside both meta records
			data[off] ^= 0xff
		}
		writeFile(t, path, data)
		openRefused(t, dir, "has a damaged header")
	})
}

// Any one page of a real store overwritten with random bytes: the relay
// either opens it (the page was free) and can read it all, or refuses it
// as damaged — it never crashes.
func TestARandomisedPageNeverCrashesTheRelay(t *testing.T) {
	dir := storeWithData(t)
	path := filepath.Join(dir, relay.StoreFile)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	rng := rand.New(rand.NewPCG(3, 4))
	refused := 0
	for p := 2; p*page < len(orig) && p < 64; p++ {
		data := append([]byte(nil), orig...)
		for i := p * page; i < (p+1)*page; i++ {
			data[i] = byte(rng.Uint32())
		}
		try := t.TempDir()
		writeFile(t, filepath.Join(try, relay.StoreFile), data)
		s, err := relay.Open(try, relay.Options{Tokens: testTokens, PruneEvery: -1})
		if err != nil {
			if !errors.Is(err, relay.ErrStoreDamaged) || strings.Contains(err.Error(), "\n") {
				t.Errorf("page %d: %v", p, err)
			}
			if refused < 4 {
				t.Logf("page %d: %v", p, err)
			}
			refused++
			continue
		}
		if err := relay.CheckStore(s); err != nil {
			t.Errorf("page %d: opened a store that fails bbolt's check: %v", p, err)
		}
		s.Close()
	}
	if refused == 0 {
		t.Error("no randomised page was noticed")
	}
	t.Logf("%d randomised pages refused", refused)
}

// A store another relay holds is said to be in use (after bbolt's
// one-second lock timeout), not damaged.
func TestAStoreInUseIsSaidToBeInUse(t *testing.T) {
	r := newRig(t, relay.Options{})
	_, err := relay.Open(r.dir, relay.Options{Tokens: testTokens})
	if !errors.Is(err, relay.ErrStoreInUse) || !strings.Contains(err.Error(), filepath.Join(r.dir, relay.StoreFile)) ||
		!strings.Contains(err.Error(), "--data") {
		t.Fatalf("second relay on one data dir: %v", err)
	}
}
