package allocator

import (
	"net/netip"
	"testing"

	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestNextFitNoReuseAtOnce checks NextFit's promise apart from the model,
// which follows the implementation: a port handed out and released at once
// is not what the next allocation hands out, from any range that holds it,
// overlapping the first or not, unless it is the only free port there.
func TestNextFitNoReuseAtOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{Order: NextFit})
		for _, p := range rapid.SliceOfN(rapid.IntRange(100, 130), 0, 20).Draw(t, "held") {
			a.Reserve("fill", ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(p).Range()))
		}
		drawRange := func(label string, in ports.Port) ports.Range {
			lo := rapid.IntRange(90, int(in)).Draw(t, label+" lo")
			hi := rapid.IntRange(int(in), 140).Draw(t, label+" hi")
			return ports.RangeFrom(ports.Port(lo), ports.Port(hi))
		}
		for range rapid.IntRange(1, 30).Draw(t, "steps") {
			r1 := drawRange("first", ports.Port(rapid.IntRange(90, 140).Draw(t, "first in")))
			got, err := a.Allocate("o", ports.TCP, r1, 1)
			if err != nil {
				continue // exhausted
			}
			p := got.Endpoint.Range().Lo()
			a.Release(got.Endpoint)
			r2 := drawRange("next", p)
			free := a.NumFree(ports.TCP, r2)
			next, err := a.Allocate("o", ports.TCP, r2, 1)
			if err != nil {
				t.Fatalf("Allocate in %v, which has %v free: %v", r2, p, err)
			}
			if next.Endpoint.Range().Lo() == p && free > 1 {
				t.Fatalf("%v handed out in %v, released, and handed out again at once in %v, which has %d free ports", p, r1, r2, free)
			}
			if rapid.Bool().Draw(t, "release") {
				a.Release(next.Endpoint)
			}
		}
	})
}

// TestNextFitPositions checks the positions nextFit keeps: the newest of a
// protocol wins in any range that holds it, each range keeps its own
// otherwise, protocols keep apart, and beyond maxFits ranges the least
// recently noted is forgotten.
func TestNextFitPositions(t *testing.T) {
	f := nextFit{last: [4]int32{-1, -1, -1, -1}}
	r := func(i int) ports.Range { return ports.RangeFrom(ports.Port(1000+100*i), ports.Port(1099+100*i)) }
	if got := f.from(1, r(0)); got != -1 {
		t.Fatalf("from of a range never noted = %d, want -1", got)
	}
	for i := range maxFits {
		f.note(1, r(i), int32(1000+100*i+i%100))
	}
	if got, want := f.from(1, r(0)), int32(1000); got != want {
		t.Fatalf("from(range 0) = %d, want its own %d", got, want)
	}
	if got, want := f.from(1, r(maxFits-1)), int32(1000+100*(maxFits-1)+(maxFits-1)%100); got != want {
		t.Fatalf("from(last range) = %d, want %d", got, want)
	}
	// The protocol's newest position wins in a range that holds it.
	wide := ports.RangeFrom(1000, 65535)
	if got, want := f.from(1, wide), f.last[0]; got != want {
		t.Fatalf("from(%v) = %d, want the protocol's newest %d", wide, got, want)
	}
	if got := f.from(2, r(0)); got != -1 {
		t.Fatalf("from of another protocol = %d, want -1", got)
	}
	// Noting range 0 again makes it the most recent; a new range then
	// forgets range 1, the least recently noted.
	f.note(1, r(0), 1005)
	f.note(1, ports.RangeFrom(1, 9), 5)
	if got := f.from(1, r(1)); got != -1 {
		t.Fatalf("from(range 1) = %d after %d newer ranges, want -1", got, maxFits)
	}
	if got := f.from(1, r(0)); got != 1005 {
		t.Fatalf("from(range 0) = %d, want 1005", got)
	}
	if len(f.ranges) != maxFits {
		t.Fatalf("%d ranges kept, want %d", len(f.ranges), maxFits)
	}
}

// TestNextFitModel checks nextFit against a model that keeps every note in
// order: from(p, r) is the newest position of protocol p if r holds it, or
// else the newest position noted in range r of p if r is among the maxFits
// ranges most recently noted, and -1 otherwise. Ranges are drawn from more
// than maxFits, so that the least recently used are forgotten.
func TestNextFitModel(t *testing.T) {
	type note struct {
		p    uint8
		r    ports.Range
		last int32
	}
	rapid.Check(t, func(t *rapid.T) {
		f := nextFit{last: [4]int32{-1, -1, -1, -1}}
		var notes []note // every note, oldest first
		drawRange := func(label string) ports.Range {
			i := rapid.IntRange(0, maxFits+16).Draw(t, label)
			lo := 1000 + 10*i
			return ports.RangeFrom(ports.Port(lo), ports.Port(lo+rapid.SampledFrom([]int{9, 9, 40}).Draw(t, label+" width")))
		}
		model := func(p uint8, r ports.Range) int32 {
			for i := len(notes) - 1; i >= 0; i-- {
				if notes[i].p == p {
					if r.Contains(ports.Port(notes[i].last)) {
						return notes[i].last
					}
					break
				}
			}
			type key struct {
				p uint8
				r ports.Range
			}
			seen := map[key]bool{}
			for i := len(notes) - 1; i >= 0 && len(seen) < maxFits; i-- {
				k := key{notes[i].p, notes[i].r}
				if k == (key{p, r}) && !seen[k] {
					return notes[i].last
				}
				seen[k] = true
			}
			return -1
		}
		for step := range rapid.IntRange(1, 400).Draw(t, "steps") {
			p := uint8(rapid.IntRange(1, 2).Draw(t, "protocol"))
			r := drawRange("range")
			if rapid.IntRange(0, 2).Draw(t, "op") > 0 {
				last := int32(rapid.IntRange(int(r.Lo()), int(r.Hi())).Draw(t, "last"))
				f.note(p, r, last)
				notes = append(notes, note{p, r, last})
				continue
			}
			if got, want := f.from(p, r), model(p, r); got != want {
				t.Fatalf("step %d: from(%d, %v) = %d, want %d", step, p, r, got, want)
			}
		}
		if len(f.ranges) > maxFits {
			t.Fatalf("%d ranges kept, more than %d", len(f.ranges), maxFits)
		}
	})
}
