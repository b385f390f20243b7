package etcd

// A Session is an etcd lease that the client keeps alive, and the set of
// reservations bound to it. The keep-alive channel of clientv3 closes when
// the lease expires or is revoked, or when no keep-alive got an answer for a
// whole TTL (the client was cut off); the session then counts its lease as
// lost, revokes it (in case the cluster still holds it: nothing must
// outlive what the session reports as gone), and reports every reservation
// it held in a *LeaseLostError. In the cluster the lease's keys, records and
// marks, go in the one deletion that ends the lease: no repair loop.

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Session holds reservations bound to an etcd lease that it keeps alive: when
// the process holding it dies, or is cut off from the cluster for longer than
// the lease's TTL, etcd deletes them, and every client's mirror frees their
// ports. Reservations made through the Client itself are not bound to any
// lease and stay until released.
//
// A port of a dead holder is free again in every mirror within the TTL plus
// 2 s while the leader stays (etcd looks for expired leases every 500 ms);
// a change of leader renews every lease once, which adds up to the TTL and
// an election timeout.
//
// Once the lease is lost, the session's methods return a *LeaseLostError that
// lists the reservations that went with it, and Done is closed. A Session is
// safe for concurrent use by multiple goroutines.
type Session struct {
	c     *Client
	lease clientv3.LeaseID
	ttl   time.Duration

	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	held   map[ports.Endpoint]allocator.Reservation
	lost   *LeaseLostError
	closed bool
}

// NewSession grants a lease of the given TTL (rounded up to whole seconds,
// and raised by etcd to its minimum if shorter) and keeps it alive until
// Session.Close or until it is lost.
func (c *Client) NewSession(ctx context.Context, ttl time.Duration) (*Session, error) {
	secs := int64((ttl + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	octx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	g, err := c.cli.Grant(octx, secs)
	if err != nil {
		return nil, opError(ctx, "session", allocator.Reservation{}, true, err)
	}
	kctx, kcancel := context.WithCancel(context.Background())
	ka, err := c.cli.KeepAlive(kctx, g.ID)
	if err != nil {
		kcancel()
		return nil, opError(ctx, "session", allocator.Reservation{}, true, err)
	}
	s := &Session{
		c:      c,
		lease:  g.ID,
		ttl:    time.Duration(g.TTL) * time.Second,
		cancel: kcancel,
		done:   make(chan struct{}),
		held:   make(map[ports.Endpoint]allocator.Reservation),
	}
	go s.keepAlive(ka)
	return s, nil
}

func (s *Session) keepAlive(ka <-chan *clientv3.LeaseKeepAliveResponse) {
	for resp := range ka {
		_ = resp
	}
	s.lose(nil)
}

// lose marks the lease lost, once, unless the session was closed.
func (s *Session) lose(cause error) *LeaseLostError {
	s.mu.Lock()
	if s.lost != nil || s.closed {
		l := s.lost
		s.mu.Unlock()
		return l
	}
	lost := make([]allocator.Reservation, 0, len(s.held))
	for _, r := range s.held {
		lost = append(lost, r)
	}
	slices.SortFunc(lost, func(a, b allocator.Reservation) int { return a.Endpoint.Compare(b.Endpoint) })
	s.lost = &LeaseLostError{Lease: int64(s.lease), Lost: lost, Err: cause}
	clear(s.held)
	s.mu.Unlock()
	s.cancel()
	close(s.done)
	// The cluster may still hold the lease if only this client was cut off:
	// revoke it, best effort, so that nothing outlives what is reported
	// lost. If the cluster cannot be reached, its TTL ends it.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.c.timeout)
		defer cancel()
		_, _ = s.c.cli.Revoke(ctx, s.lease)
	}()
	return s.lost
}

// Lease returns the etcd lease ID.
func (s *Session) Lease() int64 { return int64(s.lease) }

// TTL returns the lease's TTL as etcd granted it.
func (s *Session) TTL() time.Duration { return s.ttl }

// Done returns a channel closed when the lease is lost or the session closed.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns the *LeaseLostError once the lease is lost, and nil before.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		return nil
	}
	return s.lost
}

