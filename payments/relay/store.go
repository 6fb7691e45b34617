// Package relay carries payment notifications to a till behind NAT.
//
// The relay server runs on a public host: POST /n/{till}/alipay and
// /n/{till}/wechat keep the raw request (the headers that matter and the
// exact body bytes) durably in the relay's own bbolt file, synced, and only
// then answer the provider the way it expects. The till connects out and
// reads GET /t/{till}/events, a Server-Sent Events stream, with a bearer
// token; it acknowledges each notification by id with POST /t/{till}/ack
// once it has stored the result, and on every reconnect the stream starts
// again after the last acknowledged id, so nothing is lost and nothing is
// skipped.
//
// SSE rather than WebSocket: it is plain HTTP (proxies and load balancers
// pass it), the standard library serves and reads it, its "id:" field is
// exactly the resume point, and the till only needs one-way push; acks are
// small POSTs. The relay is not trusted: the till verifies every
// notification itself, as if it had come directly.
package relay

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Record is one stored notification.
type Record struct {
	ID         uint64      `json:"id"`
	Till       string      `json:"-"`
	Channel    string      `json:"channel"`
	ReceivedAt time.Time   `json:"received_at"`
	Header     http.Header `json:"header"`
	Body       []byte      `json:"body"` // exact bytes (base64 in JSON)
}

var bucketAcked = []byte("acked") // till → last acknowledged id (uint64 BE)

func tillBucket(till string) []byte { return []byte("till/" + till) }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// store is the relay's durable queue.
type store struct{ db *bolt.DB }

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("relay data %s: %w", dir, err)
	}
	db, err := bolt.Open(filepath.Join(dir, "relay.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("open relay store in %s: %w", dir, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketAcked)
		return err
	}); err != nil {
		db.Close()
		return nil, err
	}
	return &store{db: db}, nil
}

// add stores a notification durably (group-committed with other writers
// by bbolt's Batch) and returns it with its id.
func (s *store) add(r Record) (Record, error) {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(tillBucket(r.Till))
		if err != nil {
			return err
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.ID = id
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(u64(id), v)
	})
	return r, err
}

// after returns up to limit records of a till with id > from, in order.
func (s *store) after(till string, from uint64, limit int) ([]Record, error) {
	var out []Record
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(tillBucket(till))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64(from + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			r.Till = till
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// acked returns the last acknowledged id of a till.
func (s *store) acked(till string) (uint64, error) {
	var id uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketAcked).Get([]byte(till)); len(v) == 8 {
			id = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return id, err
}

// ack records that a till has everything up to id; acknowledged records
// are deleted (the till keeps its own inbox).
func (s *store) ack(till string, id uint64) error {
	return s.db.Batch(func(tx *bolt.Tx) error {
		acked := tx.Bucket(bucketAcked)
		if v := acked.Get([]byte(till)); len(v) == 8 && binary.BigEndian.Uint64(v) >= id {
			return nil
		}
		b := tx.Bucket(tillBucket(till))
		if b == nil {
			return errors.New("no such stream")
		}
		if id > b.Sequence() {
			return fmt.Errorf("ack %d is beyond the last id %d", id, b.Sequence())
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= id; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return acked.Put([]byte(till), u64(id))
	})
}

// backlog counts a till's unacknowledged records.
func (s *store) backlog(till string) int {
	n := 0
	s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(tillBucket(till)); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n
}

// pruneOlderThan drops unacknowledged records received before cutoff
// (the retention window), so a till that never returns cannot fill the disk.
func (s *store) pruneOlderThan(cutoff time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if string(name) == string(bucketAcked) {
				return nil
			}
			var old [][]byte
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				var r Record
				if json.Unmarshal(v, &r) == nil && r.ReceivedAt.After(cutoff) {
					break
				}
				old = append(old, append([]byte(nil), k...))
			}
			for _, k := range old {
				if err := b.Delete(k); err != nil {
					return err
				}
				n++
			}
			return nil
		})
	})
	return n, err
}

func (s *store) close() error { return s.db.Close() }
