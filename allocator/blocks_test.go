package allocator

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestBlockIndexAgainstCursor checks the block index against the cursor:
// on a tree of a few hundred reservations, short and long, on several
// addresses, some released on the way, whatever the hints hold (any node of
// the arena, freed ones and inner nodes included), a query the index
// answers gets exactly what the cursor finds. The width bounds are checked
// after every release, and the whole index once the tree is built.
func TestBlockIndexAgainstCursor(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"),
		netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		span := rapid.SampledFrom([]int{300, 3000, 65536}).Draw(t, "span")
		var held []ports.Endpoint // what was reserved, released since or not
		for i := range rapid.IntRange(50, 600).Draw(t, "n") {
			lo := rapid.IntRange(0, span-1).Draw(t, "lo")
			w := rapid.SampledFrom([]int{1, 1, 2, 8, 70, 700}).Draw(t, "width")
			r := ports.RangeFrom(ports.Port(lo), ports.Port(min(lo+w-1, 65535)))
			addr := rapid.SampledFrom(addrs).Draw(t, "addr")
			owner := fmt.Sprint("o", i%10)
			e := ports.EndpointFrom(ports.TCP, addr, r)
			if _, err := a.Reserve(owner, e); err == nil {
				held = append(held, e)
			}
			switch {
			case i%50 == 49:
				a.ReleaseOwner(owner) // merges and freed leaves
			case len(held) > 0 && rapid.IntRange(0, 3).Draw(t, "release") == 0:
				a.Release(rapid.SampledFrom(held).Draw(t, "gone")) // the widest of a block, at times
			default:
				continue
			}
			if s := a.st; s != nil && s.trees[0].blocks != nil {
				var nodes []int32
				for leaf := s.trees[0].firstLeaf(); leaf != 0; leaf = s.trees[0].nodes[leaf].next {
					nodes = append(nodes, s.trees[0].nodes[leaf].kids[:s.trees[0].nodes[leaf].n]...)
				}
				if err := s.checkWide(s.trees[0].blocks, nodes); err != nil {
					t.Fatalf("after a release: %v", err)
				}
			}
		}
		if err := a.check(); err != nil {
			t.Fatal(err)
		}
		s := a.st
		if s == nil {
			return // nothing was ever reserved
		}
		// Scramble a quarter of the hints, uniformly over the arena (rapid
		// would favour the first nodes, which make good hints).
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		if bx := s.trees[0].blocks; bx != nil {
			for b := range bx.hint {
				if rng.IntN(4) == 0 {
					bx.hint[b].Store(int32(rng.IntN(len(s.trees[0].nodes)+3) - 1))
				}
			}
		}
		for range 50 {
			lo := rapid.IntRange(0, span-1).Draw(t, "qlo")
			hi := min(lo+rapid.IntRange(0, 80).Draw(t, "qlen"), 65535)
			addr := rapid.SampledFrom(addrs).Draw(t, "qaddr")
			// Buffers of several sizes, so that some fill up.
			size := rapid.SampledFrom([]int{1, firstChunk, chunk}).Draw(t, "buffer")
			near := make([]Reservation, size)
			q := query{s: s, t: &s.trees[0], p: 1, lo: uint16(lo), hi: uint16(hi), addr: addr, every: !addr.IsValid()}
			n, ok := q.fromIndex(near)
			if !ok {
				continue
			}
			// A full buffer goes on from where the scan stopped, as a walk
			// does under the lock, unless the scan gives up on its hops.
			gaveUp := false
			for n == len(near) {
				more := make([]Reservation, size)
				m, ok := q.alongLeaves(more)
				if gaveUp = !ok; gaveUp {
					break
				}
				near = append(near[:n], more[:m]...)
				n += m
				if m < len(more) {
					break
				}
			}
			walk := make([]Reservation, 1024) // more than any query here finds
			wq := q
			wq.at = queryCursor{}
			m := wq.descend(walk)
			if gaveUp {
				m = min(m, n) // compare what it gave
			}
			if diff := cmp.Diff(walk[:m], near[:n], cmpopts.EquateComparable(ports.Endpoint{})); diff != "" {
				t.Fatalf("query %d-%d on %v: block index differs from the cursor (-cursor +index):\n%s", lo, hi, addr, diff)
			}
		}
	})
}

