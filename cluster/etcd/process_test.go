package etcd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// childEnv, when set, makes the test binary a client process of the
// concurrency test instead of running tests: "endpoint|prefix|id|ops".
const childEnv = "PORTS_ETCD_CHILD"

// churnRange is the range that the clients of the concurrency test share:
// small enough that 32 clients, each holding up to 7 runs of 1 to 3 ports,
// compete for its ports and at times find it full.
var churnRange = ports.MustParseRange("20000-20383")

// churnStats counts what one client did.
type churnStats struct {
	Allocated int `json:"allocated"`
	Released  int `json:"released"`
	Exhausted int `json:"exhausted"`
	Starved   int `json:"starved"`
}

// churn allocates and releases ops times through c, as client id, and
// returns what it believes it holds at the end.
func churn(ctx context.Context, c *Client, id, ops int) ([]allocator.Reservation, churnStats, error) {
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	owner := fmt.Sprintf("client-%d", id)
	var held []allocator.Reservation
	var st churnStats
	for range ops {
		if len(held) > 0 && (rng.IntN(3) == 0 || len(held) > 6) {
			i := rng.IntN(len(held))
			r, ok, err := c.Release(ctx, held[i].Endpoint)
			if err != nil {
				return held, st, err
			}
			if !ok || r.Owner != owner {
				return held, st, fmt.Errorf("%s: release of %v: held=%v by %q; it was ours", owner, held[i], ok, r.Owner)
			}
			held = slices.Delete(held, i, i+1)
			st.Released++
			continue
		}
		k := 1 + rng.IntN(3)
		r, err := c.Allocate(ctx, owner, ports.TCP, k, churnRange)
		if errors.Is(err, allocator.ErrExhausted) {
			st.Exhausted++
			continue
		}
		if errors.Is(err, allocator.ErrConflict) {
			st.Starved++
			continue
		}
		if err != nil {
			return held, st, err
		}
		if r.Owner != owner || r.Endpoint.Range().Len() != k || !churnRange.ContainsRange(r.Endpoint.Range()) {
			return held, st, fmt.Errorf("%s: asked for %d ports of %v, got %v", owner, k, churnRange, r)
		}
		held = append(held, r)
		st.Allocated++
	}
	return held, st, nil
}

// childMain is a client process of TestConcurrentClients: it connects and
// says "ready", churns once it reads a line from standard input, and then
// prints what it holds as JSON lines and its counts as a last line
// "stats {...}".
func childMain() int {
	f := strings.Split(os.Getenv(childEnv), "|")
	if len(f) != 4 {
		fmt.Fprintln(os.Stderr, "child: bad", childEnv)
		return 2
	}
	id, err1 := strconv.Atoi(f[2])
	ops, err2 := strconv.Atoi(f[3])
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), churnTimeout)
	defer cancel()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{f[0]}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer cli.Close()
	c, err := New(ctx, cli, Options{Prefix: f[1], Timeout: churnOpTimeout, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer c.Close()
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "child: waiting for the start:", err)
		return 1
	}
	held, st, err := churn(ctx, c, id, ops)
	w := bufio.NewWriter(os.Stdout)
	for _, r := range held {
		b, _ := json.Marshal(r)
		fmt.Fprintf(w, "%s\n", b)
	}
	b, _ := json.Marshal(st)
	fmt.Fprintf(w, "stats %s\n", b)
	w.Flush()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// churnTimeout bounds the churn of TestConcurrentClients.
const churnTimeout = 4 * time.Minute

// churnOpTimeout is the Options.Timeout of its clients: the test is about
// what they hold, not about etcd's latency, which 32 clients on a loaded
// machine (or under the race detector) can stretch past DefaultTimeout.
const churnOpTimeout = 30 * time.Second

// child is a client process of TestConcurrentClients.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startChild starts the test binary as client process id of the cluster's
// first member under prefix, and waits until it says it is ready.
func startChild(ctx context.Context, t *testing.T, c *cluster, prefix string, id, ops int) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d|%d", childEnv, c.members[0].clientURL, prefix, id, ops))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	if line, err := ch.out.ReadString('\n'); line != "ready\n" {
		t.Fatalf("client process %d said %q (%v), want ready", id, line, err)
	}
	return ch
}

// result reads what the child holds and its counts, and waits for it to
// exit.
func (ch *child) result() ([]allocator.Reservation, churnStats, error) {
	var held []allocator.Reservation
	var st churnStats
	var bad error
	for {
		line, err := ch.out.ReadString('\n')
		if err != nil {
			break
		}
		if s, ok := strings.CutPrefix(line, "stats "); ok {
			if err := json.Unmarshal([]byte(s), &st); err != nil {
				bad = fmt.Errorf("stats %q: %v", s, err)
			}
			continue
		}
		var r allocator.Reservation
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			bad = fmt.Errorf("output %q: %v", line, err)
			continue
		}
		held = append(held, r)
	}
	if err := ch.cmd.Wait(); err != nil {
		return held, st, fmt.Errorf("pid %d: %v", ch.cmd.Process.Pid, err)
	}
	return held, st, bad
}

