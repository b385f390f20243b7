package allocator

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/portalloc/ports"
)

// check verifies every internal invariant of a: the reservation trees are
// ordered B+ trees of even depth with correct smallest keys and largest his,
// owners and addresses
// account for every node, no two reservations conflict, the used counts are
// right, and every view is a balanced tree of the maximal runs of its
// holders and the avoid set with correct augmented fields.
func (a *Allocator) check() error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s := a.st
	if s == nil {
		return nil
	}
	inTree := make(map[int32]bool)
	tags := make(map[int32]uint32) // the leaf tag of each reservation
	for pi := range 4 {
		p := uint8(pi + 1)
		var nodes []int32
		seen, err := s.checkR(s.trees[pi].root, p, &nodes)
		if err != nil {
			return fmt.Errorf("%v tree: %v", ports.Protocol(p), err)
		}
		// The arena holds the tree's nodes and free ones.
		t := &s.trees[pi]
		freeNodes := 0
		for b := t.freeNodes; b != 0; b = t.nodes[b].kids[0] {
			freeNodes++
		}
		if len(t.nodes) > 0 && len(seen)+freeNodes != len(t.nodes)-1 || len(t.nodes) == 0 && t.root != 0 {
			return fmt.Errorf("%v: arena of %d tree nodes: %d in the tree, %d free", ports.Protocol(p), len(t.nodes)-1, len(seen), freeNodes)
		}
		if t.proto != p {
			return fmt.Errorf("tree %d is of protocol %d", p, t.proto)
		}
		for leaf := s.trees[p-1].firstLeaf(); leaf != 0; leaf = s.trees[p-1].nodes[leaf].next {
			m := &s.trees[p-1].nodes[leaf]
			for i := range int(m.n) {
				tags[m.kids[i]] = m.aux[i]
			}
		}
		res := func(x int32) Reservation { return s.owned(x, tagOwner(tags[x])) }
		if err := s.checkBlocks(p, nodes); err != nil {
			return fmt.Errorf("%v: %v", ports.Protocol(p), err)
		}
		if len(nodes) != s.count[pi] {
			return fmt.Errorf("%v: count %d, tree holds %d", ports.Protocol(p), s.count[pi], len(nodes))
		}
		for i := 1; i < len(nodes); i++ {
			if c := res(nodes[i-1]).Endpoint.Compare(res(nodes[i]).Endpoint); c >= 0 {
				return fmt.Errorf("%v: keys out of order: %v then %v", ports.Protocol(p),
					res(nodes[i-1]), res(nodes[i]))
			}
		}
		// No two conflict; used is the size of the union.
		var held [65536]bool
		used := 0
		for i, x := range nodes {
			rx := res(x)
			for _, y := range nodes[i+1:] {
				if ry := res(y); rx.Endpoint.Conflicts(ry.Endpoint) {
					return fmt.Errorf("%v and %v conflict", rx, ry)
				}
			}
			for q := range rx.Endpoint.Range().All() {
				if !held[q] {
					held[q] = true
					used++
				}
			}
			inTree[x] = true
		}
		if used != s.used[pi] {
			return fmt.Errorf("%v: used %d, want %d", ports.Protocol(p), s.used[pi], used)
		}
		pv := s.views[pi]
		views := slices.Clone(pv.extra)
		if pv.all != nil {
			views = append(views, pv.all)
		} else if len(nodes) > 0 {
			return fmt.Errorf("%v: reservations but no every-address view", ports.Protocol(p))
		}
		if len(pv.extra) > max(pv.limit, minViews) || pv.limit > maxViews {
			return fmt.Errorf("%v: %d address views", ports.Protocol(p), len(pv.extra))
		}
		for _, v := range views {
			if err := s.checkView(v, nodes, a.avoided()); err != nil {
				return fmt.Errorf("%v view of %v: %v", ports.Protocol(p), v.addr, err)
			}
		}
	}
	// Every reservation index is in a tree or on the free list, and so is
	// every tree node.
	if err := s.recs.checkIDs(inTree); err != nil {
		return err
	}
	// Owners list exactly their nodes, and the index finds every owner.
	listed, idle, live := 0, 0, 0
	t := &s.own
	if len(t.slots)&(len(t.slots)-1) != 0 || 4*t.live > 3*len(t.slots) {
		return fmt.Errorf("owner index of %d slots for %d owners", len(t.slots), t.live)
	}
	inIndex := make(map[int32]bool)
	for _, e := range t.slots {
		if e != 0 {
			id := int32(e & idMask)
			if inIndex[id] || t.names[id].len == 0 {
				return fmt.Errorf("owner index holds id %d twice or freed", id)
			}
			if e&^idMask != tagOf(t.hash(t.name(id))) {
				return fmt.Errorf("owner index: id %d with the tag of another name", id)
			}
			inIndex[id] = true
		}
	}
	arenaLive := 0
	for id := int32(1); id < int32(len(t.names)); id++ {
		name := t.name(id)
		if name == "" {
			if inIndex[id] {
				return fmt.Errorf("freed owner id %d is indexed", id)
			}
			continue
		}
		arenaLive += len(name)
		live++
		if got, _ := t.lookup(name); got != id {
			return fmt.Errorf("owner %q (id %d) looks up as %d", name, id, got)
		}
		var prev int32
		k := 0
		for n := t.heads[id]; n != 0; n = s.recs.list[n].onext {
			if !inTree[n] || tagOwner(tags[n]) != id || s.recs.list[n].oprev != prev {
				return fmt.Errorf("owner %q: broken list at node %d", name, n)
			}
			prev = n
			k++
		}
		if k == 0 {
			idle++
		}
		listed += k
	}
	if live != t.live || len(inIndex) != live || idle != t.idle {
		return fmt.Errorf("owners: %d live, %d indexed, %d idle; counted %d, %d idle", live, len(inIndex), idle, t.live, t.idle)
	}
	if listed != len(inTree) {
		return fmt.Errorf("owners list %d reservations, trees hold %d", listed, len(inTree))
	}
	if arenaLive+t.garbage != t.size {
		return fmt.Errorf("owner arena of %d bytes: %d live, %d garbage", t.size, arenaLive, t.garbage)
	}
	freeIDs := 0
	for id := t.free; id != 0; id = t.heads[id] {
		if t.names[id] != (nameRef{}) {
			return fmt.Errorf("owner id %d on the free list is named %q", id, t.name(id))
		}
		freeIDs++
	}
	if live+freeIDs != len(t.names)-1 {
		return fmt.Errorf("%d owner ids: %d live, %d free", len(t.names)-1, live, freeIDs)
	}
	// Addresses count their references.
	refs := make(map[uint32]uint32)
	for n := range inTree {
		refs[s.recs.list[n].addr()]++
	}
	for a, id := range s.addrs.ids {
		if s.addrs.addr(id) != a || s.addrs.entries[id].refs != refs[id] || refs[id] == 0 {
			return fmt.Errorf("address %v (id %d): entry %v, %d references", a, id, s.addrs.entries[id], refs[id])
		}
		delete(refs, id)
	}
	delete(refs, 0)
	if len(refs) != 0 {
		return fmt.Errorf("nodes use unindexed addresses %v", refs)
	}
	return nil
}

