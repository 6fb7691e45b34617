package storage

import (
	"errors"
	"path/filepath"
	"testing"
)

// A book records the mode of the first till that writes it; a till in
// the other mode is refused, a reader of either is not.
func TestBookModeKeepsDemoAndLiveApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.db")
	db, err := Open(path, Options{NoSync: true, Mode: ModeDemo})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, Options{NoSync: true, Mode: ModeDemo}); err != nil {
		t.Fatalf("the demo till again: %v", err)
	}
	db.Close()
	_, err = Open(path, Options{NoSync: true, Mode: ModeLive})
	if !errors.Is(err, ErrWrongMode) {
		t.Fatalf("a live till on a demo book: %v, want ErrWrongMode", err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("reading a demo book: %v", err)
	}
	ro.Close()
}
