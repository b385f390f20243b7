package allocator

import (
	"net/netip"
	"slices"
)

// The reservations of a protocol are kept in a B+ tree keyed by (lo, hi,
// address), the order of [ports.Endpoint.Compare] within one protocol. Its
// leaves hold reservations; each entry of an inner node holds a child, the
// smallest key below it and the largest hi below it, so that a walk over the
// reservations overlapping a range skips every child that ends below the
// range and stops at the first that starts above it: O(log n + k) for k
// results. A node holds up to bmax entries and, below the root, at least
// bmin, so a tree of 10,000 reservations is four levels deep, and a descent
// reads four nodes where a binary tree would read fourteen scattered ones.
// The nodes live in an arena and link by 32-bit index, and the leaves are
// linked in key order. A reservation takes 16 bytes for its record (see
// records.go) and 12 for its entry in a leaf (its key, its id and a tag of
// its owner and address, so that a query reads its results from the leaf
// alone), about 15 with the room that leaves keep free.

const (
	bmax = 16       // entries of a B+ tree node, at most
	bmin = bmax / 2 // entries of a node other than the root, at least
	// maxDepth bounds the levels of a tree: h levels hold at least
	// 2·bmin^(h-1) reservations, more than an int32 can count at h = 12.
	maxDepth = 12
)

// rtree is the reservation tree of one protocol (see the top of this file),
// with the block index that lets insertions, removals and queries near a
// key skip the descent (see blocks.go). Its nodes live in an arena of its
// own; the reservations are the state's, and their addresses the state's
// address table, which the tree reads to order equal keys.
type rtree struct {
	nodes     []treeNode // the arena, once the tree had a node; nodes[0] is the nil node
	freeNodes int32      // free nodes, linked by kids[0]
	root      int32
	blocks    *blockIndex // once the tree has held a reservation
	proto     uint8
	recs      *records // the state's reservations
	addrs     *addrTable
}

// newRtree returns the empty tree of protocol p over the reservations
// recs, whose addresses are in addrs.
func newRtree(p uint8, recs *records, addrs *addrTable) rtree {
	return rtree{proto: p, recs: recs, addrs: addrs}
}

// rec returns the record of reservation x.
func (t *rtree) rec(x int32) *record { return t.recs.at(x) }

// treeNode is a node of a reservation tree, in the arena [rtree.nodes], linked by
// index; index 0 is the nil node. Its entries are sorted by key. The three
// arrays are apart so that a scan of one reads one or two cache lines; the
// count and the link come first, beside the keys that a scan reads with
// them.
//
// The third array is a leaf's tag of each reservation (see leafTag), so that
// a query fills its results from the leaf alone, and an inner node's largest
// hi below each child. A leaf's largest hi is in its keys.
type treeNode struct {
	n     int8 // entries in use
	leaf  bool
	proto uint8        // the protocol of the tree
	next  int32        // leaf: the next leaf in key order, or 0
	keys  [bmax]uint32 // leaf: the key of each reservation; inner: the smallest key under each child
	kids  [bmax]int32  // leaf: the reservation; inner: the child node
	aux   [bmax]uint32 // leaf: the tag of each reservation; inner: the largest hi under each child
}

// A leaf's tag of a reservation is its owner's id << 8 and, in the low 8
// bits, the index of its address in the [addrTable], or tagAddrAbove when
// that is tagAddrAbove or more and the index is in the reservation's record.
// With the key and the protocol beside it in the leaf, it makes the
// reservation without a read of its record, unless the index of its
// address is 255 or more, which takes 255 addresses in use at once at some
// time. Owner ids fit: they are below 1<<idBits.
const tagAddrAbove = 0xff

func leafTag(owner int32, addr uint32) uint32 {
	return uint32(owner)<<8 | min(addr, tagAddrAbove)
}

// tagOwner returns the owner id of leaf tag t.
func tagOwner(t uint32) int32 { return int32(t >> 8) }

func (m *treeNode) insertAt(i int, k, a uint32, kid int32) {
	n := int(m.n)
	copy(m.keys[i+1:n+1], m.keys[i:n])
	copy(m.aux[i+1:n+1], m.aux[i:n])
	copy(m.kids[i+1:n+1], m.kids[i:n])
	m.keys[i], m.aux[i], m.kids[i] = k, a, kid
	m.n++
}

