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
// the same holders), and views for other addresses, built on first use and
// kept up to date after, as many as protoViews.limit allows. A view takes
// 24 KiB; 64 of them, the most a protocol keeps, 1.5 MiB. A program that
// allocates on more than 64 addresses in turn builds a view, in O(n), at
// almost every allocation. Suggest and the suggestion of a refused Reserve
// use views as allocations do, and Restore starts with none. Each view kept
// adds O(w/64) to a reservation or release of w ports that it sees.
type view struct {
	addr  netip.Addr // the address the view answers for; zero for every address
	all   bool
	taken *occupancy // the ports that an allocation on addr cannot use
	stamp uint64
}

// An allocator keeps minViews address views per protocol besides the
// every-address view, and one more, up to maxViews, each time it builds a
// view again for an address whose view it dropped lately (among the last
// maxViews it dropped): a program that allocates on more addresses in turn
// stops rebuilding views once each of them has one. Beyond the limit, the
// least recently used view is dropped.
const (
	minViews = 8
	maxViews = 64
)

type protoViews struct {
	all   *view
	extra []*view
	limit int // address views kept at most, from minViews to maxViews; 0 for minViews
	// dropped holds the addresses of the last maxViews views dropped, in a
	// ring whose next slot is nDropped % maxViews; nil until one is.
	dropped  *[maxViews]netip.Addr
	nDropped int
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
// needed: O(1) if it exists, O(n + r + U/64) to build it for n reservations and r
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
	pv.limit = max(pv.limit, minViews)
	if pv.limit < maxViews && pv.dropped != nil && slices.Contains(pv.dropped[:], addr) {
		pv.limit++ // built again soon after it was dropped: keep one more
	}
	if len(pv.extra) < pv.limit {
		pv.extra = append(pv.extra, v)
		return v
	}
	oldest := 0
	for i, x := range pv.extra {
		if x.stamp < pv.extra[oldest].stamp {
			oldest = i
		}
	}
	if pv.dropped == nil {
		pv.dropped = new([maxViews]netip.Addr)
	}
	pv.dropped[pv.nDropped%maxViews] = pv.extra[oldest].addr
	pv.nDropped++
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
	s.trees[p-1].walk(&c, 0, 65535)
	x := c.step()
	i := 0
	for x != 0 || i < len(avoid) {
		if x != 0 && !v.holds(s.addrs.addr(s.recs.at(x).addr())) {
			x = c.step()
			continue
		}
		if x != 0 && (i == len(avoid) || int(s.recs.at(x).lo()) <= int(avoid[i].Lo())) {
			push(int(s.recs.at(x).lo()), int(s.recs.at(x).hi()))
			x = c.step()
			continue
		}
		push(int(avoid[i].Lo()), int(avoid[i].Hi()))
		i++
	}
	v.taken = new(occupancy)
	v.taken.build(segs)
	return v
}
