package etcd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
)

// The operations of the linearizability test.
type opKind uint8

const (
	opReserve opKind = iota
	opAllocate
	opRelease
	opHolders // Sync, then Holders: a linearizable read
)

type lzInput struct {
	kind  opKind
	owner string
	e     ports.Endpoint // Reserve and Release: the endpoint; Allocate: within; Holders: the port
	k     int
}

type lzOutput struct {
	ok        bool                    // reserved, allocated, released
	got       ports.Endpoint          // what Allocate reserved
	owner     string                  // Release: whose it was
	holders   []allocator.Reservation // a conflict's holders, or Holders' answer
	exhausted bool
}

// lzState is the model's state: the reservations held, in the order of
// ports.Endpoint.Compare, never changed once built.
type lzState []allocator.Reservation

func (s lzState) with(r allocator.Reservation) lzState {
	out := append(slices.Clone(s), r)
	sortRes(out)
	return out
}

func (s lzState) without(e ports.Endpoint) lzState {
	return slices.DeleteFunc(slices.Clone(s), func(r allocator.Reservation) bool { return r.Endpoint == e })
}

// allocator builds the in-memory allocator of the state.
func (s lzState) allocator() *allocator.Allocator {
	a := allocator.New(allocator.Policy{})
	for _, r := range s {
		if _, err := a.Reserve(r.Owner, r.Endpoint); err != nil {
			panic(err) // the model never holds conflicts
		}
	}
	return a
}

func sameReservations(a, b []allocator.Reservation) bool {
	return slices.Equal(a, b)
}

// allocatorModel is the model of a Client: the in-memory allocator.
var allocatorModel = porcupine.Model{
	Init: func() any { return lzState(nil) },
	Step: func(st, in, out any) (bool, any) {
		s, i, o := st.(lzState), in.(lzInput), out.(lzOutput)
		a := s.allocator()
		switch i.kind {
		case opReserve:
			var holders []allocator.Reservation
			holders = a.AppendOverlapping(holders, i.e)
			req := allocator.Reservation{Owner: i.owner, Endpoint: i.e}
			if len(holders) == 1 && holders[0] == req {
				return o.ok, s // held already by the same owner: granted again
			}
			if o.ok {
				return len(holders) == 0, s.with(req)
			}
			return len(holders) > 0 && sameReservations(holders, o.holders), s
		case opAllocate:
			if o.exhausted {
				_, err := a.Suggest(i.owner, i.e, i.k)
				return errors.Is(err, allocator.ErrExhausted), s
			}
			if !o.ok || !i.e.Range().ContainsRange(o.got.Range()) || o.got.Range().Len() != i.k ||
				o.got.Addr() != i.e.Addr() || o.got.Protocol() != i.e.Protocol() {
				return false, s
			}
			if len(a.AppendOverlapping(nil, o.got)) > 0 {
				return false, s
			}
			return true, s.with(allocator.Reservation{Owner: i.owner, Endpoint: o.got})
		case opRelease:
			r, ok := a.Lookup(i.e)
			if ok != o.ok || (ok && r.Owner != o.owner) {
				return false, s
			}
			return true, s.without(i.e)
		case opHolders:
			return sameReservations(a.AppendHolders(nil, i.e.Protocol(), i.e.Range().Lo()), o.holders), s
		}
		return false, s
	},
	Equal: func(a, b any) bool { return sameReservations(a.(lzState), b.(lzState)) },
	DescribeOperation: func(in, out any) string {
		i, o := in.(lzInput), out.(lzOutput)
		switch i.kind {
		case opReserve:
			return fmt.Sprintf("reserve(%q, %v) -> ok=%v holders=%v", i.owner, i.e, o.ok, o.holders)
		case opAllocate:
			return fmt.Sprintf("allocate(%q, %v, %d) -> %v exhausted=%v", i.owner, i.e, i.k, o.got, o.exhausted)
		case opRelease:
			return fmt.Sprintf("release(%v) -> %v %q", i.e, o.ok, o.owner)
		default:
			return fmt.Sprintf("holders(%v) -> %v", i.e, o.holders)
		}
	},
	DescribeState: func(st any) string {
		var b strings.Builder
		for _, r := range st.(lzState) {
			b.WriteString(r.String())
			b.WriteString("; ")
		}
		return b.String()
	},
}

