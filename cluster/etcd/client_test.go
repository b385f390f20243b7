package etcd

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func res(owner, e string) allocator.Reservation {
	return allocator.Reservation{Owner: owner, Endpoint: ports.MustParseEndpoint(e)}
}

var cmpEndpoint = cmp.Comparer(func(a, b ports.Endpoint) bool { return a == b })

func TestReserveReleaseHolders(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{})
	b := c.newClient(t, Options{})
	ctx := ctxT(t)

	r, err := a.Reserve(ctx, "grafana", ports.MustParseEndpoint("0.0.0.0:3000/tcp"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res("grafana", "0.0.0.0:3000/tcp"), r, cmpEndpoint); diff != "" {
		t.Errorf("Reserve (-want +got):\n%s", diff)
	}
	// The writer reads its own write at once.
	if got := slices.Collect(a.Holders(ports.TCP, 3000)); len(got) != 1 {
		t.Errorf("a.Holders(3000) = %v right after Reserve", got)
	}
	// The other client sees it once synced, and is refused the port.
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]allocator.Reservation{res("grafana", "0.0.0.0:3000/tcp")}, slices.Collect(b.Holders(ports.TCP, 3000)), cmpEndpoint); diff != "" {
		t.Errorf("b.Holders (-want +got):\n%s", diff)
	}
	_, err = b.Reserve(ctx, "webapp", ports.MustParseEndpoint("2990-3005/tcp"))
	var ce *allocator.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, allocator.ErrConflict) {
		t.Fatalf("conflicting Reserve: %v, want a *ConflictError", err)
	}
	if diff := cmp.Diff([]allocator.Reservation{res("grafana", "0.0.0.0:3000/tcp")}, ce.Holders, cmpEndpoint); diff != "" {
		t.Errorf("ConflictError.Holders (-want +got):\n%s", diff)
	}
	if want := ports.MustParseEndpoint("2984-2999/tcp"); ce.Suggestion != want {
		t.Errorf("Suggestion = %v, want %v", ce.Suggestion, want)
	}
	// Another address that does not overlap 0.0.0.0 may share the port.
	if _, err := b.Reserve(ctx, "v6", ports.MustParseEndpoint("[::1]:3000/tcp")); err != nil {
		t.Errorf("[::1]:3000 beside 0.0.0.0:3000: %v", err)
	}
	// Release by the other client, whoever holds it.
	got, ok, err := b.Release(ctx, ports.MustParseEndpoint("0.0.0.0:3000/tcp"))
	if err != nil || !ok || got.Owner != "grafana" {
		t.Fatalf("Release = %v, %v, %v", got, ok, err)
	}
	if _, ok, err := b.Release(ctx, ports.MustParseEndpoint("0.0.0.0:3000/tcp")); ok || err != nil {
		t.Errorf("second Release = %v, %v", ok, err)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Lookup(ports.MustParseEndpoint("0.0.0.0:3000/tcp")); ok {
		t.Error("released reservation still in a's mirror")
	}
	if _, err := a.Reserve(ctx, "webapp", ports.MustParseEndpoint("127.0.0.1:2990-3005/tcp")); err != nil {
		t.Errorf("Reserve after release: %v", err)
	}
}

func TestInvalidRequests(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{})
	ctx := ctxT(t)
	for _, tc := range []struct {
		owner string
		e     ports.Endpoint
	}{
		{"", ports.MustParseEndpoint("80/tcp")},
		{"x\xff", ports.MustParseEndpoint("80/tcp")},
		{"x", ports.Endpoint{}},
		{string(make([]byte, maxOwner+1)), ports.MustParseEndpoint("80/tcp")},
	} {
		if _, err := a.Reserve(ctx, tc.owner, tc.e); !errors.Is(err, allocator.ErrInvalid) {
			t.Errorf("Reserve(%q, %v) = %v, want ErrInvalid", tc.owner, tc.e, err)
		}
	}
	if _, err := a.Allocate(ctx, "x", ports.TCP, 0, ports.MustParseRange("1-10")); !errors.Is(err, allocator.ErrInvalid) {
		t.Errorf("Allocate k=0: %v, want ErrInvalid", err)
	}
	if _, _, err := a.Release(ctx, ports.Endpoint{}); !errors.Is(err, allocator.ErrInvalid) {
		t.Errorf("Release(invalid): %v, want ErrInvalid", err)
	}
	if a.Len() != 0 {
		t.Errorf("Len = %d after refused requests", a.Len())
	}
}

