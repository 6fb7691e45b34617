package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// TradesFile is the file under the state dir that keeps the ledger, so a
// restarted sandbox still knows its trades (deliveries in flight are not
// resumed).
const TradesFile = "trades.json"

// persist keeps the ledger in path from now on, first loading the trades
// already there. log reports save failures (a sandbox that cannot save
// still serves).
func (l *Ledger) persist(path string, log *slog.Logger) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("load sandbox trades: %w", err)
	default:
		var trades []Trade
		if err := json.Unmarshal(data, &trades); err != nil {
			return fmt.Errorf("load sandbox trades %s: %w (delete the file to start afresh)", path, err)
		}
		for i := range trades {
			t := trades[i]
			l.trades[t.OutTradeNo] = &t
		}
	}
	l.path, l.log = path, log
	return nil
}

// saveLocked writes every trade to the ledger's file, if it has one,
// atomically (temporary file, then rename). Caller holds mu.
func (l *Ledger) saveLocked() {
	if l.path == "" {
		return
	}
	trades := make([]*Trade, 0, len(l.trades))
	for _, t := range l.trades {
		trades = append(trades, t)
	}
	data, err := json.Marshal(trades)
	if err == nil {
		err = writeFileAtomic(l.path, data)
	}
	if err != nil && l.log != nil {
		l.log.Error("save trades", "err", err)
	}
}

// writeFileAtomic replaces path with data, mode 0600.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
