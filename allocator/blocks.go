package allocator

import (
	"sync/atomic"

	"github.com/portalloc/ports"
)

// The block index answers most overlap and stab queries without a descent
// of the tree. The ports of a protocol are cut into blocks of 1<<blockBits;
// for each block it keeps
//
//   - cross: how many reservations start before the block and reach into
//     it. A reservation overlapping a query that starts in the block either
//     starts in the block or after it, or is one of these.
//
//   - hint: a leaf of the tree from which a scan along the leaves reaches
//     the first reservation that starts in the block. A hint is only a
//     hint: it is checked before use (a live leaf of the protocol's tree
//     whose first key is below the block's, so that nothing the scan must
//     see lies before it), and repaired by a descent when the check fails
//     or the scan runs long. Queries repair hints under the read lock,
//     hence the atomic loads and stores. Insertions and removals use the
//     hint too, to reach their leaf without a descent when the change
//     stays inside it (see nearLeaf), and when they descend they make the
//     leaf they reach the hint, if its first key is below the block's.
//
//   - wide: a bound on the widths of the reservations that start in the
//     block, so that a scan with nothing reaching in from before can start
//     where a reservation could first reach the query. It grows with them;
//     when the widest goes, it is taken again from those left if it was
//     exactWide or more, and left as it was otherwise. So it is exact from
//     exactWide up, and below that at most exactWide - 1 too high, which
//     costs a query a scan of a few ports more.
//
// cross is exact, kept by insert and remove in O(blocks a reservation
// reaches into). The index takes 10 KiB per protocol in use.
const (
	blockBits = 6
	nBlocks   = 1 << (16 - blockBits)
	// maxHops bounds the leaves a scan from a hint visits before it gives
	// the query to the cursor.
	maxHops = 8
	// exactWide is the width from which a block's width bound is taken
	// again when the widest reservation of the block goes. Below it, the
	// scan of a few more ports costs a query less than taking the bound
	// again would cost the release.
	exactWide = 16
)

type blockIndex struct {
	cross [nBlocks]int32
	hint  [nBlocks]atomic.Int32
	// wide bounds the width, hi - lo, of the reservations that start in
	// the block: exactly, from exactWide up (see narrow).
	wide [nBlocks]uint16
}

// narrow brings the width bound of the block where the reservation with key
// k started up to date after it went, which the caller has unlinked from the
// tree: if it was the widest of the block and at least exactWide ports wide,
// the bound becomes the widest of those that start in the block now (0 if
// none does). O(log n + k) for the k reservations that reach into the block,
// and O(1) for any other.
func (t *rtree) narrow(k uint32) {
	bx := t.blocks
	lo, w := uint16(k>>16), uint16(k)-uint16(k>>16)
	b := lo >> blockBits
	if w < exactWide || w != bx.wide[b] {
		return
	}
	start := b << blockBits
	var c rcursor
	t.walk(&c, start, start|(1<<blockBits-1))
	widest := uint16(0)
	for x := c.step(); x != 0; x = c.step() {
		if in := t.rec(x); in.lo() >= start {
			widest = max(widest, in.hi()-in.lo())
		}
	}
	bx.wide[b] = widest
}

// cross counts the reservation with key k in (d = 1) or out (d = -1) of the
// blocks it reaches into from before.
func (t *rtree) cross(k uint32, d int32) {
	bx := t.blocks
	if bx == nil {
		bx = new(blockIndex)
		t.blocks = bx
	}
	lo, hi := int(k>>16)>>blockBits, int(uint16(k))>>blockBits
	if w := uint16(k) - uint16(k>>16); d > 0 && w > bx.wide[lo] {
		bx.wide[lo] = w
	}
	for b := lo + 1; b <= hi; b++ {
		bx.cross[b] += d
	}
}

