package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// CheckDir checks, without writing anything, that dir can be used for
// files: it is a directory, or can be made as one under the nearest
// existing directory, and that directory is writable. field names the
// setting for the message (e.g. "data").
func CheckDir(field, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%s: %s is not a usable path; pass another", field, dir)
	}
	for p := abs; ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		switch {
		case err == nil && !info.IsDir():
			return fmt.Errorf("%s: cannot use %s: %s is not a directory; pass --%s DIR", field, dir, p, field)
		case err == nil:
			if werr := writable(p); werr != nil {
				return fmt.Errorf("%s: cannot write to %s; make it writable or pass --%s DIR", field, p, field)
			}
			return nil
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return fmt.Errorf("%s: cannot use %s: %v; pass --%s DIR", field, dir, err, field)
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}
