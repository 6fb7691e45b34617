package pos

import (
	"sync"
	"time"
)

// SaveStatus says whether the order book takes the till's writes. When
// a write fails (a full disk, a failing one), a payment the provider took
// may not be recorded yet: the screens say so, lastingly, until a write
// succeeds again — the cashier must not hand over the goods meanwhile.
type SaveStatus struct {
	OK    bool
	Err   error     // the last failure, when not OK
	Since time.Time // when writes started failing, or came back
}

// saveState follows the order book's writes and broadcasts each change
// between failing and working.
type saveState struct {
	mu      sync.Mutex
	failing bool
	since   time.Time
}

// saveFailed records a write the order book refused.
func (t *Till) saveFailed(err error) {
	t.saving.mu.Lock()
	first := !t.saving.failing
	if first {
		t.saving.failing, t.saving.since = true, t.cfg.Clock()
	}
	since := t.saving.since
	t.saving.mu.Unlock()
	t.log.Error("the order book did not take a change", "err", err)
	t.hub.publish(Update{Save: &SaveStatus{OK: false, Err: err, Since: since}})
}

// saved records a write the order book took; after failures, it
// broadcasts that writes work again.
func (t *Till) saved() {
	t.saving.mu.Lock()
	back := t.saving.failing
	t.saving.failing = false
	t.saving.mu.Unlock()
	if back {
		t.hub.publish(Update{Save: &SaveStatus{OK: true, Since: t.cfg.Clock()}})
	}
}

// Saving is whether the order book takes the till's writes now (a screen
// opened meanwhile asks once; broadcasts follow).
func (t *Till) Saving() SaveStatus {
	t.saving.mu.Lock()
	defer t.saving.mu.Unlock()
	return SaveStatus{OK: !t.saving.failing, Since: t.saving.since}
}
