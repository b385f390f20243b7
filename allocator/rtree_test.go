package allocator

import (
	"cmp"
	"net/netip"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestTreeModel drives one reservation tree alone, with enough keys to grow
// it several levels deep and shrink it again (splits, borrowing and merges
// at every level), and with equal port ranges on several addresses, so that
// ties in the key are broken by address across node boundaries. After every
// step it checks the tree's invariants (checkR); every few steps it compares
// finds, walks and resumed walks with a sorted slice.
func TestTreeModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := newState()
		addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::1")}
		ids := []uint32{0}
		for _, a := range addrs[1:] {
			ids = append(ids, s.addrs.intern(a))
		}
		type entry struct {
			key  uint32
			addr int // index into addrs
		}
		less := func(a, b entry) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return addrs[a.addr].Compare(addrs[b.addr])
		}
		held := map[entry]int32{}
		maxLo := rapid.SampledFrom([]int{20, 200, 2000}).Draw(t, "maxLo")
		drawEntry := func() entry {
			lo := rapid.IntRange(0, maxLo).Draw(t, "lo")
			hi := lo + rapid.IntRange(0, 5).Draw(t, "len")
			return entry{rkey(uint16(lo), uint16(hi)), rapid.IntRange(0, len(addrs)-1).Draw(t, "addr")}
		}
		sorted := func() []entry {
			var es []entry
			for e := range held {
				es = append(es, e)
			}
			slices.SortFunc(es, less)
			return es
		}
		insertBias := rapid.IntRange(50, 90).Draw(t, "insertBias")
		for step := range rapid.IntRange(1, 1500).Draw(t, "steps") {
			e := drawEntry()
			if rapid.IntRange(0, 99).Draw(t, "op") < insertBias {
				if _, ok := held[e]; !ok {
					// The reservation's id stands for its owner, so
					// that each leaf tag says whose it is.
					x := s.recs.add(e.key, ids[e.addr], 1)
					s.trees[0].insert(x, x)
					held[e] = x
				}
			} else {
				if len(held) > 0 && rapid.Bool().Draw(t, "existing") {
					es := sorted()
					e = es[rapid.IntRange(0, len(es)-1).Draw(t, "which")]
				}
				x, tag := s.trees[0].remove(e.key, ids[e.addr])
				if want := held[e]; x != want || x != 0 && (tagOwner(tag) != x || s.tagAddr(tag, x) != addrs[e.addr]) {
					t.Fatalf("remove(%#x, %v) = %d with tag %#x, want %d", e.key, addrs[e.addr], x, tag, want)
				}
				if x != 0 {
					delete(held, e)
					s.recs.release(x)
				}
			}
			var got []int32
			if _, err := s.checkR(s.trees[0].root, 1, &got); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if len(got) != len(held) {
				t.Fatalf("step %d: tree holds %d, want %d", step, len(got), len(held))
			}
			if step%10 != 0 {
				continue
			}
			es := sorted()
			var want []int32
			for _, e := range es {
				want = append(want, held[e])
			}
			if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("step %d: order (-want +got):\n%s", step, diff)
			}
			f := drawEntry()
			if x, tag := s.trees[0].find(f.key, ids[f.addr]); x != held[f] || x != 0 && tagOwner(tag) != x {
				t.Fatalf("find(%#x, %v) = %d with tag %#x, want %d", f.key, addrs[f.addr], x, tag, held[f])
			}
			// A walk over a random range, from the start and resumed after
			// a random key.
			qlo := rapid.IntRange(0, maxLo+5).Draw(t, "qlo")
			qhi := qlo + rapid.IntRange(0, 40).Draw(t, "qwidth")
			after := drawEntry()
			resume := rapid.Bool().Draw(t, "resume")
			want = want[:0]
			for _, e := range es {
				lo, hi := int(e.key>>16), int(e.key&0xffff)
				if hi >= qlo && lo <= qhi && (!resume || less(e, after) > 0) {
					want = append(want, held[e])
				}
			}
			var c rcursor
			s.trees[0].walk(&c, uint16(qlo), uint16(qhi))
			if resume {
				c.seek(after.key, addrs[after.addr], false)
			}
			got = got[:0]
			for x := c.step(); x != 0; x = c.step() {
				got = append(got, x)
			}
			if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("walk %d-%d after %#x %v (resume %v) (-want +got):\n%s", qlo, qhi, after.key, addrs[after.addr], resume, diff)
			}
		}
	})
}
