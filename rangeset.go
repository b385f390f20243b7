package ports

import (
	"iter"
	"slices"
	"strings"
)

// RangeSet is an immutable set of ports, held as its ranges: sorted, disjoint
// and never adjacent, so every set has exactly one representation.
//
// It is the currency in which the OS readers, the well-known tables and the
// allocator's policies say "avoid these ports". Build one with a
// [RangeSetBuilder], [RangeSetOf] or [ParseRangeSet]; the methods that
// combine sets return new sets and never change their operands.
//
// The zero value is the empty set. A RangeSet is safe for concurrent use.
// Membership costs O(log r) for r ranges and allocates nothing; the set
// operations cost O(r1 + r2).
type RangeSet struct {
	rs []Range // normalized: sorted, valid, disjoint, non-adjacent
}

// RangeSetOf returns the set of every port in the given ranges. Invalid
// ranges are ignored; overlapping and adjacent ones are merged.
func RangeSetOf(rs ...Range) RangeSet {
	return RangeSet{rs: normalize(slices.Clone(rs))}
}

// normalize sorts rs, drops invalid ranges and merges overlapping and
// adjacent ones, in place. It returns nil for an empty result so that the
// empty set has one representation.
func normalize(rs []Range) []Range {
	rs = slices.DeleteFunc(rs, func(r Range) bool { return !r.ok })
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, Range.Compare)
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if uint32(r.lo) <= uint32(last.hi)+1 {
			last.hi = max(last.hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

// ParseRangeSet parses a comma-separated list of ranges, each as accepted by
// [ParseRange], such as "22,80,443,8000-8100". White space around an element
// is ignored; elements may overlap and come in any order. The empty string
// is the empty set.
func ParseRangeSet(s string) (RangeSet, error) {
	set, err := parseRangeSet(s)
	if err != nil {
		err.Func = "ParseRangeSet"
		return RangeSet{}, err
	}
	return set, nil
}

// MustParseRangeSet is like [ParseRangeSet] but panics on error. It is meant
// for tests and for package-level values built from constants.
func MustParseRangeSet(s string) RangeSet {
	set, err := ParseRangeSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

func parseRangeSet(s string) (RangeSet, *ParseError) {
	if strings.TrimSpace(s) == "" {
		return RangeSet{}, nil
	}
	var rs []Range
	for elem := range strings.SplitSeq(s, ",") {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			return RangeSet{}, &ParseError{Input: s, Msg: "empty element in list"}
		}
		r, msg, _ := parseRange(elem)
		if msg != "" {
			return RangeSet{}, &ParseError{Input: s, Msg: msg, Part: elem}
		}
		rs = append(rs, r)
	}
	return RangeSet{rs: normalize(rs)}, nil
}

// search returns the index of the first range whose high port is >= p.
func (s RangeSet) search(p Port) int {
	lo, hi := 0, len(s.rs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.rs[m].hi < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Contains reports whether p is in s.
func (s RangeSet) Contains(p Port) bool {
	i := s.search(p)
	return i < len(s.rs) && s.rs[i].lo <= p
}

// ContainsRange reports whether every port of r is in s. No set contains the
// zero Range.
func (s RangeSet) ContainsRange(r Range) bool {
	if !r.ok {
		return false
	}
	i := s.search(r.lo)
	return i < len(s.rs) && s.rs[i].ContainsRange(r)
}

// Overlaps reports whether some port of r is in s.
func (s RangeSet) Overlaps(r Range) bool {
	if !r.ok {
		return false
	}
	i := s.search(r.lo)
	return i < len(s.rs) && s.rs[i].lo <= r.hi
}

// Next returns the smallest port of s that is not below p, and whether there
// is one.
func (s RangeSet) Next(p Port) (Port, bool) {
	i := s.search(p)
	if i == len(s.rs) {
		return 0, false
	}
	return max(p, s.rs[i].lo), true
}

// NextAbsent returns the smallest port not in s that is not below p, and
// whether there is one.
func (s RangeSet) NextAbsent(p Port) (Port, bool) {
	i := s.search(p)
	if i == len(s.rs) || p < s.rs[i].lo {
		return p, true
	}
	if s.rs[i].hi == MaxPort {
		return 0, false
	}
	return s.rs[i].hi + 1, true
}

// IsEmpty reports whether s holds no port.
func (s RangeSet) IsEmpty() bool { return len(s.rs) == 0 }

// Len returns the number of ports in s, 0 to 65536.
func (s RangeSet) Len() int {
	n := 0
	for _, r := range s.rs {
		n += r.Len()
	}
	return n
}

// NumRanges returns the number of ranges s is held as.
func (s RangeSet) NumRanges() int { return len(s.rs) }

// Ranges returns an iterator over the ranges of s in increasing order. The
// ranges are disjoint and never adjacent.
func (s RangeSet) Ranges() iter.Seq[Range] {
	return slices.Values(s.rs)
}

// All returns an iterator over the ports of s in increasing order.
func (s RangeSet) All() iter.Seq[Port] {
	return func(yield func(Port) bool) {
		for _, r := range s.rs {
			for p := range r.All() {
				if !yield(p) {
					return
				}
			}
		}
	}
}

// Equal reports whether s and o hold the same ports.
func (s RangeSet) Equal(o RangeSet) bool {
	return slices.Equal(s.rs, o.rs)
}

// Union returns the ports in s or in o.
func (s RangeSet) Union(o RangeSet) RangeSet {
	switch {
	case len(o.rs) == 0:
		return s
	case len(s.rs) == 0:
		return o
	}
	return RangeSet{rs: normalize(slices.Concat(s.rs, o.rs))}
}

// Intersect returns the ports in both s and o.
func (s RangeSet) Intersect(o RangeSet) RangeSet {
	var out []Range
	i, j := 0, 0
	for i < len(s.rs) && j < len(o.rs) {
		a, b := s.rs[i], o.rs[j]
		if r, ok := a.Intersect(b); ok {
			out = append(out, r)
		}
		if a.hi < b.hi {
			i++
		} else {
			j++
		}
	}
	return RangeSet{rs: out}
}

// Complement returns the ports of 0-65535 that are not in s.
func (s RangeSet) Complement() RangeSet {
	return RangeSet{rs: complement(s.rs)}
}

func complement(rs []Range) []Range {
	var out []Range
	next := uint32(0) // first port not yet accounted for
	for _, r := range rs {
		if uint32(r.lo) > next {
			out = append(out, Range{lo: Port(next), hi: r.lo - 1, ok: true})
		}
		next = uint32(r.hi) + 1
	}
	if next <= uint32(MaxPort) {
		out = append(out, Range{lo: Port(next), hi: MaxPort, ok: true})
	}
	return out
}

// Difference returns the ports in s that are not in o.
func (s RangeSet) Difference(o RangeSet) RangeSet {
	if len(o.rs) == 0 || len(s.rs) == 0 {
		return s
	}
	return s.Intersect(o.Complement())
}

// String returns the ranges of s joined by commas, as [ParseRangeSet]
// reads them: "22,80,8000-8100". The empty set gives "".
func (s RangeSet) String() string {
	b, _ := s.AppendText(nil)
	return string(b)
}

// AppendText implements [encoding.TextAppender].
func (s RangeSet) AppendText(b []byte) ([]byte, error) {
	for i, r := range s.rs {
		if i > 0 {
			b = append(b, ',')
		}
		b, _ = r.AppendText(b)
	}
	return b, nil
}

// MarshalText implements [encoding.TextMarshaler].
func (s RangeSet) MarshalText() ([]byte, error) {
	return s.AppendText(nil)
}

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts what
// [ParseRangeSet] accepts.
func (s *RangeSet) UnmarshalText(text []byte) error {
	set, err := parseRangeSet(string(text))
	if err != nil {
		err.Func = "RangeSet.UnmarshalText"
		return err
	}
	*s = set
	return nil
}

// RangeSetBuilder builds a [RangeSet] from additions and removals applied in
// order. The zero value is an empty builder ready to use. A builder is not
// safe for concurrent use. A copy of a builder is a builder of its own, which
// goes on from what the original held, and neither changes the other.
type RangeSetBuilder struct {
	rs      []Range // normalized
	pending []Range // additions not yet merged into rs
	// filled is how far some builder has filled pending's array. Copies
	// of a builder share that array; one may add in place only at the
	// frontier, where no copy has written, and otherwise takes an array
	// of its own.
	filled *int
}

// push adds rs to the pending additions.
func (b *RangeSetBuilder) push(rs ...Range) {
	if b.filled == nil || *b.filled != len(b.pending) || cap(b.pending)-len(b.pending) < len(rs) {
		b.pending = append(slices.Clip(b.pending), rs...) // an array of its own
		b.filled = new(int)
	} else {
		b.pending = append(b.pending, rs...)
	}
	*b.filled = len(b.pending)
}

// flush merges the pending additions into rs, in a new array: the old one
// may be a copy's too.
func (b *RangeSetBuilder) flush() {
	if len(b.pending) == 0 {
		return
	}
	b.rs = normalize(append(slices.Clip(b.rs), b.pending...))
	b.pending, b.filled = nil, nil
}

// Add adds the ports of r. An invalid range adds nothing.
func (b *RangeSetBuilder) Add(r Range) {
	if r.ok {
		b.push(r)
	}
}

// AddPort adds p.
func (b *RangeSetBuilder) AddPort(p Port) { b.Add(p.Range()) }

// AddSet adds every port of s.
func (b *RangeSetBuilder) AddSet(s RangeSet) {
	b.push(s.rs...)
}

// Remove removes the ports of r.
func (b *RangeSetBuilder) Remove(r Range) {
	if r.ok {
		b.RemoveSet(RangeSet{rs: []Range{r}})
	}
}

// RemovePort removes p.
func (b *RangeSetBuilder) RemovePort(p Port) { b.Remove(p.Range()) }

// RemoveSet removes every port of s.
func (b *RangeSetBuilder) RemoveSet(s RangeSet) {
	b.flush()
	b.rs = RangeSet{rs: b.rs}.Difference(s).rs
}

// Intersect keeps only the ports that are also in s.
func (b *RangeSetBuilder) Intersect(s RangeSet) {
	b.flush()
	b.rs = RangeSet{rs: b.rs}.Intersect(s).rs
}

// Complement replaces the ports of the builder with those of 0-65535 that it
// does not hold.
func (b *RangeSetBuilder) Complement() {
	b.flush()
	b.rs = complement(b.rs)
}

// RangeSet returns the set built so far. The builder stays usable, and what
// it does later does not change the returned set.
func (b *RangeSetBuilder) RangeSet() RangeSet {
	b.flush()
	return RangeSet{rs: slices.Clone(b.rs)}
}
