package etcd

// The client and its mirror.
//
// A Client loads the records under its prefix with one read at revision R,
// fills an allocator.Allocator with them, and watches the records from R+1
// on a watch stream of its own (etcd's protocol, read in one goroutine).
// The watcher applies each event to the mirror in revision order (a put of
// a record reserves, its delete releases; the other marks it sees change
// nothing) and then advances the mirror's revision to that of the
// response's last event, or to the response's own if it is a progress
// report; waiters on a revision (a change of this client, Sync) are woken
// then. A watch that fails (compaction, a closed stream) is started again
// from a fresh read, which replaces the mirror whole. Queries read the
// mirror through an atomic pointer and never wait for etcd.
//
// Changes go to etcd first, as one transaction each (see keys.go), and
// reach the mirror through the watch like anyone else's; a change returns
// once the mirror has seen it, so a client reads its own writes.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// DefaultPrefix is the key prefix of a Client whose Options leave it empty.
const DefaultPrefix = "/ports/"

// DefaultTimeout bounds each call to etcd of a Client whose Options leave
// Timeout zero.
const DefaultTimeout = 5 * time.Second

// maxAttempts bounds the proposals that one allocation tries: each refused
// one waits until the mirror sees its holder, so that the next differs; only
// a mirror that cannot catch up, or a crowd of clients taking every run
// first, exhausts them.
const maxAttempts = 64

// maxOwner is the longest owner name accepted, in bytes.
const maxOwner = 4096

// Options configure a Client. The zero Options are usable: DefaultPrefix,
// DefaultTimeout and the zero allocator.Policy.
type Options struct {
	// Prefix is the etcd key prefix under which the reservations live;
	// clients that share it share the reservations. It should end in "/".
	Prefix string
	// Policy is the policy of the mirror: what Allocate and Suggest avoid
	// and the order in which they try free runs. Clients of one prefix
	// may have different policies. With the Random order, give each client
	// its own Seed or Source, or they will all propose the same ports.
	// NextFit goes round from this client's own last allocation.
	Policy allocator.Policy
	// Timeout bounds each call to etcd; past it the operation fails with
	// ErrUnavailable. Zero means DefaultTimeout.
	Timeout time.Duration
}

// Client is the allocator over one etcd key prefix, shared by every client of
// that prefix on any machine. Its changes (Reserve, Allocate, Release) are
// transactions that etcd orders: linearizable. Its queries (Lookup, Holders,
// Overlapping, Suggest, Snapshot) read the local mirror, an
// allocator.Allocator kept current by a watch, at in-memory speed; they may
// lag the cluster by the watch's delay (a client sees its own changes at
// once), and Sync brings them up to date.
//
// A Client is safe for concurrent use by multiple goroutines.
type Client struct {
	cli     *clientv3.Client
	kv      pb.KVClient // cli's KV service, for transactions built here
	keys    layout
	policy  allocator.Policy
	timeout time.Duration

	mirror atomic.Pointer[allocator.Allocator]

	mu      sync.Mutex // guards what follows, and changes to the mirror
	rev     int64      // the revision the mirror reflects
	advance chan struct{}
	err     error    // why the mirror stopped, once it has
	nextFit []cursor // NextFit positions of this client

	cancel context.CancelFunc
	wctx   context.Context // the watch's context
	done   chan struct{}

	streamMu sync.Mutex           // guards stream, and sends on it
	stream   pb.Watch_WatchClient // the mirror's watch stream, while it runs

	// Counts for the benchmarks: the transactions that allocations
	// proposed, those refused, and the progress requests of waits.
	proposals, refused, progress atomic.Int64
}

type cursor struct {
	proto ports.Protocol
	r     ports.Range
	next  ports.Port
}

