package relay

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"qrtill/payments"
)

// Event is one stored notification as the stream carries it: the JSON of
// an SSE "data:" line.
type Event struct {
	ID         uint64           `json:"id"`          // per-till sequence, from 1
	Channel    payments.Channel `json:"channel"`     // alipay or wechat
	ReceivedAt time.Time        `json:"received_at"` // when the relay took it
	Header     http.Header      `json:"header"`      // the headers that matter (keptHeaders)
	Body       []byte           `json:"body"`        // the exact bytes posted; base64 in JSON
}

// keptHeaders are the request headers a till needs to verify a
// notification; nothing else of the provider's request is kept.
var keptHeaders = []string{
	"Content-Type",
	"Wechatpay-Serial",
	"Wechatpay-Signature",
	"Wechatpay-Timestamp",
	"Wechatpay-Nonce",
	"Wechatpay-Signature-Type",
	"Request-Id",
	"User-Agent",
}

// keepHeaders copies the kept headers of h.
func keepHeaders(h http.Header) http.Header {
	out := make(http.Header, len(keptHeaders))
	for _, k := range keptHeaders {
		if v := h.Values(k); len(v) > 0 {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// eventMeta is the small JSON part of a stored value.
type eventMeta struct {
	Channel payments.Channel `json:"c"`
	Header  http.Header      `json:"h"`
}

// A stored value is: received_at (unix ns, int64 BE) | len(meta) (uint16
// BE) | meta JSON | the exact body. The body is never re-encoded, and
// pruning reads only the first 8 bytes.
const valueHead = 8 + 2

func encodeEvent(e Event) ([]byte, error) {
	meta, err := json.Marshal(eventMeta{Channel: e.Channel, Header: e.Header})
	if err != nil {
		return nil, fmt.Errorf("encode notification: %w", err)
	}
	if len(meta) > math.MaxUint16 {
		return nil, errors.New("encode notification: headers too large")
	}
	v := make([]byte, valueHead, valueHead+len(meta)+len(e.Body))
	binary.BigEndian.PutUint64(v, uint64(e.ReceivedAt.UnixNano()))
	binary.BigEndian.PutUint16(v[8:], uint16(len(meta)))
	v = append(v, meta...)
	return append(v, e.Body...), nil
}

// decodeEvent copies a stored value out of its transaction.
func decodeEvent(id uint64, v []byte) (Event, error) {
	if len(v) < valueHead {
		return Event{}, fmt.Errorf("decode notification %d: short value", id)
	}
	n := int(binary.BigEndian.Uint16(v[8:]))
	if len(v) < valueHead+n {
		return Event{}, fmt.Errorf("decode notification %d: short value", id)
	}
	var m eventMeta
	if err := json.Unmarshal(v[valueHead:valueHead+n], &m); err != nil {
		return Event{}, fmt.Errorf("decode notification %d: %w", id, err)
	}
	return Event{
		ID:         id,
		Channel:    m.Channel,
		ReceivedAt: receivedAt(v),
		Header:     m.Header,
		Body:       append([]byte{}, v[valueHead+n:]...),
	}, nil
}

func receivedAt(v []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
}

func u64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
