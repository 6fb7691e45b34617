package app

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"

	"qrtill/config"
	"qrtill/storage"
)

// OpenBook opens the order book under the data dir, filing orders under
// the shop's time zone. A book held by another qrtill or a data dir that
// cannot be written is the user's to fix (config.InputError).
func OpenBook(cfg config.Config, opts storage.Options) (*storage.DB, error) {
	opts.Location = cfg.Location()
	db, err := storage.Open(filepath.Join(cfg.Data, "orders.db"), opts)
	if err != nil {
		if errors.Is(err, storage.ErrLocked) || errors.Is(err, fs.ErrPermission) ||
			errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrExist) {
			return nil, config.BadInput(err)
		}
		return nil, err
	}
	return db, nil
}
