package relay_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qrtill/payments/relay"
)

func TestHashToken(t *testing.T) {
	const want = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // sha256("abc")
	if got := relay.HashToken("abc"); got != want {
		t.Errorf("HashToken(abc) = %s", got)
	}
}

func writeTokens(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadTokens(t *testing.T) {
	h1, h2 := relay.HashToken("tok-1"), relay.HashToken("tok-2")
	path := writeTokens(t, "# tills of the Nanjing Road shop\n\nshop-1 "+h1+"\n  shop_2.b   "+strings.ToUpper(h2[:7])+h2[7:]+"  \n", 0o600)
	got, err := relay.LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["shop-1"] != h1 || !strings.EqualFold(got["shop_2.b"], h2) {
		t.Errorf("tokens %v", got)
	}
	s, err := relay.Open(t.TempDir(), relay.Options{Tokens: got})
	if err != nil {
		t.Fatalf("Open with loaded tokens: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestLoadTokensRefusesLooseOrMalformedFiles(t *testing.T) {
	h := relay.HashToken("tok")
	for _, tc := range []struct {
		name, text string
		mode       os.FileMode
		want       string
	}{
		{"readable by others", "shop-1 " + h + "\n", 0o644, "chmod 600"},
		{"no hash", "# x\nshop-1\n", 0o600, "line 2"},
		{"three fields", "shop 1 " + h + "\n", 0o600, "line 1"},
		{"plain token", "shop-1 tok\n", 0o600, "sha256:<64 hex"},
		{"short hash", "shop-1 sha256:abcd\n", 0o600, "line 1"},
		{"not hex", "shop-1 sha256:" + strings.Repeat("zz", 32) + "\n", 0o600, "line 1"},
		{"bad till id", "shop/1 " + h + "\n", 0o600, "till id"},
		{"twice", "shop-1 " + h + "\nshop-1 " + h + "\n", 0o600, "twice"},
		{"empty", "# nothing\n", 0o600, "no tills"},
	} {
		_, err := relay.LoadTokens(writeTokens(t, tc.text, tc.mode))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), h[7:]) {
			t.Errorf("%s: the error shows the hash: %v", tc.name, err)
		}
	}
}

func TestOpenNeedsTills(t *testing.T) {
	if _, err := relay.Open(t.TempDir(), relay.Options{}); err == nil {
		t.Error("Open without tokens succeeded")
	}
	if _, err := relay.Open(t.TempDir(), relay.Options{Tokens: relay.Tokens{"shop-1": "tok-1"}}); err == nil {
		t.Error("Open with a plain token instead of its hash succeeded")
	}
}
