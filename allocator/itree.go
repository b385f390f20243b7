package allocator

import "net/netip"

// maxDepth bounds the height of the reservation trees. An AVL tree of n
// nodes is at most 1.4405 log2(n+2) - 0.3277 high, under 45 for any n that
// an int32 index can name.
const maxDepth = 48

// rnode is one reservation in the reservation tree of its protocol: the part
// that descents and rebalancing read, 16 bytes, four to a cache line. The
// nodes of all four protocols live in one arena, [state.nodes], and link to
// each other by index; index 0 is the nil node. The rest of the reservation
// is in rinfo, at the same index in [state.info].
type rnode struct {
	key    uint32 // lo<<16 | hi: the reserved ports, inclusive
	maxHi  uint16 // largest hi in the subtree rooted here
	height int8   // AVL height of the subtree; 1 for a leaf
	left   int32
	right  int32
}

// rinfo is the rest of a reservation, 16 bytes.
type rinfo struct {
	ap    uint32 // index into state.addrs << 2 | protocol - 1
	owner int32  // owner id in state.own
	oprev int32  // the owner's previous reservation, or 0
	onext int32  // the owner's next reservation, or 0
}

func mkinfo(addr uint32, proto uint8, owner int32) rinfo {
	return rinfo{ap: addr<<2 | uint32(proto-1), owner: owner}
}

func (in *rinfo) addr() uint32 { return in.ap >> 2 }
func (in *rinfo) proto() uint8 { return uint8(in.ap&3) + 1 }

func (m *rnode) lo() uint16 { return uint16(m.key >> 16) }
func (m *rnode) hi() uint16 { return uint16(m.key) }

func rkey(lo, hi uint16) uint32 { return uint32(lo)<<16 | uint32(hi) }

// The reservation tree of a protocol is an AVL tree keyed by (lo, hi,
// address), the order of [ports.Endpoint.Compare] within one protocol,
// augmented with the largest hi of each subtree, so that the reservations
// overlapping a range are found in O(log n + k).

func (s *state) rh(n int32) int8 {
	if n == 0 {
		return 0
	}
	return s.nodes[n].height
}

