package allocator

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTreeInsertDelete measures the two structures alone, without the
// allocator around them: linking and unlinking one reservation among n in
// the B+ tree, and marking and unmarking one port in an occupancy view.
func BenchmarkTreeInsertDelete(b *testing.B) {
	for _, n := range []int{10000} { // n = 10,000
		s := newState()
		rng := rand.New(rand.NewPCG(1, 1))
		used := map[uint16]bool{}
		for len(used) < n {
			p := uint16(rng.IntN(60000))
			if used[p] {
				continue
			}
			used[p] = true
			x := s.recs.add(rkey(p, p), 0, 1)
			s.trees[0].insert(x, 1)
		}
		var free []uint16
		for len(free) < 1024 {
			if p := uint16(rng.IntN(60000)); !used[p] {
				free = append(free, p)
			}
		}
		x := s.recs.add(0, 0, 1)
		b.Run("btree", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := free[i&1023]
				*s.recs.at(x) = record{key: rkey(p, p), ap: 0}
				s.trees[0].insert(x, 1)
				s.trees[0].remove(rkey(p, p), 0)
				i++
			}
		})
		o := newOccupancy()
		b.Run("occ", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := int(free[i&1023])
				o.add(p, p)
				o.remove(p, p)
				i++
			}
		})
	}
}