// New returns a client of the reservations under opts.Prefix of the cluster
// that cli talks to. It reads them all, then watches them until Close. The
// caller keeps ownership of cli and closes it after the Client.
func New(ctx context.Context, cli *clientv3.Client, opts Options) (*Client, error) {
	if cli == nil {
		return nil, errors.New("etcd: New: nil *clientv3.Client")
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	pol := opts.Policy
	if pol.Order == allocator.NextFit {
		pol.Order = allocator.FirstFit // the client goes round itself
	}
	c := &Client{
		cli:     cli,
		kv:      clientv3.RetryKVClient(cli),
		keys:    layout{prefix: opts.Prefix},
		policy:  opts.Policy,
		timeout: opts.Timeout,
		advance: make(chan struct{}),
		done:    make(chan struct{}),
	}
	a, rev, err := c.load(ctx, pol)
	if err != nil {
		return nil, err
	}
	c.mirror.Store(a)
	c.rev = rev
	c.wctx, c.cancel = context.WithCancel(clientv3.WithRequireLeader(context.Background()))
	go c.watch(pol, rev)
	return c, nil
}

// load reads every record into a new allocator and returns it with the
// revision of the read.
func (c *Client) load(ctx context.Context, pol allocator.Policy) (*allocator.Allocator, int64, error) {
	octx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.cli.Get(octx, c.keys.records(), clientv3.WithPrefix())
	if err != nil {
		return nil, 0, opError(ctx, "load", allocator.Reservation{}, false, err)
	}
	a := allocator.New(pol)
	for _, kv := range resp.Kvs {
		if err := c.apply(a, kv.Key, kv.Value); err != nil {
			return nil, 0, err
		}
	}
	return a, resp.Header.Revision, nil
}

// apply reserves the record of a put in a; the other marks of group "all"
// change nothing.
func (c *Client) apply(a *allocator.Allocator, key, value []byte) error {
	e, rec, err := c.keys.parseRecord(string(key))
	if err != nil {
		return fmt.Errorf("etcd: mirror: %v", err)
	}
	if !rec {
		return nil
	}
	owner, err := recordOwner(value)
	if err != nil {
		return fmt.Errorf("etcd: mirror: record %q: %v", key, err)
	}
	if _, err := a.Reserve(owner, e); err != nil {
		return fmt.Errorf("etcd: mirror: record %q: %w", key, err)
	}
	return nil
}

// recordOwner reads the owner from the value of a record: its bytes, which
// must make an owner that checkRequest accepts.
func recordOwner(value []byte) (string, error) {
	switch {
	case len(value) == 0:
		return "", errors.New("empty owner")
	case len(value) > maxOwner:
		return "", fmt.Errorf("owner of %d bytes, longer than %d", len(value), maxOwner)
	case !utf8.Valid(value):
		return "", fmt.Errorf("owner %q is not UTF-8", value)
	}
	return string(value), nil
}

// watch keeps the mirror current until Close.
func (c *Client) watch(pol allocator.Policy, rev int64) {
	defer close(c.done)
	for c.wctx.Err() == nil {
		rev = c.follow(rev)
		if c.wctx.Err() != nil {
			return
		}
		// The watch ended: read everything again and go on from there.
		for c.wctx.Err() == nil {
			a, r, err := c.load(c.wctx, pol)
			if err == nil {
				c.mu.Lock()
				c.mirror.Store(a)
				c.err = nil
				if r > c.rev {
					c.rev = r
					close(c.advance)
					c.advance = make(chan struct{})
				}
				rev = c.rev
				c.mu.Unlock()
				break
			}
			select {
			case <-c.wctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// follow applies the changes of the records after revision rev to the
// mirror, from one watch stream of etcd's protocol, until the stream ends,
// and returns the revision that the mirror then reflects. (clientv3's
// Watch would hand each response on through three goroutines of its own;
// this one stream, read here, is all a mirror needs.)
func (c *Client) follow(rev int64) int64 {
	ctx, cancel := context.WithCancel(c.wctx)
	defer cancel()
	ws, err := pb.NewWatchClient(c.cli.ActiveConnection()).Watch(ctx, grpc.WaitForReady(true), grpc.MaxCallRecvMsgSize(math.MaxInt32))
	if err != nil {
		return rev
	}
	prefix := c.keys.records()
	create := &pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{CreateRequest: &pb.WatchCreateRequest{
		Key:            []byte(prefix),
		RangeEnd:       []byte(clientv3.GetPrefixRangeEnd(prefix)),
		StartRevision:  rev + 1,
		ProgressNotify: true,
	}}}
	if err := ws.Send(create); err != nil {
		return rev
	}
	c.streamMu.Lock()
	c.stream = ws
	c.streamMu.Unlock()
	defer func() {
		c.streamMu.Lock()
		c.stream = nil
		c.streamMu.Unlock()
	}()
	for {
		resp, err := ws.Recv()
		if err != nil || resp.Canceled || resp.CompactRevision != 0 {
			return rev
		}
		if resp.Created {
			// Its revision is etcd's at the watch's start, which the
			// events from rev+1 may not have reached yet.
			continue
		}
		rev = c.applyResponse(resp)
	}
}

// applyResponse applies the events of a watch response to the mirror and
// advances its revision, which it returns.
func (c *Client) applyResponse(resp *pb.WatchResponse) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.mirror.Load()
	for _, ev := range resp.Events {
		var err error
		switch ev.Type {
		case mvccpb.PUT:
			err = c.apply(a, ev.Kv.Key, ev.Kv.Value)
		case mvccpb.DELETE:
			var e ports.Endpoint
			var rec bool
			if e, rec, err = c.keys.parseRecord(string(ev.Kv.Key)); err == nil && rec {
				a.Release(e)
			}
		}
		if err != nil && c.err == nil {
			c.err = err
		}
	}
	// A response with events reflects the revision of its last one:
	// etcd gives a batch that catches up on many revisions its own
	// current revision, though more may follow. One without events
	// is a progress report, of every revision up to its own.
	r := resp.Header.GetRevision()
	if n := len(resp.Events); n > 0 {
		r = resp.Events[n-1].Kv.ModRevision
	}
	if r > c.rev {
		c.rev = r
		close(c.advance)
		c.advance = make(chan struct{})
	}
	return c.rev
}

// requestProgress asks etcd, on the mirror's watch stream, to report the
// revision that the watch has reached.
func (c *Client) requestProgress() {
	c.streamMu.Lock()
	defer c.streamMu.Unlock()
	if c.stream != nil {
		_ = c.stream.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_ProgressRequest{ProgressRequest: &pb.WatchProgressRequest{}}})
	}
}

// Close stops the watch. It does not release anything, nor close the
// *clientv3.Client given to New.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	return nil
}

