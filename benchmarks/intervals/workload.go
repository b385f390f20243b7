// Package intervals benchmarks the allocator of github.com/portalloc/ports
// side by side with interval trees and bitmaps from elsewhere, on the same
// workloads in one run. It is a module of its own so that the library's
// go.mod does not depend on the peers. See README.md.
package intervals

import (
	"math/rand/v2"
	"slices"
)

// Space is where the workload's intervals lie: ports 0-57343, leaving
// 57344-65535 free.
const Space = 57344

// Interval is an inclusive range of ports.
type Interval struct{ Lo, Hi int }

// Layout returns n disjoint intervals laid out at random in [0, Space), of
// width 1 to 8 (width 1 when 1-8 would not fit, as at n = 50,000), in random
// order. The same n and seed give the same layout; the allocator package's
// own benchmarks use the same generator.
func Layout(n int, seed uint64) []Interval {
	rng := rand.New(rand.NewPCG(seed, 1))
	maxW := 8
	if n*9/2 > Space*85/100 {
		maxW = max(1, 2*Space*85/100/n-1)
	}
	widths := make([]int, n)
	total := 0
	for i := range widths {
		widths[i] = 1 + rng.IntN(maxW)
		total += widths[i]
	}
	free := Space - total
	cuts := make([]int, n)
	for i := range cuts {
		cuts[i] = rng.IntN(free + 1)
	}
	slices.Sort(cuts)
	out := make([]Interval, n)
	pos, prev := 0, 0
	for i, w := range widths {
		pos += cuts[i] - prev
		prev = cuts[i]
		out[i] = Interval{pos, pos + w - 1}
		pos += w
	}
	rng.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
