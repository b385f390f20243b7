package allocator

import (
	"hash/maphash"
	"unsafe"
)

// ownerTable interns owner names. An owner is an id that names its name and
// the first of its reservations (0 if it holds none: an idle owner, kept for
// a while so that an owner that releases and reserves again does not churn
// the index).
//
// The names are copied, back to back, into an arena: chunks of chunkSize
// bytes (a longer name has a chunk of its own), filled in turn and never
// moved, so that the arena grows without copying and wastes at most the rest
// of its last chunk. A name is its place and length, 8 bytes, and the
// strings handed out ([Reservation.Owner]) point into the chunks, whose
// bytes never change once written. When forgotten names take more than half
// the arena, the live ones move to new chunks; strings handed out keep the
// old ones alive.
//
// The index is an open-addressing hash table, linear probing, at most three
// quarters full, with backward-shift deletion. Each slot holds an id in its
// low idBits and the top 8 bits of the name's hash above them, so that a
// probe reads a name only when those bits match: about 7 bytes per owner,
// where a Go map would take 30 to 60. The hash is seeded at random, which
// changes nothing observable but the table's layout.
type ownerTable struct {
	names   []nameRef // by id; names[0] is unused; a zero nameRef marks a free id
	heads   []int32   // by id: first reservation, or 0
	free    int32     // free ids, linked through heads
	slots   []uint32  // the index: 0 for an empty slot, else tag<<idBits | id
	live    int       // ids in the index
	idle    int       // ids in the index that hold nothing
	chunks  [][]byte  // the arena: the names
	size    int       // bytes of names in the arena
	garbage int       // bytes of the arena held by forgotten names
	seed    maphash.Seed
}

// nameRef locates a name in the arena: chunk<<chunkBits | offset, and its
// length.
type nameRef struct{ at, len uint32 }

const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
	// maxChunks is the most chunks a nameRef can address, less one that
	// a new name may open.
	maxChunks = 1<<(32-chunkBits) - 1
)

const (
	idBits = 24
	idMask = 1<<idBits - 1
	// maxOwners is the most owners the table indexes at once.
	maxOwners = idMask
)

func newOwnerTable() ownerTable {
	return ownerTable{names: make([]nameRef, 1), heads: make([]int32, 1), slots: make([]uint32, 8), seed: maphash.MakeSeed()}
}

// name returns the name of id, without copying it.
func (t *ownerTable) name(id int32) string {
	r := t.names[id]
	if r.len == 0 {
		return ""
	}
	return unsafe.String(&t.chunks[r.at>>chunkBits][r.at&(chunkSize-1)], int(r.len))
}

// store copies name into the arena and returns where it is.
func (t *ownerTable) store(name string) nameRef {
	n := len(t.chunks)
	if len(name) > chunkSize {
		t.chunks = append(t.chunks, []byte(name))
		t.size += len(name)
		return nameRef{uint32(n) << chunkBits, uint32(len(name))}
	}
	if n == 0 || len(t.chunks[n-1])+len(name) > chunkSize || cap(t.chunks[n-1]) < chunkSize {
		// A new chunk; a chunk of a long name is never written to again.
		t.chunks = append(t.chunks, make([]byte, 0, chunkSize))
		n++
	}
	c := t.chunks[n-1]
	at := uint32(n-1)<<chunkBits | uint32(len(c))
	t.chunks[n-1] = append(c, name...)
	t.size += len(name)
	return nameRef{at, uint32(len(name))}
}

func (t *ownerTable) hash(name string) uint64 { return maphash.String(t.seed, name) }

func tagOf(h uint64) uint32 { return uint32(h>>56) << idBits }

// lookup returns the id of name and its slot, or 0 and the empty slot where
// it would go.
func (t *ownerTable) lookup(name string) (id int32, slot int) {
	return t.lookupHash(name, t.hash(name))
}

