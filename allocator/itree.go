package allocator

import "net/netip"

// maxDepth bounds the height of every tree in the package. An AVL tree of
// height h holds at least F(h+2)-1 nodes (F the Fibonacci numbers), so a
// height of 64 would need more nodes than an int32 index can name.
const maxDepth = 64

// rnode is one reservation in the reservation tree of its protocol. The nodes
// of all four protocols live in one arena, [state.nodes], and link to each
// other by index; index 0 is the nil node. A node is 32 bytes.
type rnode struct {
	lo, hi uint16 // the reserved ports, inclusive
	maxHi  uint16 // largest hi in the subtree rooted here
	height int8   // AVL height of the subtree; 1 for a leaf
	proto  uint8  // protocol, 1-4
	addr   uint32 // index into state.addrs
	left   int32
	right  int32
	owner  int32 // index into state.owners
	oprev  int32 // the owner's previous reservation, or 0
	onext  int32 // the owner's next reservation, or 0
}

// rtree operations. The reservation tree of a protocol is an AVL tree keyed
// by (lo, hi, address), the order of [ports.Endpoint.Compare] within one
// protocol, augmented with the largest hi of each subtree so that the
// reservations overlapping a range are found in O(log n + k).

func (s *state) rh(n int32) int8 {
	if n == 0 {
		return 0
	}
	return s.nodes[n].height
}

// rfix recomputes the height and maxHi of n from its children.
func (s *state) rfix(n int32) {
	m := &s.nodes[n]
	h, mx := int8(0), m.hi
	if l := m.left; l != 0 {
		c := &s.nodes[l]
		h, mx = c.height, max(mx, c.maxHi)
	}
	if r := m.right; r != 0 {
		c := &s.nodes[r]
		h, mx = max(h, c.height), max(mx, c.maxHi)
	}
	m.height, m.maxHi = h+1, mx
}

func (s *state) rrotLeft(n int32) int32 {
	r := s.nodes[n].right
	s.nodes[n].right = s.nodes[r].left
	s.nodes[r].left = n
	s.rfix(n)
	s.rfix(r)
	return r
}

func (s *state) rrotRight(n int32) int32 {
	l := s.nodes[n].left
	s.nodes[n].left = s.nodes[l].right
	s.nodes[l].right = n
	s.rfix(n)
	s.rfix(l)
	return l
}

// rbalance recomputes n and restores the AVL property at n, returning the
// new root of the subtree.
func (s *state) rbalance(n int32) int32 {
	s.rfix(n)
	m := &s.nodes[n]
	bf := s.rh(m.left) - s.rh(m.right)
	switch {
	case bf > 1:
		if l := m.left; s.rh(s.nodes[l].left) < s.rh(s.nodes[l].right) {
			s.nodes[n].left = s.rrotLeft(l)
		}
		return s.rrotRight(n)
	case bf < -1:
		if r := m.right; s.rh(s.nodes[r].right) < s.rh(s.nodes[r].left) {
			s.nodes[n].right = s.rrotRight(r)
		}
		return s.rrotLeft(n)
	}
	return n
}

// rcmp compares the key (lo, hi, addr) with the key of node n.
func (s *state) rcmp(lo, hi uint16, addr uint32, n int32) int {
	m := &s.nodes[n]
	switch {
	case lo != m.lo:
		if lo < m.lo {
			return -1
		}
		return +1
	case hi != m.hi:
		if hi < m.hi {
			return -1
		}
		return +1
	case addr == m.addr:
		return 0
	}
	return s.addrs[addr].addr.Compare(s.addrs[m.addr].addr)
}

// rattach makes c the child of parent on the given side, or the root of the
// tree of protocol p when parent is 0.
func (s *state) rattach(p uint8, parent int32, left bool, c int32) {
	switch {
	case parent == 0:
		s.roots[p-1] = c
	case left:
		s.nodes[parent].left = c
	default:
		s.nodes[parent].right = c
	}
}

// rinsert links the detached node n, whose key must not be in the tree, into
// the tree of its protocol. O(log n).
func (s *state) rinsert(n int32) {
	m := &s.nodes[n]
	p, lo, hi, addr := m.proto, m.lo, m.hi, m.addr
	m.left, m.right, m.height, m.maxHi = 0, 0, 1, m.hi
	var path [maxDepth]int32
	var dir [maxDepth]bool // true: the path went left
	d := 0
	for cur := s.roots[p-1]; cur != 0; d++ {
		path[d] = cur
		dir[d] = s.rcmp(lo, hi, addr, cur) < 0
		if dir[d] {
			cur = s.nodes[cur].left
		} else {
			cur = s.nodes[cur].right
		}
	}
	if d == 0 {
		s.roots[p-1] = n
		return
	}
	s.rattach(p, path[d-1], dir[d-1], n)
	for i := d - 1; i >= 0; i-- {
		x := path[i]
		oh, om := s.nodes[x].height, s.nodes[x].maxHi
		nx := s.rbalance(x)
		var parent int32
		if i > 0 {
			parent = path[i-1]
		}
		if nx != x {
			s.rattach(p, parent, i > 0 && dir[i-1], nx)
		}
		if s.nodes[nx].height == oh && s.nodes[nx].maxHi == om {
			break
		}
	}
}

