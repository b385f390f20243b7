package etcd

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// keySet is a sorted set of keys: what an etcd range compare reads, without
// etcd.
type keySet struct{ keys []string }

func (s *keySet) put(k string) {
	i, ok := slices.BinarySearch(s.keys, k)
	if !ok {
		s.keys = slices.Insert(s.keys, i, k)
	}
}

func (s *keySet) del(k string) {
	if i, ok := slices.BinarySearch(s.keys, k); ok {
		s.keys = slices.Delete(s.keys, i, i+1)
	}
}

// empty reports whether no key lies in [start, end).
func (s *keySet) empty(kr keyRange) bool {
	i, _ := slices.BinarySearch(s.keys, kr.Start)
	return i == len(s.keys) || s.keys[i] >= kr.End
}

// The pool of addresses the property draws from: one of each class and two
// of the classes with many members, zones included.
var testAddrs = []netip.Addr{
	{},
	netip.MustParseAddr("::"),
	netip.MustParseAddr("0.0.0.0"),
	netip.MustParseAddr("127.0.0.1"),
	netip.MustParseAddr("10.0.0.1"),
	netip.MustParseAddr("::1"),
	netip.MustParseAddr("fe80::1%eth0"),
	netip.MustParseAddr("fe80::1%eth1"),
	netip.MustParseAddr("fe80::1"),
}

func drawEndpoint(t *rapid.T, label string) ports.Endpoint {
	proto := rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, label+" proto")
	addr := rapid.SampledFrom(testAddrs).Draw(t, label+" addr")
	// Ports near the edges of aligned blocks and of the port space, where a
	// cover is most likely wrong, and anywhere.
	port := rapid.OneOf(
		rapid.IntRange(0, 300),
		rapid.IntRange(65235, 65535),
		rapid.IntRange(32700, 32840),
		rapid.IntRange(0, 65535),
	)
	lo := port.Draw(t, label+" lo")
	n := rapid.OneOf(rapid.IntRange(1, 4), rapid.IntRange(1, 300), rapid.IntRange(1, 65536)).Draw(t, label+" len")
	hi := min(lo+n-1, 65535)
	return ports.EndpointFrom(proto, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
}

// TestLayoutDecidesConflictsExactly checks the key layout against the conflict
// rule: with the marks of a set of reservations that do not conflict in a
// sorted key set, an endpoint's checks all find their ranges empty exactly
// when it conflicts with none of them, and the marks in those ranges name
// exactly the reservations it conflicts with.
func TestLayoutDecidesConflictsExactly(t *testing.T) {
	l := layout{prefix: "/p/"}
	rapid.Check(t, func(t *rapid.T) {
		var held []ports.Endpoint
		var ks keySet
		for i := range rapid.IntRange(1, 40).Draw(t, "steps") {
			e := drawEndpoint(t, "e")
			var want []ports.Endpoint
			for _, h := range held {
				if h.Conflicts(e) {
					want = append(want, h)
				}
			}
			free := true
			var got []ports.Endpoint
			for _, kr := range l.checks(e) {
				if !ks.empty(kr) {
					free = false
				}
				j, _ := slices.BinarySearch(ks.keys, kr.Start)
				for ; j < len(ks.keys) && ks.keys[j] < kr.End; j++ {
					h, ok := l.markEndpoint(ks.keys[j])
					if !ok {
						t.Fatalf("mark %q does not name its endpoint", ks.keys[j])
					}
					if !slices.Contains(got, h) {
						got = append(got, h)
					}
				}
			}
			if free != (len(want) == 0) {
				t.Fatalf("step %d: %v: keys say free=%v, held %v conflict with it: %v", i, e, free, held, want)
			}
			slices.SortFunc(got, ports.Endpoint.Compare)
			slices.SortFunc(want, ports.Endpoint.Compare)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b ports.Endpoint) bool { return a == b })); diff != "" {
				t.Fatalf("step %d: holders of %v (-want +got):\n%s", i, e, diff)
			}
			if free {
				held = append(held, e)
				for _, k := range l.marks(e) {
					ks.put(k)
				}
			} else if rapid.Bool().Draw(t, "release one") {
				h := want[0]
				held = slices.DeleteFunc(held, func(x ports.Endpoint) bool { return x == h })
				for _, k := range l.marks(h) {
					ks.del(k)
				}
			}
		}
	})
}

// TestTransactionSize checks that no reservation needs more operations than
// etcd's default limit of 128 per transaction, whatever its range and
// address: the worst ranges end one port inside aligned blocks.
func TestTransactionSize(t *testing.T) {
	l := layout{prefix: "/p/"}
	worst := 0
	for _, a := range testAddrs {
		for _, r := range []ports.Range{
			ports.RangeFrom(1, 65534), ports.RangeFrom(0, 65535), ports.RangeFrom(1, 1),
			ports.RangeFrom(32767, 32768), ports.RangeFrom(3, 65532), ports.RangeFrom(1, 32766),
		} {
			e := ports.EndpointFrom(ports.TCP, a, r)
			c, m := len(l.checks(e)), len(l.marks(e))
			worst = max(worst, c, m)
			if c > 128 || m > 128 {
				t.Errorf("%v: %d compares, %d writes; etcd allows 128", e, c, m)
			}
		}
	}
	t.Logf("the largest transaction has %d compares or writes", worst)
	if got := len(l.checks(ports.MustParseEndpoint("8080/tcp"))); got != 17 {
		t.Errorf("one port on every address: %d compares, want 17", got)
	}
	if got := len(l.marks(ports.MustParseEndpoint("8080/tcp"))); got != 3 {
		t.Errorf("one port on every address: %d marks, want 3", got)
	}
}

