package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"qrtill/pos"
)

// The line manager-pin prints is a hash the till's CheckPIN accepts for
// that PIN only, and a config holding it loads.
func TestManagerPinLineWorks(t *testing.T) {
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs([]string{"manager-pin"})
	root.SetIn(strings.NewReader("2580\n2580\n"))
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(out.String())
	quoted, ok := strings.CutPrefix(line, "pin_hash = ")
	if !ok {
		t.Fatalf("printed %q, want a pin_hash line", line)
	}
	hash, err := strconv.Unquote(quoted)
	if err != nil {
		t.Fatal(err)
	}
	if err := pos.CheckPIN(hash, "2580"); err != nil {
		t.Errorf("CheckPIN with the PIN: %v", err)
	}
	if err := pos.CheckPIN(hash, "2581"); err == nil {
		t.Error("CheckPIN took another PIN")
	}
	if strings.Contains(out.String()+errOut.String(), "2580") {
		t.Error("the PIN was printed")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "qrtill.toml")
	if err := os.WriteFile(cfg, []byte("[manager]\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "orders", "--config", cfg, "--data", filepath.Join(dir, "data")); code != 0 {
		t.Errorf("a config with the printed line: exit %d, %s", code, stderr)
	}
}