// fromIndex fills buf with the first batch of query q through the block
// index: it scans the leaves from the hint of lo's block, in key order, and
// leaves q's cursor where it stopped. A reservation that starts before the
// block overlaps the query only if it reaches into the block, and cross
// says how many do; the scan counts those it passes, and the answer holds
// only if it passed them all. When none reaches in, the scan skips to the
// first key from which a reservation could reach lo, by the block's bound
// on widths.
// It reports false when the index cannot answer (a reservation reaching in
// lies before the hint, or the scan would visit more than maxHops leaves);
// what it wrote to buf then does not count, and neither does the cursor.
func (q *query) fromIndex(buf []Reservation) (int, bool) {
	t := q.t
	bx := t.blocks
	if bx == nil {
		return 0, false
	}
	lo := q.lo
	b := lo >> blockBits
	start := b << blockBits
	blockKey := uint32(start) << 16 // the smallest key of the block
	leaf := bx.hint[b].Load()
	if !t.hintOK(leaf, blockKey) {
		leaf = t.leafBefore(blockKey)
		bx.hint[b].Store(leaf)
	}
	crossing := bx.cross[b]
	// Where the scan may start: anywhere in the hint's leaf while some
	// reservation reaches in from before, which it must count; with none,
	// at the block, or where a reservation could first reach lo (one that
	// starts more than wide ports before lo ends before it).
	var from uint32
	if crossing == 0 {
		from = blockKey
		if w := bx.wide[b]; int(lo)-int(w) > int(start) {
			from = uint32(lo-w) << 16
		}
	}
	q.at.leaf, q.at.i = leaf, 0
	n, seen, ok := q.scanLeaves(buf, start, from)
	return n, ok && seen == crossing
}

// alongLeaves goes on with the scan of fromIndex from where q's cursor
// says it stopped, into buf, and leaves the cursor where it stops. The
// caller has held the lock since fromIndex reported true. It reports false
// if the scan would visit more than maxHops leaves; what it wrote to buf
// then does not count.
func (q *query) alongLeaves(buf []Reservation) (int, bool) {
	n, _, ok := q.scanLeaves(buf, 0, 0)
	return n, ok
}

// scanLeaves fills buf with the reservations of query q along the leaves
// of the tree, from entry i of leaf of q's cursor on, skipping keys below
// from. It counts in seen the reservations it passes that start before
// port start and reach it, and leaves the cursor at the entry after the
// last it took when buf fills, or at leaf 0 when no further key can
// overlap. It reports false if it would visit more than maxHops leaves.
func (q *query) scanLeaves(buf []Reservation, start uint16, from uint32) (n int, seen int32, ok bool) {
	// The loop reads the query through q: Go keeps no register across the
	// call to fill, so copies in locals would be stored on the stack and
	// read back anyway, and fewer of them leave the registers to the scan.
	t := q.t
	leaf, i := q.at.leaf, int(q.at.i)
	for hop := 0; leaf != 0; hop++ {
		if hop == maxHops {
			return 0, 0, false
		}
		m := &t.nodes[leaf]
		keys := m.keys[:m.n]
		if i >= len(keys) || keys[len(keys)-1] < from {
			leaf, i = m.next, 0 // nothing here from where the scan starts
			continue
		}
		for keys[i] < from {
			i++
		}
		for ; i < len(keys); i++ {
			k := keys[i]
			klo, khi := uint16(k>>16), uint16(k)
			if klo > q.hi {
				q.at.leaf = 0
				return n, seen, true // keys go up: nothing further starts by hi
			}
			if klo < start && khi >= start {
				seen++
			}
			if khi < q.lo {
				continue
			}
			if !q.every && !ports.AddrsOverlap(q.s.tagAddr(m.aux[i], m.kids[i]), q.addr) {
				continue
			}
			q.s.fill(&buf[n], m, i)
			if n++; n == len(buf) {
				q.at.leaf, q.at.i = leaf, int32(i+1)
				return n, seen, true
			}
		}
		leaf, i = m.next, 0
	}
	q.at.leaf = 0
	return n, seen, true
}

