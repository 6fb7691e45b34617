package app

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
	"time"

	"qrtill/config"
	"qrtill/internal/bookapi"
	"qrtill/storage"
)

// OpenBook opens the order book under the data dir, filing orders under
// the shop's time zone. A book held by another qrtill or a data dir that
// cannot be written is the user's to fix (config.InputError).
func OpenBook(cfg config.Config, opts storage.Options) (*storage.DB, error) {
	opts.Location = cfg.Location()
	opts.Mode = storage.ModeLive
	if cfg.DemoMode() {
		opts.Mode = storage.ModeDemo
	}
	db, err := storage.Open(filepath.Join(cfg.Data, "orders.db"), opts)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) || errors.Is(err, storage.ErrDamaged) || errors.Is(err, storage.ErrWrongMode) || errors.Is(err, fs.ErrPermission) ||
			errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrExist) {
			return nil, config.BadInput(err)
		}
		return nil, err
	}
	return db, nil
}

// listenBook opens the data dir's socket on which the running till
// answers `qrtill orders`, `report` and `backup` (they cannot open the
// book it holds). A socket that cannot be made costs only that: the till
// runs on, and the log says why.
func (a *App) listenBook() {
	log := a.log.With("sys", "book")
	srv, err := bookapi.Listen(bookapi.SocketPath(a.cfg.Data), bookapi.NewLocal(a.store, time.Now), log)
	if err != nil {
		log.Warn("qrtill orders, report and backup will not work while this till runs", "err", err)
		return
	}
	a.book = srv
}

// bookService serves the book socket until the app shuts down.
func (a *App) bookService() Service {
	srv := a.book
	return Service{Name: "book socket", Stop: srv.Shutdown, Run: func(ctx context.Context) error {
		done := make(chan error, 1)
		go func() { done <- srv.Serve() }()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			srv.Close()
			<-done
			return nil
		}
	}}
}

// snapshotService keeps a consistent daily copy of the book under
// DATA/backups, the newest [backup] keep of them.
func (a *App) snapshotService() Service {
	log := a.log.With("sys", "backup")
	return Service{Name: "daily backups", Run: func(ctx context.Context) error {
		return a.store.KeepSnapshots(ctx, "", a.cfg.Backup.Keep, 0, nil, log)
	}}
}