func TestAllocateExhaustedAndRuns(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{Policy: allocator.Policy{Avoid: ports.MustParseRangeSet("100")}})
	b := c.newClient(t, Options{})
	ctx := ctxT(t)
	within := ports.MustParseRange("100-109")
	r, err := a.Allocate(ctx, "run", ports.TCP, 4, within)
	if err != nil || r.Endpoint != ports.MustParseEndpoint("101-104/tcp") {
		t.Fatalf("Allocate run of 4 = %v, %v; want 101-104/tcp", r, err)
	}
	// b takes 105 behind a's back; a's mirror may not know yet, and the
	// transaction decides.
	if _, err := b.Reserve(ctx, "other", ports.MustParseEndpoint("105/tcp")); err != nil {
		t.Fatal(err)
	}
	r, err = a.Allocate(ctx, "next", ports.TCP, 2, within)
	if err != nil || r.Endpoint != ports.MustParseEndpoint("106-107/tcp") {
		t.Fatalf("Allocate after b took 105 = %v, %v; want 106-107/tcp", r, err)
	}
	_, err = a.Allocate(ctx, "big", ports.TCP, 3, within)
	var xe *allocator.ExhaustedError
	if !errors.As(err, &xe) || xe.Longest != 2 {
		t.Fatalf("Allocate 3 in a full range = %v, want an ExhaustedError with Longest 2", err)
	}
	// Suggest agrees with the mirror and reserves nothing.
	s, err := a.Suggest("x", ports.MustParseEndpoint("100-109/tcp"), 2)
	if err != nil || s != ports.MustParseEndpoint("108-109/tcp") {
		t.Errorf("Suggest = %v, %v", s, err)
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m := allocator.New(allocator.Policy{})
	if err := m.Restore(snap); err != nil || m.Len() != 3 {
		t.Errorf("Restore(Snapshot) = %v, Len %d, want 3", err, m.Len())
	}
}

func TestSessionLeaseExpires(t *testing.T) {
	c := single(t)
	holder := c.newClient(t, Options{})
	watcher := c.newClient(t, Options{})
	ctx := ctxT(t)
	s, err := holder.NewSession(ctx, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Reserve(ctx, "worker", ports.MustParseEndpoint("7000-7003/udp"))
	if err != nil {
		t.Fatal(err)
	}
	// A persistent reservation beside it stays.
	if _, err := holder.Reserve(ctx, "keeper", ports.MustParseEndpoint("7004/udp")); err != nil {
		t.Fatal(err)
	}
	// Revoking the lease behind the session's back (as its death would,
	// after the TTL) frees the ports in every mirror.
	if _, err := holder.cli.Revoke(ctx, s.lease); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("session did not notice that its lease was revoked")
	}
	var lost *LeaseLostError
	if err := s.Err(); !errors.As(err, &lost) || !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Err = %v, want a *LeaseLostError", err)
	}
	if diff := cmp.Diff([]allocator.Reservation{r}, lost.Lost, cmpEndpoint); diff != "" {
		t.Errorf("Lost (-want +got):\n%s", diff)
	}
	if _, err := s.Reserve(ctx, "worker", ports.MustParseEndpoint("7010/udp")); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("Reserve on a lost session: %v", err)
	}
	if err := watcher.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(watcher.Overlapping(ports.MustParseEndpoint("7000-7010/udp"))); len(got) != 1 || got[0].Owner != "keeper" {
		t.Errorf("after the lease: %v, want only keeper's", got)
	}
}

func TestSessionClose(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{})
	ctx := ctxT(t)
	s, err := a.NewSession(ctx, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Allocate(ctx, "job", ports.TCP, 2, ports.MustParseRange("9000-9100")); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(s.Held()); got != 3 {
		t.Errorf("Held = %d, want 3", got)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 0 {
		t.Errorf("Len = %d after Close, want 0", a.Len())
	}
	if err := s.Err(); err != nil {
		t.Errorf("Err after Close = %v", err)
	}
}

func TestContextCancelled(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.Reserve(ctx, "x", ports.MustParseEndpoint("80/tcp"))
	var oe *OpError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &oe) || oe.Op != "reserve" {
		t.Fatalf("Reserve with a cancelled context: %v", err)
	}
	if _, err := a.Allocate(ctx, "x", ports.TCP, 1, ports.MustParseRange("80-90")); !errors.Is(err, context.Canceled) {
		t.Errorf("Allocate with a cancelled context: %v", err)
	}
}

