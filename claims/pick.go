package claims

import (
	"hash/fnv"

	"github.com/portalloc/ports"
)

// pick returns the first run of k ports, in the order that the hash of key
// gives, that lies in cands, overlaps nothing of held, and that ok accepts:
// the runs of cands are numbered by their lowest port, the hash chooses
// where to start, and the search goes up from there, wrapping at the end.
// It reports false when no run fits.
//
// The start depends on key and cands only, never on held: a key keeps its
// first choice while other keys come and go, unless one of them holds it.
func pick(key string, k int, cands ports.RangeSet, held ports.RangeSet, ok func(ports.Range) bool) (ports.Range, bool) {
	// starts holds, for each range of cands long enough, the ports a run
	// of k may start at: [lo, hi-k+1].
	type span struct{ lo, n int }
	var starts []span
	total := 0
	for r := range cands.Ranges() {
		if n := r.Len() - k + 1; n > 0 {
			starts = append(starts, span{int(r.Lo()), n})
			total += n
		}
	}
	if total == 0 {
		return ports.Range{}, false
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	first := int(h.Sum64() % uint64(total))
	// The start at index i of the numbering, across spans.
	at := func(i int) ports.Range {
		for _, s := range starts {
			if i < s.n {
				lo := ports.Port(s.lo + i)
				return ports.RangeFrom(lo, lo+ports.Port(k-1))
			}
			i -= s.n
		}
		panic("unreachable")
	}
	for j := range total {
		r := at((first + j) % total)
		if held.Overlaps(r) {
			continue
		}
		if ok == nil || ok(r) {
			return r, true
		}
	}
	return ports.Range{}, false
}
