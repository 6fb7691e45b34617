package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoggerLevel(t *testing.T) {
	for _, tt := range []struct {
		level string
		want  []string
		not   []string
	}{
		{"debug", []string{"level=DEBUG", "level=INFO", "level=WARN"}, nil},
		{"info", []string{"level=INFO", "level=WARN"}, []string{"DEBUG"}},
		{"error", []string{"level=ERROR"}, []string{"DEBUG", "INFO", "WARN"}},
	} {
		var out bytes.Buffer
		l := Config{LogLevel: tt.level}.Logger(&out).With("sys", "till")
		l.Debug("d")
		l.Info("i")
		l.Warn("w")
		l.Error("e")
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: log lacks %s:\n%s", tt.level, w, out.String())
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out.String(), n) {
				t.Errorf("%s: log has %s:\n%s", tt.level, n, out.String())
			}
		}
		if !strings.Contains(out.String(), "sys=till") {
			t.Errorf("%s: no subsystem:\n%s", tt.level, out.String())
		}
	}
}

func TestOpenLog(t *testing.T) {
	data := filepath.Join(t.TempDir(), "fresh", "qrtill") // made on first start
	c := Config{Data: data, LogLevel: "info"}
	var stderr bytes.Buffer
	l, closer, err := c.OpenLog("", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("to stderr")
	closer.Close()
	if !strings.Contains(stderr.String(), "to stderr") {
		t.Errorf("servers log to stderr without --log-file: %q", stderr.String())
	}
	l, closer, err = c.OpenLog("qrtill.log", &stderr)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("to the file")
	closer.Close()
	got, _ := os.ReadFile(filepath.Join(data, "qrtill.log"))
	if !strings.Contains(string(got), "to the file") {
		t.Errorf("the till logs to DATA/qrtill.log: %q", got)
	}
	info, _ := os.Stat(filepath.Join(data, "qrtill.log"))
	if info.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v", info.Mode().Perm())
	}
}
