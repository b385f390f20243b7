package allocator

import "hash/maphash"

// ownerTable interns owner names. An owner is an id that names its name and
// the first of its reservations (0 if it holds none: an idle owner, kept for
// a while so that an owner that releases and reserves again does not churn
// the index). The index is an open-addressing hash table of ids, linear
// probing, at most half full, with backward-shift deletion: about 8 bytes per
// owner, where a Go map would take 30 to 60. The hash is seeded at random,
// which changes nothing observable but the table's layout.
type ownerTable struct {
	names []string // by id; names[0] is unused; "" marks a free id
	heads []int32  // by id: first reservation, or 0
	free  int32    // free ids, linked through heads
	slots []int32  // the index: 0 for an empty slot, else an id
	live  int      // ids in the index
	idle  int      // ids in the index that hold nothing
	seed  maphash.Seed
}

func newOwnerTable() ownerTable {
	return ownerTable{names: make([]string, 1), heads: make([]int32, 1), slots: make([]int32, 8), seed: maphash.MakeSeed()}
}

func (t *ownerTable) home(name string) int {
	return int(maphash.String(t.seed, name) & uint64(len(t.slots)-1))
}

// lookup returns the id of name and its slot, or 0 and the empty slot where
// it would go.
func (t *ownerTable) lookup(name string) (id int32, slot int) {
	mask := len(t.slots) - 1
	for i := t.home(name); ; i = (i + 1) & mask {
		id := t.slots[i]
		if id == 0 || t.names[id] == name {
			return id, i
		}
	}
}

// intern returns the id of name, adding it if needed. O(1) expected.
func (t *ownerTable) intern(name string) int32 {
	id, slot := t.lookup(name)
	if id != 0 {
		if t.heads[id] == 0 {
			t.idle--
		}
		return id
	}
	if 2*(t.live+1) > len(t.slots) {
		t.grow()
		_, slot = t.lookup(name)
	}
	if t.free != 0 {
		id = t.free
		t.free = t.heads[id]
		t.names[id], t.heads[id] = name, 0
	} else {
		t.names = append(t.names, name)
		t.heads = append(t.heads, 0)
		id = int32(len(t.names) - 1)
	}
	t.slots[slot] = id
	t.live++
	return id
}

func (t *ownerTable) grow() {
	old := t.slots
	t.slots = make([]int32, 2*len(old))
	mask := len(t.slots) - 1
	for _, id := range old {
		if id != 0 {
			i := t.home(t.names[id])
			for t.slots[i] != 0 {
				i = (i + 1) & mask
			}
			t.slots[i] = id
		}
	}
}

// forget removes the idle owner id from the index and frees the id.
func (t *ownerTable) forget(id int32) {
	_, i := t.lookup(t.names[id])
	mask := len(t.slots) - 1
	// Backward-shift deletion: move later entries of the probe run into the
	// hole when their home does not lie between the hole and them.
	for j := (i + 1) & mask; t.slots[j] != 0; j = (j + 1) & mask {
		h := t.home(t.names[t.slots[j]])
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = 0
	t.names[id], t.heads[id] = "", t.free
	t.free = id
	t.live--
	t.idle--
}

// idled records that owner id holds nothing any more, and forgets the idle
// owners when they are more than half of those indexed (and more than 16),
// so that the O(owners) sweep is amortized over the releases that idled them.
func (t *ownerTable) idled() {
	t.idle++
	if t.idle > max(16, t.live/2) {
		for id := int32(1); id < int32(len(t.names)); id++ {
			if t.names[id] != "" && t.heads[id] == 0 {
				t.forget(id)
			}
		}
	}
}
