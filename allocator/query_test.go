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
// that the next batch descends the tree instead of going on along the
// leaves), give exactly the reservations of the protocol overlapping the
// ports on an overlapping address, in key order. Reservations short and
// long (some reaching into many blocks of the index) on several addresses
// make the block index answer some queries and give up on others.
func TestQueryBatches(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("10.0.0.1"),
		netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("::1")}
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		for i := range rapid.IntRange(0, 400).Draw(t, "n") {
			lo := rapid.IntRange(1, 2000).Draw(t, "lo")
			w := rapid.SampledFrom([]int{1, 1, 3, 70, 900}).Draw(t, "width")
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
			lo := rapid.IntRange(1, 3000).Draw(t, "qlo")
			hi := lo + rapid.IntRange(0, 300).Draw(t, "qlen")
			addr := rapid.SampledFrom(addrs).Draw(t, "qaddr")
			e := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
			var want []Reservation
			for _, r := range all {
				if r.Endpoint.Conflicts(e) {
					want = append(want, r)
				}
			}
			var q query
			var got []Reservation
			buf := make([]Reservation, rapid.IntRange(1, 5).Draw(t, "first batch"))
			n := q.start(s, uint8(ports.TCP), e.Range(), addr, buf)
			for {
				got = append(got, buf[:n]...)
				if n < len(buf) {
					break
				}
				buf = make([]Reservation, rapid.IntRange(1, 5).Draw(t, "batch"))
				if rapid.Bool().Draw(t, "relocked") {
					q.relocked(s)
				}
				n = q.next(buf)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateComparable(ports.Endpoint{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("query %v (-want +got):\n%s", e, diff)
			}
		}
	})
}

// TestQueryAfterRestore checks that an iterator whose lock was let go
// between batches goes on in the state the allocator holds then: after a
// Restore in its loop body, it yields the reservations of the restored
// state that come after the last it yielded, in key order.
func TestQueryAfterRestore(t *testing.T) {
	a, b := New(Policy{}), New(Policy{})
	for i := range 60 {
		e := ports.EndpointFrom(ports.UDP, netip.Addr{}, ports.Port(1000+2*i).Range())
		if _, err := a.Reserve("a", e); err != nil {
			t.Fatal(err)
		}
		// b holds the odd ports between them.
		if _, err := b.Reserve("b", e.WithRange(ports.Port(1001+2*i).Range())); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := b.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var got []ports.Port
	for r := range a.Overlapping(ports.EndpointFrom(ports.UDP, netip.Addr{}, ports.RangeFrom(0, 65535))) {
		got = append(got, r.Endpoint.Range().Lo())
		if len(got) == firstChunk+chunk {
			if err := a.Restore(snap); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []ports.Port
	for i := range firstChunk + chunk {
		want = append(want, ports.Port(1000+2*i))
	}
	for p := want[len(want)-1] + 1; p < 1120; p += 2 {
		want = append(want, p) // b's odd ports after the last of a's yielded
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ports yielded across a Restore (-want +got):\n%s", diff)
	}
}
