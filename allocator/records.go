package allocator

import "slices"

// The records of the reservations live in one arena, indexed by a
// reservation's id, an int32 that stays the same for its life; id 0 is no
// reservation. A record is 16 bytes: its ports, its interned address and
// protocol, and its links in the list of its owner's reservations. Its
// owner is not in it: the leaf of the tree that holds it says whose it is
// (see leafTag), and the owner table holds the head of each owner's list.
//
// The arena owns two invariants: every id from 1 to the length of the arena
// less one is either in use or on the free list, exactly once, and a freed
// id is handed out again before the arena grows; and within an owner's
// list, the previous of the next of a record is that record.

// record is one reservation: its ports, address and protocol, and its
// place in its owner's list.
type record struct {
	key   uint32 // lo<<16 | hi: the reserved ports, inclusive
	ap    uint32 // index into the address table << 2 | protocol - 1
	oprev int32  // the owner's previous reservation, or 0
	onext int32  // the owner's next reservation, or 0; the next free id when free
}

func (r *record) addr() uint32 { return r.ap >> 2 }
func (r *record) proto() uint8 { return uint8(r.ap&3) + 1 }
func (r *record) lo() uint16   { return uint16(r.key >> 16) }
func (r *record) hi() uint16   { return uint16(r.key) }

// rkey returns the key of the ports [lo, hi], the order of a reservation
// tree within one address.
func rkey(lo, hi uint16) uint32 { return uint32(lo)<<16 | uint32(hi) }

// records is the arena of reservation records. Its zero value is empty and
// ready to use.
type records struct {
	list []record // by id; list[0] is none, once there is any
	free int32    // the first free id, linked by onext; 0 for none
}

// at returns the record of reservation x.
func (rs *records) at(x int32) *record { return &rs.list[x] }

// add records a reservation of the ports of key, on the interned address
// addr and of protocol proto, in no owner's list, and returns its id: a
// freed one if there is one. O(1), amortized when the arena grows.
func (rs *records) add(key, addr uint32, proto uint8) int32 {
	r := record{key: key, ap: addr<<2 | uint32(proto-1)}
	if x := rs.free; x != 0 {
		rs.free = rs.list[x].onext
		rs.list[x] = r
		return x
	}
	if len(rs.list) == 0 {
		rs.list = append(rs.list, record{}) // id 0, none
	}
	rs.list = append(rs.list, r)
	return int32(len(rs.list) - 1)
}

// release frees id x, which is in no owner's list any more, for reuse.
// O(1).
func (rs *records) release(x int32) {
	rs.list[x] = record{onext: rs.free}
	rs.free = x
}

// grow makes room for n more records without growing the arena again.
func (rs *records) grow(n int) {
	if len(rs.list) == 0 {
		rs.list = append(rs.list, record{}) // id 0, none
	}
	rs.list = slices.Grow(rs.list, n)
}

// link puts reservation x, in no list, at the head of the owner's list
// whose head is *head. O(1).
func (rs *records) link(x int32, head *int32) {
	r := &rs.list[x]
	r.oprev, r.onext = 0, *head
	if h := *head; h != 0 {
		rs.list[h].oprev = x
	}
	*head = x
}

// unlink takes reservation x out of the owner's list whose head is *head.
// x's own links stay as they were, until link or release sets them. O(1).
func (rs *records) unlink(x int32, head *int32) {
	r := &rs.list[x]
	if r.oprev != 0 {
		rs.list[r.oprev].onext = r.onext
	} else {
		*head = r.onext
	}
	if r.onext != 0 {
		rs.list[r.onext].oprev = r.oprev
	}
}

// next returns the reservation after x in its owner's list, or 0.
func (rs *records) next(x int32) int32 { return rs.list[x].onext }
