package allocator

import "net/netip"

// addrTable interns the addresses of reservations: a reservation holds the
// index of its address, 4 bytes where a netip.Addr takes 24, and a tree
// compares two by index first. Index 0 is the zero Addr, every address,
// which is never counted or freed. An entry counts the reservations on its
// address and is freed, for reuse, when the last goes.
type addrTable struct {
	entries []addrEntry // by index; entries[0] is the zero Addr
	ids     map[netip.Addr]uint32
	free    uint32 // free entries, linked by refs
}

// addrEntry is an interned address and the number of reservations on it.
type addrEntry struct {
	addr netip.Addr
	refs uint32
}

func newAddrTable() addrTable {
	return addrTable{entries: make([]addrEntry, 1), ids: make(map[netip.Addr]uint32)}
}

// addr returns the address of index id.
func (t *addrTable) addr(id uint32) netip.Addr { return t.entries[id].addr }

// lookup returns the index of a, and false if a is not interned (and not
// the zero Addr).
func (t *addrTable) lookup(a netip.Addr) (uint32, bool) {
	if !a.IsValid() {
		return 0, true
	}
	id, ok := t.ids[a]
	return id, ok
}

// intern returns the index of a, adding it if needed, and counts one more
// reservation on it. O(1) expected.
func (t *addrTable) intern(a netip.Addr) uint32 {
	if !a.IsValid() {
		return 0
	}
	if id, ok := t.ids[a]; ok {
		t.entries[id].refs++
		return id
	}
	var id uint32
	if t.free != 0 {
		id = t.free
		t.free = t.entries[id].refs
	} else {
		t.entries = append(t.entries, addrEntry{})
		id = uint32(len(t.entries) - 1)
	}
	t.entries[id] = addrEntry{addr: a, refs: 1}
	t.ids[a] = id
	return id
}

// release counts one reservation less on the address of index id, and
// frees its entry when none is left. O(1) expected.
func (t *addrTable) release(id uint32) {
	if id == 0 {
		return
	}
	e := &t.entries[id]
	e.refs--
	if e.refs == 0 {
		delete(t.ids, e.addr)
		*e = addrEntry{refs: t.free}
		t.free = id
	}
}
