package allocator

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/portalloc/ports"
)

// check verifies every internal invariant of a: the reservation trees are
// ordered AVL trees with correct heights and maxHi, owners and addresses
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
	for pi := range 4 {
		p := uint8(pi + 1)
		var nodes []int32
		if _, err := s.checkR(s.roots[pi], p, &nodes); err != nil {
			return fmt.Errorf("%v tree: %v", ports.Protocol(p), err)
		}
		if len(nodes) != s.count[pi] {
			return fmt.Errorf("%v: count %d, tree holds %d", ports.Protocol(p), s.count[pi], len(nodes))
		}
		if h, n := float64(s.rh(s.roots[pi])), float64(len(nodes)); h > 1.4405*math.Log2(n+2)-0.3277 {
			return fmt.Errorf("%v: height %v too large for %v nodes", ports.Protocol(p), h, n)
		}
		for i := 1; i < len(nodes); i++ {
			if c := s.reservation(nodes[i-1]).Endpoint.Compare(s.reservation(nodes[i]).Endpoint); c >= 0 {
				return fmt.Errorf("%v: keys out of order: %v then %v", ports.Protocol(p),
					s.reservation(nodes[i-1]), s.reservation(nodes[i]))
			}
		}
		// No two conflict; used is the size of the union.
		var held [65536]bool
		used := 0
		for i, x := range nodes {
			rx := s.reservation(x)
			for _, y := range nodes[i+1:] {
				if ry := s.reservation(y); rx.Endpoint.Conflicts(ry.Endpoint) {
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
		if len(pv.extra) > maxViews {
			return fmt.Errorf("%v: %d address views", ports.Protocol(p), len(pv.extra))
		}
		for _, v := range views {
			if err := s.checkView(v, nodes, a.avoid); err != nil {
				return fmt.Errorf("%v view of %v: %v", ports.Protocol(p), v.addr, err)
			}
		}
	}
	// Every arena node is in a tree or on the free list.
	free := 0
	for n := s.freeNode; n != 0; n = s.nodes[n].left {
		if inTree[n] {
			return fmt.Errorf("node %d is both free and in a tree", n)
		}
		free++
	}
	if len(s.info) != len(s.nodes) {
		return fmt.Errorf("arena of %d nodes, %d infos", len(s.nodes), len(s.info))
	}
	if len(inTree)+free != len(s.nodes)-1 {
		return fmt.Errorf("arena of %d nodes: %d in trees, %d free", len(s.nodes)-1, len(inTree), free)
	}
	// Owners list exactly their nodes, and the index finds every owner.
	listed, idle, live := 0, 0, 0
	t := &s.own
	if len(t.slots)&(len(t.slots)-1) != 0 || 2*t.live > len(t.slots) {
		return fmt.Errorf("owner index of %d slots for %d owners", len(t.slots), t.live)
	}
	inIndex := make(map[int32]bool)
	for _, id := range t.slots {
		if id != 0 {
			if inIndex[id] || t.names[id] == "" {
				return fmt.Errorf("owner index holds id %d twice or freed", id)
			}
			inIndex[id] = true
		}
	}
	for id := int32(1); id < int32(len(t.names)); id++ {
		name := t.names[id]
		if name == "" {
			if inIndex[id] {
				return fmt.Errorf("freed owner id %d is indexed", id)
			}
			continue
		}
		live++
		if got, _ := t.lookup(name); got != id {
			return fmt.Errorf("owner %q (id %d) looks up as %d", name, id, got)
		}
		var prev int32
		k := 0
		for n := t.heads[id]; n != 0; n = s.info[n].onext {
			if !inTree[n] || s.info[n].owner != id || s.info[n].oprev != prev {
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
	freeIDs := 0
	for id := t.free; id != 0; id = t.heads[id] {
		if t.names[id] != "" {
			return fmt.Errorf("owner id %d on the free list is named %q", id, t.names[id])
		}
		freeIDs++
	}
	if live+freeIDs != len(t.names)-1 {
		return fmt.Errorf("%d owner ids: %d live, %d free", len(t.names)-1, live, freeIDs)
	}
	// Addresses count their references.
	refs := make(map[uint32]uint32)
	for n := range inTree {
		refs[s.info[n].addr()]++
	}
	for a, id := range s.addrIDs {
		if s.addrs[id].addr != a || s.addrs[id].refs != refs[id] || refs[id] == 0 {
			return fmt.Errorf("address %v (id %d): entry %v, %d references", a, id, s.addrs[id], refs[id])
		}
		delete(refs, id)
	}
	delete(refs, 0)
	if len(refs) != 0 {
		return fmt.Errorf("nodes use unindexed addresses %v", refs)
	}
	return nil
}

// checkR checks the subtree n and appends its nodes in order; it returns the
// subtree's height.
func (s *state) checkR(n int32, p uint8, out *[]int32) (int8, error) {
	if n == 0 {
		return 0, nil
	}
	m := s.nodes[n]
	hl, err := s.checkR(m.left, p, out)
	if err != nil {
		return 0, err
	}
	*out = append(*out, n)
	hr, err := s.checkR(m.right, p, out)
	if err != nil {
		return 0, err
	}
	if s.info[n].proto() != p {
		return 0, fmt.Errorf("node %d of protocol %d in tree %d", n, s.info[n].proto(), p)
	}
	if m.lo() > m.hi() {
		return 0, fmt.Errorf("node %d: inverted range %d-%d", n, m.lo(), m.hi())
	}
	if d := int(hl) - int(hr); d < -1 || d > 1 {
		return 0, fmt.Errorf("node %d unbalanced: %d vs %d", n, hl, hr)
	}
	if h := max(hl, hr) + 1; m.height != h {
		return 0, fmt.Errorf("node %d: height %d, want %d", n, m.height, h)
	}
	mx := m.hi()
	if m.left != 0 {
		mx = max(mx, s.nodes[m.left].maxHi)
	}
	if m.right != 0 {
		mx = max(mx, s.nodes[m.right].maxHi)
	}
	if m.maxHi != mx {
		return 0, fmt.Errorf("node %d: maxHi %d, want %d", n, m.maxHi, mx)
	}
	return m.height, nil
}

// checkView compares v with the maximal runs of its holders and the avoid
// set, computed port by port, and checks its tree.
func (s *state) checkView(v *view, nodes []int32, avoid []ports.Range) error {
	var taken [65537]bool
	for _, x := range nodes {
		m := s.nodes[x]
		if v.holds(s.addrs[s.info[x].addr()].addr) {
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
	got := v.c.segments(nil)
	if !slices.Equal(want, got) {
		return fmt.Errorf("segments %v, want %v", got, want)
	}
	if err := v.c.check(); err != nil {
		return err
	}
	if !v.all && seesAll(v.addr) {
		return fmt.Errorf("address view for an address that sees all")
	}
	return nil
}

// check verifies every summary of o: leaves against their words, port by
// port, and inner nodes against their children.
func (o *occ) check() error {
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
		want := mksum(pre, run, best)
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
		if want := mksum(pre, suf, max(l.best(), r.best(), l.suf()+r.pre())); o.t[x] != want {
			return fmt.Errorf("node %d: summary %d/%d/%d, want %d/%d/%d", x,
				o.t[x].pre(), o.t[x].suf(), o.t[x].best(), want.pre(), want.suf(), want.best())
		}
	}
	return nil
}

// newOcc returns an occupancy with every port free.
func newOcc() *occ {
	o := new(occ)
	o.build(nil)
	return o
}

// segments appends the maximal runs of taken ports, in order, to dst.
func (o *occ) segments(dst [][2]uint16) [][2]uint16 {
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
