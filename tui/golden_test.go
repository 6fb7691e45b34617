package tui_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"qrtill/assets"
	"qrtill/payments"
	"qrtill/pos"
	"qrtill/tui"
)

// frozenTill answers only what drawing needs, at a fixed time, so the
// goldens are byte-stable. The flows in flow_test.go use the real till.
type frozenTill struct{ tui.Till }

var frozenNow = time.Date(2026, 11, 22, 10, 30, 15, 0, time.Local)

func (frozenTill) Now() time.Time { return frozenNow }
func (frozenTill) Channels() []payments.Channel {
	return []payments.Channel{payments.Alipay, payments.WeChat}
}
func (frozenTill) Reconcile(context.Context) ([]pos.Change, error) {
	return nil, nil
}

func frozenOrder(status pos.OrderStatus, attempt pos.AttemptStatus) pos.Order {
	lines := []pos.Line{
		{SKU: "WATER-NFSQ-550", NameZH: "农夫山泉 饮用天然水 550ml", NameEN: "Nongfu Spring Water 550ml", UnitPrice: 200, Quantity: 2, Total: 400},
		{SKU: "NOODLE-KSF-HS", NameZH: "康师傅 红烧牛肉面", NameEN: "Master Kong Braised Beef Noodles", UnitPrice: 450, Quantity: 1, Total: 450},
	}
	o := pos.Order{Number: "20261122103000000abc0001", Status: status, Lines: lines, Total: 850, Cashier: "ann",
		CreatedAt: frozenNow.Add(-time.Minute), UpdatedAt: frozenNow, Channel: payments.Alipay}
	a := pos.Attempt{OutTradeNo: o.Number + "P01", OrderNumber: o.Number, Channel: payments.Alipay, Status: attempt, Amount: 850,
		QRContent: "http://192.0.2.10:8700/pay/" + o.Number + "P01", CreatedAt: frozenNow.Add(-40 * time.Second),
		ExpiresAt: frozenNow.Add(260 * time.Second), UpdatedAt: frozenNow}
	if attempt == pos.AttemptPaid {
		a.ProviderTradeNo, a.PaidAmount, a.PaidAt = "2026112222001234567890123456", 850, frozenNow
		o.PaidBy = a.OutTradeNo
	}
	o.Attempts = []pos.Attempt{a}
	return o
}

func frozenModel(t *testing.T, w, h int) *tui.Model {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	cat, err := pos.LoadCatalogCSV("demo", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Options{Till: frozenTill{}, Catalog: cat, Cashier: "ann", Terminal: "t1", Lang: tui.English,
		ShopName: "Test shop", Width: w, Height: h, Manager: true, DisableTickSeconds: true})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func typeKeys(m *tui.Model, s string) {
	for _, c := range s {
		if c == '\n' {
			m.Update(tea.KeyMsg{Type: tea.KeyEnter})
			continue
		}
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c}})
	}
}

func TestGoldens(t *testing.T) {
	screens := map[string]func(m *tui.Model){
		"sale": func(m *tui.Model) { typeKeys(m, "6921168509256\n6921168509256\nNOODLE-KSF-HS\nnfsq") },
		"help": func(m *tui.Model) { m.Update(tea.KeyMsg{Type: tea.KeyF1}) },
		"pay_waiting": func(m *tui.Model) {
			m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting)})
		},
		"pay_scanned": func(m *tui.Model) {
			m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptScanned)})
		},
		"receipt": func(m *tui.Model) { m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderPaid, pos.AttemptPaid)}) },
	}
	for name, setup := range screens {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", name, size[0], size[1]), func(t *testing.T) {
				m := frozenModel(t, size[0], size[1])
				setup(m)
				golden.RequireEqual(t, []byte(ansi.Strip(m.View())))
			})
		}
	}
}
