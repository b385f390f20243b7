package porttest

import (
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"pgregory.net/rapid"
)

func genRangeSet() *rapid.Generator[ports.RangeSet] {
	return rapid.Custom(func(t *rapid.T) ports.RangeSet {
		n := rapid.IntRange(0, 8).Draw(t, "n")
		rs := make([]ports.Range, n)
		for i := range rs {
			// Cluster the ranges near the top and the bottom so that the
			// edges 0 and 65535 are met often.
			lo := rapid.OneOf(rapid.IntRange(0, 200), rapid.IntRange(65300, 65535), rapid.IntRange(0, 65535)).Draw(t, "lo")
			hi := min(65535, lo+rapid.IntRange(0, 40).Draw(t, "len"))
			rs[i] = ports.RangeFrom(ports.Port(lo), ports.Port(hi))
		}
		return ports.RangeSetOf(rs...)
	})
}

// TestPropNextRun checks nextRun against a scan of every port.
func TestPropNextRun(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		set := genRangeSet().Draw(t, "set")
		from := uint32(rapid.IntRange(0, 65536).Draw(t, "from"))
		k := rapid.IntRange(1, 50).Draw(t, "k")
		var in [65536]bool
		for p := range set.All() {
			in[p] = true
		}
		want, wantOK := ports.Port(0), false
	scan:
		for s := from; s+uint32(k)-1 <= 65535; s++ {
			for j := range uint32(k) {
				if !in[s+j] {
					continue scan
				}
			}
			want, wantOK = ports.Port(s), true
			break
		}
		got, ok := nextRun(set, from, k)
		if ok != wantOK || got != want {
			t.Fatalf("nextRun(%v, %d, %d) = %d, %v; want %d, %v", set, from, k, got, ok, want, wantOK)
		}
	})
}

// TestPropCandidates checks that a pool's candidates are exactly Within
// (or every port), less AvoidedFor and less Options.Avoid, for random limits.
func TestPropCandidates(t *testing.T) {
	dir := tempLockDir(t) + "/locks"
	rapid.Check(t, func(t *rapid.T) {
		eph := genRangeSet().Draw(t, "ephemeral")
		var r ports.Range
		for x := range eph.Ranges() {
			r = x
			break
		}
		lim := limitsWith(r, genRangeSet().Draw(t, "reserved"), genRangeSet().Draw(t, "excluded"))
		within := genRangeSet().Draw(t, "within")
		avoid := genRangeSet().Draw(t, "avoid")
		p, err := NewPool(Options{Dir: dir, Limits: &lim, Within: within, Avoid: avoid})
		var b ports.RangeSetBuilder
		if within.IsEmpty() {
			b.Add(ports.FullRange())
		} else {
			b.AddSet(within)
		}
		b.RemoveSet(AvoidedFor(lim))
		b.RemoveSet(avoid)
		want := b.RangeSet()
		if want.IsEmpty() {
			if err == nil {
				t.Fatalf("NewPool succeeded with no candidates")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !p.Candidates().Equal(want) {
			t.Fatalf("Candidates() = %v, want %v", p.Candidates(), want)
		}
		if p.Candidates().Overlaps(r) || !p.Candidates().Intersect(lim.Reserved).IsEmpty() || !p.Candidates().Intersect(lim.ExcludedTCP).IsEmpty() {
			t.Fatalf("candidates %v meet the host's limits %+v", p.Candidates(), lim)
		}
	})
}

func limitsWith(eph ports.Range, reserved, excluded ports.RangeSet) hostports.Limits {
	return hostports.Limits{EphemeralTCP: eph, EphemeralUDP: eph, Reserved: reserved, ExcludedTCP: excluded, ExcludedUDP: excluded}
}
