package etcd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/porttest"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// holdEnv, when set, makes the test binary a holder process:
// "endpoint|prefix|ttl". It makes the reservations of holderWants in a
// session of that TTL, prints each as a JSON line and then "held", and
// waits to be killed.
const holdEnv = "PORTS_ETCD_HOLD"

// holderWants is what the holder process reserves: a range on every
// address, a port on one address, and three ports that it allocates.
var holderWants = []struct {
	reserve  string // an endpoint to reserve, or
	allocate string // a range of TCP ports to allocate one in
}{
	{reserve: "6000-6009/tcp"},
	{reserve: "10.0.0.1:6010/udp"},
	{allocate: "6100-6199"},
	{allocate: "6100-6199"},
	{allocate: "6100-6199"},
}

// freeBound is what this package promises beyond the TTL for the ports of
// a dead holder to be free in every mirror, on a cluster whose leader stays:
// etcd's lessor looks for expired leases every 500 ms, then the revocation
// goes through raft and the watch. A leader change renews every lease once,
// adding up to a TTL and an election.
const freeBound = 2 * time.Second

// leaderChangeBound is what a change of leader adds: the election, and the
// renewal of every lease by the new leader, by the TTL at most (a lease is
// given its whole TTL again), plus an election timeout. With the test
// clusters' election timeout of 500 ms and a TTL of 1 s it is 3 s.
const leaderChangeBound = 3 * time.Second

func holdMain() int {
	f := strings.Split(os.Getenv(holdEnv), "|")
	if len(f) != 3 {
		fmt.Fprintln(os.Stderr, "holder: bad", holdEnv)
		return 2
	}
	ttl, err := time.ParseDuration(f[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		return 2
	}
	ctx := context.Background()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{f[0]}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		return 1
	}
	c, err := New(ctx, cli, Options{Prefix: f[1], Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(os.Getpid())}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		return 1
	}
	s, err := c.NewSession(ctx, ttl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "holder:", err)
		return 1
	}
	for _, w := range holderWants {
		var r allocator.Reservation
		var err error
		if w.reserve != "" {
			r, err = s.Reserve(ctx, "doomed", ports.MustParseEndpoint(w.reserve))
		} else {
			r, err = s.Allocate(ctx, "doomed", ports.TCP, 1, ports.MustParseRange(w.allocate))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "holder:", err)
			return 1
		}
		b, _ := json.Marshal(r)
		fmt.Printf("%s\n", b)
	}
	fmt.Println("held")
	<-s.Done()
	fmt.Fprintln(os.Stderr, "holder: lease lost:", s.Err())
	return 1
}

