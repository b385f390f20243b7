package allocator

// cover is the occupancy of one view: the set of ports that an allocation on
// the view's address must not use, held as its maximal runs (segments that
// are sorted, disjoint and never adjacent) in an AVL tree keyed by the low
// port. Each node carries, for its subtree, the lowest and highest covered
// port, the number of covered ports and the largest free gap between two
// consecutive segments. Those are enough to find the first (or last) free
// run of k ports at or after (or before) a port in O(log n), without
// visiting the segments one by one, and to count covered ports in a range in
// O(log n).
//
// Nodes live in the cover's own arena and link by index; index 0 is nil. A
// node is 24 bytes.
type cover struct {
	n     []cnode
	free  int32 // head of the free list, linked by left
	root  int32
	count int // number of segments
}

type cnode struct {
	s, e   uint16 // the segment, inclusive
	minS   uint16 // lowest port covered in the subtree
	maxE   uint16 // highest port covered in the subtree
	maxGap uint16 // largest gap between consecutive segments of the subtree; 0 if none
	meta   uint32 // covered ports of the subtree << 8 | AVL height
	left   int32
	right  int32
}

func (c *cover) h(n int32) uint32 {
	if n == 0 {
		return 0
	}
	return c.n[n].meta & 0xff
}

func (c *cover) covered(n int32) int {
	if n == 0 {
		return 0
	}
	return int(c.n[n].meta >> 8)
}

func (c *cover) fix(n int32) {
	m := &c.n[n]
	minS, maxE := m.s, m.e
	gap := 0
	h := uint32(0)
	cov := uint32(m.e) - uint32(m.s) + 1
	if l := m.left; l != 0 {
		x := &c.n[l]
		minS = x.minS
		gap = max(int(x.maxGap), int(m.s)-int(x.maxE)-1)
		h = x.meta & 0xff
		cov += x.meta >> 8
	}
	if r := m.right; r != 0 {
		x := &c.n[r]
		maxE = x.maxE
		gap = max(gap, int(x.maxGap), int(x.minS)-int(m.e)-1)
		h = max(h, x.meta&0xff)
		cov += x.meta >> 8
	}
	m.minS, m.maxE, m.maxGap = minS, maxE, uint16(gap)
	m.meta = cov<<8 | (h + 1)
}

func (c *cover) rotLeft(n int32) int32 {
	r := c.n[n].right
	c.n[n].right = c.n[r].left
	c.n[r].left = n
	c.fix(n)
	c.fix(r)
	return r
}

func (c *cover) rotRight(n int32) int32 {
	l := c.n[n].left
	c.n[n].left = c.n[l].right
	c.n[l].right = n
	c.fix(n)
	c.fix(l)
	return l
}

func (c *cover) balance(n int32) int32 {
	c.fix(n)
	m := &c.n[n]
	hl, hr := c.h(m.left), c.h(m.right)
	switch {
	case hl > hr+1:
		if l := m.left; c.h(c.n[l].left) < c.h(c.n[l].right) {
			c.n[n].left = c.rotLeft(l)
		}
		return c.rotRight(n)
	case hr > hl+1:
		if r := m.right; c.h(c.n[r].right) < c.h(c.n[r].left) {
			c.n[n].right = c.rotRight(r)
		}
		return c.rotLeft(n)
	}
	return n
}

func (c *cover) attach(parent int32, left bool, x int32) {
	switch {
	case parent == 0:
		c.root = x
	case left:
		c.n[parent].left = x
	default:
		c.n[parent].right = x
	}
}

// alloc returns a detached node holding [s, e].
func (c *cover) alloc(s, e uint16) int32 {
	var i int32
	if c.free != 0 {
		i = c.free
		c.free = c.n[i].left
	} else {
		if len(c.n) == 0 {
			c.n = append(c.n, cnode{}) // the nil node
		}
		c.n = append(c.n, cnode{})
		i = int32(len(c.n) - 1)
	}
	c.n[i] = cnode{s: s, e: e}
	return i
}

// insert adds the segment [s, e], which must be disjoint from and not
// adjacent to every segment of the tree. O(log n).
func (c *cover) insert(s, e uint16) {
	x := c.alloc(s, e)
	c.fix(x)
	c.count++
	var path [maxDepth]int32
	var dir [maxDepth]bool
	d := 0
	for cur := c.root; cur != 0; d++ {
		path[d] = cur
		dir[d] = s < c.n[cur].s
		if dir[d] {
			cur = c.n[cur].left
		} else {
			cur = c.n[cur].right
		}
	}
	if d == 0 {
		c.root = x
		return
	}
	c.attach(path[d-1], dir[d-1], x)
	c.retrace(&path, &dir, d)
}

