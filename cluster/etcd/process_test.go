package etcd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
// small enough that they compete for ports and often find it full.
var churnRange = ports.MustParseRange("20000-20099")

// churn allocates and releases ops times through c, as client id, and
// returns what it believes it holds at the end.
func churn(ctx context.Context, c *Client, id, ops int) ([]allocator.Reservation, error) {
	rng := rand.New(rand.NewPCG(uint64(id), 7))
	owner := fmt.Sprintf("client-%d", id)
	var held []allocator.Reservation
	for range ops {
		if len(held) > 0 && (rng.IntN(3) == 0 || len(held) > 6) {
			i := rng.IntN(len(held))
			r, ok, err := c.Release(ctx, held[i].Endpoint)
			if err != nil {
				return held, err
			}
			if !ok || r.Owner != owner {
				return held, fmt.Errorf("%s: release of %v: held=%v by %q; it was ours", owner, held[i], ok, r.Owner)
			}
			held = slices.Delete(held, i, i+1)
			continue
		}
		k := 1 + rng.IntN(3)
		r, err := c.Allocate(ctx, owner, ports.TCP, k, churnRange)
		if errors.Is(err, allocator.ErrExhausted) {
			continue
		}
		if err != nil {
			return held, err
		}
		held = append(held, r)
	}
	return held, nil
}

// childMain is a client process of TestConcurrentClients: it churns and
// prints what it holds at the end as JSON lines.
func childMain() int {
	f := strings.Split(os.Getenv(childEnv), "|")
	if len(f) != 4 {
		fmt.Fprintln(os.Stderr, "child: bad", childEnv)
		return 2
	}
	id, _ := strconv.Atoi(f[2])
	ops, _ := strconv.Atoi(f[3])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{f[0]}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer cli.Close()
	c, err := New(ctx, cli, Options{Prefix: f[1], Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer c.Close()
	held, err := churn(ctx, c, id, ops)
	w := bufio.NewWriter(os.Stdout)
	for _, r := range held {
		b, _ := json.Marshal(r)
		fmt.Fprintf(w, "%s\n", b)
	}
	w.Flush()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// TestConcurrentClients runs 16 clients, 12 goroutines of this process and 4
// processes, each with its own mirror, allocating and releasing in one
// small range; then the final state in etcd must be exactly the union of
// what each client believes it holds, with no two reservations in conflict.
func TestConcurrentClients(t *testing.T) {
	c := single(t)
	prefix := "/" + t.Name() + "/"
	ops := 60
	if testing.Short() || raceEnabled {
		ops = 15
	}
	const goroutines, processes = 12, 4
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var union []allocator.Reservation
	var wg sync.WaitGroup
	errs := make(chan error, goroutines+processes)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for id := range processes {
		cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d|%d", childEnv, c.members[0].clientURL, prefix, 100+id, ops))
		cmd.Stderr = os.Stderr
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			for line := range strings.Lines(string(out)) {
				var r allocator.Reservation
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					errs <- fmt.Errorf("child output %q: %v", line, err)
					return
				}
				mu.Lock()
				union = append(union, r)
				mu.Unlock()
			}
			if err != nil {
				errs <- fmt.Errorf("child %d: %v", id, err)
			}
		}()
	}
	for id := range goroutines {
		cl := c.newClient(t, Options{Prefix: prefix, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			held, err := churn(ctx, cl, id, ops)
			mu.Lock()
			union = append(union, held...)
			mu.Unlock()
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	final := c.newClient(t, Options{Prefix: prefix})
	if err := final.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got := slices.Collect(final.mirror.Load().All())
	checkNoConflicts(t, got)
	sortRes(union)
	sortRes(got)
	if diff := cmp.Diff(union, got, cmpEndpoint); diff != "" {
		t.Errorf("etcd's reservations against the union of the clients' views (-clients +etcd):\n%s", diff)
	}
	t.Logf("%d clients, %d operations each: %d reservations held at the end", goroutines+processes, ops, len(got))
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
		var r record
		if err := json.Unmarshal(kv.Value, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, allocator.Reservation{Owner: r.Owner, Endpoint: r.Endpoint})
	}
	sortRes(out)
	return out
}
