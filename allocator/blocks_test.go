package allocator

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestBlockIndexAgainstCursor checks the block index against the cursor:
// on a tree of a few hundred reservations, short and long, on several
// addresses, whatever the hints hold (any node of the arena, freed ones
// and inner nodes included), a query the index answers gets exactly what
// the cursor finds.
func TestBlockIndexAgainstCursor(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"),
		netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		span := rapid.SampledFrom([]int{300, 3000, 65536}).Draw(t, "span")
		for i := range rapid.IntRange(50, 600).Draw(t, "n") {
			lo := rapid.IntRange(0, span-1).Draw(t, "lo")
			w := rapid.SampledFrom([]int{1, 1, 2, 8, 70, 700}).Draw(t, "width")
			r := ports.RangeFrom(ports.Port(lo), ports.Port(min(lo+w-1, 65535)))
			addr := rapid.SampledFrom(addrs).Draw(t, "addr")
			owner := fmt.Sprint("o", i%10)
			a.Reserve(owner, ports.EndpointFrom(ports.TCP, addr, r)) // conflicts are refused; fine
			if i%50 == 49 {
				a.ReleaseOwner(owner) // merges and freed leaves
			}
		}
		s := a.st
		if s == nil {
			return // nothing was ever reserved
		}
		// Scramble a quarter of the hints, uniformly over the arena (rapid
		// would favour the first nodes, which make good hints).
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		if bx := s.blocks[0]; bx != nil {
			for b := range bx.hint {
				if rng.IntN(4) == 0 {
					bx.hint[b].Store(int32(rng.IntN(len(s.bt)+3) - 1))
				}
			}
		}
		for range 50 {
			lo := rapid.IntRange(0, span-1).Draw(t, "qlo")
			hi := min(lo+rapid.IntRange(0, 80).Draw(t, "qlen"), 65535)
			addr := rapid.SampledFrom(addrs).Draw(t, "qaddr")
			var near, walk [chunk]Reservation
			n, ok := s.collectNear(&near, 1, uint16(lo), uint16(hi), addr)
			if !ok {
				continue
			}
			m := s.collectWalk(&walk, 1, uint16(lo), uint16(hi), addr, ports.Endpoint{})
			if diff := cmp.Diff(walk[:m], near[:n], cmpopts.EquateComparable(ports.Endpoint{})); diff != "" {
				t.Fatalf("query %d-%d on %v: block index differs from the cursor (-cursor +index):\n%s", lo, hi, addr, diff)
			}
		}
	})
}
