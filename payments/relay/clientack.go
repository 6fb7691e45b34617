package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// ackLoop posts acknowledgements until ctx ends, coalescing whatever is
// queued into one {"ids": […]} request. A failed ack is kept and sent
// again; if it is lost anyway, the relay resends the notification after
// the next reconnect and deliver acknowledges it without calling Handle.
func (c *Client) ackLoop(ctx context.Context) {
	var pending []uint64
	for {
		if len(pending) == 0 {
			select {
			case id := <-c.acks:
				pending = append(pending, id)
			case <-ctx.Done():
				return
			}
		}
	drain:
		for len(pending) < maxAckIDs {
			select {
			case id := <-c.acks:
				pending = append(pending, id)
			default:
				break drain
			}
		}
		retry, err := c.postAck(ctx, pending)
		if err == nil || !retry {
			if err != nil {
				c.cfg.Log.Warn(fmt.Sprintf("%v; dropped", err))
			}
			pending = pending[:0]
			continue
		}
		if ctx.Err() != nil {
			return
		}
		c.cfg.Log.Warn(fmt.Sprintf("%v; will retry", err))
		select {
		case <-c.cfg.Clock.After(c.cfg.Backoff.Min):
		case <-ctx.Done():
			return
		}
	}
}

// postAck sends one acknowledgement; retry says whether sending it again
// can help (network trouble, 5xx) or not (4xx).
func (c *Client) postAck(ctx context.Context, ids []uint64) (retry bool, err error) {
	body, err := json.Marshal(AckRequest{IDs: ids})
	if err != nil {
		return false, fmt.Errorf("encode ack: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+"/t/"+url.PathEscape(c.cfg.TillID)+"/ack", bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build ack: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return true, fmt.Errorf("ack %d ids: %w", len(ids), err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusOK:
		return false, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return true, fmt.Errorf("ack %d ids: relay answered %s", len(ids), resp.Status)
	default:
		return false, fmt.Errorf("ack %d ids: relay answered %s", len(ids), resp.Status)
	}
}

// idSet remembers the last n ids added.
type idSet struct {
	ring []uint64
	next int
	set  map[uint64]struct{}
}

func newIDSet(n int) *idSet {
	return &idSet{ring: make([]uint64, n), set: make(map[uint64]struct{}, n)}
}

func (s *idSet) has(id uint64) bool {
	_, ok := s.set[id]
	return ok
}

func (s *idSet) add(id uint64) {
	if s.has(id) {
		return
	}
	if old := s.ring[s.next]; old != 0 {
		delete(s.set, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.set[id] = struct{}{}
}
