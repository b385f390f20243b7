package intervals

import (
	"testing"

	"pgregory.net/rapid"
)

// The bitmap and the Kubernetes-style allocator are written here, so they are
// checked against a plain [65536]bool before their figures are believed.
func TestBitmapRuns(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var bm Bitmap
		var taken [65536]bool
		for range rapid.IntRange(0, 30).Draw(t, "ops") {
			lo := rapid.IntRange(0, 65535).Draw(t, "lo")
			hi := min(65535, lo+rapid.IntRange(0, 300).Draw(t, "len"))
			set := rapid.Bool().Draw(t, "set")
			if set {
				bm.Set(lo, hi)
			} else {
				bm.Clear(lo, hi)
			}
			for p := lo; p <= hi; p++ {
				taken[p] = set
			}
		}
		free := func(c, k int) bool {
			for p := c; p < c+k; p++ {
				if taken[p] {
					return false
				}
			}
			return true
		}
		from := rapid.IntRange(0, 65535).Draw(t, "from")
		k := rapid.IntRange(1, 200).Draw(t, "k")
		from = min(from, 65536-k)
		want := -1
		for c := from; c+k <= 65536 && want < 0; c++ {
			if free(c, k) {
				want = c
			}
		}
		for c := 0; c < from && want < 0; c++ {
			if free(c, k) {
				want = c
			}
		}
		if got := bm.FirstRun(from, k); got != want {
			t.Fatalf("FirstRun(%d, %d) = %d, want %d", from, k, got, want)
		}
		lo := rapid.IntRange(0, 65535).Draw(t, "qlo")
		hi := min(65535, lo+rapid.IntRange(0, 100).Draw(t, "qlen"))
		any := false
		for p := lo; p <= hi; p++ {
			any = any || taken[p]
		}
		if got := bm.Any(lo, hi); got != any {
			t.Fatalf("Any(%d, %d) = %v, want %v", lo, hi, got, any)
		}
		k8 := NewK8s(1)
		k8.bits = bm
		for p := range taken {
			if taken[p] {
				k8.count++
			}
		}
		if c := k8.AllocateRun(k); c >= 0 && !free(c, k) {
			t.Fatalf("K8s.AllocateRun(%d) = %d, not free", k, c)
		} else if c < 0 && want >= 0 {
			t.Fatalf("K8s.AllocateRun(%d) found nothing; %d is free", k, want)
		}
	})
}
