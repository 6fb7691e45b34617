package printer

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"time"
)

// DefaultTimeout bounds a job (connect, status answer, write) when its
// context has no deadline of its own.
const DefaultTimeout = 5 * time.Second

// TCP prints on a network printer's raw port (tcp://HOST:9100). Before
// sending a job it asks the printer's status with DLE EOT, so a printer
// that is out of paper or has its cover open is reported instead of
// swallowing the receipt, and one that takes the connection but does
// not answer is found out within the deadline; after the job it asks
// again, which confirms the printer read the job to its end.
type TCP struct {
	Addr string // HOST:PORT
}

// String implements Transport.
func (t *TCP) String() string { return t.Addr }

// Print implements Transport.
func (t *TCP) Print(ctx context.Context, job []byte) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	conn, err := t.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := t.ready(conn); err != nil {
		return err
	}
	if _, err := conn.Write(job); err != nil {
		return fault(t.Addr, "send the job", ErrUnreachable, err)
	}
	return t.ready(conn)
}

// Status implements Transport.
func (t *TCP) Status(ctx context.Context) (Status, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	conn, err := t.dial(ctx)
	if err != nil {
		return Status{}, err
	}
	defer conn.Close()
	return t.status(conn)
}

// dial connects within the context's deadline and gives the connection
// that deadline for everything after; cancelling ctx ends the connection.
func (t *TCP) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, fault(t.Addr, "connect", ErrUnreachable, err)
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, fault(t.Addr, "connect", ErrUnreachable, err)
	}
	context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return conn, nil
}

// ready asks the status and turns a printer that cannot print into its
// fault.
func (t *TCP) ready(conn net.Conn) error {
	st, err := t.status(conn)
	if err != nil {
		return err
	}
	if err := st.Err(); err != nil {
		return fault(t.Addr, "check the status", err, nil)
	}
	return nil
}

// status sends DLE EOT 1, 2, 4 and reads the three answers.
func (t *TCP) status(conn net.Conn) (Status, error) {
	if _, err := conn.Write(statusQuery()); err != nil {
		return Status{}, fault(t.Addr, "ask the status", ErrUnreachable, err)
	}
	var answer [3]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = errNoAnswer
		}
		return Status{}, fault(t.Addr, "read the status", ErrUnreachable, err)
	}
	st, err := ParseStatus(answer)
	if err != nil {
		return Status{}, fault(t.Addr, "read the status", ErrUnreachable, err)
	}
	return st, nil
}

var errNoAnswer = errors.New("no answer before the deadline")

// withDeadline gives ctx DefaultTimeout when it has no deadline.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}
