package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"

	"qrtill/config"
	"qrtill/storage"
)

// openStore opens the order book under the data dir. A held lock or a
// data dir that cannot be written is the user's to fix (exit status 2).
func openStore(cfg config.Config) (*storage.DB, error) {
	db, err := storage.Open(filepath.Join(cfg.Data, "orders.db"), storage.Options{})
	if err != nil {
		if errors.Is(err, storage.ErrLocked) || errors.Is(err, storage.ErrDamaged) || errors.Is(err, fs.ErrPermission) ||
			errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrExist) {
			return nil, badInput(err)
		}
		return nil, err
	}
	return db, nil
}