// nearLeaf returns, through the block index, the leaf of the tree
// that holds key k strictly between its ends: the leaf's first key is below
// k, and the next leaf's first key, if there is one, above it. Key k, on any
// address, belongs in that leaf and nowhere else, so that insert and
// unlink can go to it without a descent. It returns 0 when the hint of k's
// block does not hold, when the hint is the first leaf and begins at k or
// after it, when a key equal to k begins a leaf (which address comes first
// would then decide), or when the leaf lies more than maxHops leaves after
// the hint.
func (t *rtree) nearLeaf(k uint32) int32 {
	bx := t.blocks
	if bx == nil {
		return 0
	}
	b, blockKey := blockOfKey(k)
	leaf := bx.hint[b].Load()
	if !t.hintOK(leaf, blockKey) {
		return 0
	}
	for range maxHops {
		m := &t.nodes[leaf]
		if m.keys[0] >= k {
			return 0 // the first leaf, which may begin at k or after it
		}
		if k < m.keys[m.n-1] || m.next == 0 {
			return leaf
		}
		switch nk := t.nodes[m.next].keys[0]; {
		case nk > k:
			return leaf
		case nk == k:
			return 0
		}
		leaf = m.next
	}
	return 0
}

// noteLeaf makes leaf, which a descent for key k reached, the hint of k's
// block if it may start a scan there (its first key is below the block's),
// so that the next insertion or removal near k finds its leaf through
// nearLeaf without a descent.
func (t *rtree) noteLeaf(k uint32, leaf int32) {
	b, blockKey := blockOfKey(k)
	if bx := t.blocks; bx != nil && t.nodes[leaf].keys[0] < blockKey {
		bx.hint[b].Store(leaf)
	}
}

// blockOfKey returns the block where the reservation with key k starts, and
// the smallest key of that block.
func blockOfKey(k uint32) (b, blockKey uint32) {
	return k >> (16 + blockBits), k &^ (1<<(16+blockBits) - 1)
}

// hintOK reports whether leaf may start a scan for the reservations whose
// key is at least blockKey: it is a live leaf of the tree, and either its
// first key is below blockKey (so every key before it is too) or it is the
// first leaf.
func (t *rtree) hintOK(leaf int32, blockKey uint32) bool {
	if leaf <= 0 || int(leaf) >= len(t.nodes) {
		return false
	}
	m := &t.nodes[leaf]
	if !m.leaf || m.n == 0 {
		return false
	}
	return m.keys[0] < blockKey || leaf == t.firstLeaf()
}

// leafBefore returns the last leaf of the tree whose first key is
// below blockKey, or the first leaf if none is. O(log n).
func (t *rtree) leafBefore(blockKey uint32) int32 {
	b := t.root
	if b == 0 {
		return 0
	}
	for !t.nodes[b].leaf {
		m := &t.nodes[b]
		i := 0
		for i+1 < int(m.n) && m.keys[i+1] < blockKey {
			i++
		}
		b = m.kids[i]
	}
	return b
}

// firstLeaf returns the first leaf of the tree, or 0.
func (t *rtree) firstLeaf() int32 {
	b := t.root
	for b != 0 && !t.nodes[b].leaf {
		b = t.nodes[b].kids[0]
	}
	return b
}

// newBlockIndex returns the block index of a tree holding the reservations
// of entries, as cross would leave it after inserting each of them, with
// no hints. O(n + nBlocks).
func newBlockIndex(entries []leafEntry) *blockIndex {
	bx := new(blockIndex)
	var diff [nBlocks + 1]int32
	for _, e := range entries {
		lo, hi := int(e.key>>16)>>blockBits, int(uint16(e.key))>>blockBits
		bx.wide[lo] = max(bx.wide[lo], uint16(e.key)-uint16(e.key>>16))
		diff[lo+1]++
		diff[hi+1]--
	}
	run := int32(0)
	for b := range nBlocks {
		run += diff[b]
		bx.cross[b] = run
	}
	return bx
}