// Revision returns the etcd revision that the mirror reflects.
func (c *Client) Revision() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rev
}

// waitRev waits until the mirror reflects revision rev. With ask, it asks
// etcd for progress every 50 ms while it waits, so that a revision made by
// changes outside the prefix, which the watch does not see, does not hold it
// up; the wait for a change of this client's own under the prefix needs
// no asking, since the watch delivers that change itself.
func (c *Client) waitRev(ctx context.Context, rev int64, ask bool) error {
	var tickC <-chan time.Time // nil, which never fires, unless asking
	for {
		c.mu.Lock()
		cur, ch, err := c.rev, c.advance, c.err
		c.mu.Unlock()
		if err != nil {
			return err
		}
		if cur >= rev {
			return nil
		}
		if ask && tickC == nil {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			tickC = tick.C
		}
		select {
		case <-ch:
		case <-tickC:
			c.progress.Add(1)
			c.requestProgress()
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return errors.New("etcd: client closed")
		}
	}
}

// Sync waits until the mirror reflects every change that etcd had applied
// when Sync was called: the queries that follow it answer as of then or
// later (a linearizable read).
func (c *Client) Sync(ctx context.Context) error {
	octx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.cli.Get(octx, c.keys.records(), clientv3.WithCountOnly())
	if err != nil {
		return opError(ctx, "sync", allocator.Reservation{}, false, err)
	}
	if err := c.waitRev(octx, resp.Header.Revision, true); err != nil {
		return opError(ctx, "sync", allocator.Reservation{}, false, err)
	}
	return nil
}

func checkRequest(owner string, e ports.Endpoint) error {
	switch {
	case owner == "":
		return fmt.Errorf("%w: etcd: empty owner for %v", allocator.ErrInvalid, e)
	case !utf8.ValidString(owner):
		return fmt.Errorf("%w: etcd: owner %q is not UTF-8", allocator.ErrInvalid, owner)
	case len(owner) > maxOwner:
		return fmt.Errorf("%w: etcd: owner of %d bytes, longer than %d", allocator.ErrInvalid, len(owner), maxOwner)
	case !e.IsValid():
		return fmt.Errorf("%w: etcd: invalid endpoint for %q", allocator.ErrInvalid, owner)
	}
	return nil
}

// Reserve holds exactly e for owner, in one etcd transaction, until it is
// released; if owner holds exactly e already, it is granted again, as
// allocator.Allocator.Reserve grants it. If e conflicts with a reservation of any client, the error is an
// *allocator.ConflictError that names every holder as of the transaction,
// and suggests the nearest free endpoint as the mirror sees it.
func (c *Client) Reserve(ctx context.Context, owner string, e ports.Endpoint) (allocator.Reservation, error) {
	return c.reserve(ctx, "reserve", owner, e, 0)
}