// TestReserveAgainBySameOwner is the regression test of a mirror that lost a
// reservation: a second Reserve of one endpoint by its holder was refused,
// and the refusal's search for a suggestion, which asked the mirror for the
// endpoint, was granted it again by the allocator and then gave it up,
// removing the holder's own reservation from the mirror.
func TestReserveAgainBySameOwner(t *testing.T) {
	c := single(t)
	a := c.newClient(t, Options{})
	ctx := ctxT(t)
	e := ports.MustParseEndpoint("[::1]:5003/tcp")
	if _, err := a.Reserve(ctx, "c0", e); err != nil {
		t.Fatal(err)
	}
	r, err := a.Reserve(ctx, "c0", e)
	if err != nil || r != res("c0", "[::1]:5003/tcp") {
		t.Errorf("Reserve again by its holder = %v, %v; the allocator grants it", r, err)
	}
	// Another owner is refused, with a suggestion, and the mirror keeps
	// the holder.
	_, err = a.Reserve(ctx, "c1", e)
	var ce *allocator.ConflictError
	if !errors.As(err, &ce) || ce.Suggestion != ports.MustParseEndpoint("[::1]:5002/tcp") {
		t.Errorf("Reserve by another owner = %v, want a conflict suggesting [::1]:5002/tcp", err)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.AppendHolders(nil, ports.TCP, 5003); len(got) != 1 || got[0] != res("c0", "[::1]:5003/tcp") {
		t.Errorf("Holders(5003) = %v after the refusals, want c0's", got)
	}
}

// TestBadRecord checks that a record whose value is no owner, written to
// etcd by something other than this package, stops the mirror with an
// error naming its key and what is wrong, when it is loaded and when it
// arrives through the watch.
func TestBadRecord(t *testing.T) {
	c := single(t)
	cli := c.client(t)
	ctx := ctxT(t)
	l := layout{prefix: "/" + t.Name() + "/"}
	key := l.recordKey(ports.MustParseEndpoint("3000/tcp"))
	for _, tc := range []struct{ value, want string }{
		{"", "empty owner"},
		{"\xff", "not UTF-8"},
	} {
		if _, err := cli.Put(ctx, key, tc.value); err != nil {
			t.Fatal(err)
		}
		_, err := New(ctx, cli, Options{Prefix: l.prefix})
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New over a record of %q: %v, want an error naming %q and saying %q", tc.value, err, key, tc.want)
		}
		if _, err := cli.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		cl, err := New(ctx, cli, Options{Prefix: l.prefix})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Put(ctx, key, tc.value); err != nil {
			t.Fatal(err)
		}
		err = cl.Sync(ctx)
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Sync after a record of %q: %v, want an error naming %q and saying %q", tc.value, err, key, tc.want)
		}
		cl.Close()
		if _, err := cli.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCatchUpRevision checks the revision that the mirror takes from a
// watch response: etcd sends a watch that catches up on more than 1,000
// revisions of events in batches, each labelled with etcd's current
// revision though later batches hold more events; the mirror must reflect
// only the revision of the last event it applied, or a wait for a later
// change would end before the change is in the mirror. A response without
// events is a progress report, of every revision up to its own.
func TestCatchUpRevision(t *testing.T) {
	l := layout{prefix: "/p/"}
	c := &Client{keys: l, advance: make(chan struct{})}
	c.mirror.Store(allocator.New(allocator.Policy{}))
	c.rev = 10
	put := func(rev int64, e string) *mvccpb.Event {
		return &mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{
			Key: []byte(l.recordKey(ports.MustParseEndpoint(e))), Value: []byte("o"), ModRevision: rev}}
	}
	// A first batch, up to revision 12, of a catch-up that etcd, at
	// revision 2000, has not finished.
	got := c.applyResponse(&pb.WatchResponse{
		Header: &pb.ResponseHeader{Revision: 2000},
		Events: []*mvccpb.Event{put(11, "3000/tcp"), put(12, "3001/tcp")},
	})
	if got != 12 {
		t.Errorf("after a batch up to revision 12 labelled 2000, the mirror reflects revision %d, want 12", got)
	}
	if c.Len() != 2 {
		t.Errorf("mirror holds %d reservations, want 2", c.Len())
	}
	// A progress report.
	if got := c.applyResponse(&pb.WatchResponse{Header: &pb.ResponseHeader{Revision: 2001}}); got != 2001 {
		t.Errorf("after a progress report of revision 2001, the mirror reflects revision %d", got)
	}
}