func (m *treeNode) removeAt(i int) {
	n := int(m.n)
	copy(m.keys[i:n-1], m.keys[i+1:n])
	copy(m.aux[i:n-1], m.aux[i+1:n])
	copy(m.kids[i:n-1], m.kids[i+1:n])
	m.keys[n-1], m.aux[n-1], m.kids[n-1] = 0, 0, 0
	m.n--
}

// summary returns the smallest key and the largest hi under node b, the entry
// of b in the node above.
func (t *rtree) summary(b int32) (uint32, uint32) {
	m := &t.nodes[b]
	if m.leaf {
		return m.keys[0], uint32(leafHi(m.keys[:m.n]))
	}
	return m.keys[0], slices.Max(m.aux[:m.n])
}

// newNode returns a new empty node of the tree, from the free
// list if it has one.
func (t *rtree) newNode(leaf bool) int32 {
	var b int32
	if t.freeNodes != 0 {
		b = t.freeNodes
		t.freeNodes = t.nodes[b].kids[0]
	} else {
		if len(t.nodes) == 0 {
			t.nodes = append(t.nodes, treeNode{}) // the nil node
		}
		t.nodes = append(t.nodes, treeNode{})
		b = int32(len(t.nodes) - 1)
	}
	t.nodes[b] = treeNode{leaf: leaf, proto: t.proto}
	return b
}

// freeNode puts node b on the free list.
func (t *rtree) freeNode(b int32) {
	t.nodes[b] = treeNode{}
	t.nodes[b].kids[0] = t.freeNodes
	t.freeNodes = b
}

// firstUnder returns the first reservation under node b.
func (t *rtree) firstUnder(b int32) int32 {
	for !t.nodes[b].leaf {
		b = t.nodes[b].kids[0]
	}
	return t.nodes[b].kids[0]
}

// addrCmp compares the interned address addr with that of reservation x.
func (t *rtree) addrCmp(addr uint32, x int32) int {
	xa := t.rec(x).addr()
	if addr == xa {
		return 0
	}
	return t.addrs.addr(addr).Compare(t.addrs.addr(xa))
}

// childFor returns the child of inner node b under which the key (k, addr)
// belongs: the last whose smallest key is at most (k, addr), or the first.
func (t *rtree) childFor(b int32, k, addr uint32) int {
	m := &t.nodes[b]
	// Count the smallest keys at most k without a branch per entry: the
	// sign of k - mk, in 64 bits, says whether mk > k.
	i := 0
	for _, mk := range m.keys[1:m.n] {
		i += int(^(uint64(k) - uint64(mk)) >> 63)
	}
	// Children whose smallest key equals k on a higher address come after.
	for i > 0 && m.keys[i] == k && t.addrCmp(addr, t.firstUnder(m.kids[i])) < 0 {
		i--
	}
	return i
}

// leafPos returns the first entry of leaf b at or above (k, addr), and
// whether it is (k, addr).
func (t *rtree) leafPos(b int32, k, addr uint32) (int, bool) {
	m := &t.nodes[b]
	i := 0
	for _, mk := range m.keys[:m.n] {
		i += int((uint64(mk) - uint64(k)) >> 63) // 1 if mk < k
	}
	for ; i < int(m.n) && m.keys[i] == k; i++ {
		if c := t.addrCmp(addr, m.kids[i]); c <= 0 {
			return i, c == 0
		}
	}
	return i, false
}