// checkBlocks checks the leaf links and the block index of protocol p's
// tree against its reservations in order: the leaves, followed along their
// next links from the first, hold exactly those reservations, and cross
// counts, for each block, the reservations that start before it and reach
// into it. Hints are hints and are not checked.
func (s *state) checkBlocks(p uint8, nodes []int32) error {
	var linked []int32
	for leaf, hops := s.trees[p-1].firstLeaf(), 0; leaf != 0; leaf, hops = s.trees[p-1].nodes[leaf].next, hops+1 {
		if hops > len(s.trees[p-1].nodes) {
			return fmt.Errorf("leaf links loop")
		}
		m := &s.trees[p-1].nodes[leaf]
		if !m.leaf || m.proto != p {
			return fmt.Errorf("leaf link to node %d (leaf %v, protocol %d)", leaf, m.leaf, m.proto)
		}
		linked = append(linked, m.kids[:m.n]...)
	}
	if !slices.Equal(linked, nodes) {
		return fmt.Errorf("the leaf links hold %d reservations, the tree %d, or in another order", len(linked), len(nodes))
	}
	var want [nBlocks]int32
	for _, x := range nodes {
		in := &s.recs.list[x]
		for b := int(in.lo())>>blockBits + 1; b <= int(in.hi())>>blockBits; b++ {
			want[b]++
		}
	}
	var got [nBlocks]int32
	if bx := s.trees[p-1].blocks; bx != nil {
		got = bx.cross
		if err := s.checkWide(bx, nodes); err != nil {
			return err
		}
	} else if len(nodes) > 0 {
		return fmt.Errorf("%d reservations and no block index", len(nodes))
	}
	if got != want {
		for b := range want {
			if got[b] != want[b] {
				return fmt.Errorf("block %d (ports %d-): cross %d, want %d", b, b<<blockBits, got[b], want[b])
			}
		}
	}
	return nil
}

