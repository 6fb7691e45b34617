package tui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
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
func (frozenTill) OrdersByDay(context.Context, time.Time) ([]pos.Order, error) {
	cancelled := frozenOrder(pos.OrderCancelled, pos.AttemptClosed)
	cancelled.Number, cancelled.DailyNo = "20261122103500000abc0002", 13
	return []pos.Order{frozenOrder(pos.OrderPaid, pos.AttemptPaid), cancelled, cashOrder()}, nil
}
func (f frozenTill) DayReport(ctx context.Context, day time.Time) (pos.DayReport, error) {
	orders, _ := f.OrdersByDay(ctx, day)
	return pos.BuildDayReport(day, orders), nil
}
func (frozenTill) Events(context.Context, string) ([]pos.Event, error) {
	return []pos.Event{
		{At: frozenNow.Add(-time.Minute), Kind: pos.EventCreated, Detail: "2 lines, total ¥8.50, cashier ann"},
		{At: frozenNow.Add(-50 * time.Second), Kind: pos.EventQRIssued},
		{At: frozenNow, Kind: pos.EventPaid},
	}, nil
}

// cashOrder is a paid cash sale with change.
func cashOrder() pos.Order {
	o := frozenOrder(pos.OrderPaid, pos.AttemptPaid)
	o.Number, o.DailyNo, o.Channel = "20261122104000000abc0003", 14, payments.Cash
	a := &o.Attempts[0]
	a.OutTradeNo, a.Kind, a.Channel, a.QRContent, a.ProviderTradeNo = o.Number+"P01", pos.KindCash, payments.Cash, "", ""
	a.CashGiven, a.Change = 5000, 5000-850
	o.PaidBy = a.OutTradeNo
	return o
}

func frozenOrder(status pos.OrderStatus, attempt pos.AttemptStatus) pos.Order {
	lines := []pos.Line{
		{SKU: "WATER-NFSQ-550", NameZH: "农夫山泉 饮用天然水 550ml", NameEN: "Nongfu Spring Water 550ml", UnitPrice: 200, Quantity: 2, Total: 400},
		{SKU: "NOODLE-KSF-HS", NameZH: "康师傅 红烧牛肉面", NameEN: "Master Kong Braised Beef Noodles", UnitPrice: 450, Quantity: 1, Total: 450},
	}
	o := pos.Order{Number: "20261122103000000abc0001", Status: status, Lines: lines, Total: 850, Cashier: "ann",
		CreatedAt: frozenNow.Add(-time.Minute), UpdatedAt: frozenNow, Channel: payments.Alipay, DailyNo: 12}
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

// frozenCatalog is the demo catalog.
func frozenCatalog(t *testing.T) *pos.Catalog {
	t.Helper()
	cat, err := pos.LoadCatalogCSV("demo", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func frozenModel(t *testing.T, w, h int) *tui.Model {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	cat := frozenCatalog(t)
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

// goldenScreens are the screens the goldens draw, each from a fresh
// frozen model.
var goldenScreens = map[string]func(t *testing.T, m *tui.Model){
	"sale":  func(_ *testing.T, m *tui.Model) { typeKeys(m, "6921168509256\n6921168509256\nNOODLE-KSF-HS\nnfsq") },
	"help":  func(_ *testing.T, m *tui.Model) { m.Update(tea.KeyMsg{Type: tea.KeyF1}) },
	"empty": func(*testing.T, *tui.Model) {},
	"pay_choose": func(_ *testing.T, m *tui.Model) {
		o := frozenOrder(pos.OrderOpen, pos.AttemptWaiting)
		o.Attempts = nil
		m.Update(tui.ShowOrderMsg{Order: o})
	},
	"pay_waiting": func(_ *testing.T, m *tui.Model) {
		m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting)})
	},
	"pay_scanned": func(_ *testing.T, m *tui.Model) {
		m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderAwaitingPayment, pos.AttemptScanned)})
	},
	"pay_password": func(_ *testing.T, m *tui.Model) {
		o := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptScanned)
		o.Attempts[0].Kind, o.Attempts[0].QRContent = pos.KindCode, ""
		m.Update(tui.ShowOrderMsg{Order: o})
	},
	"pay_trouble": func(_ *testing.T, m *tui.Model) {
		o := frozenOrder(pos.OrderAwaitingPayment, pos.AttemptWaiting)
		m.Update(tui.ShowOrderMsg{Order: o})
		m.Update(tui.UpdateMsg{Update: pos.Update{Order: o, Poll: &pos.PollStatus{OutTradeNo: o.Attempts[0].OutTradeNo,
			Channel: payments.Alipay, At: frozenNow, Err: payments.ErrUnavailable, Failures: 2, NextIn: 4 * time.Second}}})
	},
	"pay_cash": func(_ *testing.T, m *tui.Model) {
		o := frozenOrder(pos.OrderOpen, pos.AttemptWaiting)
		o.Attempts = nil
		m.Update(tui.ShowOrderMsg{Order: o})
		m.Update(tuiLoneKey(m, '3'))
		typeKeys(m, "20")
	},
	"cancelled": func(_ *testing.T, m *tui.Model) {
		m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderCancelled, pos.AttemptClosed)})
	},
	"expired": func(_ *testing.T, m *tui.Model) {
		m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderExpired, pos.AttemptExpired)})
	},
	"receipt": func(_ *testing.T, m *tui.Model) {
		m.Update(tui.ShowOrderMsg{Order: frozenOrder(pos.OrderPaid, pos.AttemptPaid)})
	},
	"receipt_cash": func(_ *testing.T, m *tui.Model) { m.Update(tui.ShowOrderMsg{Order: cashOrder()}) },
	"orders": func(t *testing.T, m *tui.Model) {
		settle(m, pressed(m, tea.KeyF2))
		settle(m, pressed(m, tea.KeyEnter))
	},
	"report": func(t *testing.T, m *tui.Model) { settle(m, pressed(m, tea.KeyF3)) },
}