// insert links reservation x of owner, whose key must not be in the tree,
// into the tree. O(log n).
func (t *rtree) insert(x, owner int32) {
	in := t.rec(x)
	k, addr := in.key, in.addr()
	b := t.root
	t.cross(k, 1)
	if t.insertNear(k, addr, x, owner) {
		return
	}
	if b == 0 {
		b = t.newNode(true)
		t.nodes[b].insertAt(0, k, leafTag(owner, addr), x)
		t.root = b
		return
	}
	var path [maxDepth]int32
	var idx [maxDepth]int
	b, d := t.descend(b, k, addr, &path, &idx)
	t.noteLeaf(k, b)
	i, _ := t.leafPos(b, k, addr)
	ek, ea, ekid := k, leafTag(owner, addr), x
	for int(t.nodes[b].n) == bmax {
		if d > 0 && t.shift(path[d-1], idx[d-1], i, ek, ea, ekid) {
			// A sibling took an entry; the nodes above hold as many
			// entries as before, but their summaries may change.
			for d > 0 {
				d--
				pm := &t.nodes[path[d]]
				pm.keys[idx[d]], pm.aux[idx[d]] = t.summary(b)
				b = path[d]
			}
			return
		}
		// Split b: its upper half moves to a new node after it.
		nb := t.newNode(t.nodes[b].leaf)
		m, o := &t.nodes[b], &t.nodes[nb]
		if m.leaf {
			o.next, m.next = m.next, nb
		}
		copy(o.keys[:], m.keys[bmin:])
		copy(o.aux[:], m.aux[bmin:])
		copy(o.kids[:], m.kids[bmin:])
		clear(m.keys[bmin:])
		clear(m.aux[bmin:])
		clear(m.kids[bmin:])
		o.n, m.n = bmax-bmin, bmin
		if i <= bmin {
			m.insertAt(i, ek, ea, ekid)
		} else {
			o.insertAt(i-bmin, ek, ea, ekid)
		}
		nk, nh := t.summary(nb)
		bk, bh := t.summary(b)
		if d == 0 {
			r := t.newNode(false)
			t.nodes[r].insertAt(0, bk, bh, b)
			t.nodes[r].insertAt(1, nk, nh, nb)
			t.root = r
			return
		}
		d--
		parent := path[d]
		t.nodes[parent].keys[idx[d]], t.nodes[parent].aux[idx[d]] = bk, bh
		ek, ea, ekid = nk, nh, nb
		b, i = parent, idx[d]+1
	}
	t.nodes[b].insertAt(i, ek, ea, ekid)
	// Bring the entries above b up to date, while they change.
	for d > 0 {
		d--
		bk, bh := t.summary(b)
		pm := &t.nodes[path[d]]
		if pm.keys[idx[d]] == bk && pm.aux[idx[d]] == bh {
			return
		}
		pm.keys[idx[d]], pm.aux[idx[d]] = bk, bh
		b = path[d]
	}
}

// insertNear links reservation x of owner, of key (k, addr), into the leaf that
// [rtree.nearLeaf] finds, if the leaf has room and its summary in the node
// above (its first key and largest hi) stays as it is, so that nothing
// above it changes. It reports whether it did; if not, insert descends.
func (t *rtree) insertNear(k, addr uint32, x, owner int32) bool {
	leaf := t.nearLeaf(k)
	if leaf == 0 {
		return false
	}
	m := &t.nodes[leaf]
	if m.n == bmax || uint16(k) > leafHi(m.keys[:m.n]) {
		return false
	}
	i, _ := t.leafPos(leaf, k, addr)
	m.insertAt(i, k, leafTag(owner, addr), x)
	return true
}

// leafHi returns the largest hi of the keys of a leaf, which are not none.
func leafHi(keys []uint32) uint16 {
	mx := uint16(keys[0])
	for _, k := range keys[1:] {
		mx = max(mx, uint16(k))
	}
	return mx
}

// shift inserts the entry (k, a, kid) at position i of the full node that is
// child ci of parent by moving one entry of the node to a sibling with room:
// its first to the end of the left sibling, or its last to the start of the
// right one. It updates the parent's entries for the sibling and reports
// whether there was room; the caller updates the entry for the node. Leaves
// fill up this way before they split, to about 85% on random insertions
// instead of 70%.
func (t *rtree) shift(parent int32, ci, i int, k, a uint32, kid int32) bool {
	pm := &t.nodes[parent]
	b := pm.kids[ci]
	m := &t.nodes[b]
	if ci > 0 && i > 0 {
		if left := pm.kids[ci-1]; t.nodes[left].n < bmax {
			t.nodes[left].insertAt(int(t.nodes[left].n), m.keys[0], m.aux[0], m.kids[0])
			m.removeAt(0)
			m.insertAt(i-1, k, a, kid)
			pm.keys[ci-1], pm.aux[ci-1] = t.summary(left)
			return true
		}
	}
	if ci+1 < int(pm.n) && i < bmax {
		if right := pm.kids[ci+1]; t.nodes[right].n < bmax {
			t.nodes[right].insertAt(0, m.keys[bmax-1], m.aux[bmax-1], m.kids[bmax-1])
			m.removeAt(bmax - 1)
			m.insertAt(i, k, a, kid)
			pm.keys[ci+1], pm.aux[ci+1] = t.summary(right)
			return true
		}
	}
	return false
}

