package allocator

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// drawAddr draws an address among those that the rules of
// [ports.AddrsOverlap] tell apart: every address, the unspecified ones,
// IPv4, IPv4-mapped and IPv6 addresses near each other, and zones.
func drawAddr(t *rapid.T, label string) netip.Addr {
	b := byte(rapid.IntRange(0, 3).Draw(t, label+" byte"))
	v4 := netip.AddrFrom4([4]byte{10, 0, 0, b})
	switch rapid.IntRange(0, 9).Draw(t, label) {
	case 0:
		return netip.Addr{}
	case 1:
		return v4Zero
	case 2:
		return v6Zero
	case 3:
		return mappedZero
	case 4, 5:
		return v4
	case 6:
		return netip.AddrFrom16(v4.As16()) // v4 mapped
	case 7:
		return netip.AddrFrom16([16]byte{0: 0x20, 1: 0x01, 15: b})
	case 8:
		return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: b}).WithZone(rapid.SampledFrom([]string{"eth0", "lo"}).Draw(t, label+" zone"))
	default:
		return netip.IPv6Loopback()
	}
}

// TestOverlapSpans checks the spans of a conflict scan: every address that
// overlaps a lies in one of the spans of a (or they are all), and an
// address in a span that does not overlap a differs from one that does
// only by its zone; seekFor of an address outside every span goes to the
// first span above it, and stays inside one.
func TestOverlapSpans(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := drawAddr(t, "a"), drawAddr(t, "b")
		sp := spansOverlapping(a)
		in := sp.all
		for _, s := range sp.s[:sp.n] {
			in = in || s.holds(b)
		}
		overlaps := ports.AddrsOverlap(a, b)
		if overlaps && !in {
			t.Fatalf("%v overlaps %v but lies in none of its spans %v", b, a, sp.s[:sp.n])
		}
		if in && !overlaps && !ports.AddrsOverlap(a.WithZone(""), b.WithZone("")) {
			t.Fatalf("%v lies in a span of %v (%v) but does not overlap it, zone or not", b, a, sp.s[:sp.n])
		}
		if sp.all {
			return
		}
		to, stay, more := sp.seekFor(b)
		if stay != in {
			t.Fatalf("seekFor(%v) stays %v, but it lies in a span: %v", b, stay, in)
		}
		if in {
			return
		}
		// The first span above b, by its start.
		var want netip.Addr
		found := false
		for _, s := range sp.s[:sp.n] {
			if b.Compare(s.from) < 0 && (!found || s.from.Compare(want) < 0) {
				want, found = s.from, true
			}
		}
		if more != found || found && to != want {
			t.Fatalf("seekFor(%v) = %v, more %v; want %v, %v", b, to, more, want, found)
		}
	})
}

// TestConflictWalk checks a conflict scan against the reservations
// filtered one by one: among runs of one port held on many addresses, long
// enough that the walk seeks past them, it returns as overlapping exactly
// the reservations that conflict with the request, in key order, and every
// other reservation it returns shares ports with the request.
func TestConflictWalk(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		var all []Reservation
		for i := range rapid.IntRange(0, 300).Draw(t, "n") {
			lo := rapid.IntRange(100, 110).Draw(t, "lo")
			hi := lo + rapid.SampledFrom([]int{0, 0, 0, 2}).Draw(t, "width")
			e := ports.EndpointFrom(ports.TCP, drawAddr(t, "addr"), ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
			if r, err := a.Reserve(fmt.Sprint("o", i), e); err == nil {
				all = append(all, r)
			}
		}
		// Many holders of one port, on addresses that overlap few others.
		for i := range rapid.IntRange(0, 60).Draw(t, "many") {
			e := ports.EndpointFrom(ports.TCP, netip.AddrFrom4([4]byte{192, 168, byte(i >> 8), byte(i)}), ports.Port(105).Range())
			if r, err := a.Reserve(fmt.Sprint("m", i), e); err == nil {
				all = append(all, r)
			}
		}
		s := a.st
		if s == nil {
			return
		}
		for range 10 {
			lo := rapid.IntRange(98, 112).Draw(t, "qlo")
			q := ports.EndpointFrom(ports.TCP, drawAddr(t, "qaddr"),
				ports.RangeFrom(ports.Port(lo), ports.Port(lo+rapid.IntRange(0, 3).Draw(t, "qwidth"))))
			var want []Reservation
			for _, r := range all {
				if r.Endpoint.Conflicts(q) {
					want = append(want, r)
				}
			}
			var w conflictWalk
			s.walkConflicts(&w, q)
			var got []Reservation
			for x, overlaps := w.step(); x != 0; x, overlaps = w.step() {
				r := s.reservation(w.c.at())
				if !r.Endpoint.Range().Overlaps(q.Range()) {
					t.Fatalf("walk for %v returned %v, whose ports do not overlap", q, r)
				}
				if overlaps != ports.AddrsOverlap(r.Endpoint.Addr(), q.Addr()) {
					t.Fatalf("walk for %v says %v overlaps: %v", q, r, overlaps)
				}
				if overlaps {
					got = append(got, r)
				}
			}
			slices.SortFunc(want, func(x, y Reservation) int { return x.Endpoint.Compare(y.Endpoint) })
			if diff := cmp.Diff(want, got, cmpopts.EquateComparable(ports.Endpoint{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("conflicts of %v (-want +got):\n%s", q, diff)
			}
		}
	})
}