// retrace rebalances and recomputes the nodes path[d-1] up to path[0].
func (c *cover) retrace(path *[maxDepth]int32, dir *[maxDepth]bool, d int) {
	for i := d - 1; i >= 0; i-- {
		x := path[i]
		nx := c.balance(x)
		if nx != x {
			var parent int32
			if i > 0 {
				parent = path[i-1]
			}
			c.attach(parent, i > 0 && dir[i-1], nx)
		}
	}
}

// find records in path the nodes from the root to the segment whose low port
// is s, and returns its depth (the segment is path[d]), or -1 if there is
// none.
func (c *cover) find(s uint16, path *[maxDepth]int32, dir *[maxDepth]bool) int {
	d := 0
	for cur := c.root; cur != 0; d++ {
		path[d] = cur
		m := &c.n[cur]
		if s == m.s {
			return d
		}
		dir[d] = s < m.s
		if dir[d] {
			cur = m.left
		} else {
			cur = m.right
		}
	}
	return -1
}

// delete removes the segment whose low port is s. O(log n).
func (c *cover) delete(s uint16) {
	var path [maxDepth]int32
	var dir [maxDepth]bool
	d := c.find(s, &path, &dir)
	if d < 0 {
		return
	}
	n := path[d]
	m := c.n[n]
	t := d
	var parent int32
	if t > 0 {
		parent = path[t-1]
	}
	parentLeft := t > 0 && dir[t-1]
	var repl int32
	if m.left == 0 || m.right == 0 {
		repl = m.left | m.right
	} else {
		dir[d] = false
		d++
		succ := m.right
		for c.n[succ].left != 0 {
			path[d], dir[d] = succ, true
			d++
			succ = c.n[succ].left
		}
		if sp := path[d-1]; sp != n {
			c.n[sp].left = c.n[succ].right
			c.n[succ].right = m.right
		}
		c.n[succ].left = m.left
		path[t] = succ
		repl = succ
	}
	c.attach(parent, parentLeft, repl)
	c.retrace(&path, &dir, d)
	c.n[n] = cnode{left: c.free}
	c.free = n
	c.count--
}

// reshape changes the segment whose low port is s to [ns, ne]. The new
// segment must keep its place in the order and stay disjoint from and not
// adjacent to the others. O(log n).
func (c *cover) reshape(s, ns, ne uint16) {
	var path [maxDepth]int32
	var dir [maxDepth]bool
	d := c.find(s, &path, &dir)
	if d < 0 {
		return
	}
	m := &c.n[path[d]]
	m.s, m.e = ns, ne
	for i := d; i >= 0; i-- {
		c.fix(path[i])
	}
}

// floor returns the segment with the largest low port not above p, or 0.
func (c *cover) floor(p int) int32 {
	var best int32
	for cur := c.root; cur != 0; {
		if int(c.n[cur].s) <= p {
			best = cur
			cur = c.n[cur].right
		} else {
			cur = c.n[cur].left
		}
	}
	return best
}

// add covers the ports [a, b], merging the segments that it overlaps or
// touches. O((m+1) log n) for m segments merged.
func (c *cover) add(a, b int) {
	for {
		p := c.floor(b + 1)
		if p == 0 || int(c.n[p].e) < a-1 {
			c.insert(uint16(a), uint16(b))
			return
		}
		ps, pe := int(c.n[p].s), int(c.n[p].e)
		if ps <= a && pe >= b {
			return
		}
		na, nb := min(a, ps), max(b, pe)
		// p is the last segment that can touch [a, b]; if the one before
		// it cannot, p absorbs the new ports in place.
		if q := c.floor(ps - 1); q == 0 || int(c.n[q].e) < na-1 {
			c.reshape(uint16(ps), uint16(na), uint16(nb))
			return
		}
		c.delete(uint16(ps))
		a, b = na, nb
	}
}

// remove uncovers the ports [a, b]. O((m+1) log n) for m segments touched.
func (c *cover) remove(a, b int) {
	for {
		p := c.floor(b)
		if p == 0 || int(c.n[p].e) < a {
			return
		}
		ps, pe := int(c.n[p].s), int(c.n[p].e)
		switch {
		case ps < a && pe > b:
			c.reshape(uint16(ps), uint16(ps), uint16(a-1))
			c.insert(uint16(b+1), uint16(pe))
			return
		case ps < a:
			c.reshape(uint16(ps), uint16(ps), uint16(a-1))
			return
		case pe > b:
			c.reshape(uint16(ps), uint16(b+1), uint16(pe))
		default:
			c.delete(uint16(ps))
		}
	}
}

// firstFit returns the smallest c >= a such that the ports c to c+k-1 are
// all uncovered and c+k-1 <= 65535, or -1. O(log n).
func (c *cover) firstFit(a, k int) int {
	if r := c.ff(c.root, -1, a, k); r >= 0 {
		return r
	}
	last := -1
	if c.root != 0 {
		last = int(c.n[c.root].maxE)
	}
	if start := max(last+1, a); start+k-1 <= 65535 {
		return start
	}
	return -1
}

