//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package storage

import (
	"os"
	"time"
)

// lockShared is a no-op where flock does not exist; bbolt's own lock
// still keeps a second writer out.
func lockShared(*os.File, time.Duration) error { return nil }

func unlock(*os.File) {}
