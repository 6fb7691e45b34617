package sandbox

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"qrtill/payments"
)

//go:embed templates/wallet.html
var templates embed.FS

var walletPage = template.Must(template.ParseFS(templates, "templates/wallet.html"))

type walletView struct {
	Shop, Channel, Amount, Subject, OutTradeNo, StatusText string
	Payable                                                bool
}

// walletRoutes is the page a QR opens on the buyer's phone: opening it is
// the scan; its buttons pay or cancel.
func (g *Gateway) walletRoutes() {
	g.mux.HandleFunc("GET /pay/{no}", func(w http.ResponseWriter, r *http.Request) {
		no := r.PathValue("no")
		t, err := g.ledger.Get(no)
		if errors.Is(err, ErrTradeNotFound) {
			http.Error(w, "没有这笔交易 No such payment: "+no, http.StatusNotFound)
			return
		}
		if t.Status == StatusCreated {
			// Opening the QR is the scan (Alipay creates the trade here).
			if scanned, err := g.ledger.Scan(no); err == nil {
				t = scanned
			}
		}
		g.renderWallet(w, t)
	})
	g.mux.HandleFunc("POST /pay/{no}/confirm", g.walletAction(g.ledger.Pay))
	g.mux.HandleFunc("POST /pay/{no}/cancel", g.walletAction(g.ledger.close))
}

func (g *Gateway) walletAction(step func(string) (Trade, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		no := r.PathValue("no")
		if _, err := step(no); errors.Is(err, ErrTradeNotFound) {
			http.Error(w, "没有这笔交易 No such payment: "+no, http.StatusNotFound)
			return
		}
		http.Redirect(w, r, "/pay/"+no, http.StatusSeeOther)
	}
}

func (g *Gateway) renderWallet(w http.ResponseWriter, t Trade) {
	v := walletView{Shop: g.cfg.ShopName, Channel: string(t.Channel), Subject: t.Subject, OutTradeNo: t.OutTradeNo,
		Amount: fmt.Sprintf("¥%d.%02d", t.AmountFen/100, t.AmountFen%100)}
	switch t.Status {
	case StatusCreated, StatusScanned:
		v.StatusText, v.Payable = "待付款 Waiting for payment", true
	case StatusPaid:
		v.StatusText = "支付成功 Paid"
	case StatusRefunded:
		v.StatusText = "已退款 Refunded"
	default:
		v.StatusText = "已关闭 Closed"
	}
	if t.Channel != payments.Alipay && t.Channel != payments.WeChat {
		v.Channel = string(payments.Alipay)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := walletPage.Execute(w, v); err != nil {
		g.cfg.Logf("sandbox: wallet page: %v", err)
	}
}
