package allocator

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestViewsMatchHolders checks the views against the reservations filtered
// one by one: while reservations on many addresses come and go (more
// addresses than a protocol keeps views of, so that views are dropped and
// built again), the view of an address, new or kept up to date since,
// marks a port exactly when the avoid set holds it or a reservation on an
// address that overlaps that address does.
func TestViewsMatchHolders(t *testing.T) {
	const lo, hi = 90, 160
	rapid.Check(t, func(t *rapid.T) {
		avoid := ports.MustParseRangeSet("100-102,150")
		a := New(Policy{Avoid: avoid})
		var addrs []netip.Addr
		for range 4 {
			addrs = append(addrs, drawAddr(t, "addr"))
		}
		for i := range maxViews + 4 {
			addrs = append(addrs, netip.AddrFrom4([4]byte{172, 16, 0, byte(i)}))
		}
		var held []Reservation
		for step := range rapid.IntRange(1, 200).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 3).Draw(t, "op"); {
			case op < 2:
				p := rapid.IntRange(lo, hi-3).Draw(t, "lo")
				e := ports.EndpointFrom(ports.TCP, rapid.SampledFrom(addrs).Draw(t, "at"),
					ports.RangeFrom(ports.Port(p), ports.Port(p+rapid.IntRange(0, 3).Draw(t, "width"))))
				if r, err := a.Reserve(fmt.Sprint("o", step), e); err == nil {
					held = append(held, r)
				}
			case op == 2 && len(held) > 0:
				i := rapid.IntRange(0, len(held)-1).Draw(t, "release")
				a.Release(held[i].Endpoint)
				held = slices.Delete(held, i, i+1)
			default:
				s := a.state()
				addr := rapid.SampledFrom(addrs).Draw(t, "view")
				v := s.view(uint8(ports.TCP), addr, a.avoided())
				for p := lo; p <= hi; p++ {
					want := avoid.Contains(ports.Port(p))
					for _, r := range held {
						want = want || r.Endpoint.Range().Contains(ports.Port(p)) && ports.AddrsOverlap(r.Endpoint.Addr(), addr)
					}
					if got := v.taken.any(p, p); got != want {
						t.Fatalf("step %d: view of %v marks port %d %v, want %v", step, addr, p, got, want)
					}
				}
			}
		}
	})
}
