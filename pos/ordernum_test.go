package pos

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // a DST zone for the fall-back test, on any machine
)

func TestOrderNumbersUniqueAcrossGoroutines(t *testing.T) {
	g := NewOrderNumberGenerator(nil, nil)
	const workers, each = 8, 125_000 // 1,000,000 in all
	out := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nums := make([]string, each)
			for i := range nums {
				nums[i] = g.Next()
			}
			out[w] = nums
		}()
	}
	wg.Wait()
	seen := make(map[string]struct{}, workers*each)
	for _, nums := range out {
		for i, n := range nums {
			if _, dup := seen[n]; dup {
				t.Fatalf("duplicate %s", n)
			}
			seen[n] = struct{}{}
			if i > 0 && n <= nums[i-1] {
				t.Fatalf("not increasing within a goroutine: %s after %s", n, nums[i-1])
			}
			if !ValidOrderNumber(n) || len(AttemptOutTradeNo(n, 99)) > 32 {
				t.Fatalf("invalid number %q", n)
			}
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d numbers, want %d", len(seen), workers*each)
	}
}

// steppingClock returns base plus each step in turn.
func steppingClock(base time.Time, steps []time.Duration) func() time.Time {
	i := 0
	return func() time.Time { d := steps[i]; i++; return base.Add(d) }
}

