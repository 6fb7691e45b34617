package bookapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"qrtill/pos"
	"qrtill/storage"
)

// DefaultAnswerTimeout is how long a Client waits for a till to start
// answering (a till that took the connection but hangs).
const DefaultAnswerTimeout = 30 * time.Second

// Client asks a running till through its socket.
type Client struct {
	path string
	hc   *http.Client
}

var _ Reader = (*Client)(nil)

// NewClient asks the till serving the socket at path.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		ResponseHeaderTimeout: DefaultAnswerTimeout,
	}
	return &Client{path: path, hc: &http.Client{Transport: tr}}
}

// Close drops the idle connection.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Ping checks that a till answers: ErrNoServer when none does.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, http.MethodGet, "/v1/ping", nil, &struct{}{})
}

// Orders asks for a day's (or all) orders.
func (c *Client) Orders(ctx context.Context, q Query) (Listing, error) {
	v := url.Values{}
	if q.Day != "" {
		v.Set("day", q.Day)
	}
	if q.All {
		v.Set("all", "1")
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	var l Listing
	err := c.call(ctx, http.MethodGet, "/v1/orders?"+v.Encode(), nil, &l)
	return l, err
}

// Report asks for a day's report.
func (c *Client) Report(ctx context.Context, day string) (pos.DayReport, error) {
	var rep pos.DayReport
	err := c.call(ctx, http.MethodGet, "/v1/report?"+url.Values{"day": {day}}.Encode(), nil, &rep)
	return rep, err
}

// Backup asks the till to write a copy of the book to path (made
// absolute here, as the till runs elsewhere).
func (c *Client) Backup(ctx context.Context, path string) (int64, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("back up to %s: %w", path, err)
	}
	var ans backupAnswer
	err = c.call(ctx, http.MethodPost, "/v1/backup", backupRequest{Path: abs}, &ans)
	return ans.Bytes, err
}

// call makes one request and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("ask the till: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://qrtill"+path, body)
	if err != nil {
		return fmt.Errorf("ask the till: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return fmt.Errorf("ask the till on %s: %w", c.path, ErrNoServer)
		}
		return fmt.Errorf("ask the till on %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
			return fmt.Errorf("ask the till on %s: %s", c.path, resp.Status)
		}
		return &RemoteError{Msg: e.Error, Kind: e.Kind}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read the till's answer: %w", err)
	}
	return nil
}

// RemoteError is the till's own sentence for a question it could not
// answer. It matches ErrBadQuery, storage.ErrBadBackupPath or
// storage.ErrDamaged as the till's error did.
type RemoteError struct {
	Msg  string
	Kind string
}

func (e *RemoteError) Error() string { return e.Msg }

// Unwrap gives the sentinel of the error's kind.
func (e *RemoteError) Unwrap() error {
	switch e.Kind {
	case kindBadQuery:
		return ErrBadQuery
	case kindBadPath:
		return storage.ErrBadBackupPath
	case kindDamaged:
		return storage.ErrDamaged
	}
	return nil
}
