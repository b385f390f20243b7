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

// TestQueryBatches checks a query against the reservations filtered one by
// one: batches of any size, with the lock let go between some of them (so
// that the block index's scan starts over from a descent), give exactly the
// reservations of the protocol overlapping the ports on an overlapping
// address, in key order.
func TestQueryBatches(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("10.0.0.1"),
		netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("::1")}
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		for i := range rapid.IntRange(0, 400).Draw(t, "n") {
			lo := rapid.IntRange(1, 2000).Draw(t, "lo")
			w := rapid.SampledFrom([]int{1, 1, 3, 70}).Draw(t, "width")
			e := ports.EndpointFrom(ports.TCP, rapid.SampledFrom(addrs).Draw(t, "addr"),
				ports.RangeFrom(ports.Port(lo), ports.Port(lo+w-1)))
			a.Reserve(fmt.Sprint("o", i%7), e) // refused when it conflicts
		}
		all := slices.Collect(a.All())
		s := a.st
		if s == nil {
			return
		}
		for range 20 {
			lo := rapid.IntRange(1, 2100).Draw(t, "qlo")
			hi := lo + rapid.IntRange(0, 300).Draw(t, "qlen")
			addr := rapid.SampledFrom(addrs).Draw(t, "qaddr")
			q := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
			var want []Reservation
			for _, r := range all {
				if r.Endpoint.Range().Overlaps(q.Range()) && ports.AddrsOverlap(r.Endpoint.Addr(), addr) {
					want = append(want, r)
				}
			}
			qr := query{p: uint8(ports.TCP), lo: uint16(lo), hi: uint16(hi), addr: addr}
			var got []Reservation
			for {
				buf := make([]Reservation, rapid.IntRange(1, 5).Draw(t, "batch"))
				if rapid.Bool().Draw(t, "unlocked") {
					qr.unlocked()
				}
				n := qr.next(s, buf)
				got = append(got, buf[:n]...)
				if n < len(buf) {
					break
				}
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateComparable(ports.Endpoint{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("query %v (-want +got):\n%s", q, diff)
			}
		}
	})
}
