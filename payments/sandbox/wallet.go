package sandbox

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"qrtill/payments"
)

//go:embed templates/wallet.html
var templates embed.FS

var walletPage = template.Must(template.ParseFS(templates, "templates/wallet.html"))

// walletView is what the wallet template shows.
type walletView struct {
	Shop, Channel, Amount, Subject, OutTradeNo, StatusText, Result string
	Found, Payable, Done                                           bool
}

// Wallet results shown after a button, carried in the redirect's query.
var walletResults = map[string]string{
	"paid":      "付款成功 Payment done",
	"cancelled": "已取消 Payment cancelled",
	"closed":    "交易已关闭，无法付款 This payment is closed and can no longer be paid",
	"too-late":  "已付款，无法取消 Already paid, it can no longer be cancelled",
}

// walletRoutes is the page a QR opens on the buyer's phone: opening it is
// the scan (for Alipay that is when the trade appears at the provider);
// its buttons pay or cancel, then redirect back to show the result. It
// needs no JavaScript and loads nothing from elsewhere.
func (g *Gateway) walletRoutes() {
	g.mux.HandleFunc("GET /pay/{no}", func(w http.ResponseWriter, r *http.Request) {
		no := r.PathValue("no")
		t, err := g.ledger.Get(no)
		if errors.Is(err, ErrTradeNotFound) {
			g.renderWallet(w, http.StatusNotFound, walletView{Shop: g.cfg.ShopName, OutTradeNo: no, Channel: string(payments.Alipay)})
			return
		}
		if t.Status == StatusCreated {
			if scanned, err := g.ledger.Scan(no); err == nil {
				t = scanned
			}
		}
		v := g.walletView(t)
		v.Result = walletResults[r.URL.Query().Get("result")]
		g.renderWallet(w, http.StatusOK, v)
	})
	g.mux.HandleFunc("POST /pay/{no}/confirm", g.walletAction(g.ledger.Pay, "paid"))
	g.mux.HandleFunc("POST /pay/{no}/cancel", g.walletAction(g.ledger.close, "cancelled"))
}

// walletAction runs a button's ledger step and redirects back to the page
// (303, so a reload does not press the button again).
func (g *Gateway) walletAction(step func(string) (Trade, error), ok string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		no := r.PathValue("no")
		_, err := step(no)
		result := ok
		switch {
		case errors.Is(err, ErrTradeNotFound):
			g.renderWallet(w, http.StatusNotFound, walletView{Shop: g.cfg.ShopName, OutTradeNo: no, Channel: string(payments.Alipay)})
			return
		case errors.Is(err, ErrTradePaid) && ok != "paid":
			result = "too-late"
		case errors.Is(err, ErrTradeClosed):
			result = "closed"
		}
		http.Redirect(w, r, "/pay/"+url.PathEscape(no)+"?result="+result, http.StatusSeeOther)
	}
}

func (g *Gateway) walletView(t Trade) walletView {
	v := walletView{Shop: g.cfg.ShopName, Channel: string(t.Channel), Subject: t.Subject, OutTradeNo: t.OutTradeNo,
		Amount: fmt.Sprintf("¥%d.%02d", t.AmountFen/100, t.AmountFen%100), Found: true}
	switch t.Status {
	case StatusCreated, StatusScanned:
		v.StatusText, v.Payable = "待付款 Waiting for payment", true
	case StatusPaid:
		v.StatusText, v.Done = "支付成功 Paid", true
	case StatusRefunded:
		v.StatusText = "已退款 Refunded"
	default:
		v.StatusText = "已关闭 Closed"
	}
	if t.Channel != payments.WeChat {
		v.Channel = string(payments.Alipay)
	}
	return v
}

func (g *Gateway) renderWallet(w http.ResponseWriter, status int, v walletView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := walletPage.Execute(w, v); err != nil {
		g.cfg.Log.Warn(fmt.Sprintf("wallet page: %v", err))
	}
}
