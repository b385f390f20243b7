package allocator

import (
	"net/netip"

	"github.com/portalloc/ports"
)

// A conflict scan walks the reservations whose ports overlap a request's,
// in key order (lo, hi, address), and picks out those on an address that
// overlaps the request's. Reservations with equal ports lie next to each
// other in the tree, sorted by address, and when many of them hold a port on
// addresses that do not overlap the request's (one port on thousands of
// addresses, a common shape), stepping over them all would make a
// Restore or a run of Reserves quadratic. So after skipAfter such
// reservations in a row with equal ports, the walk seeks: the addresses
// that overlap a request's address lie in at most six spans of the order of
// [netip.Addr.Compare] (see overlapSpans), and the walk descends again to
// the first reservation with those ports on an address of the next span, or
// to the first with other ports. A seek costs O(log n); a run of equal
// ports then costs O(log n) instead of its length.

// skipAfter is how many reservations in a row with equal ports, on
// addresses that do not overlap the request's, a conflict scan steps over
// before it seeks past the rest.
const skipAfter = 8

// addrSpan is a span [from, to) of addresses in the order of
// [netip.Addr.Compare], which puts the zero Addr (every address) first and
// an address with a zone after the same address without one. A zero to
// means the span has no end.
type addrSpan struct {
	from, to netip.Addr
}

func (s addrSpan) holds(a netip.Addr) bool {
	return s.from.Compare(a) <= 0 && (!s.to.IsValid() || a.Compare(s.to) < 0)
}

// overlapSpans holds spans that together hold every address that overlaps
// one address by [ports.AddrsOverlap], and perhaps a few more (the same
// address with other zones), or all is true when every address overlaps it.
type overlapSpans struct {
	all bool
	n   int
	s   [6]addrSpan
}

var (
	v4Zero     = netip.IPv4Unspecified()
	v6Zero     = netip.IPv6Unspecified()
	mappedZero = netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff})
	// mappedEnd is the first address after ::ffff:255.255.255.255.
	mappedEnd = netip.AddrFrom16([16]byte{9: 1})
)

// point returns the span of a and a with any zone.
func point(a netip.Addr) addrSpan {
	a = a.WithZone("")
	to := a.Next() // the zero Addr, no end, after the last address
	if !to.IsValid() && a.Is4() {
		to = v6Zero
	}
	return addrSpan{a, to}
}

// spansOverlapping returns the spans of the addresses that overlap a.
func spansOverlapping(a netip.Addr) overlapSpans {
	var sp overlapSpans
	u := a.Unmap()
	if !a.IsValid() || u == v6Zero {
		sp.all = true
		return sp
	}
	add := func(s addrSpan) { sp.s[sp.n] = s; sp.n++ }
	add(addrSpan{netip.Addr{}, v4Zero}) // the zero Addr alone
	switch {
	case u == v4Zero:
		add(addrSpan{v4Zero, v6Zero}) // every IPv4 address
		add(point(v6Zero))
		add(addrSpan{mappedZero, mappedEnd}) // every IPv4-mapped one
	case u.Is4():
		add(point(v4Zero))
		add(point(u))
		add(point(v6Zero))
		add(point(mappedZero))
		add(point(netip.AddrFrom16(u.As16())))
	default:
		add(point(v6Zero))
		if p := point(u); p.from != v6Zero {
			add(p)
		}
	}
	return sp
}

// seekFor returns where a walk that passed a reservation on address a,
// which does not overlap, goes on: at the start of the first span above a,
// if stay is false and more is true; past every address if stay and more
// are false; and on at the next reservation if stay is true, a being
// inside a span.
func (sp *overlapSpans) seekFor(a netip.Addr) (to netip.Addr, stay, more bool) {
	for _, s := range sp.s[:sp.n] {
		if s.holds(a) {
			return netip.Addr{}, true, true
		}
		if a.Compare(s.from) < 0 && (!more || s.from.Compare(to) < 0) {
			to, more = s.from, true
		}
	}
	return to, false, more
}

// conflictWalk is a conflict scan: a walk over the reservations of one
// protocol whose ports overlap [lo, hi], which seeks past runs of equal
// ports on addresses that do not overlap addr.
type conflictWalk struct {
	s    *state
	c    rcursor
	p    uint8
	addr netip.Addr
	sp   overlapSpans
	key  uint32     // the ports of the run being passed
	last netip.Addr // the address of the last reservation passed
	run  int        // reservations passed in a row with ports key
}

// walkConflicts starts a conflict scan for e.
func (s *state) walkConflicts(w *conflictWalk, e ports.Endpoint) {
	r := e.Range()
	w.s, w.p, w.addr, w.run = s, uint8(e.Protocol()), e.Addr(), 0
	w.sp = spansOverlapping(w.addr)
	s.trees[w.p-1].walk(&w.c, uint16(r.Lo()), uint16(r.Hi()))
}

// step returns the next reservation of the scan, or 0 when it is over,
// and whether its address overlaps the request's. Reservations that it
// seeks past have the ports of one it returned before.
func (w *conflictWalk) step() (int32, bool) {
	s := w.s
	if w.run >= skipAfter {
		w.run = 0
		switch to, stay, more := w.sp.seekFor(w.last); {
		case stay:
		case more:
			w.c.seek(w.key, to, true)
		case w.key == 1<<32-1:
			return 0, false // the last key there can be
		default:
			w.c.seek(w.key+1, netip.Addr{}, true)
		}
	}
	x := w.c.step()
	if x == 0 {
		return 0, false
	}
	s.looked++
	rec := s.recs.at(x)
	a := s.addrs.addr(rec.addr())
	if w.sp.all || ports.AddrsOverlap(a, w.addr) {
		w.run = 0
		return x, true
	}
	if rec.key != w.key {
		w.key, w.run = rec.key, 0
	}
	w.run++
	w.last = a
	return x, false
}
