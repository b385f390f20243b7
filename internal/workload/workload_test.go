package workload_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/internal/workload"
	"pgregory.net/rapid"
)

// TestLayout checks the promises of Layout: n ranges, disjoint, inside
// Space, of width 1 to 8, and the same for the same n and seed.
func TestLayout(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 50000).Draw(t, "n")
		seed := rapid.Uint64().Draw(t, "seed")
		rs := workload.Layout(n, seed)
		if len(rs) != n {
			t.Fatalf("Layout(%d) gave %d ranges", n, len(rs))
		}
		sorted := slices.Clone(rs)
		slices.SortFunc(sorted, ports.Range.Compare)
		for i, r := range sorted {
			if !r.IsValid() || int(r.Hi()) >= workload.Space || r.Len() > 8 {
				t.Fatalf("range %v: outside [0, %d) or wider than 8", r, workload.Space)
			}
			if i > 0 && sorted[i-1].Overlaps(r) {
				t.Fatalf("ranges %v and %v overlap", sorted[i-1], r)
			}
		}
		if again := workload.Layout(n, seed); !slices.Equal(rs, again) {
			t.Fatalf("Layout(%d, %d) differs between calls", n, seed)
		}
	})
}

func ExampleLayout() {
	rs := workload.Layout(1000, 42)
	held := 0
	for _, r := range rs {
		held += r.Len()
	}
	fmt.Println(len(rs), held > 1000, held <= 8000)
	// Output: 1000 true true
}
