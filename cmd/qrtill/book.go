package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"qrtill/config"
	"qrtill/internal/bookapi"
	"qrtill/pos"
	"qrtill/storage"
)

// readLockWait is how long a reading command waits for the book's lock
// before it asks the running till instead.
const readLockWait = 100 * time.Millisecond

// openReader opens the order book of a command that only reads: the file
// itself, read-only (nothing written, no migration), or, when a running
// till holds it, that till's socket. No book yet reads as an empty one.
func openReader(cmd *cobra.Command, name string) (bookapi.Reader, func(), error) {
	cfg, err := loadConfig(cmd, name)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(cfg.Data, "orders.db")
	db, err := storage.Open(path, storage.Options{ReadOnly: true, Timeout: readLockWait})
	switch {
	case err == nil:
		return bookapi.NewLocal(db, time.Now), func() { db.Close() }, nil
	case errors.Is(err, storage.ErrNoBook):
		return bookapi.NewLocal(noBook{path}, time.Now), func() {}, nil
	case errors.Is(err, storage.ErrLocked):
		return askTill(cmd.Context(), cfg)
	}
	return nil, nil, bookError(err)
}

// askTill is the running till's socket, if it answers.
func askTill(ctx context.Context, cfg config.Config) (bookapi.Reader, func(), error) {
	sock := bookapi.SocketPath(cfg.Data)
	c := bookapi.NewClient(sock)
	if ctx == nil {
		ctx = context.Background()
	}
	if err := c.Ping(ctx); err != nil {
		c.Close()
		return nil, nil, config.BadInput(fmt.Errorf("another qrtill is using %s and does not answer on %s; close it or pass --data", cfg.Data, sock))
	}
	return c, c.Close, nil
}

// bookError marks the order book errors that are the user's to fix: a
// damaged book (its own sentence names the backup), a bad question, a
// lock, a data dir that cannot be used.
func bookError(err error) error {
	var damaged *storage.DamagedError
	switch {
	case errors.As(err, &damaged):
		return config.BadInput(damaged)
	case errors.Is(err, storage.ErrDamaged), errors.Is(err, bookapi.ErrBadQuery), errors.Is(err, storage.ErrBadBackupPath),
		errors.Is(err, storage.ErrLocked), errors.Is(err, storage.ErrSchemaTooNew), errors.Is(err, fs.ErrPermission),
		errors.Is(err, syscall.ENOTDIR):
		return config.BadInput(err)
	}
	return err
}

// noBook is the book of a data dir where nothing was sold yet.
type noBook struct{ path string }

func (noBook) OrdersByDay(context.Context, time.Time) ([]pos.Order, error) { return nil, nil }
func (noBook) AllOrders(context.Context) ([]pos.Order, error)              { return nil, nil }
func (noBook) Location() *time.Location                                    { return storage.DefaultLocation() }
func (b noBook) BackupFile(string) (int64, error) {
	return 0, fmt.Errorf("there is no order book at %s yet; nothing to back up: %w", b.path, storage.ErrBadBackupPath)
}