// find returns the reservation with key (k, addr) in the tree and its leaf
// tag, or 0. O(log n).
func (t *rtree) find(k, addr uint32) (int32, uint32) {
	b := t.root
	if b == 0 {
		return 0, 0
	}
	for !t.nodes[b].leaf {
		b = t.nodes[b].kids[t.childFor(b, k, addr)]
	}
	if i, ok := t.leafPos(b, k, addr); ok {
		return t.nodes[b].kids[i], t.nodes[b].aux[i]
	}
	return 0, 0
}

// descend walks from node b down to the leaf where key (k, addr) belongs,
// recording in path and idx each inner node passed and the child taken; it
// returns the leaf and the number of levels recorded.
func (t *rtree) descend(b int32, k, addr uint32, path *[maxDepth]int32, idx *[maxDepth]int) (int32, int) {
	d := 0
	for !t.nodes[b].leaf {
		i := t.childFor(b, k, addr)
		path[d], idx[d] = b, i
		d++
		b = t.nodes[b].kids[i]
	}
	return b, d
}

// remove unlinks from the tree the reservation with key (k,
// addr) and returns it and its leaf tag, or 0 if there is none; its record
// stays in [records]. O(log n), and O(log n + k) for the k reservations
// reaching into its block when it was the widest to start there (see
// narrow).
func (t *rtree) remove(k, addr uint32) (int32, uint32) {
	x, tag := t.unlink(k, addr)
	if x != 0 {
		t.narrow(k)
	}
	return x, tag
}

// unlink is remove but for the block index's width bound.
func (t *rtree) unlink(k, addr uint32) (int32, uint32) {
	if x, tag, ok := t.unlinkNear(k, addr); ok {
		return x, tag
	}
	b := t.root
	if b == 0 {
		return 0, 0
	}
	var path [maxDepth]int32
	var idx [maxDepth]int
	b, d := t.descend(b, k, addr, &path, &idx)
	i, ok := t.leafPos(b, k, addr)
	if !ok {
		return 0, 0
	}
	t.noteLeaf(k, b)
	x, tag := t.nodes[b].kids[i], t.nodes[b].aux[i]
	t.nodes[b].removeAt(i)
	t.cross(k, -1)
	for d > 0 {
		d--
		parent, ci := path[d], idx[d]
		pm := &t.nodes[parent]
		if t.nodes[b].n >= bmin {
			bk, bh := t.summary(b)
			if pm.keys[ci] == bk && pm.aux[ci] == bh {
				return x, tag // nothing above changes
			}
			pm.keys[ci], pm.aux[ci] = bk, bh
			b = parent
			continue
		}
		// b is short of entries: take one from a sibling, or merge the
		// two when they fit in one node.
		l := max(ci-1, 0)
		r := l + 1
		left, right := pm.kids[l], pm.kids[r]
		lm, rm := &t.nodes[left], &t.nodes[right]
		switch {
		case int(lm.n)+int(rm.n) <= bmax:
			n := int(lm.n)
			copy(lm.keys[n:], rm.keys[:rm.n])
			copy(lm.aux[n:], rm.aux[:rm.n])
			copy(lm.kids[n:], rm.kids[:rm.n])
			lm.n += rm.n
			if lm.leaf {
				lm.next = rm.next
			}
			t.freeNode(right)
			pm.removeAt(r)
		case lm.n < rm.n:
			lm.insertAt(int(lm.n), rm.keys[0], rm.aux[0], rm.kids[0])
			rm.removeAt(0)
			pm.keys[r], pm.aux[r] = t.summary(right)
		default:
			j := int(lm.n) - 1
			rm.insertAt(0, lm.keys[j], lm.aux[j], lm.kids[j])
			lm.removeAt(j)
			pm.keys[r], pm.aux[r] = t.summary(right)
		}
		pm.keys[l], pm.aux[l] = t.summary(left)
		b = parent
	}
	// b is the root.
	switch m := &t.nodes[b]; {
	case m.n == 0:
		t.freeNode(b)
		t.root = 0
	case !m.leaf && m.n == 1:
		t.root = m.kids[0]
		t.freeNode(b)
	}
	return x, tag
}