func TestOrderNumbersSortByTime(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	base := time.Date(2026, 11, 22, 23, 59, 59, 998_000_000, time.UTC)
	tests := []struct {
		name  string
		steps []time.Duration
		want  []string // time part + seq of each number
	}{
		{"moving on", []time.Duration{0, time.Millisecond, time.Second, time.Hour},
			[]string{"20261123075959998 0000", "20261123075959999 0000", "20261123080000998 0000", "20261123085959998 0000"}},
		{"same millisecond", []time.Duration{0, 0, 999 * time.Microsecond, time.Millisecond},
			[]string{"20261123075959998 0000", "20261123075959998 0001", "20261123075959998 0002", "20261123075959999 0000"}},
		{"clock steps back", []time.Duration{0, 2 * time.Millisecond, -5 * time.Second, -time.Hour, time.Millisecond, 3 * time.Millisecond},
			[]string{"20261123075959998 0000", "20261123080000000 0000", "20261123080000000 0001", "20261123080000000 0002",
				"20261123080000000 0003", "20261123080000001 0000"}},
	}
	for _, tt := range tests {
		g, err := NewOrderNumberGeneratorOnNode(steppingClock(base, tt.steps), shanghai, "k3f")
		if err != nil {
			t.Fatal(err)
		}
		var got, nums []string
		for range tt.steps {
			n := g.Next()
			nums = append(nums, n)
			got = append(got, n[:17]+" "+n[20:])
			if n[17:20] != "k3f" {
				t.Errorf("%s: %s lacks node k3f", tt.name, n)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
		if !sort.StringsAreSorted(nums) {
			t.Errorf("%s: not sorted: %v", tt.name, nums)
		}
	}
}

func TestOrderNumbersThroughADSTFallBack(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-11-01 01:59:59.999 EDT is followed by 01:00:00.000 EST: the
	// wall clock repeats an hour, the numbers must not.
	edt := time.Date(2026, 11, 1, 5, 59, 59, 999_000_000, time.UTC)
	g, _ := NewOrderNumberGeneratorOnNode(steppingClock(edt, []time.Duration{0, time.Millisecond, time.Hour + time.Millisecond}), ny, "aaa")
	nums := []string{g.Next(), g.Next(), g.Next()}
	want := []string{"20261101015959999aaa0000", "20261101015959999aaa0001", "20261101020000000aaa0000"}
	if strings.Join(nums, ",") != strings.Join(want, ",") {
		t.Errorf("got %v\nwant %v", nums, want)
	}
}

func TestOrderNumberSeqRunsOut(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	g, _ := NewOrderNumberGeneratorOnNode(func() time.Time { return at }, time.UTC, "aaa")
	first := g.Next()
	g.seq = seqMax - 2 // as if 1.7 million numbers were made in this millisecond
	last, next := g.Next(), g.Next()
	want := []string{"20261122100000000aaa0000", "20261122100000000aaazzzz", "20261122100000001aaa0000"}
	if got := []string{first, last, next}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestGeneratorNodes(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	// Two processes (or a restart) in the same millisecond differ by node.
	a, _ := NewOrderNumberGeneratorOnNode(clock, time.UTC, "aaa")
	b, _ := NewOrderNumberGeneratorOnNode(clock, time.UTC, "aab")
	if x, y := a.Next(), b.Next(); x == y || x[:17] != y[:17] {
		t.Fatalf("same instant: %s and %s", x, y)
	}
	// Random nodes: 40 generators share few, if any, and all are valid.
	nodes := map[string]bool{}
	for range 40 {
		g := NewOrderNumberGenerator(clock, time.UTC)
		if n := g.Next(); n[17:20] != g.Node() || !ValidOrderNumber(n) {
			t.Fatalf("number %s, node %s", n, g.Node())
		}
		nodes[g.Node()] = true
	}
	if len(nodes) < 35 {
		t.Fatalf("only %d distinct nodes in 40 generators", len(nodes))
	}
	for _, bad := range []string{"", "aa", "aaaa", "AAA", "a-a", "农"} {
		if _, err := NewOrderNumberGeneratorOnNode(clock, time.UTC, bad); err == nil {
			t.Errorf("node %q accepted", bad)
		}
	}
}

func TestValidOrderNumber(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"20261122100000000k3f0001", true},
		{"20261231235959999zzzzzzz", true},
		{"20240229120000000abc0001", true},  // a leap day
		{"20250229120000000abc0001", false}, // not a leap year
		{"20261322100000000k3f0001", false}, // month 13
		{"20261122240000000k3f0001", false}, // 24:00
		{"20261122100000000K3F0001", false}, // upper case
		{"20261122100000000k3f000", false},
		{"20261122100000000k3f00011", false},
		{"2026112210000000xk3f0001", false},
		{"20261122100000000k3f_001", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidOrderNumber(tt.s); got != tt.want {
			t.Errorf("ValidOrderNumber(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	shanghai := time.FixedZone("CST", 8*3600)
	got, ok := OrderNumberTime("20261122100000123k3f0001", shanghai)
	if want := time.Date(2026, 11, 22, 10, 0, 0, 123_000_000, shanghai); !ok || !got.Equal(want) {
		t.Errorf("OrderNumberTime = %v, %v; want %v", got, ok, want)
	}
}

func TestAttemptOutTradeNo(t *testing.T) {
	const n = "20261122100000000k3f0001"
	alipay := regexp.MustCompile(`^[0-9A-Za-z_]{1,64}$`)
	wechat := regexp.MustCompile(`^[0-9A-Za-z_\-*|]{6,32}$`)
	for _, tt := range []struct {
		i    int
		want string
	}{{1, n + "P01"}, {2, n + "P02"}, {99, n + "P99"}, {100, n + "P100"}, {9_999_999, n + "P9999999"}} {
		got := AttemptOutTradeNo(n, tt.i)
		if got != tt.want || !alipay.MatchString(got) || !wechat.MatchString(got) {
			t.Errorf("AttemptOutTradeNo(%d) = %s, want %s, valid for both providers", tt.i, got, tt.want)
		}
		num, i, ok := ParseAttemptOutTradeNo(got)
		if !ok || num != n || i != tt.i {
			t.Errorf("ParseAttemptOutTradeNo(%s) = %s, %d, %v", got, num, i, ok)
		}
	}
	for _, bad := range []string{"", n, n + "P", n + "P1", n + "P00", n + "P001", n + "P012", n + "X02", n + "P0a",
		n + "P10000000", "x" + n[1:] + "P01", n + "R01"} {
		if num, i, ok := ParseAttemptOutTradeNo(bad); ok {
			t.Errorf("ParseAttemptOutTradeNo(%q) = %s, %d; want refused", bad, num, i)
		}
	}
}

func BenchmarkOrderNumberNext(b *testing.B) {
	g := NewOrderNumberGenerator(nil, time.UTC)
	for b.Loop() {
		g.Next()
	}
}
