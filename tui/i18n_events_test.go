package tui

import (
	"testing"

	"qrtill/pos"
)

// Every event kind the till writes has a label in both languages.
func TestEveryEventKindIsLabelled(t *testing.T) {
	for _, k := range pos.EventKinds() {
		w, ok := eventWords[k]
		if !ok || w[0] == "" || w[1] == "" {
			t.Errorf("event kind %s has no label in tui/i18n.go", k)
		}
	}
	if len(eventWords) != len(pos.EventKinds()) {
		t.Errorf("%d labels for %d event kinds", len(eventWords), len(pos.EventKinds()))
	}
}
