package allocator

import (
	"net/netip"
	"testing"

	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestNextFitNoReuseAtOnce checks NextFit's promise apart from the model,
// which follows the implementation: a port handed out and released at once
// is not what the next allocation hands out, from any range that holds it,
// overlapping the first or not, unless it is the only free port there.
func TestNextFitNoReuseAtOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{Order: NextFit})
		for _, p := range rapid.SliceOfN(rapid.IntRange(100, 130), 0, 20).Draw(t, "held") {
			a.Reserve("fill", ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(p).Range()))
		}
		drawRange := func(label string, in ports.Port) ports.Range {
			lo := rapid.IntRange(90, int(in)).Draw(t, label+" lo")
			hi := rapid.IntRange(int(in), 140).Draw(t, label+" hi")
			return ports.RangeFrom(ports.Port(lo), ports.Port(hi))
		}
		for range rapid.IntRange(1, 30).Draw(t, "steps") {
			r1 := drawRange("first", ports.Port(rapid.IntRange(90, 140).Draw(t, "first in")))
			got, err := a.Allocate("o", ports.TCP, r1, 1)
			if err != nil {
				continue // exhausted
			}
			p := got.Endpoint.Range().Lo()
			a.Release(got.Endpoint)
			r2 := drawRange("next", p)
			free := a.NumFree(ports.TCP, r2)
			next, err := a.Allocate("o", ports.TCP, r2, 1)
			if err != nil {
				t.Fatalf("Allocate in %v, which has %v free: %v", r2, p, err)
			}
			if next.Endpoint.Range().Lo() == p && free > 1 {
				t.Fatalf("%v handed out in %v, released, and handed out again at once in %v, which has %d free ports", p, r1, r2, free)
			}
			if rapid.Bool().Draw(t, "release") {
				a.Release(next.Endpoint)
			}
		}
	})
}