// rfind returns the node with key (lo, hi, addr) in the tree of protocol p,
// or 0. O(log n).
func (s *state) rfind(p uint8, lo, hi uint16, addr uint32) int32 {
	cur := s.roots[p-1]
	for cur != 0 {
		c := s.rcmp(lo, hi, addr, cur)
		switch {
		case c == 0:
			return cur
		case c < 0:
			cur = s.nodes[cur].left
		default:
			cur = s.nodes[cur].right
		}
	}
	return 0
}

// rdelete unlinks node n from the tree of its protocol; n stays in the arena.
// O(log n).
func (s *state) rdelete(n int32) {
	m := s.nodes[n]
	p := m.proto
	var path [maxDepth]int32
	var dir [maxDepth]bool
	d := 0
	cur := s.roots[p-1]
	for cur != n {
		if cur == 0 {
			panic("allocator: internal error: deleting a node that is not in its tree")
		}
		path[d] = cur
		dir[d] = s.rcmp(m.lo, m.hi, m.addr, cur) < 0
		if dir[d] {
			cur = s.nodes[cur].left
		} else {
			cur = s.nodes[cur].right
		}
		d++
	}
	t := d // position of n in the path (or of the node that replaces it)
	var parent int32
	if t > 0 {
		parent = path[t-1]
	}
	parentLeft := t > 0 && dir[t-1]
	var repl int32
	if m.left == 0 || m.right == 0 {
		repl = m.left | m.right
	} else {
		// Replace n by its successor, the leftmost node of its right
		// subtree, moving the node itself so that indices stay valid.
		path[d], dir[d] = n, false
		d++
		succ := m.right
		for s.nodes[succ].left != 0 {
			path[d], dir[d] = succ, true
			d++
			succ = s.nodes[succ].left
		}
		if sp := path[d-1]; sp != n {
			s.nodes[sp].left = s.nodes[succ].right
			s.nodes[succ].right = m.right
		}
		s.nodes[succ].left = m.left
		path[t] = succ
		repl = succ
	}
	s.rattach(p, parent, parentLeft, repl)
	for i := d - 1; i >= 0; i-- {
		x := path[i]
		oh, om := s.nodes[x].height, s.nodes[x].maxHi
		nx := s.rbalance(x)
		var par int32
		if i > 0 {
			par = path[i-1]
		}
		if nx != x {
			s.rattach(p, par, i > 0 && dir[i-1], nx)
		}
		if i < t && s.nodes[nx].height == oh && s.nodes[nx].maxHi == om {
			break
		}
	}
}

// rcursor walks, in key order, the nodes of one tree whose ports overlap
// [lo, hi] and whose key is above a starting key. It holds its stack inline
// and allocates nothing. A walk of k nodes costs O((k+1) log n).
type rcursor struct {
	s      *state
	lo, hi uint16
	stack  [maxDepth]int32
	sp     int
	next   int32
}

// rwalk starts a walk over the nodes of protocol p overlapping [lo, hi]. If
// after is not 0, the walk starts after the key (alo, ahi, aaddr).
func (s *state) rwalk(c *rcursor, p uint8, lo, hi uint16, after bool, alo, ahi uint16, aaddr netip.Addr) {
	c.s, c.lo, c.hi, c.sp = s, lo, hi, 0
	c.next = s.roots[p-1]
	if !after {
		return
	}
	// Descend towards the starting key, keeping on the stack only the
	// nodes whose key is above it: they and their right subtrees remain
	// to be walked.
	cur := c.next
	c.next = 0
	for cur != 0 {
		m := &s.nodes[cur]
		if m.maxHi < lo {
			break
		}
		if s.rcmpAddr(alo, ahi, aaddr, cur) < 0 {
			c.stack[c.sp] = cur
			c.sp++
			cur = m.left
		} else {
			cur = m.right
		}
	}
}

// rcmpAddr is rcmp for a key whose address is not interned.
func (s *state) rcmpAddr(lo, hi uint16, addr netip.Addr, n int32) int {
	m := &s.nodes[n]
	switch {
	case lo != m.lo:
		if lo < m.lo {
			return -1
		}
		return +1
	case hi != m.hi:
		if hi < m.hi {
			return -1
		}
		return +1
	}
	return addr.Compare(s.addrs[m.addr].addr)
}

// step returns the next node of the walk, or 0 when it is over.
func (c *rcursor) step() int32 {
	s := c.s
	for {
		for cur := c.next; cur != 0; {
			m := &s.nodes[cur]
			if m.maxHi < c.lo {
				break // nothing in this subtree reaches lo
			}
			c.stack[c.sp] = cur
			c.sp++
			cur = m.left
		}
		c.next = 0
		if c.sp == 0 {
			return 0
		}
		c.sp--
		n := c.stack[c.sp]
		m := &s.nodes[n]
		if m.lo > c.hi {
			c.sp = 0 // every later node starts above hi
			return 0
		}
		c.next = m.right
		if m.hi >= c.lo {
			return n
		}
	}
}