// TestIteratorBatches checks the iterators across their batches: every
// count of results around the batch sizes, listed whole and in order, and
// stopped early at every point; and AppendOverlapping, into slices whose
// room runs out on the way.
func TestIteratorBatches(t *testing.T) {
	for _, n := range []int{0, 1, firstChunk - 1, firstChunk, firstChunk + 1, firstChunk + chunk, firstChunk + chunk + 1, firstChunk + 3*chunk + 2} {
		a := New(Policy{})
		var want []Reservation
		for i := range n {
			r, err := a.Reserve(fmt.Sprint("o", i), ports.EndpointFrom(ports.UDP, netip.Addr{}, ports.Port(5000+2*i).Range()))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, r)
		}
		q := ports.EndpointFrom(ports.UDP, netip.Addr{}, ports.RangeFrom(4000, 6000))
		var got []Reservation
		for r := range a.Overlapping(q) {
			got = append(got, r)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateComparable(ports.Endpoint{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("n = %d: Overlapping (-want +got):\n%s", n, diff)
		}
		// The Append form, into slices that fill up on the way.
		for _, room := range []int{0, 1, 3, 20} {
			prefix := []Reservation{{Owner: "prefix"}}
			got := a.AppendOverlapping(slices.Grow(prefix, room), q)
			if diff := cmp.Diff(append(prefix, want...), got, cmpopts.EquateComparable(ports.Endpoint{})); diff != "" {
				t.Errorf("n = %d: AppendOverlapping into room for %d (-want +got):\n%s", n, room, diff)
			}
		}
		for stop := range n {
			got = got[:0]
			for r := range a.Overlapping(q) {
				if got = append(got, r); len(got) == stop+1 {
					break
				}
			}
			if len(got) != stop+1 || got[stop] != want[stop] {
				t.Fatalf("n = %d, stopping after %d: got %v", n, stop+1, got)
			}
		}
	}
}

// TestNearLeafAgreesWithDescent checks the shortcut that Reserve and
// Release take through the block index: whenever nearLeaf names a leaf for
// a key, a descent from the root for that key, on every address in use,
// reaches the same leaf. Reservations of 1-3 ports (a few up to 100) on 20
// addresses and every address come and go in a window of 400 ports, with
// queries between them that repair hints; every 50 steps each key in the
// tree, its neighbours and random keys are asked.
func TestNearLeafAgreesWithDescent(t *testing.T) {
	answered := 0
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 3))
		a := New(Policy{})
		addrs := []netip.Addr{{}}
		for i := range 20 {
			addrs = append(addrs, netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}))
		}
		var held []ports.Endpoint
		for step := range 4000 {
			switch r := rng.IntN(10); {
			case r < 5:
				lo := 1000 + rng.IntN(400)
				hi := lo + rng.IntN(3)
				if rng.IntN(40) == 0 {
					hi = lo + rng.IntN(100)
				}
				e := ports.EndpointFrom(ports.TCP, addrs[rng.IntN(len(addrs))], ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
				if _, err := a.Reserve(fmt.Sprint("o", rng.IntN(30)), e); err == nil {
					held = append(held, e)
				}
			case r < 9:
				if len(held) > 0 {
					j := rng.IntN(len(held))
					if _, ok := a.Release(held[j]); !ok {
						t.Fatalf("Release(%v) found nothing", held[j])
					}
					held = slices.Delete(held, j, j+1)
				}
			default:
				a.AppendHolders(nil, ports.TCP, ports.Port(1000+rng.IntN(400)))
			}
			if step%50 != 0 || a.st == nil || a.st.trees[0].root == 0 {
				continue
			}
			s := a.st
			var keys []uint32
			for leaf := s.trees[0].firstLeaf(); leaf != 0; leaf = s.trees[0].nodes[leaf].next {
				for _, k := range s.trees[0].nodes[leaf].keys[:s.trees[0].nodes[leaf].n] {
					keys = append(keys, k-1, k, k+1)
				}
			}
			for range 200 {
				lo := uint16(990 + rng.IntN(520))
				keys = append(keys, rkey(lo, lo+uint16(rng.IntN(5))))
			}
			for _, k := range keys {
				leaf := s.trees[0].nearLeaf(k)
				if leaf == 0 {
					continue
				}
				answered++
				for id := range s.addrs.entries {
					if id != 0 && s.addrs.entries[id].refs == 0 {
						continue // a free entry
					}
					var path [maxDepth]int32
					var idx [maxDepth]int
					if b, _ := s.trees[0].descend(s.trees[0].root, k, uint32(id), &path, &idx); b != leaf {
						t.Fatalf("seed %d step %d: nearLeaf(%#x) = leaf %d, a descent on %v reaches %d", seed, step, k, leaf, s.addrs.addr(uint32(id)), b)
					}
				}
			}
			if err := a.check(); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
		}
	}
	if answered == 0 {
		t.Fatal("nearLeaf never named a leaf")
	}
}
