package sandbox

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"qrtill/payments"
)

// Wire is one channel's wire protocol, registered with the Gateway.
type Wire interface {
	// Channel names the channel.
	Channel() payments.Channel
	// Routes adds the channel's API routes to mux.
	Routes(mux *http.ServeMux)
	// Notification builds a signed notification for a paid trade.
	Notification(t Trade, f NotifyFault) (Delivery, error)
	// RefundNotification builds a signed notification for a settled
	// refund of t, or answers an error wrapping errNoNotification when the
	// provider sends none for it.
	RefundNotification(t Trade, r Refund) (Delivery, error)
	// Acknowledged reports whether a merchant's answer acknowledges a
	// notification (Alipay: body "success"; WeChat: 200 or 204).
	Acknowledged(status int, body []byte) bool
	// RetrySchedule is the provider's real redelivery schedule.
	RetrySchedule() []time.Duration
	// AnswerDeadline is how long the provider waits for the merchant's
	// answer to one delivery before it counts as failed.
	AnswerDeadline() time.Duration
}

// Delivery is one notification request to send.
type Delivery struct {
	Header   http.Header
	Body     []byte
	NotifyID string
}

// NotifyFault alters a notification for fault injection.
type NotifyFault struct {
	BadSignature bool  // corrupt the signature
	AmountFen    int64 // claim this amount instead of the real one (0 = real)
}

// Config configures a Gateway.
type Config struct {
	// StateDir keeps the keys, trades.json and sandbox.json; empty keeps
	// nothing (tests).
	StateDir string
	// BaseURL is the address clients and phones use: QR contents and
	// sandbox.json are built on it.
	BaseURL string
	// ShopName is shown on the wallet page ("qrtill demo shop" if empty).
	ShopName string
	// TimeScale multiplies notification retry delays (0.001 in tests; 1
	// = the providers' real schedules).
	TimeScale  float64
	Clock      func() time.Time // the ledger's clock; time.Now if nil
	HTTPClient *http.Client     // for notification delivery
	// Log receives the gateway's log lines (never keys or signed
	// payloads); nil discards them.
	Log *slog.Logger
	// Keys injects a key set (tests: generate once per binary); nil loads
	// or creates them in StateDir, or generates fresh ones without it.
	Keys *Keys
	// IsLoopback reports whether a caller's address is a loopback address
	// of this machine; nil means netip.Addr.IsLoopback. The control API
	// and /sandbox/info answer only such callers and callers from the
	// gateway's own address (this machine through its LAN address). A test
	// points it at one loopback address to play a LAN caller on another.
	IsLoopback func(netip.Addr) bool
}

// Gateway is the sandbox: an http.Handler serving both wire protocols,
// the control API and the wallet page.
type Gateway struct {
	cfg    Config
	keys   *Keys
	ledger *Ledger
	mux    *http.ServeMux

	mu     sync.Mutex
	wires  map[payments.Channel]Wire
	faults Faults
	rng    *rand.Rand // draws Faults.FailPercent

	notifier *notifier
}