// checkR checks the B+ tree of protocol p, appends its reservations in
// order, and returns the tree's nodes: every leaf at the same depth, entries
// in order, every node but the root holding bmin to bmax entries, and every
// inner entry holding the smallest key and the largest hi of its child.
// checkWide checks the width bounds of bx against the reservations nodes
// of its protocol: each bounds the widths of those that start in its block,
// and equals the widest from exactWide up.
func (s *state) checkWide(bx *blockIndex, nodes []int32) error {
	var widest [nBlocks]uint16
	for _, x := range nodes {
		in := &s.recs.list[x]
		b := in.lo() >> blockBits
		if in.hi()-in.lo() > bx.wide[b] {
			return fmt.Errorf("block %d: width bound %d, but %d-%d starts in it", b, bx.wide[b], in.lo(), in.hi())
		}
		widest[b] = max(widest[b], in.hi()-in.lo())
	}
	for b, w := range bx.wide {
		if w >= exactWide && w != widest[b] {
			return fmt.Errorf("block %d: width bound %d, but the widest reservation to start in it is %d wide", b, w, widest[b])
		}
	}
	return nil
}

func (s *state) checkR(root int32, p uint8, out *[]int32) (map[int32]bool, error) {
	seen := make(map[int32]bool)
	if root == 0 {
		return seen, nil
	}
	leafDepth := -1
	var walk func(b int32, depth int) (uint32, uint16, error)
	walk = func(b int32, depth int) (uint32, uint16, error) {
		if b <= 0 || int(b) >= len(s.trees[p-1].nodes) || seen[b] {
			return 0, 0, fmt.Errorf("node %d out of the arena or linked twice", b)
		}
		seen[b] = true
		m := s.trees[p-1].nodes[b]
		if depth >= maxDepth {
			return 0, 0, fmt.Errorf("node %d at depth %d", b, depth)
		}
		switch {
		case m.n < 1 || m.n > bmax:
			return 0, 0, fmt.Errorf("node %d holds %d entries", b, m.n)
		case b != root && m.n < bmin:
			return 0, 0, fmt.Errorf("node %d holds %d entries, fewer than %d", b, m.n, bmin)
		case b == root && !m.leaf && m.n < 2:
			return 0, 0, fmt.Errorf("inner root %d holds %d entries", b, m.n)
		}
		for i := int(m.n); i < bmax; i++ {
			if m.keys[i] != 0 || m.aux[i] != 0 || m.kids[i] != 0 {
				return 0, 0, fmt.Errorf("node %d: entry %d beyond its %d is not clear", b, i, m.n)
			}
		}
		if m.leaf {
			if leafDepth < 0 {
				leafDepth = depth
			}
			if depth != leafDepth {
				return 0, 0, fmt.Errorf("leaf %d at depth %d, another at %d", b, depth, leafDepth)
			}
			mx := uint16(0)
			for i := range int(m.n) {
				x := m.kids[i]
				in := s.recs.list[x]
				if in.proto() != p {
					return 0, 0, fmt.Errorf("reservation %d of protocol %d in tree %d", x, in.proto(), p)
				}
				if in.lo() > in.hi() {
					return 0, 0, fmt.Errorf("reservation %d: inverted range %d-%d", x, in.lo(), in.hi())
				}
				if m.keys[i] != in.key || m.aux[i]&tagAddrAbove != min(in.addr(), tagAddrAbove) {
					return 0, 0, fmt.Errorf("leaf %d entry %d: key %#x tag %#x, reservation %d has %#x on address %d", b, i, m.keys[i], m.aux[i], x, in.key, in.addr())
				}
				mx = max(mx, in.hi())
				*out = append(*out, x)
			}
			return m.keys[0], mx, nil
		}
		mx := uint16(0)
		for i := range int(m.n) {
			k, h, err := walk(m.kids[i], depth+1)
			if err != nil {
				return 0, 0, err
			}
			if k != m.keys[i] || uint32(h) != m.aux[i] {
				return 0, 0, fmt.Errorf("node %d entry %d: key %#x hi %d, child has %#x %d", b, i, m.keys[i], m.aux[i], k, h)
			}
			mx = max(mx, h)
		}
		return m.keys[0], mx, nil
	}
	if _, _, err := walk(root, 0); err != nil {
		return nil, err
	}
	// h levels hold at least 2·bmin^(h-1) reservations (one leaf: one).
	if h := leafDepth + 1; h > 1 && float64(len(*out)) < 2*math.Pow(bmin, float64(h-1)) {
		return nil, fmt.Errorf("%d levels for %d reservations", h, len(*out))
	}
	return seen, nil
}

