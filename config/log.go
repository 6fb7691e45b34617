package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// Logger is the leveled log at LogLevel, written to w as text. Each
// subsystem takes its own with l.With("sys", name), which every line
// then carries. Nothing logged anywhere may hold a key, a token or a
// notification body.
func (c Config) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// OpenLog opens the log: the log file when one is set, else DATA/def when
// def is not empty (the till: DATA/qrtill.log), else fallback (servers:
// stderr). The log never goes to the till's screen. Call it only after
// the input is checked: it creates the file.
func (c Config) OpenLog(def string, fallback io.Writer) (*slog.Logger, io.Closer, error) {
	path := c.Path(c.LogFile, def)
	if path == "" {
		return c.Logger(fallback), io.NopCloser(nil), nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("cannot write the log %s: %v; choose another with --log-file", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write the log %s: %v; choose another with --log-file", path, err)
	}
	return c.Logger(f), f, nil
}
