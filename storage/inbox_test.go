package storage

import (
	"context"
	"testing"
)

func TestRecordNotification(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	for _, c := range []struct {
		channel, id string
		want        bool
	}{
		{"alipay", "2025030122001", true},
		{"alipay", "2025030122001", false}, // delivered again
		{"wechat", "2025030122001", true},  // same id, other channel
		{"alipay", "2025030122002", true},
		{"wechat", "2025030122001", false},
	} {
		got, err := db.RecordNotification(ctx, c.channel, c.id, at(1, 9, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("RecordNotification(%s, %s) = %v, want %v", c.channel, c.id, got, c.want)
		}
	}
	for _, bad := range [][2]string{{"", "x"}, {"alipay", ""}, {"ali/pay", "x"}} {
		if _, err := db.RecordNotification(ctx, bad[0], bad[1], at(1, 9, 0, 0)); err == nil {
			t.Errorf("RecordNotification(%q, %q) succeeded", bad[0], bad[1])
		}
	}
}
