package payments

import (
	"fmt"
	"os"
)

// ReadSecretFile reads a key or token file, refusing one that other users
// could read or write: a secret readable by the group or the world is
// treated as already leaked. The error names the file and the fix.
func ReadSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("key file %s is a directory; point the setting at the key file itself", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by others (mode %04o); run: chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	return data, nil
}
