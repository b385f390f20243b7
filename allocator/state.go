package allocator

import (
	"net/netip"

	"github.com/portalloc/ports"
)

// state is everything an Allocator holds besides its policy. Restore builds a
// new state off to the side and swaps it in, so that a refused snapshot
// leaves the allocator as it was.
type state struct {
	nodes    []rnode // reservation arena; nodes[0] is nil
	freeNode int32   // free list of nodes, linked by left
	roots    [4]int32
	count    [4]int // reservations per protocol
	used     [4]int // ports held by at least one reservation, per protocol

	owners    []owner // owners[0] is unused
	ownerIDs  map[string]int32
	freeOwner int32 // free list of owners, linked by head

	addrs    []addrEntry // addrs[0] is the zero Addr: every address
	addrIDs  map[netip.Addr]uint32
	freeAddr uint32 // free list of address entries, linked by refs

	views [4]protoViews
	clock uint64 // stamps view use, to drop the least recently used

	last [4]int32 // NextFit: highest port of the last allocation, or -1
}

// owner is an interned owner name and the list of its reservations.
type owner struct {
	name  string
	head  int32 // first reservation, or 0
	tail  int32
	count int32
}

// addrEntry is an interned address and the number of reservations on it.
type addrEntry struct {
	addr netip.Addr
	refs uint32
}

func newState() *state {
	s := &state{
		nodes:    make([]rnode, 1),
		owners:   make([]owner, 1),
		ownerIDs: make(map[string]int32),
		addrs:    make([]addrEntry, 1),
		addrIDs:  make(map[netip.Addr]uint32),
	}
	for i := range s.last {
		s.last[i] = -1
	}
	return s
}

func (s *state) internOwner(name string) int32 {
	if id, ok := s.ownerIDs[name]; ok {
		return id
	}
	var id int32
	if s.freeOwner != 0 {
		id = s.freeOwner
		s.freeOwner = s.owners[id].head
	} else {
		s.owners = append(s.owners, owner{})
		id = int32(len(s.owners) - 1)
	}
	s.owners[id] = owner{name: name}
	s.ownerIDs[name] = id
	return id
}

func (s *state) internAddr(a netip.Addr) uint32 {
	if !a.IsValid() {
		return 0
	}
	if id, ok := s.addrIDs[a]; ok {
		s.addrs[id].refs++
		return id
	}
	var id uint32
	if s.freeAddr != 0 {
		id = s.freeAddr
		s.freeAddr = s.addrs[id].refs
	} else {
		s.addrs = append(s.addrs, addrEntry{})
		id = uint32(len(s.addrs) - 1)
	}
	s.addrs[id] = addrEntry{addr: a, refs: 1}
	s.addrIDs[a] = id
	return id
}

func (s *state) releaseAddr(id uint32) {
	if id == 0 {
		return
	}
	e := &s.addrs[id]
	e.refs--
	if e.refs == 0 {
		delete(s.addrIDs, e.addr)
		*e = addrEntry{refs: s.freeAddr}
		s.freeAddr = id
	}
}

func (s *state) newNode() int32 {
	if s.freeNode != 0 {
		n := s.freeNode
		s.freeNode = s.nodes[n].left
		return n
	}
	s.nodes = append(s.nodes, rnode{})
	return int32(len(s.nodes) - 1)
}

// reservation returns the reservation held by node n.
func (s *state) reservation(n int32) Reservation {
	m := &s.nodes[n]
	return Reservation{
		Owner: s.owners[m.owner].name,
		Endpoint: ports.EndpointFrom(ports.Protocol(m.proto), s.addrs[m.addr].addr,
			ports.RangeFrom(ports.Port(m.lo), ports.Port(m.hi))),
	}
}

// overlapUnion returns how many ports of [lo, hi] are held by reservations of
// protocol p other than node skip (0 for none), on any address. O((k+1) log n)
// for k reservations overlapping.
func (s *state) overlapUnion(p uint8, lo, hi uint16, skip int32) int {
	var c rcursor
	s.rwalk(&c, p, lo, hi, false, 0, 0, netip.Addr{})
	n, next := 0, int(lo) // next: first port of [lo, hi] not yet counted
	for x := c.step(); x != 0; x = c.step() {
		if x == skip {
			continue
		}
		m := &s.nodes[x]
		a, b := max(int(m.lo), next), min(int(m.hi), int(hi))
		if a <= b {
			n += b - a + 1
			next = b + 1
		}
	}
	return n
}

// add holds e for the owner; the caller has checked that nothing conflicts.
// O(log n) plus the views' upkeep.
func (s *state) add(ownerName string, e ports.Endpoint, avoid []ports.Range) int32 {
	p := uint8(e.Protocol())
	r := e.Range()
	lo, hi := uint16(r.Lo()), uint16(r.Hi())
	s.used[p-1] += r.Len() - s.overlapUnion(p, lo, hi, 0)

	o := s.internOwner(ownerName)
	n := s.newNode()
	s.nodes[n] = rnode{lo: lo, hi: hi, proto: p, addr: s.internAddr(e.Addr()), owner: o}
	s.rinsert(n)
	s.count[p-1]++

	ow := &s.owners[o]
	if ow.tail == 0 {
		ow.head = n
	} else {
		s.nodes[ow.tail].onext = n
		s.nodes[n].oprev = ow.tail
	}
	ow.tail = n
	ow.count++

	s.viewsAdd(p, e.Addr(), int(lo), int(hi), avoid)
	return n
}

// remove releases the reservation of node n. O(log n) plus the views' upkeep.
func (s *state) remove(n int32, avoid []ports.Range) {
	m := s.nodes[n]
	p := m.proto
	s.rdelete(n)
	s.count[p-1]--
	s.used[p-1] -= int(m.hi) - int(m.lo) + 1 - s.overlapUnion(p, m.lo, m.hi, 0)

	ow := &s.owners[m.owner]
	if m.oprev != 0 {
		s.nodes[m.oprev].onext = m.onext
	} else {
		ow.head = m.onext
	}
	if m.onext != 0 {
		s.nodes[m.onext].oprev = m.oprev
	} else {
		ow.tail = m.oprev
	}
	ow.count--
	if ow.count == 0 {
		delete(s.ownerIDs, ow.name)
		*ow = owner{head: s.freeOwner}
		s.freeOwner = m.owner
	}

	addr := s.addrs[m.addr].addr
	s.viewsRemove(p, addr, int(m.lo), int(m.hi), avoid)
	s.releaseAddr(m.addr)

	s.nodes[n] = rnode{left: s.freeNode}
	s.freeNode = n
}

// find returns the node holding exactly e, or 0.
func (s *state) find(e ports.Endpoint) int32 {
	p := uint8(e.Protocol())
	if p < 1 || p > 4 {
		return 0
	}
	var id uint32
	if a := e.Addr(); a.IsValid() {
		var ok bool
		if id, ok = s.addrIDs[a]; !ok {
			return 0
		}
	}
	r := e.Range()
	return s.rfind(p, uint16(r.Lo()), uint16(r.Hi()), id)
}
