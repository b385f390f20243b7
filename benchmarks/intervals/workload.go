// Package intervals benchmarks the allocator of github.com/portalloc/ports
// side by side with interval trees and bitmaps from elsewhere, on the same
// workloads in one run. It is a module of its own so that the library's
// go.mod does not depend on the peers. See README.md.
package intervals

import "github.com/portalloc/ports/internal/workload"

// Space is where the workload's intervals lie: ports 0-57343, leaving
// 57344-65535 free.
const Space = workload.Space

// Interval is an inclusive range of ports.
type Interval struct{ Lo, Hi int }

// Layout returns n disjoint intervals laid out at random in [0, Space), of
// width 1 to 8 (width 1 when 1-8 would not fit, as at n = 50,000), in random
// order: the layout of internal/workload, which the allocator package's own
// benchmarks use too.
func Layout(n int, seed uint64) []Interval {
	rs := workload.Layout(n, seed)
	out := make([]Interval, len(rs))
	for i, r := range rs {
		out[i] = Interval{int(r.Lo()), int(r.Hi())}
	}
	return out
}