// reserve runs the transaction of a reservation, bound to lease if it is not
// zero, and waits until the mirror has seen it.
func (c *Client) reserve(ctx context.Context, op, owner string, e ports.Endpoint, lease clientv3.LeaseID) (allocator.Reservation, error) {
	req := allocator.Reservation{Owner: owner, Endpoint: e}
	if err := checkRequest(owner, e); err != nil {
		return allocator.Reservation{}, err
	}
	checks := c.keys.checks(e)
	marks := c.keys.marks(e)
	val := []byte(owner)
	txn := &pb.TxnRequest{
		Compare: make([]*pb.Compare, len(checks)),
		Success: make([]*pb.RequestOp, 0, len(marks)),
	}
	cmps := make([]pb.Compare, len(checks))
	for i, kr := range checks {
		cmps[i] = pb.Compare{
			Result:      pb.Compare_EQUAL,
			Target:      pb.Compare_CREATE,
			Key:         []byte(kr.Start),
			RangeEnd:    []byte(kr.End),
			TargetUnion: &pb.Compare_CreateRevision{},
		}
		txn.Compare[i] = &cmps[i]
	}
	puts := make([]pb.PutRequest, len(marks))
	for i, k := range marks {
		puts[i] = pb.PutRequest{Key: []byte(k), Value: val, Lease: int64(lease)}
		txn.Success = append(txn.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &puts[i]}})
	}
	octx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.txn(octx, txn)
	if err != nil {
		if lease != 0 && isLeaseNotFound(err) {
			return allocator.Reservation{}, errLeaseNotFound
		}
		return allocator.Reservation{}, opError(ctx, op, req, true, err)
	}
	if !resp.Succeeded {
		err := c.conflict(ctx, octx, req, checks, resp.Header.Revision)
		var ce *allocator.ConflictError
		if op == "reserve" && lease == 0 && errors.As(err, &ce) && len(ce.Holders) == 1 && ce.Holders[0] == req {
			// The owner holds exactly this already: granted again, as
			// allocator.Allocator.Reserve grants it.
			return req, nil
		}
		return allocator.Reservation{}, err
	}
	// Read your writes: the mirror shows the reservation before it returns.
	// If the watch is slow the reservation stands all the same.
	_ = c.waitRev(octx, resp.Header.Revision, false)
	return req, nil
}

// txn sends a transaction built here, as clientv3's Txn sends the one it
// builds (which copies every compare it is given).
func (c *Client) txn(ctx context.Context, req *pb.TxnRequest) (*pb.TxnResponse, error) {
	resp, err := c.kv.Txn(ctx, req, grpc.WaitForReady(true))
	if err != nil {
		return nil, clientv3.ContextError(ctx, err)
	}
	return resp, nil
}

// errLeaseNotFound tells a Session that etcd refused its lease.
var errLeaseNotFound = errors.New("etcd: requested lease not found")

// conflict builds the ConflictError of a reservation refused at revision
// rev: it reads the marks that the compares found, as of rev, so that the
// holders are exactly those the transaction saw. (An else branch could read
// them in the transaction itself, but would add its ranges to the request
// that etcd writes to its log for every reservation, refused or not.)
func (c *Client) conflict(ctx, octx context.Context, req allocator.Reservation, checks []keyRange, rev int64) error {
	gets := make([]clientv3.Op, len(checks))
	for i, kr := range checks {
		gets[i] = clientv3.OpGet(kr.Start, clientv3.WithRange(kr.End), clientv3.WithRev(rev))
	}
	resp, err := c.cli.Txn(octx).Then(gets...).Commit()
	if err != nil {
		return opError(ctx, "reserve", req, false, fmt.Errorf("refused at revision %d; reading its holders: %w", rev, err))
	}
	seen := make(map[ports.Endpoint]bool)
	var holders []allocator.Reservation
	for _, r := range resp.Responses {
		for _, kv := range r.GetResponseRange().GetKvs() {
			e, ok := c.keys.markEndpoint(string(kv.Key))
			if !ok || seen[e] || !e.Conflicts(req.Endpoint) {
				continue
			}
			seen[e] = true
			holders = append(holders, allocator.Reservation{Owner: string(kv.Value), Endpoint: e})
		}
	}
	slices.SortFunc(holders, func(a, b allocator.Reservation) int { return a.Endpoint.Compare(b.Endpoint) })
	ce := &allocator.ConflictError{Request: req, Holders: holders}
	if c.waitRev(octx, rev, true) == nil {
		ce.Suggestion = c.suggestion(req)
	}
	return ce
}

