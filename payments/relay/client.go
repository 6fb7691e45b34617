package relay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Delivered is one notification from the relay, rebuilt as the request
// the provider made (method, path, headers, exact body).
type Delivered struct {
	ID      uint64
	Channel string
	Request *http.Request
}

// ErrPermanent marks a notification the till refused for good (forged,
// for another merchant, not matching an order): it is acknowledged so
// the relay stops sending it. Wrap with Permanent.
var ErrPermanent = errors.New("notification refused for good")

// Permanent wraps err as a permanent refusal.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// ClientConfig configures the till's side of the relay.
type ClientConfig struct {
	URL    string // the relay's base URL
	TillID string
	Token  string
	// Handle verifies and applies one notification; nil means stored. A
	// Permanent error is acknowledged too; any other error is not, and the
	// notification comes again after a reconnect.
	Handle     func(ctx context.Context, d Delivered) error
	HTTPClient *http.Client
	MinBackoff time.Duration // default 500 ms
	MaxBackoff time.Duration // default 30 s
	Logf       func(format string, args ...any)
}

// Client keeps a stream open to the relay.
type Client struct {
	cfg       ClientConfig
	connected atomic.Bool
}

// NewClient builds a client.
func NewClient(cfg ClientConfig) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Client{cfg: cfg}
}

// Connected reports whether the stream is open now (notifications are up).
func (c *Client) Connected() bool { return c.connected.Load() }

// NotifyURL is the URL to hand a provider for a channel.
func (c *Client) NotifyURL(channel string) string {
	return c.cfg.URL + "/n/" + c.cfg.TillID + "/" + channel
}

// Run reads the stream until ctx ends, reconnecting with exponential
// backoff and jitter.
func (c *Client) Run(ctx context.Context) error {
	failures := 0
	for ctx.Err() == nil {
		got, err := c.once(ctx)
		c.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if got {
			failures = 0
		}
		failures++
		wait := c.cfg.MinBackoff << min(failures-1, 16)
		if wait > c.cfg.MaxBackoff {
			wait = c.cfg.MaxBackoff
		}
		wait = wait/2 + time.Duration(rand.Int64N(int64(wait/2)+1)) // jitter
		c.cfg.Logf("relay: stream ended (%v); reconnecting in %s", err, wait.Round(time.Millisecond))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	return nil
}

// once runs one connection; got reports whether it delivered anything.
func (c *Client) once(ctx context.Context) (got bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, c.cfg.URL+"/t/"+c.cfg.TillID+"/events", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("relay answered %s", resp.Status)
	}
	c.connected.Store(true)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var data bytes.Buffer
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "data: "):
			data.WriteString(strings.TrimPrefix(line, "data: "))
		case line == "" && data.Len() > 0:
			var rec Record
			if err := json.Unmarshal(data.Bytes(), &rec); err != nil {
				return got, fmt.Errorf("relay event: %w", err)
			}
			data.Reset()
			if err := c.deliver(ctx, rec); err != nil {
				return got, err // not acknowledged: it comes again on reconnect
			}
			got = true
		}
	}
	return got, sc.Err()
}

func (c *Client) deliver(ctx context.Context, rec Record) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/notify/"+rec.Channel, bytes.NewReader(rec.Body))
	if err != nil {
		return err
	}
	req.Header = rec.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.ContentLength = int64(len(rec.Body))
	herr := c.cfg.Handle(ctx, Delivered{ID: rec.ID, Channel: rec.Channel, Request: req})
	if herr != nil && !errors.Is(herr, ErrPermanent) {
		return fmt.Errorf("notification %d not stored: %w", rec.ID, herr)
	}
	if herr != nil {
		c.cfg.Logf("relay: notification %d refused for good: %v", rec.ID, herr)
	}
	return c.ack(ctx, rec.ID)
}

func (c *Client) ack(ctx context.Context, id uint64) error {
	body := `{"id":` + strconv.FormatUint(id, 10) + `}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+"/t/"+c.cfg.TillID+"/ack", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("ack %d: relay answered %s", id, resp.Status)
	}
	return nil
}
