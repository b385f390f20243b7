package allocator

import (
	"testing"

	"pgregory.net/rapid"
)

// TestOccMatchesBitmap checks the occupancy tree against a plain [65536]bool:
// after random marks and unmarks of ranges of any width, first and last fits
// of runs up to 300 ports, counts and longest runs agree.
func TestOccMatchesBitmap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := newOccupancy()
		var taken [65536]bool
		// Ports near word boundaries and the ends of the space matter most.
		port := rapid.OneOf(
			rapid.IntRange(0, 65535),
			rapid.IntRange(0, 200),
			rapid.IntRange(65335, 65535),
			rapid.SampledFrom([]int{0, 63, 64, 127, 128, 4095, 4096, 32767, 32768, 65472, 65535}),
		)
		for range rapid.IntRange(0, 40).Draw(t, "ops") {
			a := port.Draw(t, "a")
			b := min(65535, a+rapid.IntRange(0, 700).Draw(t, "len"))
			set := rapid.Bool().Draw(t, "set")
			if set {
				o.add(a, b)
			} else {
				o.remove(a, b)
			}
			for p := a; p <= b; p++ {
				taken[p] = set
			}
		}
		free := func(c, k int) bool {
			if c < 0 || c+k-1 > 65535 {
				return false
			}
			for p := c; p < c+k; p++ {
				if taken[p] {
					return false
				}
			}
			return true
		}
		for range 20 {
			k := rapid.OneOf(rapid.IntRange(1, 70), rapid.IntRange(1, 300)).Draw(t, "k")
			a := port.Draw(t, "from")
			want := -1
			for c := a; c+k-1 <= 65535; c++ {
				if free(c, k) {
					want = c
					break
				}
			}
			if got := o.firstFit(a, k); got != want {
				t.Fatalf("firstFit(%d, %d) = %d, want %d", a, k, got, want)
			}
			b := port.Draw(t, "to")
			want = -1
			for c := b - k + 1; c >= 0; c-- {
				if free(c, k) {
					want = c
					break
				}
			}
			if got := o.lastFit(b, k); got != want {
				t.Fatalf("lastFit(%d, %d) = %d, want %d", b, k, got, want)
			}
			lo, hi := min(a, b), max(a, b)
			cnt, best, run := 0, 0, 0
			for p := lo; p <= hi; p++ {
				if taken[p] {
					cnt++
					run = 0
				} else {
					run++
					best = max(best, run)
				}
			}
			if got := o.coveredIn(lo, hi); got != cnt {
				t.Fatalf("coveredIn(%d, %d) = %d, want %d", lo, hi, got, cnt)
			}
			if got := o.longestFree(lo, hi); got != best {
				t.Fatalf("longestFree(%d, %d) = %d, want %d", lo, hi, got, best)
			}
		}
		if err := o.check(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLongestZeros(t *testing.T) {
	tests := []struct {
		w    uint64
		want int
	}{
		{0, 64}, {^uint64(0), 0}, {1, 63}, {1 << 63, 63}, {0x8000000000000001, 62},
		{0xff00ff00ff00ff00, 8}, {0x5555555555555555, 1}, {0xfffffffe7fffffff, 2},
	}
	for _, tt := range tests {
		if got := longestZeros(tt.w); got != tt.want {
			t.Errorf("longestZeros(%#x) = %d, want %d", tt.w, got, tt.want)
		}
	}
}