// unlinkNear is unlink in the leaf that [rtree.nearLeaf] finds, where the
// key must be if it is anywhere, and reports true; it returns no
// reservation, and true, if the key is not in that leaf, since it is then
// nowhere. It reports false, having changed nothing, when there is no such
// leaf, or when taking the entry out would leave the leaf short of entries
// or change its summary in the node above (its largest hi); its first key,
// below k, stays.
func (t *rtree) unlinkNear(k, addr uint32) (int32, uint32, bool) {
	leaf := t.nearLeaf(k)
	if leaf == 0 {
		return 0, 0, false
	}
	i, ok := t.leafPos(leaf, k, addr)
	if !ok {
		return 0, 0, true // not in the one leaf it could be in
	}
	m := &t.nodes[leaf]
	if m.n <= bmin && leaf != t.root {
		return 0, 0, false
	}
	// Entry i is not the first, whose key is below k.
	others := leafHi(m.keys[:i])
	for _, k := range m.keys[i+1 : m.n] {
		others = max(others, uint16(k))
	}
	if uint16(k) > others {
		return 0, 0, false // the leaf's largest hi would go down
	}
	x, tag := m.kids[i], m.aux[i]
	m.removeAt(i)
	t.cross(k, -1)
	return x, tag, true
}

// rcursor walks, in key order, the reservations of one tree whose ports
// overlap [lo, hi] and whose key is above a starting key. It holds its path
// inline and allocates nothing. A walk of k reservations costs
// O(log n + k).
type rcursor struct {
	t      *rtree
	lo, hi uint16
	d      int             // frames in use
	node   [maxDepth]int32 // the nodes of the path, root first
	pos    [maxDepth]uint8 // the next entry of each to look at
}

// walk starts a walk over the reservations of the tree overlapping [lo,
// hi], from the first. O(1).
func (t *rtree) walk(c *rcursor, lo, hi uint16) {
	c.t, c.lo, c.hi, c.d = t, lo, hi, 0
	if b := t.root; b != 0 {
		c.node[0], c.pos[0], c.d = b, 0, 1
	}
}

// seek restarts the walk of c at the first reservation whose key is above
// (ak, aaddr), or at it too if incl is true, keeping the ports it walks
// over. O(log n).
func (c *rcursor) seek(ak uint32, aaddr netip.Addr, incl bool) {
	t, lo, hi := c.t, c.lo, c.hi
	c.d = 0
	b := t.root
	if b == 0 {
		return
	}
	// An entry of address a with key ak lies at or after the start when
	// aaddr.Compare(a) < lim.
	lim := 0
	if incl {
		lim = 1
	}
	// Start each node of the path at the first entry that may hold keys
	// from the start on; descend into it only if it may overlap.
	for {
		m := &t.nodes[b]
		n := int(m.n)
		if m.leaf {
			i := 0
			for ; i < n; i++ {
				if k := m.keys[i]; k > ak || k == ak && aaddr.Compare(t.addrs.addr(t.rec(m.kids[i]).addr())) < lim {
					break
				}
			}
			c.node[c.d], c.pos[c.d] = b, uint8(i)
			c.d++
			return
		}
		i := 0
		for ; i+1 < n; i++ {
			k := m.keys[i+1]
			if k > ak || k == ak && aaddr.Compare(t.addrs.addr(t.rec(t.firstUnder(m.kids[i+1])).addr())) < lim {
				break
			}
		}
		c.node[c.d], c.pos[c.d] = b, uint8(i+1)
		c.d++
		if uint16(m.aux[i]) < lo || uint16(m.keys[i]>>16) > hi {
			return
		}
		b = m.kids[i]
	}
}

