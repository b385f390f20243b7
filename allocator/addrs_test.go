package allocator

import (
	"net/netip"
	"testing"

	"pgregory.net/rapid"
)

// TestAddrTable checks the address table against a count of references per
// address: an address keeps its index while it is referenced, two addresses
// referenced at once have distinct indices, the zero Addr is index 0 and
// never counted, and entries freed are taken again before the table grows.
func TestAddrTable(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.1"),
		netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("::")}
	rapid.Check(t, func(t *rapid.T) {
		tb := newAddrTable()
		refs := map[netip.Addr]int{}
		ids := map[netip.Addr]uint32{}
		for range rapid.IntRange(0, 200).Draw(t, "steps") {
			a := rapid.SampledFrom(addrs).Draw(t, "addr")
			if rapid.Bool().Draw(t, "intern") || refs[a] == 0 {
				id := tb.intern(a)
				if !a.IsValid() {
					if id != 0 {
						t.Fatalf("intern(zero Addr) = %d, want 0", id)
					}
					continue
				}
				if old, ok := ids[a]; ok && refs[a] > 0 && old != id {
					t.Fatalf("intern(%v) = %d while it is held as %d", a, id, old)
				}
				refs[a]++
				ids[a] = id
			} else {
				tb.release(ids[a])
				refs[a]--
			}
			live := map[uint32]netip.Addr{}
			for a, n := range refs {
				got, ok := tb.lookup(a)
				if ok != (n > 0) {
					t.Fatalf("lookup(%v) found %v with %d references", a, ok, n)
				}
				if n == 0 {
					continue
				}
				if got != ids[a] || tb.addr(got) != a || tb.entries[got].refs != uint32(n) {
					t.Fatalf("%v: lookup %d, interned as %d, entry %v, %d references", a, got, ids[a], tb.entries[got], n)
				}
				if b, ok := live[got]; ok {
					t.Fatalf("%v and %v share index %d", a, b, got)
				}
				live[got] = a
			}
			// Entries in use and free ones make up the table.
			free := 0
			for id := tb.free; id != 0; id = tb.entries[id].refs {
				free++
			}
			if len(live)+free+1 != len(tb.entries) {
				t.Fatalf("%d entries: %d in use, %d free", len(tb.entries), len(live), free)
			}
		}
	})
}