// rfix recomputes the height and maxHi of n from its children.
func (s *state) rfix(n int32) {
	m := &s.nodes[n]
	h, mx := int8(0), m.hi()
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

// rcmp compares the key (k, addr) with the key of node n.
func (s *state) rcmp(k uint32, addr uint32, n int32) int {
	m := &s.nodes[n]
	switch {
	case k < m.key:
		return -1
	case k > m.key:
		return +1
	}
	ma := s.info[n].addr()
	if addr == ma {
		return 0
	}
	return s.addrs[addr].addr.Compare(s.addrs[ma].addr)
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

// retrace rebalances path[d-1] up to path[0], reattaching subtrees whose root
// changes. It may stop early once a subtree's height and maxHi are what they
// were, but not at or below path[keep], whose node has changed places.
func (s *state) retrace(p uint8, path *[maxDepth]int32, dir uint64, d, keep int) {
	for i := d - 1; i >= 0; i-- {
		x := path[i]
		oh, om := s.nodes[x].height, s.nodes[x].maxHi
		nx := s.rbalance(x)
		if nx != x {
			var parent int32
			if i > 0 {
				parent = path[i-1]
			}
			s.rattach(p, parent, i > 0 && dir>>(i-1)&1 == 1, nx)
		}
		if i < keep && s.nodes[nx].height == oh && s.nodes[nx].maxHi == om {
			return
		}
	}
}

// rinsert links the detached node n, whose key must not be in the tree, into
// the tree of its protocol. O(log n).
func (s *state) rinsert(n int32) {
	m := &s.nodes[n]
	p, k, addr := s.info[n].proto(), m.key, s.info[n].addr()
	m.left, m.right, m.height, m.maxHi = 0, 0, 1, m.hi()
	var path [maxDepth]int32
	var dir uint64 // bit i set: the path went left from path[i]
	d := 0
	for cur := s.roots[p-1]; cur != 0; d++ {
		path[d] = cur
		if s.rcmp(k, addr, cur) < 0 {
			dir |= 1 << d
			cur = s.nodes[cur].left
		} else {
			cur = s.nodes[cur].right
		}
	}
	if d == 0 {
		s.roots[p-1] = n
		return
	}
	s.rattach(p, path[d-1], dir>>(d-1)&1 == 1, n)
	s.retrace(p, &path, dir, d, d)
}

// rfind returns the node with key (k, addr) in the tree of protocol p, or 0.
// O(log n).
func (s *state) rfind(p uint8, k uint32, addr uint32) int32 {
	cur := s.roots[p-1]
	for cur != 0 {
		c := s.rcmp(k, addr, cur)
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

// rdelete unlinks from the tree of protocol p the node with key (k, addr)
// and returns it, or 0 if there is none; the node stays in the arena.
// O(log n).
func (s *state) rdelete(p uint8, k uint32, addr uint32) int32 {
	var path [maxDepth]int32
	var dir uint64 // bit i set: the path went left from path[i]
	d := 0
	cur := s.roots[p-1]
	for {
		if cur == 0 {
			return 0
		}
		c := s.rcmp(k, addr, cur)
		if c == 0 {
			break
		}
		path[d] = cur
		if c < 0 {
			dir |= 1 << d
			cur = s.nodes[cur].left
		} else {
			cur = s.nodes[cur].right
		}
		d++
	}
	n := cur
	m := s.nodes[n]
	t := d // the place of n in the path, taken by its successor if it has two children
	var parent int32
	if t > 0 {
		parent = path[t-1]
	}
	parentLeft := t > 0 && dir>>(t-1)&1 == 1
	var repl int32
	if m.left == 0 || m.right == 0 {
		repl = m.left | m.right
	} else {
		// Replace n by its successor, the leftmost node of its right
		// subtree, moving the node itself so that indices stay valid.
		path[d] = n // the path goes right from here
		d++
		succ := m.right
		for s.nodes[succ].left != 0 {
			path[d] = succ
			dir |= 1 << d
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
	s.retrace(p, &path, dir, d, t)
	return n
}

// rcursor walks, in key order, the nodes of one tree whose ports overlap
// [lo, hi] and whose key is above a starting key. It holds its stack inline
// and allocates nothing. A walk of k nodes costs O(log n + k).
type rcursor struct {
	s      *state
	lo, hi uint16
	sp     int
	stack  [maxDepth]int32
}

// rwalk starts a walk over the nodes of protocol p overlapping [lo, hi]. If
// after is true, the walk starts after the key (alo, ahi, aaddr).
func (s *state) rwalk(c *rcursor, p uint8, lo, hi uint16, after bool, alo, ahi uint16, aaddr netip.Addr) {
	c.s, c.lo, c.hi, c.sp = s, lo, hi, 0
	if !after {
		c.descend(s.roots[p-1])
		return
	}
	// Keep on the stack only nodes whose key is above the starting key:
	// they and their right subtrees remain to be walked.
	ak := rkey(alo, ahi)
	for cur := s.roots[p-1]; cur != 0; {
		m := &s.nodes[cur]
		switch {
		case m.maxHi < lo:
			return
		case m.key < ak || (m.key == ak && aaddr.Compare(s.addrs[s.info[cur].addr()].addr) >= 0):
			cur = m.right
		case m.lo() > hi:
			cur = m.left
		default:
			c.stack[c.sp] = cur
			c.sp++
			cur = m.left
		}
	}
}

// descend pushes the nodes of subtree cur down its left spine that may
// overlap [lo, hi] or have a right subtree that may.
func (c *rcursor) descend(cur int32) {
	s := c.s
	for cur != 0 {
		m := &s.nodes[cur]
		if m.maxHi < c.lo {
			return // nothing in this subtree reaches lo
		}
		if m.lo() <= c.hi {
			c.stack[c.sp] = cur
			c.sp++
		} // else m and its right subtree start above hi
		cur = m.left
	}
}

// step returns the next node of the walk, or 0 when it is over.
func (c *rcursor) step() int32 {
	for c.sp > 0 {
		c.sp--
		n := c.stack[c.sp]
		m := &c.s.nodes[n]
		c.descend(m.right)
		if m.hi() >= c.lo {
			return n
		}
	}
	return 0
}