// TestLinearizable records every operation of concurrent clients, each with
// its own mirror, on a few ports and addresses where they collide often, and
// checks the history with porcupine against the in-memory allocator as the
// model: every outcome, the holders named by every conflict and every
// synced read must be those of some order of the operations that respects
// real time.
func TestLinearizable(t *testing.T) {
	c := single(t)
	prefix := "/" + t.Name() + "/"
	clients, ops := 6, 40
	if testing.Short() || raceEnabled {
		clients, ops = 4, 20
	}
	addrs := []netip.Addr{{}, netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::1")}
	within := ports.MustParseRange("5000-5007")
	ctx := ctxT(t)
	start := time.Now()
	var mu sync.Mutex
	var history []porcupine.Operation
	var wg sync.WaitGroup
	for id := range clients {
		cl := c.newClient(t, Options{Prefix: prefix, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(id)}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(id), 99))
			owner := fmt.Sprintf("c%d", id)
			for range ops {
				addr := addrs[rng.IntN(len(addrs))]
				lo := within.Lo() + ports.Port(rng.IntN(within.Len()))
				hi := min(lo+ports.Port(rng.IntN(2)), within.Hi())
				e := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(lo, hi))
				var in lzInput
				switch rng.IntN(10) {
				case 0, 1, 2:
					in = lzInput{kind: opReserve, owner: owner, e: e}
				case 3, 4, 5:
					in = lzInput{kind: opAllocate, owner: owner, e: ports.EndpointFrom(ports.TCP, addr, within), k: 1 + rng.IntN(2)}
				case 6, 7, 8:
					in = lzInput{kind: opRelease, e: e}
				default:
					in = lzInput{kind: opHolders, e: e.WithRange(lo.Range())}
				}
				call := time.Since(start).Nanoseconds()
				out, err := run(ctx, cl, in)
				ret := time.Since(start).Nanoseconds()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: id, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res, info := porcupine.CheckOperationsVerbose(allocatorModel, history, 60*time.Second)
	if res != porcupine.Ok {
		if f, err := os.CreateTemp("", "ports-etcd-history-*.html"); err == nil {
			_ = porcupine.Visualize(allocatorModel, info, f)
			f.Close()
			t.Logf("history written to %s", f.Name())
		}
		t.Fatalf("history of %d operations is %v (not linearizable or not decided in time)", len(history), res)
	}
	t.Logf("%d operations of %d clients: linearizable", len(history), clients)
}

// run performs one operation and returns its output for the model.
func run(ctx context.Context, c *Client, in lzInput) (lzOutput, error) {
	switch in.kind {
	case opReserve:
		_, err := c.Reserve(ctx, in.owner, in.e)
		var ce *allocator.ConflictError
		if errors.As(err, &ce) {
			return lzOutput{holders: ce.Holders}, nil
		}
		return lzOutput{ok: err == nil}, err
	case opAllocate:
		r, err := c.AllocateIn(ctx, in.owner, in.e, in.k)
		if errors.Is(err, allocator.ErrExhausted) {
			return lzOutput{exhausted: true}, nil
		}
		return lzOutput{ok: err == nil, got: r.Endpoint}, err
	case opRelease:
		r, ok, err := c.Release(ctx, in.e)
		return lzOutput{ok: ok, owner: r.Owner}, err
	default:
		if err := c.Sync(ctx); err != nil {
			return lzOutput{}, err
		}
		return lzOutput{holders: c.AppendHolders(nil, in.e.Protocol(), in.e.Range().Lo())}, nil
	}
}

// TestModelCatchesABrokenHistory makes sure the checker is not vacuous: a
// history in which two clients both reserve one port, one after the other,
// is refused.
func TestModelCatchesABrokenHistory(t *testing.T) {
	e := ports.MustParseEndpoint("5000/tcp")
	h := []porcupine.Operation{
		{ClientId: 0, Input: lzInput{kind: opReserve, owner: "a", e: e}, Call: 0, Output: lzOutput{ok: true}, Return: 10},
		{ClientId: 1, Input: lzInput{kind: opReserve, owner: "b", e: e}, Call: 20, Output: lzOutput{ok: true}, Return: 30},
	}
	if porcupine.CheckOperations(allocatorModel, h) {
		t.Error("two holders of one port passed the linearizability check")
	}
	// A conflict that names the wrong holder is refused too.
	h[1].Output = lzOutput{holders: []allocator.Reservation{{Owner: "c", Endpoint: e}}}
	if porcupine.CheckOperations(allocatorModel, h) {
		t.Error("a conflict naming the wrong holder passed")
	}
	h[1].Output = lzOutput{holders: []allocator.Reservation{{Owner: "a", Endpoint: e}}}
	if !porcupine.CheckOperations(allocatorModel, h) {
		t.Error("the right history failed")
	}
}
