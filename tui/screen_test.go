package tui_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"qrtill/internal/testkit"
	"qrtill/pos"
	"qrtill/tui"
)

// The QR's dark modules are dark on the terminal's own background: on a
// dark terminal the ink (█) is light and the QR decodes as a phone sees
// it only that way; on a light terminal the other way round.
func TestQRDecodesInBothPalettes(t *testing.T) {
	want := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting).Attempts[0].QRContent
	for _, dark := range []bool{true, false} {
		m := paletteModel(t, 80, 24, tui.English, dark)
		goldenScreens["pay_waiting"](t, m)
		v := ansi.Strip(m.View())
		got, err := testkit.DecodeQRAs(v, !dark)
		if err != nil || got != want {
			t.Errorf("dark=%v: the QR as the terminal shows it decodes to %q (%v), want %q", dark, got, err, want)
		}
		if _, err := testkit.DecodeQRAs(v, dark); err == nil {
			t.Errorf("dark=%v: the QR also decodes the wrong way round; the check proves nothing", dark)
		}
	}
}

// No golden shows a provider's code, a Go identifier or a format error.
func TestGoldensShowNoRawWords(t *testing.T) {
	files, err := filepath.Glob("testdata/TestGoldens/*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	raw := regexp.MustCompile(`ACQ\.|TRADE_|USERPAYING|NOTPAY|%!|[a-z]+_[a-z_]+|\bwechat\b|\balipay\b|cashier cashier|\d+ lines\b`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := ansi.Strip(string(b))
		text = strings.NewReplacer("qrtill demo shop", "", "/var/lib/qrtill", "").Replace(text)
		if w := raw.FindString(text); w != "" {
			t.Errorf("%s shows %q", filepath.Base(f), w)
		}
	}
}

// Chinese headers line up with their columns in cells: the right-
// aligned "小计" (total) ends in the same cell as the amount under it,
// and a left-aligned header starts where its column does.
func TestChineseColumnsLineUp(t *testing.T) {
	for _, tc := range []struct{ screen, header, cell, left, leftCell string }{
		{"sale", "小计", "¥4.00", "单价", ""},
		{"orders", "小计", "¥8.50", "状态", "已支付"},
	} {
		m := paletteModel(t, 120, 40, tui.Chinese, true)
		goldenScreens[tc.screen](t, m)
		lines := strings.Split(ansi.Strip(m.View()), "\n")
		var header, row string
		for i, l := range lines {
			if strings.Contains(l, tc.header) && i+1 < len(lines) {
				header, row = l, lines[i+1]
				break
			}
		}
		hEnd, rEnd := cellEnd(header, tc.header), cellEnd(row, tc.cell)
		if hEnd < 0 || hEnd != rEnd {
			t.Errorf("%s: %s ends at cell %d, %s at %d:\n%q\n%q", tc.screen, tc.header, hEnd, tc.cell, rEnd, header, row)
		}
		if tc.leftCell != "" {
			if h, r := cellEnd(header, tc.left)-lipgloss.Width(tc.left), cellEnd(row, tc.leftCell)-lipgloss.Width(tc.leftCell); h != r {
				t.Errorf("%s: %s starts at cell %d, %s at %d", tc.screen, tc.left, h, tc.leftCell, r)
			}
		}
	}
}

// cellEnd is the cell just after word in line, counted in cells (CJK
// two); -1 if absent.
func cellEnd(line, word string) int {
	i := strings.Index(line, word)
	if i < 0 {
		return -1
	}
	return lipgloss.Width(line[:i+len(word)])
}

// A scan while the reconcile screen or the too-small message is up is
// not lost: it reaches the sale's scan line.
func TestScansAreNotLostOnReconcileOrTooSmall(t *testing.T) {
	m := frozenModel(t, 30, 10) // too small
	typeKeys(m, "6921168509256\n")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Nongfu Spring") {
		t.Errorf("a scan while the window was too small was lost:\n%s", v)
	}

	m = tui.New(tui.Options{Till: reconcileSlow{}, Catalog: frozenCatalog(t), Cashier: "ann", Lang: tui.English,
		ShopName: "Test shop", Width: 120, Height: 40, DisableTickSeconds: true, Reconcile: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	init := m.Init()
	typeKeys(m, "6921168509256\n") // typed while the reconcile runs
	settle(m, init)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Nongfu Spring") {
		t.Errorf("a scan while the reconcile ran was lost:\n%s", v)
	}
}

// reconcileSlow finds nothing open.
type reconcileSlow struct{ frozenTill }

// PAID rings the terminal's bell exactly once, however many broadcasts
// about the paid order follow.
func TestBellRingsOnceOnPaid(t *testing.T) {
	r := newRig(t)
	var rings atomic.Int32
	updates, stop := r.till.Subscribe()
	m := tui.New(tui.Options{Till: r.till, Catalog: r.catalog, Cashier: "ann", Terminal: "t1", Lang: tui.English, Manager: true,
		ShopName: "Test shop", Width: 120, Height: 40, Updates: updates, StopUpdates: stop, DisableTickSeconds: true,
		Bell: func() { rings.Add(1) }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	toPay(t, tm)
	tm.Type("1")
	waitText(t, tm, "Waiting for scan")
	if rings.Load() != 0 {
		t.Fatalf("the bell rang %d times before anything was paid", rings.Load())
	}
	tr := r.lastTrade(t)
	if _, err := r.gw.Ledger().Pay(tr.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	waitText(t, tm, "PAID")
	quit(t, tm) // after the paid broadcasts, the poll result and the notification
	if n := rings.Load(); n != 1 {
		t.Fatalf("the bell rang %d times on PAID, want 1", n)
	}
}
