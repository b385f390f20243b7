package allocator

import (
	"slices"

	"github.com/portalloc/ports"
)

// nextFit is where the NextFit order stopped: the highest port of the last
// run handed out, of each protocol and, for the last maxFits ranges
// allocated from, of each range, least recently used first; -1 for none.
// A snapshot carries it (see Snapshot), so that a restored allocator goes on
// where the other stopped.
type nextFit struct {
	last   [4]int32 // by protocol
	ranges []fitCursor
}

// fitCursor is where the NextFit order stopped in one range of a protocol.
type fitCursor struct {
	p    uint8
	r    ports.Range
	last int32
}

// maxFits bounds the ranges whose NextFit position is kept; the least
// recently used is dropped beyond it.
const maxFits = 64

// from returns where NextFit goes on from in range r of protocol p: the
// highest port of the last run it handed out in protocol p, if that lies in
// r, since it is the newest; otherwise of the last run it handed out in r,
// if r is among the ranges kept; -1 if neither. O(maxFits).
func (f *nextFit) from(p uint8, r ports.Range) int32 {
	if l := f.last[p-1]; l >= 0 && r.Contains(ports.Port(l)) {
		return l
	}
	for _, c := range f.ranges {
		if c.p == p && c.r == r {
			return c.last
		}
	}
	return -1
}

// note records that NextFit handed out a run ending at port last in
// range r of protocol p.
func (f *nextFit) note(p uint8, r ports.Range, last int32) {
	f.last[p-1] = last
	i := slices.IndexFunc(f.ranges, func(c fitCursor) bool { return c.p == p && c.r == r })
	switch {
	case i >= 0:
		f.ranges = slices.Delete(f.ranges, i, i+1)
	case len(f.ranges) == maxFits:
		f.ranges = slices.Delete(f.ranges, 0, 1)
	}
	f.ranges = append(f.ranges, fitCursor{p: p, r: r, last: last})
}