// suggestion returns the nearest free endpoint to req as the mirror sees it,
// as the allocator's own ConflictError suggests it: the mirror is asked to
// reserve req under the lock that guards changes to it, and gives the
// reservation up at once if it took it (then req itself is free).
func (c *Client) suggestion(req allocator.Reservation) ports.Endpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.mirror.Load()
	owner := req.Owner
	if h, ok := a.Lookup(req.Endpoint); ok && h.Owner == owner {
		// The allocator would grant it again to its holder: ask for it
		// under another name, which it refuses with its suggestion.
		owner += "'"
	}
	_, err := a.Reserve(owner, req.Endpoint)
	if err == nil {
		a.Release(req.Endpoint)
		return req.Endpoint
	}
	var ce *allocator.ConflictError
	if errors.As(err, &ce) {
		return ce.Suggestion
	}
	return ports.Endpoint{}
}

// Allocate finds a free run of k consecutive ports of proto within the range,
// on every address, and reserves it for owner. It is Client.AllocateIn with
// an endpoint that has no address.
func (c *Client) Allocate(ctx context.Context, owner string, proto ports.Protocol, k int, within ports.Range) (allocator.Reservation, error) {
	return c.AllocateIn(ctx, owner, ports.EndpointAnyAddr(proto, within), k)
}

// AllocateIn finds a free run of k consecutive ports within the range of
// within, on its protocol and address, under the client's policy, and
// reserves it for owner. The mirror proposes the run (as
// allocator.Allocator.Suggest does) and one transaction reserves it; if
// another client took it meanwhile, the client waits for the mirror to see
// that and tries the next proposal. When the mirror finds no free run, it
// is brought up to date (Client.Sync) and asked once more before the
// *allocator.ExhaustedError is returned. After 64 proposals taken first by
// others it gives up, with an error that wraps the last
// *allocator.ConflictError.
func (c *Client) AllocateIn(ctx context.Context, owner string, within ports.Endpoint, k int) (allocator.Reservation, error) {
	return c.allocate(ctx, owner, within, k, 0)
}

func (c *Client) allocate(ctx context.Context, owner string, within ports.Endpoint, k int, lease clientv3.LeaseID) (allocator.Reservation, error) {
	synced := false
	var conflict error
	for attempt := 0; ; attempt++ {
		if attempt == maxAttempts {
			return allocator.Reservation{}, fmt.Errorf("etcd: allocate for %q in %v: %d proposals of the mirror were taken first; the last: %w", owner, within, maxAttempts, conflict)
		}
		if err := ctx.Err(); err != nil {
			return allocator.Reservation{}, &OpError{Op: "allocate", Request: allocator.Reservation{Owner: owner, Endpoint: within}, Err: err}
		}
		e, err := c.propose(owner, within, k)
		if errors.Is(err, allocator.ErrExhausted) && !synced {
			if err := c.Sync(ctx); err != nil {
				return allocator.Reservation{}, err
			}
			synced = true
			continue
		}
		if err != nil {
			return allocator.Reservation{}, err
		}
		c.proposals.Add(1)
		r, err := c.reserve(ctx, "allocate", owner, e, lease)
		if errors.Is(err, allocator.ErrConflict) {
			c.refused.Add(1)
			synced, conflict = false, err
			continue // conflict waited for the mirror to see the holders
		}
		if err == nil {
			c.moved(within, e)
		}
		return r, err
	}
}

// propose returns the run that the mirror would allocate.
func (c *Client) propose(owner string, within ports.Endpoint, k int) (ports.Endpoint, error) {
	a := c.mirror.Load()
	if c.policy.Order != allocator.NextFit || !within.IsValid() {
		return a.Suggest(owner, within, k)
	}
	c.mu.Lock()
	var start ports.Port
	found := false
	for _, cur := range c.nextFit {
		if cur.proto == within.Protocol() && cur.r == within.Range() {
			start, found = cur.next, true
		}
	}
	c.mu.Unlock()
	r := within.Range()
	if found && start > r.Lo() && start <= r.Hi() && int(r.Hi()-start)+1 >= k {
		if e, err := a.Suggest(owner, within.WithRange(ports.RangeFrom(start, r.Hi())), k); err == nil {
			return e, nil
		}
	}
	return a.Suggest(owner, within, k)
}

