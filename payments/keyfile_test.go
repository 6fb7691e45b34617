package payments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	tight := filepath.Join(dir, "tight.pem")
	loose := filepath.Join(dir, "loose.pem")
	if err := os.WriteFile(tight, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loose, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil { // defeat umask
		t.Fatal(err)
	}

	got, err := ReadSecretFile(tight)
	if err != nil || string(got) != "secret" {
		t.Fatalf("ReadSecretFile(tight) = %q, %v; want secret, nil", got, err)
	}
	_, err = ReadSecretFile(loose)
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+loose) {
		t.Fatalf("ReadSecretFile(loose) error = %v; want one naming the fix", err)
	}
	_, err = ReadSecretFile(filepath.Join(dir, "missing.pem"))
	if err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("ReadSecretFile(missing) error = %v; want one naming the file", err)
	}
	if _, err := ReadSecretFile(dir); err == nil {
		t.Fatal("ReadSecretFile(dir) succeeded; want an error")
	}
}
