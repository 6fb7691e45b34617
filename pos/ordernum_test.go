package pos

import (
	"sort"
	"sync"
	"testing"
	"time"
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

func TestOrderNumbersSortByTimeEvenWhenTheClockStepsBack(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	base := time.Date(2026, 11, 22, 23, 59, 59, 998_000_000, time.UTC)
	steps := []time.Duration{0, 0, time.Millisecond, -5 * time.Second, 0, 3 * time.Millisecond, time.Hour}
	i := 0
	clock := func() time.Time { d := steps[i]; i++; return base.Add(d) }
	g := NewOrderNumberGenerator(clock, shanghai)
	var nums []string
	for range steps {
		nums = append(nums, g.Next())
	}
	if !sort.StringsAreSorted(nums) {
		t.Fatalf("not sorted: %v", nums)
	}
	if nums[0][:17] != "20261123075959998" {
		t.Errorf("first number %s: want local wall time 20261123075959998…", nums[0])
	}
	if nums[3][:17] != nums[2][:17] {
		t.Errorf("a clock step back moved the time part: %s after %s", nums[3], nums[2])
	}
}

func TestGeneratorsOnTheSameInstantDiffer(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	// Two processes (or a restart) in the same millisecond differ by node.
	a := &OrderNumberGenerator{clock: clock, loc: time.UTC, node: "aaa"}
	b := &OrderNumberGenerator{clock: clock, loc: time.UTC, node: "aab"}
	if x, y := a.Next(), b.Next(); x == y || x[:17] != y[:17] {
		t.Fatalf("same instant: %s and %s", x, y)
	}
	// Nodes are random: 40 generators share few, if any.
	nodes := map[string]bool{}
	for range 40 {
		nodes[NewOrderNumberGenerator(clock, time.UTC).node] = true
	}
	if len(nodes) < 35 {
		t.Fatalf("only %d distinct nodes in 40 generators", len(nodes))
	}
}

func TestAttemptOutTradeNo(t *testing.T) {
	n := "20261122100000000k3f0001"
	no := AttemptOutTradeNo(n, 2)
	if no != n+"P02" {
		t.Fatalf("AttemptOutTradeNo = %s", no)
	}
	got, i, ok := ParseAttemptOutTradeNo(no)
	if !ok || got != n || i != 2 {
		t.Fatalf("parse = %s %d %v", got, i, ok)
	}
	for _, bad := range []string{"", n, n + "X02", n + "P0a", "x" + n[1:] + "P01"} {
		if _, _, ok := ParseAttemptOutTradeNo(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}