// TestConcurrentClients runs 32 clients of one prefix at once, each with
// its own connection and mirror: 16 goroutines of this process and 16
// processes (this test binary run again), each allocating and releasing
// 1,000 times in one small range. Then the reservations in etcd must be
// exactly the union of what each client believes it holds (no reservation
// lost, none that nobody knows of), with no two in conflict. With -short
// each client does 40 operations; under the race detector, which slows
// etcd and every client about tenfold, 4 goroutines and 4 processes do 40
// each.
func TestConcurrentClients(t *testing.T) {
	c := single(t)
	prefix := "/" + t.Name() + "/"
	ops, goroutines, processes := 1000, 16, 16
	if testing.Short() {
		ops = 40
	}
	if raceEnabled {
		ops, goroutines, processes = 40, 4, 4
	}
	ctx, cancel := context.WithTimeout(context.Background(), churnTimeout)
	defer cancel()

	var children []*child
	for id := range processes {
		children = append(children, startChild(ctx, t, c, prefix, 100+id, ops))
	}
	var clients []*Client
	for id := range goroutines {
		clients = append(clients, c.newClient(t, Options{Prefix: prefix, Timeout: churnOpTimeout, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}}))
	}

	var mu sync.Mutex
	var union []allocator.Reservation
	var total churnStats
	add := func(held []allocator.Reservation, st churnStats) {
		mu.Lock()
		defer mu.Unlock()
		union = append(union, held...)
		total.Allocated += st.Allocated
		total.Released += st.Released
		total.Exhausted += st.Exhausted
		total.Starved += st.Starved
	}
	var wg sync.WaitGroup
	start := time.Now()
	for id, ch := range children {
		if _, err := io.WriteString(ch.stdin, "go\n"); err != nil {
			t.Fatalf("starting client process %d: %v", id, err)
		}
		wg.Go(func() {
			held, st, err := ch.result()
			add(held, st)
			if err != nil {
				t.Errorf("client process %d: %v", 100+id, err)
			}
		})
	}
	for id, cl := range clients {
		wg.Go(func() {
			held, st, err := churn(ctx, cl, id, ops)
			add(held, st)
			if err != nil {
				t.Errorf("client goroutine %d: %v", id, err)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if t.Failed() {
		t.FailNow()
	}
	if total.Allocated+total.Released+total.Exhausted+total.Starved != (goroutines+processes)*ops {
		t.Errorf("counts %+v, want %d operations in all", total, (goroutines+processes)*ops)
	}
	if total.Allocated < (goroutines+processes)*ops/4 || total.Released == 0 {
		t.Errorf("counts %+v: too few allocations or releases for the test to mean anything", total)
	}

	final := c.newClient(t, Options{Prefix: prefix})
	if err := final.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mirror := slices.Collect(final.mirror.Load().All())
	stored := recordsIn(t, final.cli, prefix)
	checkNoConflicts(t, stored)
	sortRes(union)
	sortRes(mirror)
	if diff := cmp.Diff(union, stored, cmpEndpoint); diff != "" {
		t.Errorf("etcd's reservations against the union of the clients' views (-clients +etcd):\n%s", diff)
	}
	if diff := cmp.Diff(stored, mirror, cmpEndpoint); diff != "" {
		t.Errorf("a new client's mirror against etcd (-etcd +mirror):\n%s", diff)
	}
	t.Logf("%d clients (%d processes), %d operations each, in %v: %d allocations, %d releases, %d found the range full, %d gave up; %d reservations held at the end",
		goroutines+processes, processes, ops, took.Round(time.Millisecond), total.Allocated, total.Released, total.Exhausted, total.Starved, len(stored))
}

func sortRes(rs []allocator.Reservation) {
	slices.SortFunc(rs, func(a, b allocator.Reservation) int {
		if c := a.Endpoint.Compare(b.Endpoint); c != 0 {
			return c
		}
		return strings.Compare(a.Owner, b.Owner)
	})
}

// checkNoConflicts fails the test for every two reservations that conflict.
func checkNoConflicts(t testing.TB, rs []allocator.Reservation) {
	t.Helper()
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[i].Endpoint.Conflicts(rs[j].Endpoint) {
				t.Errorf("overlap: %v and %v", rs[i], rs[j])
			}
		}
	}
}

// recordsIn reads every record under prefix straight from etcd, without a
// mirror.
func recordsIn(t testing.TB, cli *clientv3.Client, prefix string) []allocator.Reservation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := layout{prefix: prefix}
	resp, err := cli.Get(ctx, l.records(), clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var out []allocator.Reservation
	for _, kv := range resp.Kvs {
		e, rec, err := l.parseRecord(string(kv.Key))
		if err != nil {
			t.Fatal(err)
		}
		if rec {
			out = append(out, allocator.Reservation{Owner: string(kv.Value), Endpoint: e})
		}
	}
	sortRes(out)
	return out
}
