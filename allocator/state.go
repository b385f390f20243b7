package allocator

import (
	"net/netip"
	"slices"

	"github.com/portalloc/ports"
)

// state is everything an Allocator holds besides its policy. Restore builds a
// new state off to the side and swaps it in, so that a refused snapshot
// leaves the allocator as it was.
type state struct {
	recs  records  // the reservations
	trees [4]rtree // per protocol
	count [4]int   // reservations per protocol
	used  [4]int   // ports held by at least one reservation, per protocol

	own ownerTable

	addrs addrTable

	views [4]protoViews
	clock uint64 // stamps view use, to drop the least recently used

	fit nextFit // where the NextFit order stopped

	// looked counts the reservations that conflict scans and releases
	// look at, so that tests can bound the work they do.
	looked int
}

func newState() *state {
	s := &state{
		own:   newOwnerTable(),
		addrs: newAddrTable(),
	}
	for i := range s.trees {
		s.fit.last[i] = -1
		s.trees[i] = newRtree(uint8(i+1), &s.recs, &s.addrs)
	}
	return s
}

// reservation returns the reservation of entry i of leaf m.
func (s *state) reservation(m *treeNode, i int) Reservation {
	var r Reservation
	s.fill(&r, m, i)
	return r
}

// fill sets *r to the reservation of entry i of leaf m, from the leaf alone
// unless its address's index is 255 or more (see leafTag). The queries fill their
// buffers in place: a Reservation returned by value goes through a
// temporary, whose copy stalls on store forwarding.
func (s *state) fill(r *Reservation, m *treeNode, i int) {
	t, k := m.aux[i], m.keys[i]
	r.Owner = s.own.name(tagOwner(t))
	r.Endpoint = ports.EndpointFrom(ports.Protocol(m.proto), s.tagAddr(t, m.kids[i]),
		ports.RangeFrom(ports.Port(k>>16), ports.Port(uint16(k))))
}

// tagAddr returns the address of reservation x, whose leaf tag is t.
func (s *state) tagAddr(t uint32, x int32) netip.Addr {
	a := t & tagAddrAbove
	if a == tagAddrAbove {
		a = s.recs.at(x).addr()
	}
	return s.addrs.addr(a)
}

// owned returns reservation x, out of its tree, of the owner with id o.
func (s *state) owned(x, o int32) Reservation {
	rec := s.recs.at(x)
	return Reservation{Owner: s.own.name(o), Endpoint: ports.EndpointFrom(ports.Protocol(rec.proto()),
		s.addrs.addr(rec.addr()), ports.RangeFrom(ports.Port(rec.lo()), ports.Port(rec.hi())))}
}

// scan walks over the reservations of e's protocol whose ports overlap
// e's: it reports whether one of them conflicts with e, and how many ports of
// e are held by them, on any address. O(log n + k) for k reservations with
// distinct ports (see conflictWalk).
func (s *state) scan(e ports.Endpoint) (conflict bool, held int) {
	r := e.Range()
	lo, hi := int(r.Lo()), int(r.Hi())
	var w conflictWalk
	s.walkConflicts(&w, e)
	next := lo // first port of [lo, hi] not yet counted
	for x, overlaps := w.step(); x != 0; x, overlaps = w.step() {
		if overlaps {
			return true, 0
		}
		// The reservations that the walk seeks past hold the ports of one
		// it returned, which are counted.
		rec := s.recs.at(x)
		if a, b := max(int(rec.lo()), next), min(int(rec.hi()), hi); a <= b {
			held += b - a + 1
			next = b + 1
		}
	}
	return false, held
}

// add holds e for the owner. The caller has checked that nothing conflicts,
// and counted in held the ports of e that others hold on other addresses.
// O(log n) for the tree, O(w/64) for w ports in each view that sees e.
func (s *state) add(ownerName string, e ports.Endpoint, held int, avoid []ports.Range) int32 {
	p := uint8(e.Protocol())
	r := e.Range()
	lo, hi := uint16(r.Lo()), uint16(r.Hi())
	s.used[p-1] += r.Len() - held

	n, o := s.hold(ownerName, e)
	s.trees[p-1].insert(n, o)

	pv := &s.views[p-1]
	if pv.all == nil {
		pv.all = s.buildView(p, netip.Addr{}, true, avoid)
	} else {
		pv.all.taken.add(int(lo), int(hi))
	}
	for _, v := range pv.extra {
		if v.holds(e.Addr()) {
			v.taken.add(int(lo), int(hi))
		}
	}
	return n
}

// hold records e as a reservation of the owner, out of the trees and the
// views: its record, its place at the head of the owner's list, its
// interned address and the count of its protocol. It returns the
// reservation's id and the owner's. The caller has checked that the owner
// table has room.
func (s *state) hold(ownerName string, e ports.Endpoint) (n, o int32) {
	p := uint8(e.Protocol())
	r := e.Range()
	o = s.own.intern(ownerName)
	n = s.recs.add(rkey(uint16(r.Lo()), uint16(r.Hi())), s.addrs.intern(e.Addr()), p)
	s.count[p-1]++
	s.recs.link(n, &s.own.heads[o])
	return n, o
}