// pressed sends a key and returns the command it made.
func pressed(m *tui.Model, k tea.KeyType) tea.Cmd {
	_, cmd := m.Update(tea.KeyMsg{Type: k})
	return cmd
}

// tuiLoneKey is the lone-key check for a digit pressed alone on the pay
// screen, as the runtime delivers it after the window.
func tuiLoneKey(m *tui.Model, d rune) tea.Msg {
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{d}})
	msgs := runCmd(cmd)
	if len(msgs) == 0 {
		return nil
	}
	return msgs[0]
}

// goldenSizes: a standard terminal, a large one, and a narrow portrait
// kiosk.
var goldenSizes = [][2]int{{80, 24}, {120, 40}, {46, 64}}

// TestGoldens draws every screen at every size, in both languages and on
// a dark and a light terminal, colours and all.
func TestGoldens(t *testing.T) {
	for name, setup := range goldenScreens {
		for _, size := range goldenSizes {
			for _, lang := range []tui.Lang{tui.English, tui.Chinese} {
				for _, dark := range []bool{true, false} {
					palette := map[bool]string{true: "dark", false: "light"}[dark]
					t.Run(fmt.Sprintf("%s_%dx%d_%s_%s", name, size[0], size[1], lang, palette), func(t *testing.T) {
						m := paletteModel(t, size[0], size[1], lang, dark)
						setup(t, m)
						golden.RequireEqual(t, []byte(m.View()))
					})
				}
			}
		}
	}
}

// paletteModel is a frozen model on a terminal with a dark or a light
// background, in 256 colours.
func paletteModel(t *testing.T, w, h int, lang tui.Lang, dark bool) *tui.Model {
	t.Helper()
	cat, err := pos.LoadCatalogCSV("demo", bytes.NewReader(assets.CatalogCSV))
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(dark)
	m := tui.New(tui.Options{Till: frozenTill{}, Catalog: cat, Cashier: "ann", Terminal: "t1", Lang: lang, Renderer: r,
		ShopName: "Test shop", Width: w, Height: h, Manager: true, DisableTickSeconds: true,
		Demo: tui.DemoInfo{On: true, Sandbox: "http://192.0.2.10:8700", Data: "/var/lib/qrtill"}})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}
