package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	long := strings.Repeat("好", 60) // 180 bytes
	for _, n := range []int{127, 80, 4, 3} {
		got := shorten(long, n)
		if len(got) > n || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) < n-3 {
			t.Errorf("shorten(%d) = %q (%d bytes)", n, got, len(got))
		}
	}
	if got := shorten("short", 127); got != "short" {
		t.Errorf("shorten kept %q", got)
	}
}

func TestMaskOpenID(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "****", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o": "oUpF****eS6o"} {
		if got := maskOpenID(in); got != want {
			t.Errorf("maskOpenID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortenTiny(t *testing.T) {
	if got := shorten("abcdef", 2); got != "" {
		t.Errorf("shorten to 2 bytes = %q", got)
	}
}
