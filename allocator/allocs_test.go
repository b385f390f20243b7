//go:build !race

package allocator_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
)

// TestHotPathsAllocateNothing checks the claim of the package documentation
// that reserve, release, allocate and the queries allocate nothing, on the
// benchmarks' layout of 10,000 reservations. (The race detector allocates,
// so this test does not run under it.)
func TestHotPathsAllocateNothing(t *testing.T) {
	a := allocator.New(allocator.Policy{Order: allocator.Random, Seed: 1})
	held := map[ports.Port]bool{}
	i := 0
	for i, r := range layout(10000, 42) {
		if _, err := a.Reserve(fmt.Sprint("svc-", i), ports.EndpointFrom(ports.TCP, netip.Addr{}, r)); err != nil {
			t.Fatal(err)
		}
		for p := range r.All() {
			held[p] = true
		}
	}
	var free []ports.Endpoint
	for p := ports.Port(1000); len(free) < 64; p++ {
		if !held[p] {
			free = append(free, ports.EndpointFrom(ports.TCP, netip.Addr{}, p.Range()))
		}
	}
	within := ports.MustParseRange("50000-60000")
	// Eleven addresses in turn, more than the eight views kept at first:
	// once each has its view, allocating on them builds none.
	var addrs []ports.Endpoint
	for i := range 11 {
		addrs = append(addrs, ports.EndpointFrom(ports.TCP, netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), within))
	}
	rotate := func() {
		r, err := a.AllocateIn("svc-4", addrs[i%len(addrs)], 1)
		i++
		if err != nil {
			t.Fatal(err)
		}
		a.Release(r.Endpoint)
	}
	for range 4 * len(addrs) {
		rotate()
	}
	// NextFit in more ranges than it keeps positions for, in turn: once
	// its list of positions is full, it allocates nothing either.
	nf := allocator.New(allocator.Policy{Order: allocator.NextFit})
	nextFit := func() {
		lo := ports.Port(20000 + 100*(i%70))
		i++
		r, err := nf.Allocate("svc-5", ports.UDP, ports.RangeFrom(lo, lo+99), 2)
		if err != nil {
			t.Fatal(err)
		}
		nf.Release(r.Endpoint)
	}
	for range 2 * 70 {
		nextFit()
	}
	firstLen := layout(10000, 42)[0].Len()
	sk := allocator.New(allocator.Policy{Order: allocator.StableByKey, Avoid: ports.MustParseRangeSet("1024-2047,3000,4000-4999,32768-60999")})
	dst := make([]allocator.Reservation, 0, 64)
	for _, tt := range []struct {
		name string
		op   func()
	}{
		{"Reserve and Release", func() {
			e := free[i%len(free)]
			i++
			if _, err := a.Reserve("svc-1", e); err != nil {
				t.Fatal(err)
			}
			a.Release(e)
		}},
		{"Allocate and Release", func() {
			r, err := a.Allocate("svc-2", ports.TCP, within, 16)
			if err != nil {
				t.Fatal(err)
			}
			a.Release(r.Endpoint)
		}},
		{"Suggest", func() {
			if _, err := a.Suggest("svc-3", ports.EndpointFrom(ports.TCP, netip.Addr{}, within), 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"AppendOverlapping", func() {
			dst = a.AppendOverlapping(dst[:0], ports.MustParseEndpoint("1000-1100/tcp"))
		}},
		{"Overlapping", func() {
			for range a.Overlapping(ports.MustParseEndpoint("1000-1100/tcp")) {
			}
		}},
		{"Holders", func() {
			for range a.Holders(ports.TCP, 1000) {
			}
		}},
		{"Lookup", func() { a.Lookup(free[0]) }},
		{"Ensure of a run held", func() {
			// svc-0 holds the first run of the layout, on every address.
			if _, held, err := a.Ensure("svc-0", ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.FullRange()), firstLen); err != nil || !held {
				t.Fatal(held, err)
			}
		}},
		{"StableByKey and Release", func() {
			r, err := sk.Allocate("svc-6", ports.TCP, ports.MustParseRange("1024-65535"), 1)
			if err != nil {
				t.Fatal(err)
			}
			sk.Release(r.Endpoint)
		}},
		{"AllocateIn on eleven addresses in turn", rotate},
		{"NextFit over seventy ranges in turn", nextFit},
	} {
		if n := testing.AllocsPerRun(200, tt.op); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", tt.name, n)
		}
	}
}
