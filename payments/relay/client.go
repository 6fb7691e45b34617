package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"qrtill/payments"
)

// Delivered is one relayed notification, handed to ClientConfig.Handle.
type Delivered struct {
	ID         uint64           // the relay's per-till id
	Channel    payments.Channel // alipay or wechat
	ReceivedAt time.Time        // when the relay took it from the provider
	Header     http.Header      // the provider's headers that matter
	Body       []byte           // the exact bytes the provider posted
	// Request is the provider's request rebuilt for the till's own
	// notification path: POST /notify/{channel} with Header and Body,
	// ready for notify.HandleNotification. Its body can be read once.
	Request *http.Request
}

// ErrPermanent marks a notification the till refused for good (forged,
// another merchant's, matching no order): it is acknowledged so the
// relay stops sending it. Return Permanent(err) from Handle.
var ErrPermanent = errors.New("notification refused for good")

// Permanent wraps err as a permanent refusal (errors.Is(…, ErrPermanent)).
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// Backoff bounds the wait between reconnects: Min after the first
// failure, doubling up to Max, each wait jittered to between half and
// all of it.
type Backoff struct {
	Min, Max time.Duration
}

// ClientConfig configures the till's side of the relay.
type ClientConfig struct {
	URL    string // the relay's base URL, e.g. https://relay.example.com
	TillID string // this till's id at the relay
	Token  string // this till's bearer token (never logged)
	// Handle verifies and applies one notification. nil means stored:
	// it is acknowledged. A Permanent error is acknowledged too, so a
	// forgery is not resent for ever. Any other error is transient: it
	// is not acknowledged, the stream is dropped and, after a backoff,
	// reopened, and the notification comes again.
	Handle func(ctx context.Context, d Delivered) error
	// HTTPClient makes the stream and ack requests; it must not have a
	// Timeout (the stream is endless). Nil is a client of its own.
	HTTPClient *http.Client
	// Log gets ids, channels and errors; never the token or bodies.
	Log *slog.Logger
	// Backoff between reconnects; zero fields default to 500 ms and 30 s.
	Backoff Backoff
	// IdleTimeout: with no byte from the relay (not even a heartbeat) for
	// this long the stream is taken as dead and reopened. Default 45 s,
	// three of the relay's default heartbeats.
	IdleTimeout time.Duration
	// Clock times the backoff; nil is the real clock.
	Clock Clock
}

// Client keeps the till's stream from the relay open and hands every
// notification to Handle, in order, acknowledging what Handle settled.
type Client struct {
	cfg       ClientConfig
	connected atomic.Bool
	acks      chan uint64
	done      *idSet // ids settled (and acked) in this run
}

// NewClient makes a Client; Run starts it.
func NewClient(cfg ClientConfig) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Backoff.Min <= 0 {
		cfg.Backoff.Min = 500 * time.Millisecond
	}
	if cfg.Backoff.Max < cfg.Backoff.Min {
		cfg.Backoff.Max = max(cfg.Backoff.Min, 30*time.Second)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 3 * DefaultHeartbeat
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Client{cfg: cfg, acks: make(chan uint64, 1024), done: newIDSet(4096)}
}

// Connected reports whether the stream is open right now. The till uses
// it to tell whether notifications are up, and polling can drop to a
// slow backstop.
func (c *Client) Connected() bool { return c.connected.Load() }

// NotifyURL is the relay URL to give a provider as notify_url for this
// till and channel ("alipay" or "wechat").
func (c *Client) NotifyURL(channel string) string {
	return c.cfg.URL + "/n/" + url.PathEscape(c.cfg.TillID) + "/" + channel
}

func (c *Client) validate() error {
	switch {
	case c.cfg.Handle == nil:
		return errors.New("relay client: Handle is nil")
	case c.cfg.TillID == "" || c.cfg.Token == "":
		return errors.New("relay client: a till id and a token are required")
	}
	u, err := url.Parse(c.cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("relay client: URL %q must be http(s)://host[:port]", c.cfg.URL)
	}
	return nil
}

