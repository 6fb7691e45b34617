package relay

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"qrtill/payments"
)

// Tokens maps a till id to the hash of that till's token, as [HashToken]
// writes it ("sha256:<64 hex>"). The relay never holds the tokens
// themselves.
type Tokens map[string]string

const hashPrefix = "sha256:"

// HashToken is what the tokens file keeps of a till's token:
// "sha256:" followed by the hex SHA-256 of the token. A future
// `qrtill relay token add` prints this for a freshly generated token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hashPrefix + hex.EncodeToString(sum[:])
}

// LoadTokens reads a tokens file: one line per till,
//
//	# comment
//	shop-1 sha256:<hex of sha256(token)>
//
// The file must not be readable by others (payments.ReadSecretFile); the
// error names the file, the line and the fix.
func LoadTokens(path string) (Tokens, error) {
	data, err := payments.ReadSecretFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseTokens(data)
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return t, nil
}

// ParseTokens parses the contents of a tokens file (see [LoadTokens]).
func ParseTokens(data []byte) (Tokens, error) {
	t := Tokens{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: write it as `till_id sha256:<64 hex>` (relay.HashToken of the token)", line)
		}
		if err := checkTill(f[0], f[1]); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, dup := t[f[0]]; dup {
			return nil, fmt.Errorf("line %d: till %s is listed twice; keep one line per till", line, f[0])
		}
		t[f[0]] = f[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	if len(t) == 0 {
		return nil, errors.New("no tills; add one line `till_id sha256:<hex>` per till")
	}
	return t, nil
}

// checkTill validates one till id and its token hash.
func checkTill(till, hash string) error {
	if !validTillID(till) {
		return fmt.Errorf("till id %q: use 1 to 64 letters, digits, '.', '_' or '-'", till)
	}
	if _, ok := parseHash(hash); !ok {
		return fmt.Errorf("till %s: the hash must be sha256:<64 hex digits> (relay.HashToken of the token)", till)
	}
	return nil
}

func validTillID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func parseHash(h string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	hexed, ok := strings.CutPrefix(strings.ToLower(h), hashPrefix)
	if !ok || len(hexed) != 2*sha256.Size {
		return out, false
	}
	if _, err := hex.Decode(out[:], []byte(hexed)); err != nil {
		return out, false
	}
	return out, true
}

// authz checks bearer tokens against the tokens file's hashes.
type authz struct {
	hashes map[string][sha256.Size]byte
}

func newAuthz(t Tokens) (*authz, error) {
	if len(t) == 0 {
		return nil, errors.New("no tills: Options.Tokens is empty")
	}
	a := &authz{hashes: make(map[string][sha256.Size]byte, len(t))}
	for till, h := range t {
		if err := checkTill(till, h); err != nil {
			return nil, err
		}
		a.hashes[till], _ = parseHash(h)
	}
	return a, nil
}

func (a *authz) known(till string) bool {
	_, ok := a.hashes[till]
	return ok
}

// check answers 0 when r carries till's token, 403 when it carries
// another till's token, and 401 otherwise. Hashes are compared in
// constant time.
func (a *authz) check(till string, r *http.Request) int {
	switch owner, ok := a.tillOf(r); {
	case !ok:
		return http.StatusUnauthorized
	case owner != till:
		return http.StatusForbidden
	default:
		return 0
	}
}

// tillOf finds the till whose token r carries; every hash is compared,
// in constant time.
func (a *authz) tillOf(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	got := sha256.Sum256([]byte(token))
	found := ""
	for till, h := range a.hashes {
		if subtle.ConstantTimeCompare(got[:], h[:]) == 1 {
			found = till
		}
	}
	return found, found != ""
}
