package kiosk_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hinshun/vt10x"
	gossh "golang.org/x/crypto/ssh"

	"qrtill/internal/testkit"
	"qrtill/pos"
	"qrtill/tui"
	"qrtill/tui/kiosk"
)

// kioskRig is a whole till served over SSH to two cashiers.
type kioskRig struct {
	srv     *kiosk.Server
	till    *testkit.Rig
	addr    string
	ann, bo gossh.Signer
}

func newKioskRig(t *testing.T) *kioskRig { return newKioskRigTB(t) }

func newKioskRigTB(t testing.TB) *kioskRig {
	t.Helper()
	r := &kioskRig{till: testkit.New(t, testkit.Options{Notifying: true}), ann: newSigner(t), bo: newSigner(t)}
	keysFile := filepath.Join(t.TempDir(), "authorized_keys")
	line := func(s gossh.Signer, name string) string {
		return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + name + "\n"
	}
	os.WriteFile(keysFile, []byte("manager "+line(r.ann, "ann")+line(r.bo, "bo")), 0o600)
	keys, err := kiosk.LoadAuthorizedKeys(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := kiosk.New(kiosk.Config{HostKeyPath: filepath.Join(t.TempDir(), "host"), AuthorizedKeys: keys,
		Till: r.till.Till, Subscribe: r.till.Till.Subscribe, Catalog: r.till.Catalog, Lang: tui.English, Shop: "Test shop", Log: testkit.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	r.addr = ln.Addr().String()
	r.srv = srv
	return r
}

// terminal is one SSH session with its screen rebuilt by vt10x.
type terminal struct {
	t      testing.TB
	client *gossh.Client
	stdin  interface{ Write([]byte) (int, error) }
	mu     sync.Mutex
	vt     vt10x.Terminal
	raw    strings.Builder
}

func (r *kioskRig) connect(t *testing.T, who gossh.Signer) *terminal { return r.connectTB(t, who) }

func (r *kioskRig) connectTB(t testing.TB, who gossh.Signer) *terminal {
	t.Helper()
	client, err := gossh.Dial("tcp", r.addr, &gossh.ClientConfig{User: "till", Auth: []gossh.AuthMethod{gossh.PublicKeys(who)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, client: client, vt: vt10x.New(vt10x.WithSize(120, 40))}
	sess.Stdout = term
	stdin, _ := sess.StdinPipe()
	term.stdin = stdin
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	term.waitRaw("\x1b[c")
	stdin.Write([]byte("\x1b]11;rgb:0000/0000/0000\a\x1b[?62;22c"))
	t.Cleanup(func() { client.Close() })
	return term
}

func (tm *terminal) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.raw.Write(p)
	return tm.vt.Write(p)
}

func (tm *terminal) rawLen() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.Len()
}

func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.vt.String()
}

func (tm *terminal) waitRaw(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm.mu.Lock()
		ok := strings.Contains(tm.raw.String(), want)
		tm.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("never saw %q", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (tm *terminal) waitScreen(want string) string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := tm.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q:\n%s", want, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (tm *terminal) send(s string) { tm.stdin.Write([]byte(s)) }

const keyF12 = "\x1b[24~"

// ringUp rings up a product and opens an Alipay QR.
func (r *kioskRig) ringUp(t *testing.T, tm *terminal, barcode string) {
	t.Helper()
	tm.waitScreen("Scan or type")
	tm.send(barcode + "\r")
	tm.waitScreen("Total")
	tm.send(keyF12)
	tm.waitScreen("Choose how")
	tm.send("1")
	tm.waitScreen("Waiting for scan")
}

func TestSaleOverSSHToPaid(t *testing.T) {
	r := newKioskRig(t)
	ann := r.connect(t, r.ann)
	r.ringUp(t, ann, "6921168509256")
	trade := r.till.LastTrade(t)
	text, err := testkit.DecodeQR(ann.screen())
	if err != nil {
		t.Fatalf("no QR on the SSH screen: %v\n%s", err, ann.screen())
	}
	if text != r.till.Gateway.QRContent(trade.OutTradeNo) {
		t.Fatalf("QR over SSH says %q, want %q", text, r.till.Gateway.QRContent(trade.OutTradeNo))
	}
	if _, err := r.till.Gateway.Ledger().Pay(trade.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	s := ann.waitScreen("PAID")
	if !strings.Contains(s, "ann") {
		t.Errorf("cashier name missing:\n%s", s)
	}
	o, err := r.till.Store.OrderByOutTradeNo(context.Background(), trade.OutTradeNo)
	if err != nil || o.Cashier != "ann" || !strings.HasPrefix(o.Terminal, "ssh ") {
		t.Fatalf("stored order cashier %q terminal %q (%v)", o.Cashier, o.Terminal, err)
	}
}

// TestTwoSessionsAndADroppedOne: two cashiers sell at once; one session
// drops mid-payment; its payment still lands in the order book.
func TestTwoSessionsAndADroppedOne(t *testing.T) {
	r := newKioskRig(t)
	ann, bo := r.connect(t, r.ann), r.connect(t, r.bo)
	r.ringUp(t, ann, "6921168509256")
	annTrade := r.till.LastTrade(t)
	r.ringUp(t, bo, "6902731510015")
	trades := r.till.Gateway.Ledger().List()
	if len(trades) != 2 || trades[0].OutTradeNo == trades[1].OutTradeNo {
		t.Fatalf("trades %+v", trades)
	}
	boTrade := trades[0]
	if boTrade.OutTradeNo == annTrade.OutTradeNo {
		boTrade = trades[1]
	}
	bo.client.Close() // the kiosk's network drops mid-payment
	if _, err := r.till.Gateway.Ledger().Pay(boTrade.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := r.till.Store.OrderByOutTradeNo(context.Background(), boTrade.OutTradeNo)
		if err == nil && o.Status == pos.OrderPaid && o.Cashier == "bo" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dropped session's payment never landed: %+v %v", o.Status, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Ann's session is unaffected and still follows her own sale.
	if _, err := r.till.Gateway.Ledger().Pay(annTrade.OutTradeNo); err != nil {
		t.Fatal(err)
	}
	ann.waitScreen("PAID")
	a, _ := r.till.Store.OrderByOutTradeNo(context.Background(), annTrade.OutTradeNo)
	b, _ := r.till.Store.OrderByOutTradeNo(context.Background(), boTrade.OutTradeNo)
	if a.Number == b.Number || a.Cashier != "ann" || b.Cashier != "bo" {
		t.Fatalf("orders %s/%s cashiers %s/%s", a.Number, b.Number, a.Cashier, b.Cashier)
	}
}

func TestCashierRoleOverSSH(t *testing.T) {
	r := newKioskRig(t)
	ann, bo := r.connect(t, r.ann), r.connect(t, r.bo)
	if s := ann.waitScreen("Scan or type"); !strings.Contains(s, "day report") {
		t.Errorf("the manager's help bar lacks the day report:\n%s", s)
	}
	s := bo.waitScreen("Scan or type")
	if strings.Contains(s, "day report") {
		t.Errorf("a cashier's help bar offers the day report:\n%s", s)
	}
	bo.send("\x1bOR") // F3: nothing for a cashier
	bo.send("x")      // a frame after the F3
	if s := bo.waitScreen("▶ x"); strings.Contains(s, "Day report") {
		t.Fatalf("a cashier opened the day report:\n%s", s)
	}
}

func TestShutdownTellsSessions(t *testing.T) {
	r := newKioskRig(t)
	ann := r.connect(t, r.ann)
	ann.waitScreen("Scan or type")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		done <- r.srv.Shutdown(ctx)
	}()
	ann.waitScreen("shutting down")
	<-done
}