// ff searches the gaps that end inside the subtree n: the gap between pe (the
// last covered port before the subtree, -1 if none) and the subtree's first
// segment, and the gaps between its segments.
func (c *cover) ff(n int32, pe, a, k int) int {
	for n != 0 {
		m := &c.n[n]
		if int(m.maxE) < a {
			return -1 // every gap here ends before a
		}
		if pe+1 >= a && int(m.minS)-pe-1 < k && int(m.maxGap) < k {
			return -1 // every gap here lies after a and is too short
		}
		if m.left != 0 {
			if r := c.ff(m.left, pe, a, k); r >= 0 {
				return r
			}
			pe = int(c.n[m.left].maxE)
		}
		if start := max(pe+1, a); start+k <= int(m.s) {
			return start
		}
		pe = int(m.e)
		n = m.right
	}
	return -1
}

// lastFit returns the largest c such that the ports c to c+k-1 are all
// uncovered and c+k-1 <= b, or -1. O(log n).
func (c *cover) lastFit(b, k int) int {
	if r := c.lf(c.root, 65536, b, k); r >= 0 {
		return r
	}
	first := 65536
	if c.root != 0 {
		first = int(c.n[c.root].minS)
	}
	if end := min(first-1, b); end-k+1 >= 0 {
		return end - k + 1
	}
	return -1
}

// lf mirrors ff: ns is the first covered port after the subtree, 65536 if
// none.
func (c *cover) lf(n int32, ns, b, k int) int {
	for n != 0 {
		m := &c.n[n]
		if int(m.minS) > b {
			return -1
		}
		if ns-1 <= b && ns-int(m.maxE)-1 < k && int(m.maxGap) < k {
			return -1
		}
		if m.right != 0 {
			if r := c.lf(m.right, ns, b, k); r >= 0 {
				return r
			}
			ns = int(c.n[m.right].minS)
		}
		if end := min(ns-1, b); end-int(m.e) >= k {
			return end - k + 1
		}
		ns = int(m.s)
		n = m.left
	}
	return -1
}

// coveredTo returns the number of covered ports at or below p. O(log n).
func (c *cover) coveredTo(p int) int {
	sum := 0
	for cur := c.root; cur != 0; {
		m := &c.n[cur]
		if int(m.s) > p {
			cur = m.left
			continue
		}
		sum += c.covered(m.left) + min(int(m.e), p) - int(m.s) + 1
		cur = m.right
	}
	return sum
}

// coveredIn returns the number of covered ports in [a, b].
func (c *cover) coveredIn(a, b int) int {
	return c.coveredTo(b) - c.coveredTo(a-1)
}

// longestFree returns the length of the longest uncovered run of ports that
// lies within [a, b]. It walks the segments in [a, b]: O(log n + m).
func (c *cover) longestFree(a, b int) int {
	best, prev := 0, a-1 // prev: last covered port seen, or a-1
	var stack [maxDepth]int32
	sp := 0
	cur := c.root
	for {
		for cur != 0 {
			if int(c.n[cur].maxE) < a {
				break
			}
			stack[sp] = cur
			sp++
			cur = c.n[cur].left
		}
		if sp == 0 {
			break
		}
		sp--
		m := &c.n[stack[sp]]
		if int(m.s) > b {
			break
		}
		if int(m.e) >= a {
			best = max(best, int(m.s)-prev-1)
			prev = max(prev, int(m.e))
		}
		cur = m.right
	}
	return max(best, b-prev)
}

// build replaces the tree by one holding the given segments, which must be
// sorted, disjoint and not adjacent. O(n).
func (c *cover) build(segs [][2]uint16) {
	c.n = c.n[:0]
	c.n = append(c.n, cnode{})
	c.free, c.count = 0, len(segs)
	c.root = c.buildRange(segs)
}

func (c *cover) buildRange(segs [][2]uint16) int32 {
	if len(segs) == 0 {
		return 0
	}
	mid := len(segs) / 2
	x := c.alloc(segs[mid][0], segs[mid][1])
	l := c.buildRange(segs[:mid])
	r := c.buildRange(segs[mid+1:])
	c.n[x].left, c.n[x].right = l, r
	c.fix(x)
	return x
}

// segments appends the segments of the tree, in order, to dst.
func (c *cover) segments(dst [][2]uint16) [][2]uint16 {
	var stack [maxDepth]int32
	sp := 0
	cur := c.root
	for {
		for cur != 0 {
			stack[sp] = cur
			sp++
			cur = c.n[cur].left
		}
		if sp == 0 {
			return dst
		}
		sp--
		m := &c.n[stack[sp]]
		dst = append(dst, [2]uint16{m.s, m.e})
		cur = m.right
	}
}