// TestCover checks the canonical cover against the ports it must hold.
func TestCover(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lo := rapid.IntRange(0, 65535).Draw(t, "lo")
		hi := rapid.IntRange(lo, 65535).Draw(t, "hi")
		c := cover(lo, hi)
		next := lo
		for _, n := range c {
			if n.lo() != next {
				t.Fatalf("cover of %d-%d: node %v starts at %d, want %d", lo, hi, n, n.lo(), next)
			}
			if n.depth > 0 {
				// Not mergeable into its parent within the range.
				size := 1 << (16 - n.depth + 1)
				if n.lo()%size == 0 && n.lo()+size-1 <= hi {
					t.Fatalf("cover of %d-%d: node %d-%d could be larger", lo, hi, n.lo(), n.hi())
				}
			}
			// The node's subtree range holds the keys of exactly its
			// ports, and its own.
			sub := keyRange{n.key(), string(append(hex4(nil, n.hi()), subtreeEnd))}
			in := func(k string) bool { return sub.Start <= k && k < sub.End }
			leaf := func(p int) string { return node{bits: uint16(p), depth: 16}.key() }
			if !in(n.key()) || !in(leaf(n.lo())) || !in(leaf(n.hi())) {
				t.Fatalf("node %d-%d: range %q misses its own ports", n.lo(), n.hi(), sub)
			}
			if n.depth > 0 {
				parent := node{bits: n.bits &^ (1 << (16 - n.depth)), depth: n.depth - 1}
				if in(parent.key()) {
					t.Fatalf("node %d-%d: range %q holds its parent %q", n.lo(), n.hi(), sub, parent.key())
				}
			}
			if (n.lo() > 0 && in(leaf(n.lo()-1))) || (n.hi() < 65535 && in(leaf(n.hi()+1))) {
				t.Fatalf("node %d-%d: range %q holds ports outside it", n.lo(), n.hi(), sub)
			}
			next = n.hi() + 1
		}
		if next != hi+1 {
			t.Fatalf("cover of %d-%d ends at %d", lo, hi, next-1)
		}
		if len(c) > 30 {
			t.Fatalf("cover of %d-%d has %d nodes", lo, hi, len(c))
		}
	})
}

// TestMarkKeyRoundTrip checks that mark keys read back to their group,
// node and endpoint, and that exactly one mark of a reservation in group
// "all" is its record.
func TestMarkKeyRoundTrip(t *testing.T) {
	l := layout{prefix: "/p/"}
	rapid.Check(t, func(t *rapid.T) {
		e := drawEndpoint(t, "e")
		write, _ := groups(e.Addr())
		records := 0
		for _, g := range write {
			for _, n := range cover(int(e.Range().Lo()), int(e.Range().Hi())) {
				k := l.markKey(e, g, n)
				gg, nn, ee, err := l.parseMark(k)
				if err != nil || gg != g || nn != n || ee != e {
					t.Fatalf("%v: key %q read back as %q %v %v, %v", e, k, gg, nn, ee, err)
				}
				ee, rec, err := l.parseRecord(k)
				if g != "all" {
					if err == nil {
						t.Fatalf("%q: a mark of group %q read as one of group all", k, g)
					}
					continue
				}
				if err != nil || ee != e {
					t.Fatalf("%v: key %q read back as %v, %v", e, k, ee, err)
				}
				if rec {
					records++
					if k != l.recordKey(e) {
						t.Fatalf("%v: %q is a record, but the record key is %q", e, k, l.recordKey(e))
					}
				}
			}
		}
		if records != 1 {
			t.Fatalf("%v: %d records", e, records)
		}
		if l.marks(e)[0] != l.recordKey(e) {
			t.Fatalf("%v: the first mark is %q, not the record %q", e, l.marks(e)[0], l.recordKey(e))
		}
	})
}

// FuzzParseMark feeds arbitrary keys to the reader of mark keys: an error,
// or a group, node and endpoint whose mark key is the input; never a panic.
func FuzzParseMark(f *testing.F) {
	l := layout{prefix: "/p/"}
	f.Add("/p/a/tcp/1f90q.1f90-1f90/-")
	f.Add("/p/m/udp/v4/0000a.0000-ffff/7f000001")
	f.Add("/p/m/tcp/wf/0002p.0002-0003/-")
	f.Add("/p/a/tcp/0002p.0003-0002/zz")
	f.Fuzz(func(t *testing.T, k string) {
		g, n, e, err := l.parseMark(k)
		if err != nil {
			return
		}
		if !e.IsValid() || l.markKey(e, g, n) != k {
			t.Fatalf("%q: read as %q %v %v, whose key is %q", k, g, n, e, l.markKey(e, g, n))
		}
	})
}