// step returns the next reservation of the walk, or 0 when it is over.
func (c *rcursor) step() int32 {
	t, lo := c.t, c.lo
	for c.d > 0 {
		f := c.d - 1
		m := &t.nodes[c.node[f]]
		n := int(m.n)
		i := int(c.pos[f])
		// An entry whose largest hi is below lo starts below lo too, so
		// skipping those reads only the his (a leaf's are in its keys).
		if m.leaf {
			for i < n && uint16(m.keys[i]) < lo {
				i++
			}
		} else {
			for i < n && uint16(m.aux[i]) < lo {
				i++
			}
		}
		if i >= n {
			c.d--
			continue
		}
		if uint16(m.keys[i]>>16) > c.hi {
			// Every key from here on starts above hi.
			c.d = 0
			return 0
		}
		c.pos[f] = uint8(i + 1)
		if m.leaf {
			return m.kids[i]
		}
		c.node[c.d], c.pos[c.d] = m.kids[i], 0
		c.d++
	}
	return 0
}

// at returns the leaf and the entry of the reservation that step returned
// last.
func (c *rcursor) at() (*treeNode, int) {
	f := c.d - 1
	return &c.t.nodes[c.node[f]], int(c.pos[f]) - 1
}

// leafEntry is a reservation as a leaf holds it: its key, its index in
// [records] and its tag (see leafTag).
type leafEntry struct {
	key uint32
	x   int32
	tag uint32
}

// bulkFill is how many entries build puts in a node when it can: most of
// it, so that the tree is as shallow as insertions would leave it, with
// room for a few insertions before a node splits.
const bulkFill = bmax - bmax/8

// build builds the tree, which must be empty, from entries
// sorted by key and address, bottom up: the leaves, then each level above
// them, each node holding bulkFill entries or as evenly fewer as keeps every
// node at bmin or more. It counts each reservation in the block index. O(n).
func (t *rtree) build(entries []leafEntry) {
	if len(entries) == 0 {
		return
	}
	// The nodes of the level built last, and the summary of each for the
	// level above: its smallest key and its largest hi.
	level := make([]int32, 0, len(entries)/bulkFill+1)
	keys := make([]uint32, 0, cap(level))
	his := make([]uint32, 0, cap(level))
	prev := int32(0)
	for _, part := range split(len(entries)) {
		b := t.newNode(true)
		m := &t.nodes[b]
		for i, e := range entries[part[0]:part[1]] {
			m.keys[i], m.kids[i], m.aux[i] = e.key, e.x, e.tag
		}
		m.n = int8(part[1] - part[0])
		if prev != 0 {
			t.nodes[prev].next = b
		}
		prev = b
		k, h := t.summary(b)
		level, keys, his = append(level, b), append(keys, k), append(his, h)
	}
	for len(level) > 1 {
		n := 0
		for _, part := range split(len(level)) {
			b := t.newNode(false)
			m := &t.nodes[b]
			copy(m.kids[:], level[part[0]:part[1]])
			copy(m.keys[:], keys[part[0]:part[1]])
			copy(m.aux[:], his[part[0]:part[1]])
			m.n = int8(part[1] - part[0])
			k, h := t.summary(b)
			level[n], keys[n], his[n] = b, k, h
			n++
		}
		level, keys, his = level[:n], keys[:n], his[:n]
	}
	t.root = level[0]
	t.blocks = newBlockIndex(entries)
}

// split returns the parts, [from, to), of n entries that build puts in
// the nodes of a level: bulkFill each, spread evenly, in fewer nodes when
// that would leave a node below bmin. Every part but a lone one holds
// between bmin and bmax entries.
func split(n int) [][2]int {
	k := (n + bulkFill - 1) / bulkFill
	if k > 1 && n < bmin*k {
		k--
	}
	parts := make([][2]int, k)
	for j := range parts {
		parts[j] = [2]int{j * n / k, (j + 1) * n / k}
	}
	return parts
}
