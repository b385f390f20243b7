package etcd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/portalloc/ports/allocator"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var (
	// ErrUnavailable: the cluster did not answer within the client's
	// timeout (Options.Timeout), or refused for want of a leader or a
	// quorum. An *[OpError] carries the detail.
	ErrUnavailable = errors.New("etcd: cluster unavailable")
	// ErrLeaseLost: the lease of a [Session] expired or was revoked, and
	// every reservation bound to it is gone. A *[LeaseLostError] names them.
	ErrLeaseLost = errors.New("etcd: lease lost")
)

// OpError reports an operation that did not complete: the cluster did not
// answer (Err wraps ErrUnavailable) or the caller's context ended (Err is
// context.Canceled or context.DeadlineExceeded). Nothing is retried behind the
// caller's back: when Unknown is set, a change may have been applied all the
// same, and Client.Sync then Client.Lookup tell whether it was.
type OpError struct {
	// Op is the operation: "reserve", "allocate", "release", "sync" or
	// "session".
	Op string
	// Request is the reservation asked for or released, if any.
	Request allocator.Reservation
	// Unknown reports that the request reached the cluster and may have
	// been applied.
	Unknown bool
	// Err is the cause.
	Err error
}

// Error returns a message such as
//
//	etcd: reserve "api" 8080/tcp: outcome unknown: etcd: cluster unavailable (context deadline exceeded)
func (e *OpError) Error() string {
	var b strings.Builder
	b.WriteString("etcd: ")
	b.WriteString(e.Op)
	if e.Request != (allocator.Reservation{}) {
		b.WriteString(" ")
		b.WriteString(e.Request.String())
	}
	if e.Unknown {
		b.WriteString(": outcome unknown")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err.
func (e *OpError) Unwrap() error { return e.Err }

// LeaseLostError reports that the lease of a Session is gone, and with it
// the session's reservations: Lost lists those that the session held when
// it learned so (it holds nothing more). Its zero value names nothing; once
// returned it is not changed.
type LeaseLostError struct {
	// Lease is the etcd lease ID.
	Lease int64
	// Lost are the reservations that were bound to the lease, in the order
	// of ports.Endpoint.Compare.
	Lost []allocator.Reservation
	// Err is what told the session, if anything more than the end of the
	// keep-alives.
	Err error
}

// Error returns a message such as
//
//	etcd: lease 694d7f2c4a1e0b05 lost: 2 reservations gone: "api" 8080/tcp, "api" 8081/tcp
func (e *LeaseLostError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "etcd: lease %x lost", e.Lease)
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	switch len(e.Lost) {
	case 0:
		b.WriteString(": it held no reservations")
	case 1:
		b.WriteString(": 1 reservation gone: ")
	default:
		fmt.Fprintf(&b, ": %d reservations gone: ", len(e.Lost))
	}
	for i, r := range e.Lost {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// Unwrap returns ErrLeaseLost.
func (e *LeaseLostError) Unwrap() error { return ErrLeaseLost }

// opError turns the error of a call to etcd into an *OpError: the caller's
// context, if it ended; ErrUnavailable for a timeout of the operation's own
// context or a cluster without a leader or quorum; err itself otherwise.
func opError(ctx context.Context, op string, req allocator.Reservation, unknown bool, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return &OpError{Op: op, Request: req, Unknown: unknown, Err: cerr}
	}
	if isUnavailable(err) {
		return &OpError{Op: op, Request: req, Unknown: unknown, Err: fmt.Errorf("%w (%v)", ErrUnavailable, err)}
	}
	return &OpError{Op: op, Request: req, Unknown: unknown, Err: err}
}

func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true // the operation's own timeout: the caller's is checked first
	}
	switch {
	case errors.Is(err, rpctypes.ErrNoLeader), errors.Is(err, rpctypes.ErrTimeout),
		errors.Is(err, rpctypes.ErrTimeoutDueToLeaderFail), errors.Is(err, rpctypes.ErrTimeoutDueToConnectionLost),
		errors.Is(err, rpctypes.ErrLeaderChanged), errors.Is(err, rpctypes.ErrNotCapable),
		errors.Is(err, rpctypes.ErrStopped):
		return true
	}
	if strings.Contains(err.Error(), "raft: stopped") {
		return true // a member that is shutting down
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
			return true
		}
	}
	return false
}

// isLeaseNotFound reports whether etcd refused a write for its lease.
func isLeaseNotFound(err error) bool {
	return errors.Is(err, rpctypes.ErrLeaseNotFound) || errors.Is(err, rpctypes.ErrGRPCLeaseNotFound)
}