// New builds a gateway, loading or creating its keys in cfg.StateDir,
// loading the trades kept there and writing StateDir/sandbox.json. It
// registers the Alipay and WeChat Pay wires; Register adds or replaces
// others.
func New(cfg Config) (*Gateway, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.TimeScale <= 0 {
		cfg.TimeScale = 1
	}
	if cfg.ShopName == "" {
		cfg.ShopName = "qrtill demo shop"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second} // each delivery has its own, shorter deadline
	}
	if cfg.IsLoopback == nil {
		cfg.IsLoopback = netip.Addr.IsLoopback
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	keys := cfg.Keys
	var err error
	switch {
	case keys == nil && cfg.StateDir != "":
		keys, err = LoadOrCreateKeys(cfg.StateDir)
	case keys == nil:
		keys, err = GenerateKeys()
	case cfg.StateDir != "":
		err = keys.Save(cfg.StateDir)
	}
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, keys: keys, ledger: NewLedger(cfg.Clock), mux: http.NewServeMux(),
		wires: map[payments.Channel]Wire{}}
	if cfg.StateDir != "" {
		path, err := filepath.Abs(filepath.Join(cfg.StateDir, TradesFile))
		if err != nil {
			return nil, err
		}
		if err := g.ledger.persist(path, cfg.Log); err != nil {
			return nil, err
		}
	}
	g.notifier = newNotifier(g)
	g.ledger.onPaid = g.notifier.paid
	g.ledger.onRefund = g.notifier.refunded
	g.ledger.beforeClose = g.payBeforeClose
	g.ledger.finishOnPay = g.finishOnPay
	g.controlRoutes()
	g.walletRoutes()
	g.Register(NewAlipayWire(g))
	g.Register(NewWeChatWire(g))
	if cfg.StateDir != "" {
		if err := g.writeInfo(); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Register adds a channel's wire protocol.
func (g *Gateway) Register(w Wire) {
	g.mu.Lock()
	g.wires[w.Channel()] = w
	g.mu.Unlock()
	w.Routes(g.mux)
}

func (g *Gateway) wire(ch payments.Channel) Wire {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.wires[ch]
}

// Ledger is the gateway's trade book.
func (g *Gateway) Ledger() *Ledger { return g.ledger }

// Keys are the gateway's ids and keys.
func (g *Gateway) Keys() *Keys { return g.keys }

// Now is the gateway's clock.
func (g *Gateway) Now() time.Time { return g.cfg.Clock() }

// ServeHTTP serves every route.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// Close stops notification delivery and waits for it (a request already
// on the wire gets a short grace), and releases API requests hung by the
// timeout fault. It may be called more than once.
func (g *Gateway) Close() error {
	g.notifier.close()
	return nil
}

// QRContent is what a trade's QR encodes: the wallet page's URL.
func (g *Gateway) QRContent(outTradeNo string) string {
	return g.cfg.BaseURL + "/pay/" + outTradeNo
}

// Info is sandbox.json: everything a client needs to talk to the sandbox.
type Info struct {
	BaseURL string     `json:"base_url"`
	Alipay  AlipayInfo `json:"alipay"`
	WeChat  WeChatInfo `json:"wechat"`
}

// AlipayInfo is the Alipay part of sandbox.json.
type AlipayInfo struct {
	GatewayURL          string `json:"gateway_url"`
	AppID               string `json:"app_id"`
	SellerID            string `json:"seller_id"`
	AppPrivateKeyFile   string `json:"app_private_key_file"`
	AlipayPublicKeyFile string `json:"alipay_public_key_file"`
	// Certificate mode, for clients that use it instead of the public key.
	AppCertFile        string `json:"app_cert_file"`
	AlipayRootCertFile string `json:"alipay_root_cert_file"`
	AlipayCertFile     string `json:"alipay_cert_file"`
}

// WeChatInfo is the WeChat Pay part of sandbox.json.
type WeChatInfo struct {
	BaseURL        string `json:"base_url"`
	MchID          string `json:"mch_id"`
	AppID          string `json:"app_id"`
	SerialNo       string `json:"serial_no"`
	APIv3Key       string `json:"api_v3_key"`
	APIv3KeyFile   string `json:"api_v3_key_file"`
	PrivateKeyFile string `json:"private_key_file"`
	PublicKeyID    string `json:"public_key_id"`
	PublicKeyFile  string `json:"public_key_file"`
}

// Info returns the sandbox.json content.
func (g *Gateway) Info() Info {
	k := g.keys
	return Info{
		BaseURL: g.cfg.BaseURL,
		Alipay: AlipayInfo{GatewayURL: g.cfg.BaseURL + "/gateway.do", AppID: k.AlipayAppID, SellerID: k.AlipaySellerID,
			AppPrivateKeyFile: k.AlipayAppPrivateKeyFile, AlipayPublicKeyFile: k.AlipayPublicKeyFile,
			AppCertFile: k.AlipayAppCertFile, AlipayRootCertFile: k.AlipayRootCertFile, AlipayCertFile: k.AlipayCertPublicKeyFile},
		WeChat: WeChatInfo{BaseURL: g.cfg.BaseURL, MchID: k.WeChatMchID, AppID: k.WeChatAppID, SerialNo: k.WeChatSerialNo,
			APIv3Key: k.WeChatAPIv3Key, APIv3KeyFile: k.WeChatAPIv3KeyFile, PrivateKeyFile: k.WeChatPrivateKeyFile,
			PublicKeyID: k.WeChatPublicKeyID, PublicKeyFile: k.WeChatPublicKeyFile},
	}
}

// InfoFile is the name of the file New writes in the state dir.
const InfoFile = "sandbox.json"

func (g *Gateway) writeInfo() error {
	data, err := json.MarshalIndent(g.Info(), "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(g.cfg.StateDir, InfoFile)
	// Atomic, so a script polling for the file never reads half of it.
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// LoadInfo reads dir/sandbox.json.
func LoadInfo(dir string) (Info, error) {
	var info Info
	data, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		return info, fmt.Errorf("load sandbox info: %w", err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("load sandbox info %s: %w", filepath.Join(dir, InfoFile), err)
	}
	return info, nil
}

// writeJSON answers v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
