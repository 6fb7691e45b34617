package pos_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"qrtill/payments"
	"qrtill/pos"
)

// fullDisk is an order book whose writes fail while full is set, as
// bbolt's do on a full disk.
type fullDisk struct {
	pos.Store
	full atomic.Bool
}

func (d *fullDisk) UpdateOrder(ctx context.Context, number string, fn func(o *pos.Order) ([]pos.Event, error)) (pos.Order, error) {
	if d.full.Load() {
		// bbolt runs fn, then its commit fails.
		if o, err := d.Store.Order(ctx, number); err == nil {
			if _, err := fn(&o); err != nil {
				return pos.Order{}, err
			}
		}
		return pos.Order{}, fmt.Errorf("update order %s: write orders.db: %w", number, syscall.ENOSPC)
	}
	return d.Store.UpdateOrder(ctx, number, fn)
}

// The buyer pays while the disk is full: the till cannot record it, and
// says so at once and for as long as it lasts; once the disk takes
// writes again the payment is booked and the till says writes are back.
func TestDiskFullIsSaid(t *testing.T) {
	var disk *fullDisk
	r := newRig(t, func(c *pos.TillConfig) {
		disk = &fullDisk{Store: c.Store}
		c.Store = disk
	})
	updates, stop := r.till.Subscribe()
	defer stop()
	o := r.checkout()
	o, err := r.till.Pay(context.Background(), o.Number, payments.Alipay)
	if err != nil {
		t.Fatal(err)
	}
	disk.full.Store(true)
	if err := r.alipay.pay(lastAttempt(o).OutTradeNo); err != nil {
		t.Fatal(err)
	}
	save := func(ok bool) *pos.SaveStatus {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case u := <-updates:
				if u.Save != nil && u.Save.OK == ok {
					return u.Save
				}
			case <-deadline:
				t.Fatalf("no broadcast that saving is OK=%v", ok)
			}
		}
	}
	failed := save(false)
	if failed.Err == nil || r.till.Saving().OK {
		t.Fatalf("failure %+v, Saving %+v", failed, r.till.Saving())
	}
	disk.full.Store(false)
	save(true)
	r.waitFor(o.Number, "paid once the disk takes writes", status(pos.OrderPaid))
	if !r.till.Saving().OK {
		t.Fatal("Saving still says failing")
	}
}