// waitFree waits until c's mirror shows e free and returns how long that
// took from since, or fails the test after limit.
func waitFree(t *testing.T, c *Client, e ports.Endpoint, since time.Time, limit time.Duration) time.Duration {
	t.Helper()
	for {
		if len(c.AppendOverlapping(nil, e)) == 0 {
			return time.Since(since)
		}
		if time.Since(since) > limit {
			t.Fatalf("%v still held %v after %v: %v", e, time.Since(since), limit, c.AppendOverlapping(nil, e))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDeadHolderFreedWithinTTL runs a holder in a process of its own (this
// test binary again), whose session reserves and allocates ports, and kills
// it with SIGKILL: nothing of it runs after that, not even a deferred
// revoke. Every port it held is free again in another client's mirror
// within the TTL and freeBound, with nothing running but etcd and the
// watch, and etcd holds no record of it.
func TestDeadHolderFreedWithinTTL(t *testing.T) {
	c := single(t)
	prefix := "/" + t.Name() + "/"
	watcher := c.newClient(t, Options{Prefix: prefix})
	const ttl = time.Second
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%s", holdEnv, c.members[0].clientURL, prefix, ttl))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	var held []allocator.Reservation
	rd := bufio.NewReader(out)
	for {
		line, err := rd.ReadString('\n')
		if line == "held\n" {
			break
		}
		var r allocator.Reservation
		if err != nil || json.Unmarshal([]byte(line), &r) != nil {
			t.Fatalf("holder said %q (%v)", line, err)
		}
		held = append(held, r)
	}
	if len(held) != len(holderWants) {
		t.Fatalf("holder holds %v, want %d reservations", held, len(holderWants))
	}
	ctx := ctxT(t)
	if err := watcher.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	sortRes(held)
	if diff := cmp.Diff(held, recordsIn(t, watcher.cli, prefix), cmpEndpoint); diff != "" {
		t.Fatalf("before the kill, etcd against the holder (-holder +etcd):\n%s", diff)
	}
	for _, r := range held {
		if got := watcher.AppendOverlapping(nil, r.Endpoint); len(got) != 1 || got[0] != r {
			t.Fatalf("before the kill, the watcher sees %v on %v", got, r.Endpoint)
		}
	}
	killed := time.Now()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("holder ended with %v, not killed by SIGKILL", cmd.ProcessState)
	}
	var took time.Duration
	for _, r := range held {
		took = max(took, waitFree(t, watcher, r.Endpoint, killed, ttl+freeBound))
	}
	t.Logf("SIGKILLed holder's %d reservations free in another mirror after %v (TTL %v, bound TTL+%v)", len(held), took.Round(time.Millisecond), ttl, freeBound)
	// And etcd agrees, not only the mirror: no record is left, and every
	// port can be taken again.
	if got := recordsIn(t, watcher.cli, prefix); len(got) != 0 {
		t.Errorf("records left in etcd: %v", got)
	}
	for _, r := range held {
		if _, err := watcher.Reserve(ctx, "heir", r.Endpoint); err != nil {
			t.Errorf("reserving the dead holder's %v: %v", r.Endpoint, err)
		}
		if _, _, err := watcher.Release(ctx, r.Endpoint); err != nil {
			t.Error(err)
		}
	}
}

// kill stops a member the hard way: raft stops at once, without a transfer
// of leadership, and the rest of the shutdown (which waits up to etcd's
// request timeout for open streams) goes on in the background; restart
// waits for it.
func (m *member) kill() {
	m.stopMu.Lock()
	defer m.stopMu.Unlock()
	if m.etcd != nil && !m.stopped {
		m.etcd.Server.HardStop()
		e, closed := m.etcd, make(chan struct{})
		go func() {
			e.Close()
			close(closed)
		}()
		m.closed = closed
		m.stopped = true
	}
}

// resolve settles the outcome of a change that failed with an unknown
// outcome: after a Sync that succeeds, the mirror says whether e is held by
// owner.
func resolve(ctx context.Context, c *Client, owner string, e ports.Endpoint) (bool, error) {
	for {
		err := c.Sync(ctx)
		if err == nil {
			r, ok := c.Lookup(e)
			return ok && r.Owner == owner, nil
		}
		if ctx.Err() != nil {
			return false, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// faultChurn allocates and releases through c until stop is closed,
// settling every unknown outcome, and returns what it holds at the end and
// how many operations failed because the cluster was unavailable.
func faultChurn(ctx context.Context, c *Client, id int, stop <-chan struct{}) ([]allocator.Reservation, int, error) {
	owner := fmt.Sprintf("f%d", id)
	var held []allocator.Reservation
	unavailable := 0
	for i := 0; ; i++ {
		select {
		case <-stop:
			return held, unavailable, nil
		default:
		}
		if ctx.Err() != nil {
			return held, unavailable, ctx.Err()
		}
		octx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if len(held) > 3 || (len(held) > 0 && i%3 == 0) {
			e := held[0].Endpoint
			_, _, err := c.Release(octx, e)
			cancel()
			var oe *OpError
			if errors.As(err, &oe) {
				unavailable++
				still, err := resolve(ctx, c, owner, e)
				if err != nil {
					return held, unavailable, err
				}
				if still {
					continue
				}
			} else if err != nil {
				return held, unavailable, err
			}
			held = held[1:]
			continue
		}
		r, err := c.Allocate(octx, owner, ports.UDP, 1+i%2, ports.MustParseRange("40000-40063"))
		cancel()
		var oe *OpError
		switch {
		case err == nil:
			held = append(held, r)
		case errors.Is(err, allocator.ErrExhausted):
		case errors.As(err, &oe):
			unavailable++
			if oe.Unknown {
				got, err := resolve(ctx, c, owner, oe.Request.Endpoint)
				if err != nil {
					return held, unavailable, err
				}
				if got {
					held = append(held, allocator.Reservation{Owner: owner, Endpoint: oe.Request.Endpoint})
				}
			}
		default:
			return held, unavailable, err
		}
	}
}

// TestLeaderKilledMidRun runs clients against a three-member cluster, kills
// the leader while they allocate and release, starts it again later, and
// checks that what etcd holds at the end is exactly what the clients
// believe they hold, without overlaps. Changes that failed while there was
// no leader are settled by Sync and Lookup: an error never hides a port.
func TestLeaderKilledMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-member cluster")
	}
	c := startCluster(t, 3)
	prefix := "/" + t.Name() + "/"
	ctx := ctxT(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var union []allocator.Reservation
	var unavailable atomic.Int64
	for id := range 4 {
		cl := c.newClient(t, Options{Prefix: prefix, Timeout: 2 * time.Second, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			held, n, err := faultChurn(ctx, cl, id, stop)
			unavailable.Add(int64(n))
			mu.Lock()
			union = append(union, held...)
			mu.Unlock()
			if err != nil {
				t.Error(err)
			}
		}()
	}
	// A holder of a session dies with the leader: its client is cut off.
	l := c.leader()
	var survivors []string
	for i, m := range c.members {
		if i != l {
			survivors = append(survivors, m.clientURL)
		}
	}
	p := newProxy(t, survivors[0])
	doomed := c.newClient(t, Options{Prefix: prefix}, p.url())
	const ttl = time.Second
	s, err := doomed.NewSession(ctx, ttl)
	if err != nil {
		t.Fatal(err)
	}
	e := ports.MustParseEndpoint("40100-40109/udp")
	if _, err := s.Reserve(ctx, "doomed", e); err != nil {
		t.Fatal(err)
	}
	watcher := c.newClient(t, Options{Prefix: prefix}, survivors...)
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	c.members[l].kill()
	p.cutOff()
	t.Logf("killed the leader, %s, and cut off a session's client", c.members[l].name)
	took := waitFree(t, watcher, e, killed, ttl+freeBound+leaderChangeBound)
	t.Logf("the session's ports free after %v (TTL %v), across the change of leader", took.Round(time.Millisecond), ttl)
	time.Sleep(500 * time.Millisecond)
	if err := c.members[l].restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted %s", c.members[l].name)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	final := c.newClient(t, Options{Prefix: prefix})
	if err := final.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got := recordsIn(t, final.cli, prefix)
	checkNoConflicts(t, got)
	sortRes(union)
	if !slices.Equal(union, got) {
		t.Errorf("etcd holds %v\nclients believe they hold %v", got, union)
	}
	t.Logf("%d reservations at the end; %d operations failed while the cluster was unavailable, all settled", len(got), unavailable.Load())
}

// proxy forwards TCP connections from a loopback listener to an etcd
// member, until cut.
type proxy struct {
	ln    net.Listener
	to    string
	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

func newProxy(t *testing.T, to string) *proxy {
	p := &proxy{ln: porttest.Listen(t), to: strings.TrimPrefix(to, "http://")}
	go func() {
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.to)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				u.Close()
				return
			}
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(p.cutOff)
	return p
}

func (p *proxy) url() string { return "http://" + p.ln.Addr().String() }

// cutOff closes the listener and every connection: the client behind the
// proxy can no longer reach the cluster, which goes on without it.
func (p *proxy) cutOff() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestClientCutOffPastTTL cuts a session's client off from the cluster for
// longer than its TTL, while the cluster stays up: the session reports its
// lease lost with the reservations that went with it, and another client
// sees the ports free within the TTL and freeBound.
func TestClientCutOffPastTTL(t *testing.T) {
	c := single(t)
	prefix := "/" + t.Name() + "/"
	ctx := ctxT(t)
	p := newProxy(t, c.members[0].clientURL)
	holder := c.newClient(t, Options{Prefix: prefix, Timeout: time.Second}, p.url())
	watcher := c.newClient(t, Options{Prefix: prefix})
	const ttl = time.Second
	s, err := holder.NewSession(ctx, ttl)
	if err != nil {
		t.Fatal(err)
	}
	e := ports.MustParseEndpoint("10.0.0.1:6100-6101/tcp")
	r, err := s.Reserve(ctx, "cut-off", e)
	if err != nil {
		t.Fatal(err)
	}
	if err := watcher.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := watcher.Lookup(e); !ok {
		t.Fatal("the watcher does not see the reservation")
	}
	cutAt := time.Now()
	p.cutOff()
	took := waitFree(t, watcher, e, cutAt, ttl+freeBound)
	t.Logf("cut-off holder's ports free after %v (TTL %v)", took.Round(time.Millisecond), ttl)
	// clientv3 closes a keep-alive whose deadline passed when it next
	// looks, once a second.
	select {
	case <-s.Done():
	case <-time.After(s.TTL() + freeBound + time.Second):
		t.Fatalf("the session did not report its lease lost within %v of its ports being free", s.TTL()+freeBound+time.Second)
	}
	var lost *LeaseLostError
	if !errors.As(s.Err(), &lost) || !slices.Equal(lost.Lost, []allocator.Reservation{r}) {
		t.Errorf("session error %v, want a LeaseLostError listing %v", s.Err(), r)
	}
	if _, err := s.Reserve(ctx, "cut-off", e); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("Reserve on the lost session: %v", err)
	}
	if _, err := watcher.Reserve(ctx, "next", e); err != nil {
		t.Errorf("reserving the freed ports: %v", err)
	}
}

// TestUnavailable stops the only member a client talks to: changes fail
// with ErrUnavailable within the client's timeout, the reservation's
// outcome is reported unknown, and the client's reads still answer from the
// mirror.
func TestUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own etcd")
	}
	c := startCluster(t, 1)
	cl := c.newClient(t, Options{Timeout: 500 * time.Millisecond})
	ctx := ctxT(t)
	if _, err := cl.Reserve(ctx, "before", ports.MustParseEndpoint("8000/tcp")); err != nil {
		t.Fatal(err)
	}
	c.members[0].kill()
	start := time.Now()
	_, err := cl.Reserve(ctx, "during", ports.MustParseEndpoint("8001/tcp"))
	var oe *OpError
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &oe) || !oe.Unknown {
		t.Fatalf("Reserve with etcd down: %v, want an unknown-outcome OpError wrapping ErrUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Reserve took %v to fail with a timeout of 500ms", d)
	}
	if err := cl.Sync(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Sync with etcd down: %v", err)
	}
	if _, ok := cl.Lookup(ports.MustParseEndpoint("8000/tcp")); !ok {
		t.Error("the mirror forgot a reservation while etcd was down")
	}
}