// checkView compares v with the maximal runs of its holders and the avoid
// set, computed port by port, and checks its tree.
func (s *state) checkView(v *view, nodes []int32, avoid []ports.Range) error {
	var taken [65537]bool
	for _, x := range nodes {
		m := s.recs.list[x]
		if v.holds(s.addrs.addr(s.recs.list[x].addr())) {
			for q := int(m.lo()); q <= int(m.hi()); q++ {
				taken[q] = true
			}
		}
	}
	for _, r := range avoid {
		for q := int(r.Lo()); q <= int(r.Hi()); q++ {
			taken[q] = true
		}
	}
	var want [][2]uint16
	for q := 0; q < 65536; q++ {
		if taken[q] {
			lo := q
			for taken[q+1] {
				q++
			}
			want = append(want, [2]uint16{uint16(lo), uint16(q)})
		}
	}
	got := v.taken.segments(nil)
	if !slices.Equal(want, got) {
		return fmt.Errorf("segments %v, want %v", got, want)
	}
	if err := v.taken.check(); err != nil {
		return err
	}
	if !v.all && seesAll(v.addr) {
		return fmt.Errorf("address view for an address that sees all")
	}
	return nil
}

// check verifies every summary of o: leaves against their words, port by
// port, and inner nodes against their children.
func (o *occupancy) check() error {
	n := 0
	for _, d := range o.dirty {
		n += bits.OnesCount64(d)
	}
	if n != o.ndirt {
		return fmt.Errorf("%d dirty words, counted %d", n, o.ndirt)
	}
	o.flush()
	for j, w := range o.w {
		pre, best, run, lead := 0, 0, 0, true
		for i := range 64 {
			if w>>i&1 == 1 {
				run, lead = 0, false
				continue
			}
			run++
			if lead {
				pre++
			}
			best = max(best, run)
		}
		want := packRuns(pre, run, best)
		if got := o.t[words+j]; got != want {
			return fmt.Errorf("word %d (%#x): summary %d/%d/%d, want %d/%d/%d", j, w,
				got.pre(), got.suf(), got.best(), pre, run, best)
		}
	}
	for x := words - 1; x >= 1; x-- {
		l, r, half := o.t[2*x], o.t[2*x+1], 65536>>bits.Len(uint(x))
		pre, suf := l.pre(), r.suf()
		if pre == half {
			pre += r.pre()
		}
		if suf == half {
			suf += l.suf()
		}
		if want := packRuns(pre, suf, max(l.best(), r.best(), l.suf()+r.pre())); o.t[x] != want {
			return fmt.Errorf("node %d: summary %d/%d/%d, want %d/%d/%d", x,
				o.t[x].pre(), o.t[x].suf(), o.t[x].best(), want.pre(), want.suf(), want.best())
		}
	}
	return nil
}

// newOccupancy returns an occupancy with every port free.
func newOccupancy() *occupancy {
	o := new(occupancy)
	o.build(nil)
	return o
}

// segments appends the maximal runs of taken ports, in order, to dst.
func (o *occupancy) segments(dst [][2]uint16) [][2]uint16 {
	start := -1
	for p := 0; p <= portsAll; p++ {
		taken := p < portsAll && o.w[p/64]>>(p%64)&1 == 1
		switch {
		case taken && start < 0:
			start = p
		case !taken && start >= 0:
			dst = append(dst, [2]uint16{uint16(start), uint16(p - 1)})
			start = -1
		}
	}
	return dst
}
