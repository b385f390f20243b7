package allocator

import (
	"net/netip"
	"slices"

	"github.com/portalloc/ports"
)

// A view is the occupancy seen by allocations on one address: the ports held
// by every reservation whose address overlaps that address (by
// [ports.AddrsOverlap]), together with the policy's avoid set. Each protocol
// has an every-address view, which also answers requests on :: (the two see
// the same holders), and up to maxViews views for other addresses, built on
// first use and kept up to date after.
type view struct {
	addr  netip.Addr // the address the view answers for; zero for every address
	all   bool
	c     cover
	stamp uint64
}

// maxViews is the number of address views kept per protocol besides the
// every-address view; the least recently used is dropped beyond it.
const maxViews = 8

type protoViews struct {
	all   *view
	extra []*view
}

// seesAll reports whether a request on addr sees every reservation, so that
// the every-address view answers for it.
func seesAll(addr netip.Addr) bool {
	return !addr.IsValid() || (addr.Is6() && addr.IsUnspecified())
}

func (v *view) holds(addr netip.Addr) bool {
	return v.all || ports.AddrsOverlap(addr, v.addr)
}

// view returns the view of protocol p for requests on addr, building it if
// needed: O(1) if it exists, O(n + r) to build it for n reservations and r
// avoided ranges.
func (s *state) view(p uint8, addr netip.Addr, avoid []ports.Range) *view {
	pv := &s.views[p-1]
	s.clock++
	if seesAll(addr) {
		if pv.all == nil {
			pv.all = s.buildView(p, netip.Addr{}, true, avoid)
		}
		return pv.all
	}
	for _, v := range pv.extra {
		if v.addr == addr {
			v.stamp = s.clock
			return v
		}
	}
	v := s.buildView(p, addr, false, avoid)
	v.stamp = s.clock
	if len(pv.extra) < maxViews {
		pv.extra = append(pv.extra, v)
		return v
	}
	oldest := 0
	for i, x := range pv.extra {
		if x.stamp < pv.extra[oldest].stamp {
			oldest = i
		}
	}
	pv.extra[oldest] = v
	return v
}

// buildView builds the view of protocol p for addr from the reservation tree
// and the avoid set, merging both sorted streams into maximal runs.
func (s *state) buildView(p uint8, addr netip.Addr, all bool, avoid []ports.Range) *view {
	v := &view{addr: addr, all: all}
	var segs [][2]uint16
	push := func(lo, hi int) {
		if k := len(segs) - 1; k >= 0 && lo <= int(segs[k][1])+1 {
			segs[k][1] = uint16(max(hi, int(segs[k][1])))
			return
		}
		segs = append(segs, [2]uint16{uint16(lo), uint16(hi)})
	}
	var c rcursor
	s.rwalk(&c, p, 0, 65535, false, 0, 0, netip.Addr{})
	x := c.step()
	i := 0
	for x != 0 || i < len(avoid) {
		if x != 0 && !v.holds(s.addrs[s.nodes[x].addr].addr) {
			x = c.step()
			continue
		}
		if x != 0 && (i == len(avoid) || int(s.nodes[x].lo) <= int(avoid[i].Lo())) {
			push(int(s.nodes[x].lo), int(s.nodes[x].hi))
			x = c.step()
			continue
		}
		push(int(avoid[i].Lo()), int(avoid[i].Hi()))
		i++
	}
	v.c.build(segs)
	return v
}

// viewsAdd records in the views of protocol p a reservation of [lo, hi] on
// addr, which is already in the reservation tree.
func (s *state) viewsAdd(p uint8, addr netip.Addr, lo, hi int, avoid []ports.Range) {
	pv := &s.views[p-1]
	if pv.all == nil {
		pv.all = s.buildView(p, netip.Addr{}, true, avoid)
	} else {
		pv.all.c.add(lo, hi)
	}
	for _, v := range pv.extra {
		if v.holds(addr) {
			v.c.add(lo, hi)
		}
	}
}

// viewsRemove records in the views of protocol p the release of [lo, hi] on
// addr, which is already out of the reservation tree: the ports are uncovered,
// then covered again where another holder the view sees, or the avoid set,
// still covers them. O((k+1) log n) per view for k such holders.
func (s *state) viewsRemove(p uint8, addr netip.Addr, lo, hi int, avoid []ports.Range) {
	pv := &s.views[p-1]
	if pv.all != nil {
		s.uncover(pv.all, p, lo, hi, avoid)
	}
	for _, v := range pv.extra {
		if v.holds(addr) {
			s.uncover(v, p, lo, hi, avoid)
		}
	}
}

func (s *state) uncover(v *view, p uint8, lo, hi int, avoid []ports.Range) {
	v.c.remove(lo, hi)
	var c rcursor
	s.rwalk(&c, p, uint16(lo), uint16(hi), false, 0, 0, netip.Addr{})
	for x := c.step(); x != 0; x = c.step() {
		m := &s.nodes[x]
		if v.holds(s.addrs[m.addr].addr) {
			v.c.add(max(lo, int(m.lo)), min(hi, int(m.hi)))
		}
	}
	i, _ := slices.BinarySearchFunc(avoid, lo, func(r ports.Range, p int) int {
		if int(r.Hi()) < p {
			return -1
		}
		return +1
	})
	for ; i < len(avoid) && int(avoid[i].Lo()) <= hi; i++ {
		v.c.add(max(lo, int(avoid[i].Lo())), min(hi, int(avoid[i].Hi())))
	}
}