// lookupHash is lookup with the name's hash h.
func (t *ownerTable) lookupHash(name string, h uint64) (id int32, slot int) {
	tag, mask := tagOf(h), len(t.slots)-1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return 0, i
		}
		if e&^idMask == tag && t.name(int32(e&idMask)) == name {
			return int32(e & idMask), i
		}
	}
}

// room reports whether name can be interned: it is indexed already, or the
// index holds fewer than maxOwners and the arena can address another chunk,
// once the idle owners are forgotten if need be. Only owners that hold
// reservations count against the limits, then; forgetting changes nothing
// a caller sees. At the limits, each sweep costs O(owners).
func (t *ownerTable) room(name string) bool {
	if t.fits() {
		return true
	}
	if id, _ := t.lookup(name); id != 0 {
		return true
	}
	if t.idle > 0 {
		t.forgetIdle()
	}
	return t.fits()
}

// fits reports whether the index and the arena have room for a new name.
func (t *ownerTable) fits() bool {
	return t.live < maxOwners && len(t.chunks) < maxChunks
}

// intern returns the id of name, adding it if needed; the caller has checked
// that there is room. O(1) expected, and O(len(name)) to copy a new name.
func (t *ownerTable) intern(name string) int32 {
	h := t.hash(name)
	id, slot := t.lookupHash(name, h)
	if id != 0 {
		if t.heads[id] == 0 {
			t.idle--
		}
		return id
	}
	if 4*(t.live+1) > 3*len(t.slots) {
		t.grow()
		_, slot = t.lookupHash(name, h)
	}
	ref := t.store(name)
	if t.free != 0 {
		id = t.free
		t.free = t.heads[id]
		t.names[id], t.heads[id] = ref, 0
	} else {
		t.names = append(t.names, ref)
		t.heads = append(t.heads, 0)
		id = int32(len(t.names) - 1)
	}
	t.slots[slot] = tagOf(h) | uint32(id)
	t.live++
	return id
}

func (t *ownerTable) grow() {
	old := t.slots
	t.slots = make([]uint32, 2*len(old))
	mask := len(t.slots) - 1
	for _, e := range old {
		if e != 0 {
			i := int(t.hash(t.name(int32(e&idMask)))) & mask
			for t.slots[i] != 0 {
				i = (i + 1) & mask
			}
			t.slots[i] = e
		}
	}
}

// forget removes the idle owner id from the index and frees the id.
func (t *ownerTable) forget(id int32) {
	_, i := t.lookup(t.name(id))
	mask := len(t.slots) - 1
	// Backward-shift deletion: move later entries of the probe run into the
	// hole when their home does not lie between the hole and them.
	for j := (i + 1) & mask; t.slots[j] != 0; j = (j + 1) & mask {
		h := int(t.hash(t.name(int32(t.slots[j]&idMask)))) & mask
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = 0
	t.garbage += int(t.names[id].len)
	t.names[id], t.heads[id] = nameRef{}, t.free
	t.free = id
	t.live--
	t.idle--
	if t.garbage > chunkSize && 2*t.garbage > t.size {
		t.compact()
	}
}

// compact moves the live names to new chunks. O(bytes of live names), paid
// for by the forgotten names that made it due.
func (t *ownerTable) compact() {
	old := *t
	t.chunks, t.size, t.garbage = nil, 0, 0
	for id := range t.names {
		if t.names[id].len != 0 {
			t.names[id] = t.store(old.name(int32(id)))
		}
	}
}

// idled records that owner id holds nothing any more, and forgets the idle
// owners when they are more than half of those indexed (and more than 16),
// so that the O(owners) sweep is amortized over the releases that idled them.
func (t *ownerTable) idled() {
	t.idle++
	if t.idle > max(16, t.live/2) {
		t.forgetIdle()
	}
}

// forgetIdle forgets every idle owner. O(owners).
func (t *ownerTable) forgetIdle() {
	for id := int32(1); id < int32(len(t.names)); id++ {
		if t.names[id].len != 0 && t.heads[id] == 0 {
			t.forget(id)
		}
	}
}