// moved records the NextFit position after an allocation of e in within.
func (c *Client) moved(within, e ports.Endpoint) {
	if c.policy.Order != allocator.NextFit || e.Range().Hi() == within.Range().Hi() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := cursor{within.Protocol(), within.Range(), e.Range().Hi() + 1}
	for i := range c.nextFit {
		if c.nextFit[i].proto == cur.proto && c.nextFit[i].r == cur.r {
			c.nextFit[i] = cur
			return
		}
	}
	if len(c.nextFit) == 64 {
		c.nextFit = c.nextFit[1:]
	}
	c.nextFit = append(c.nextFit, cur)
}

// Release gives up the reservation of exactly e, whoever holds it, in one
// transaction, and returns it; it reports false if e was not held.
func (c *Client) Release(ctx context.Context, e ports.Endpoint) (allocator.Reservation, bool, error) {
	req := allocator.Reservation{Endpoint: e}
	if !e.IsValid() {
		return allocator.Reservation{}, false, fmt.Errorf("%w: etcd: release of an invalid endpoint", allocator.ErrInvalid)
	}
	marks := c.keys.marks(e) // the record first
	rk := marks[0]
	dels := make([]pb.DeleteRangeRequest, len(marks))
	for i, k := range marks {
		dels[i] = pb.DeleteRangeRequest{Key: []byte(k), PrevKv: i == 0}
	}
	txn := &pb.TxnRequest{
		Compare: []*pb.Compare{{Result: pb.Compare_NOT_EQUAL, Target: pb.Compare_CREATE, Key: []byte(rk), TargetUnion: &pb.Compare_CreateRevision{}}},
		Success: make([]*pb.RequestOp, len(dels)),
	}
	for i := range dels {
		txn.Success[i] = &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: &dels[i]}}
	}
	octx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.txn(octx, txn)
	if err != nil {
		return allocator.Reservation{}, false, opError(ctx, "release", req, true, err)
	}
	if !resp.Succeeded {
		return allocator.Reservation{}, false, nil
	}
	var owner string
	if kvs := resp.Responses[0].GetResponseDeleteRange().GetPrevKvs(); len(kvs) == 1 {
		owner = string(kvs[0].Value)
	}
	_ = c.waitRev(octx, resp.Header.Revision, false)
	return allocator.Reservation{Owner: owner, Endpoint: e}, true, nil
}

// Lookup returns the reservation of exactly e, and whether there is one, as
// the mirror sees it.
func (c *Client) Lookup(e ports.Endpoint) (allocator.Reservation, bool) {
	return c.mirror.Load().Lookup(e)
}

// Holders returns an iterator over the reservations of proto that hold port p
// on any address, as the mirror sees them; see allocator.Allocator.Holders.
func (c *Client) Holders(proto ports.Protocol, p ports.Port) iter.Seq[allocator.Reservation] {
	return c.mirror.Load().Holders(proto, p)
}

// AppendHolders appends to dst the reservations of proto that hold port p,
// as the mirror sees them, as allocator.Allocator.AppendHolders does.
func (c *Client) AppendHolders(dst []allocator.Reservation, proto ports.Protocol, p ports.Port) []allocator.Reservation {
	return c.mirror.Load().AppendHolders(dst, proto, p)
}

// Overlapping returns an iterator over the reservations that conflict with e,
// as the mirror sees them; see allocator.Allocator.Overlapping.
func (c *Client) Overlapping(e ports.Endpoint) iter.Seq[allocator.Reservation] {
	return c.mirror.Load().Overlapping(e)
}

// AppendOverlapping appends to dst the reservations that conflict with e, as
// the mirror sees them, as allocator.Allocator.AppendOverlapping does.
func (c *Client) AppendOverlapping(dst []allocator.Reservation, e ports.Endpoint) []allocator.Reservation {
	return c.mirror.Load().AppendOverlapping(dst, e)
}

// Suggest returns the run that Client.AllocateIn would try first now, as the
// mirror sees the reservations, without reserving it.
func (c *Client) Suggest(owner string, within ports.Endpoint, k int) (ports.Endpoint, error) {
	return c.propose(owner, within, k)
}

// Len returns the number of reservations in the mirror.
func (c *Client) Len() int { return c.mirror.Load().Len() }

// Snapshot returns the reservations of the mirror as the allocator's
// versioned JSON (allocator.Allocator.Snapshot): one revision's state, which
// allocator.Allocator.Restore reads.
func (c *Client) Snapshot() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mirror.Load().Snapshot()
}
