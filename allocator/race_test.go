package allocator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/portalloc/ports"
)

// TestConcurrent has many goroutines reserve, allocate, release and read at
// once; run it with -race. Afterwards the allocator must be consistent and
// hold no conflict, and every goroutine must find what it holds still held.
func TestConcurrent(t *testing.T) {
	a := New(Policy{Avoid: ports.MustParseRangeSet("1010-1019"), Order: Random, Seed: 1})
	addrs := []netip.Addr{{}, netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("0.0.0.0")}
	const workers, steps = 16, 400
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 0)) // seeded: reproducible draws
			owner := fmt.Sprint("worker", w)
			var mine []ports.Endpoint
			var held []Reservation
			for i := range steps {
				addr := addrs[rng.IntN(len(addrs))]
				switch rng.IntN(6) {
				case 0:
					lo := ports.Port(1000 + rng.IntN(64))
					e := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(lo, lo+ports.Port(rng.IntN(3))))
					r, err := a.Reserve(owner, e)
					switch {
					case err == nil && slices.Contains(mine, e):
						// Held already: Reserve is a no-op.
					case err == nil:
						mine = append(mine, r.Endpoint)
					case !errors.Is(err, ErrConflict):
						errs <- fmt.Errorf("Reserve(%v): %v", e, err)
						return
					}
				case 1, 2:
					within := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(1000, 1063))
					r, err := a.AllocateIn(owner, within, 1+rng.IntN(4))
					switch {
					case err == nil:
						mine = append(mine, r.Endpoint)
					case !errors.Is(err, ErrExhausted):
						errs <- fmt.Errorf("AllocateIn(%v): %v", within, err)
						return
					}
				case 3:
					if len(mine) > 0 {
						j := rng.IntN(len(mine))
						if r, ok := a.Release(mine[j]); !ok || r.Owner != owner {
							errs <- fmt.Errorf("Release(%v) = %v, %v: lost what %s held", mine[j], r, ok, owner)
							return
						}
						mine = slices.Delete(mine, j, j+1)
					}
				case 4:
					for r := range a.Holders(ports.TCP, ports.Port(1000+rng.IntN(64))) {
						_ = r
					}
					held = a.AppendOverlapping(held[:0], ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.RangeFrom(1000, 1063)))
					// One state, read under one lock: in order, and no two conflict.
					for j := 1; j < len(held); j++ {
						if held[j-1].Endpoint.Compare(held[j].Endpoint) >= 0 {
							errs <- fmt.Errorf("AppendOverlapping: out of order: %v", held)
							return
						}
						for _, h := range held[:j] {
							if h.Endpoint.Conflicts(held[j].Endpoint) {
								errs <- fmt.Errorf("AppendOverlapping: %v and %v conflict", h, held[j])
								return
							}
						}
					}
					_ = a.NumFree(ports.TCP, ports.RangeFrom(1000, 1063))
					// Only this goroutine reserves for owner: its list is mine.
					owned := a.AppendOwned(held[:0], owner)
					want := slices.SortedFunc(slices.Values(mine), ports.Endpoint.Compare)
					if len(owned) != len(want) {
						errs <- fmt.Errorf("AppendOwned(%q): %d reservations, want %d", owner, len(owned), len(want))
						return
					}
					for j, r := range owned {
						if r.Owner != owner || r.Endpoint != want[j] {
							errs <- fmt.Errorf("AppendOwned(%q)[%d] = %v, want %v", owner, j, r, want[j])
							return
						}
					}
				case 5:
					if i%50 == 0 {
						if _, err := a.Snapshot(); err != nil {
							errs <- err
							return
						}
					}
				}
			}
			for _, e := range mine {
				if r, ok := a.Lookup(e); !ok || r.Owner != owner {
					errs <- fmt.Errorf("%s lost %v", owner, e)
					return
				}
			}
		}()
	}
	settle(t, &wg, errs, a)
}

// TestConcurrentRestore restores snapshots while other goroutines reserve,
// allocate, release and iterate, with iterator loops that call the
// allocator; run it with -race. Restore swaps the whole state, so the
// workers check only what holds whatever is restored: results in order,
// and a consistent allocator at the end.
func TestConcurrentRestore(t *testing.T) {
	a := New(Policy{Order: NextFit})
	for i := range 32 {
		a.Reserve(fmt.Sprint("base", i), ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(2000+2*i).Range()))
	}
	const workers, steps = 6, 300
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var snaps [][]byte
		for i := range steps {
			snap, err := a.Snapshot()
			if err != nil {
				errs <- err
				return
			}
			snaps = append(snaps, snap)
			if err := a.Restore(snaps[i/2]); err != nil {
				errs <- fmt.Errorf("Restore: %v", err)
				return
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			owner := fmt.Sprint("worker", w)
			for range steps {
				switch rng.IntN(3) {
				case 0:
					if r, err := a.Allocate(owner, ports.TCP, ports.RangeFrom(2000, 2099), 1+rng.IntN(3)); err == nil && rng.IntN(2) == 0 {
						a.Release(r.Endpoint)
					}
				case 1:
					a.Reserve(owner, ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(2000+rng.IntN(100)).Range()))
				case 2:
					var prev ports.Endpoint
					for r := range a.Overlapping(ports.MustParseEndpoint("2000-2099/tcp")) {
						// Batches may come from different states, but each
						// starts after the last result yielded.
						if prev.IsValid() && prev.Compare(r.Endpoint) >= 0 {
							errs <- fmt.Errorf("Overlapping: %v after %v", r.Endpoint, prev)
							return
						}
						prev = r.Endpoint
						a.Holders(ports.TCP, r.Endpoint.Range().Lo())(func(Reservation) bool { return false })
					}
				}
			}
		}()
	}
	settle(t, &wg, errs, a)
}

// settle waits for the workers, reports what they sent on errs, and checks
// that a is consistent.
func settle(t *testing.T, wg *sync.WaitGroup, errs chan error, a *Allocator) {
	t.Helper()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
}
