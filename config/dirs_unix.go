//go:build unix

package config

import "golang.org/x/sys/unix"

// writable reports whether this process may create files in dir.
func writable(dir string) error { return unix.Access(dir, unix.W_OK) }