// Run keeps the stream open until ctx ends, reconnecting with exponential
// backoff and jitter, and returns nil then. It returns an error at once
// only for a configuration it cannot use. Call it once.
func (c *Client) Run(ctx context.Context) error {
	if err := c.validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); c.ackLoop(ctx) }()
	defer func() { cancel(); <-ackDone }()

	failures := 0
	for {
		healthy, err := c.session(ctx)
		c.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			failures = 0
		}
		wait := c.backoff(failures)
		failures++
		c.cfg.Log.Warn(fmt.Sprintf("stream for till %s ended (%v); reconnecting in %s", c.cfg.TillID, err, wait.Round(time.Millisecond)))
		select {
		case <-c.cfg.Clock.After(wait):
		case <-ctx.Done():
			return nil
		}
	}
}

// backoff is the jittered wait after n consecutive failures.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.Backoff.Max
	if n < 32 {
		d = min(c.cfg.Backoff.Min<<n, c.cfg.Backoff.Max)
	}
	if d <= 0 { // overflow
		d = c.cfg.Backoff.Max
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// session runs one connection. healthy: it connected and did not end on
// a Handle failure (so the backoff starts over).
func (c *Client) session(ctx context.Context) (healthy bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, c.cfg.URL+"/t/"+url.PathEscape(c.cfg.TillID)+"/events", nil)
	if err != nil {
		return false, fmt.Errorf("build stream request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return false, fmt.Errorf("relay answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, fmt.Errorf("relay answered %q, not an event stream (a proxy in the way?)", mt)
	}
	c.connected.Store(true)
	c.cfg.Log.Info(fmt.Sprintf("stream for till %s open", c.cfg.TillID))

	var idle atomic.Bool
	timer := time.AfterFunc(c.cfg.IdleTimeout, func() { idle.Store(true); cancel() })
	defer timer.Stop()
	alive := func() { timer.Reset(c.cfg.IdleTimeout) }
	rd := newSSEReader(resp.Body)
	for {
		ev, err := rd.next(alive)
		if err != nil {
			if idle.Load() {
				return true, fmt.Errorf("nothing from the relay for %s", c.cfg.IdleTimeout)
			}
			return true, err
		}
		if ev.Event != "notification" {
			continue
		}
		var e Event
		if err := json.Unmarshal(ev.Data, &e); err != nil || e.ID == 0 {
			return true, fmt.Errorf("malformed event %q from the relay", ev.ID)
		}
		if err := c.deliver(ctx, e); err != nil {
			return false, err
		}
	}
}

// deliver hands one event to Handle and acknowledges it if Handle
// settled it (stored, or refused for good). Ids already settled in this
// run are acknowledged again without calling Handle.
func (c *Client) deliver(ctx context.Context, e Event) error {
	if !c.done.has(e.ID) {
		d := Delivered{ID: e.ID, Channel: e.Channel, ReceivedAt: e.ReceivedAt, Header: e.Header, Body: e.Body}
		if d.Header == nil {
			d.Header = http.Header{}
		}
		d.Request = c.rebuild(ctx, d)
		err := c.cfg.Handle(ctx, d)
		switch {
		case err == nil:
		case errors.Is(err, ErrPermanent):
			c.cfg.Log.Warn(fmt.Sprintf("%s notification %d (%d bytes) refused for good, acknowledged: %v", e.Channel, e.ID, len(e.Body), err))
		default:
			return fmt.Errorf("%s notification %d not settled, not acknowledged: %w", e.Channel, e.ID, err)
		}
		c.done.add(e.ID)
	}
	select {
	case c.acks <- e.ID:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rebuild makes the provider's request again, as the till's own
// notification listener would have received it.
func (c *Client) rebuild(ctx context.Context, d Delivered) *http.Request {
	path := "/notify/" + url.PathEscape(string(d.Channel))
	r := &http.Request{
		Method:        http.MethodPost,
		URL:           &url.URL{Path: path},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        d.Header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(d.Body)),
		ContentLength: int64(len(d.Body)),
		Host:          "relay",
		RemoteAddr:    "relay:0",
		RequestURI:    path,
	}
	return r.WithContext(ctx)
}