// Held returns the reservations bound to the session, in the order of
// ports.Endpoint.Compare.
func (s *Session) Held() []allocator.Reservation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]allocator.Reservation, 0, len(s.held))
	for _, r := range s.held {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b allocator.Reservation) int { return a.Endpoint.Compare(b.Endpoint) })
	return out
}

// check returns the error of a lost or closed session.
func (s *Session) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost != nil {
		return s.lost
	}
	if s.closed {
		return errors.New("etcd: session closed")
	}
	return nil
}

// record records the outcome of a change bound to the lease.
func (s *Session) record(r allocator.Reservation, err error) (allocator.Reservation, error) {
	if errors.Is(err, errLeaseNotFound) {
		return allocator.Reservation{}, s.lose(err)
	}
	if err != nil {
		return allocator.Reservation{}, err
	}
	s.mu.Lock()
	if s.lost != nil {
		// Lost while the transaction ran: the reservation went with it.
		// Errors already returned stay as they were.
		l := &LeaseLostError{Lease: s.lost.Lease, Lost: append(slices.Clone(s.lost.Lost), r), Err: s.lost.Err}
		slices.SortFunc(l.Lost, func(a, b allocator.Reservation) int { return a.Endpoint.Compare(b.Endpoint) })
		s.lost = l
		s.mu.Unlock()
		return allocator.Reservation{}, l
	}
	s.held[r.Endpoint] = r
	s.mu.Unlock()
	return r, nil
}

// Reserve holds exactly e for owner, bound to the session's lease, as
// Client.Reserve does.
func (s *Session) Reserve(ctx context.Context, owner string, e ports.Endpoint) (allocator.Reservation, error) {
	if err := s.check(); err != nil {
		return allocator.Reservation{}, err
	}
	return s.record(s.c.reserve(ctx, "reserve", owner, e, s.lease))
}

// Allocate reserves a free run of k ports of proto within the range, on every
// address, bound to the session's lease, as Client.Allocate does.
func (s *Session) Allocate(ctx context.Context, owner string, proto ports.Protocol, k int, within ports.Range) (allocator.Reservation, error) {
	return s.AllocateIn(ctx, owner, ports.EndpointAnyAddr(proto, within), k)
}

// AllocateIn reserves a free run of k ports within the endpoint, bound to the
// session's lease, as Client.AllocateIn does.
func (s *Session) AllocateIn(ctx context.Context, owner string, within ports.Endpoint, k int) (allocator.Reservation, error) {
	if err := s.check(); err != nil {
		return allocator.Reservation{}, err
	}
	return s.record(s.c.allocate(ctx, owner, within, k, s.lease))
}

// Release gives up the reservation of exactly e, as Client.Release does,
// and drops it from the session.
func (s *Session) Release(ctx context.Context, e ports.Endpoint) (allocator.Reservation, bool, error) {
	if err := s.check(); err != nil {
		return allocator.Reservation{}, false, err
	}
	r, ok, err := s.c.Release(ctx, e)
	if err == nil {
		s.mu.Lock()
		delete(s.held, e)
		s.mu.Unlock()
	}
	return r, ok, err
}

// Close revokes the lease, which releases every reservation of the session
// in one deletion, and stops keeping it alive. Closing a lost session
// returns its *LeaseLostError.
func (s *Session) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.lost != nil {
		l := s.lost
		s.mu.Unlock()
		return l
	}
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	octx, cancel := context.WithTimeout(ctx, s.c.timeout)
	defer cancel()
	resp, err := s.c.cli.Revoke(octx, s.lease)
	s.cancel()
	close(s.done)
	if err != nil {
		return opError(ctx, "session", allocator.Reservation{}, true, err)
	}
	s.mu.Lock()
	clear(s.held)
	s.mu.Unlock()
	_ = s.c.waitRev(octx, resp.Header.Revision, true)
	return nil
}
