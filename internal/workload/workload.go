// Package workload generates the reservations that the allocator's
// benchmarks hold: those of package allocator and those of the
// benchmarks/intervals module, which sets the allocator side by side with
// other interval structures. Both draw from here so that they measure the
// same layouts.
package workload

import (
	"math/rand/v2"
	"slices"

	"github.com/portalloc/ports"
)

// Space is where the layouts lie: ports 0-57343, leaving 57344-65535 free.
const Space = 57344

// Layout returns n disjoint ranges laid out at random in [0, Space), of width
// 1 to 8 (width 1 when 1-8 would not fit, as at n = 50,000), in random order.
// The same n and seed give the same layout. n must fit: at most Space*85/100.
func Layout(n int, seed uint64) []ports.Range {
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
	out := make([]ports.Range, n)
	pos, prev := 0, 0
	for i, w := range widths {
		pos += cuts[i] - prev
		prev = cuts[i]
		out[i] = ports.RangeFrom(ports.Port(pos), ports.Port(pos+w-1))
		pos += w
	}
	rng.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