// remove releases reservation n, of the owner with id o. O(log n) plus
// what detach costs.
func (s *state) remove(n, o int32, avoid []ports.Range) {
	rec := s.recs.at(n)
	s.trees[rec.proto()-1].remove(rec.key, rec.addr())
	s.detach(n, o, avoid)
}

// detach releases reservation n, of the owner with id o, which is already
// out of its tree. Its ports are freed in every view that saw it, then taken again where
// another reservation that the view sees, or the avoid set, still holds them.
// O(log n + k) for the k other holders of the ports, O((k+1) w/64) for
// each view.
func (s *state) detach(n, o int32, avoid []ports.Range) {
	rec := *s.recs.at(n)
	p := rec.proto()
	lo, hi := int(rec.lo()), int(rec.hi())
	s.count[p-1]--

	head := &s.own.heads[o]
	s.recs.unlink(n, head)
	if *head == 0 {
		s.own.idled()
	}

	addr := s.addrs.addr(rec.addr())
	pv := &s.views[p-1]
	var saw [maxViews]bool // the address views that saw n
	pv.all.taken.remove(lo, hi)
	for i, v := range pv.extra {
		if saw[i] = v.holds(addr); saw[i] {
			v.taken.remove(lo, hi)
		}
	}
	// Only reservations on addresses that do not overlap this one can share
	// its ports; none can if it held them on every address or on ::. The
	// every-address view sees them all: take their ports again, walking
	// only the reservations that reach past the ports taken so far, so
	// that a thousand holders of one port cost one step, not a thousand.
	held := 0
	if !seesAll(addr) {
		var c rcursor
		s.trees[p-1].walk(&c, rec.lo(), rec.hi())
		for x := c.step(); x != 0; x = c.step() {
			s.looked++
			o := s.recs.at(x)
			a, b := max(int(c.lo), int(o.lo())), min(hi, int(o.hi()))
			held += b - a + 1
			pv.all.taken.add(a, b)
			if b == hi {
				break
			}
			c.lo = uint16(b + 1) // the walk skips what ends below
		}
		// A view of one address that saw n sees no other holder of its
		// ports: it would overlap n's address. A view of 0.0.0.0 (or
		// ::ffff:0.0.0.0) sees the holders on other IPv4 addresses.
		for i, v := range pv.extra {
			if saw[i] && v.addr.Unmap() == v4Zero {
				s.markSeen(v, p, lo, hi)
			}
		}
	}
	s.used[p-1] -= hi - lo + 1 - held
	i, _ := slices.BinarySearchFunc(avoid, lo, func(r ports.Range, p int) int {
		if int(r.Hi()) < p {
			return -1
		}
		return +1
	})
	for ; i < len(avoid) && int(avoid[i].Lo()) <= hi; i++ {
		a, b := max(lo, int(avoid[i].Lo())), min(hi, int(avoid[i].Hi()))
		pv.all.taken.add(a, b)
		for j, v := range pv.extra {
			if saw[j] {
				v.taken.add(a, b)
			}
		}
	}
	s.addrs.release(rec.addr())
	s.recs.release(n)
}

// markSeen marks in view v the ports of [lo, hi] that reservations of
// protocol p on addresses that v sees hold. O(log n + k) for the k
// reservations on the ports that v does not see, or that reach past those
// marked so far.
func (s *state) markSeen(v *view, p uint8, lo, hi int) {
	var c rcursor
	s.trees[p-1].walk(&c, uint16(lo), uint16(hi))
	for x := c.step(); x != 0; x = c.step() {
		s.looked++
		o := s.recs.at(x)
		if !v.holds(s.addrs.addr(o.addr())) {
			continue
		}
		a, b := max(int(c.lo), int(o.lo())), min(hi, int(o.hi()))
		v.taken.add(a, b)
		if b == hi {
			break
		}
		c.lo = uint16(b + 1)
	}
}

// key returns the tree key of e: its protocol, ports and interned address,
// and false if its address is not interned, so that nothing holds e.
func (s *state) key(e ports.Endpoint) (p uint8, k uint32, addr uint32, ok bool) {
	if addr, ok = s.addrs.lookup(e.Addr()); !ok {
		return 0, 0, 0, false
	}
	r := e.Range()
	return uint8(e.Protocol()), rkey(uint16(r.Lo()), uint16(r.Hi())), addr, true
}

// ownedIn returns the first endpoint, in the order of
// [ports.Endpoint.Compare], that owner holds of k ports inside the range of
// within, on its protocol and exactly its address, and whether there is
// one. O(m) for the m reservations of owner.
func (s *state) ownedIn(owner string, within ports.Endpoint, k int) (ports.Endpoint, bool) {
	id, _ := s.own.lookup(owner)
	if id == 0 {
		return ports.Endpoint{}, false
	}
	var best ports.Endpoint
	for n := s.own.heads[id]; n != 0; n = s.recs.next(n) {
		rec := s.recs.at(n)
		if ports.Protocol(rec.proto()) != within.Protocol() || int(rec.hi())-int(rec.lo())+1 != k ||
			s.addrs.addr(rec.addr()) != within.Addr() {
			continue
		}
		r := ports.RangeFrom(ports.Port(rec.lo()), ports.Port(rec.hi()))
		if !within.Range().ContainsRange(r) {
			continue
		}
		if e := within.WithRange(r); !best.IsValid() || e.Compare(best) < 0 {
			best = e
		}
	}
	return best, best.IsValid()
}
