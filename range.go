package ports

import (
	"iter"
	"strings"
)

// Range is an inclusive range of ports, lo to hi. Inclusive at both ends, it
// can hold 65535, and the whole space 0-65535 is a Range of 65536 ports.
//
// Range is a small value type: compare Ranges with ==, use them as map keys.
// A Range is built by [RangeFrom], [Port.Range] or [ParseRange], none of which
// can build an inverted range. The zero value is not a valid range:
// [Range.IsValid] reports false and every other method treats it as empty.
type Range struct {
	lo, hi Port
	ok     bool
}

// FullRange returns the range of every port, 0-65535.
func FullRange() Range {
	return Range{lo: 0, hi: MaxPort, ok: true}
}

// RangeFrom returns the range lo to hi, both included. If lo > hi it returns
// the zero (invalid) Range.
func RangeFrom(lo, hi Port) Range {
	if lo > hi {
		return Range{}
	}
	return Range{lo: lo, hi: hi, ok: true}
}

// ParseRange parses a single port ("8080") or two ports joined by a hyphen
// ("8000-8100"), low first. Each port is parsed as by [ParsePort]. A range
// whose low end is above its high end is an error, not an empty range.
func ParseRange(s string) (Range, error) {
	r, msg, inner := parseRange(s)
	if msg != "" {
		return Range{}, &ParseError{Func: "ParseRange", Input: s, Msg: msg, Part: inner}
	}
	return r, nil
}

// MustParseRange is like [ParseRange] but panics on error. It is meant for
// tests and for package-level values built from constants.
func MustParseRange(s string) Range {
	r, err := ParseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

func parseRange(s string) (r Range, msg, inner string) {
	if s == "" {
		return Range{}, "empty range; want PORT or LO-HI", ""
	}
	i := strings.IndexByte(s, '-')
	if i < 0 {
		p, msg := parsePort(s)
		if msg != "" {
			return Range{}, msg, ""
		}
		return p.Range(), "", ""
	}
	if i == 0 {
		return Range{}, "missing low port before '-'", ""
	}
	los, his := s[:i], s[i+1:]
	lo, msg := parsePort(los)
	if msg != "" {
		return Range{}, msg, los
	}
	if his == "" {
		return Range{}, "missing high port after '-'", ""
	}
	hi, msg := parsePort(his)
	if msg != "" {
		return Range{}, msg, his
	}
	if lo > hi {
		return Range{}, "low port " + lo.String() + " is above high port " + hi.String(), ""
	}
	return Range{lo: lo, hi: hi, ok: true}, "", ""
}

// IsValid reports whether r is a range; only the zero Range is not.
func (r Range) IsValid() bool { return r.ok }

// Lo returns the lowest port of r (0 for the zero Range).
func (r Range) Lo() Port { return r.lo }

// Hi returns the highest port of r (0 for the zero Range).
func (r Range) Hi() Port { return r.hi }

// Len returns the number of ports in r: 1 to 65536, or 0 for the zero Range.
func (r Range) Len() int {
	if !r.ok {
		return 0
	}
	return int(r.hi) - int(r.lo) + 1
}

// IsSingle reports whether r holds exactly one port.
func (r Range) IsSingle() bool { return r.ok && r.lo == r.hi }

// Contains reports whether p lies in r.
func (r Range) Contains(p Port) bool {
	return r.ok && r.lo <= p && p <= r.hi
}

// ContainsRange reports whether every port of o lies in r. The zero Range
// neither contains nor is contained.
func (r Range) ContainsRange(o Range) bool {
	return r.ok && o.ok && r.lo <= o.lo && o.hi <= r.hi
}

// Overlaps reports whether r and o share at least one port. It is symmetric;
// the zero Range overlaps nothing.
func (r Range) Overlaps(o Range) bool {
	return r.ok && o.ok && r.lo <= o.hi && o.lo <= r.hi
}

// Intersect returns the ports that r and o share, and whether there are any.
func (r Range) Intersect(o Range) (Range, bool) {
	if !r.Overlaps(o) {
		return Range{}, false
	}
	return Range{lo: max(r.lo, o.lo), hi: min(r.hi, o.hi), ok: true}, true
}

// Compare returns an integer comparing r and o: ranges are ordered by low
// port, then by high port, and the zero Range sorts before every valid one.
// It is a total order consistent with ==, so it can sort and deduplicate.
func (r Range) Compare(o Range) int {
	switch {
	case r.ok != o.ok:
		if !r.ok {
			return -1
		}
		return +1
	case r.lo != o.lo:
		return r.lo.Compare(o.lo)
	}
	return r.hi.Compare(o.hi)
}

// All returns an iterator over the ports of r in increasing order. The zero
// Range yields nothing.
func (r Range) All() iter.Seq[Port] {
	return func(yield func(Port) bool) {
		if !r.ok {
			return
		}
		for p := r.lo; ; p++ {
			if !yield(p) || p == r.hi {
				return
			}
		}
	}
}

// String returns "8080" for a single port and "8000-8100" otherwise; the zero
// Range gives "invalid Range".
func (r Range) String() string {
	if !r.ok {
		return "invalid Range"
	}
	b, _ := r.AppendText(make([]byte, 0, 11))
	return string(b)
}

// AppendText implements [encoding.TextAppender]. The zero Range appends
// nothing.
func (r Range) AppendText(b []byte) ([]byte, error) {
	if !r.ok {
		return b, nil
	}
	b, _ = r.lo.AppendText(b)
	if r.hi != r.lo {
		b = append(b, '-')
		b, _ = r.hi.AppendText(b)
	}
	return b, nil
}

// MarshalText implements [encoding.TextMarshaler]. The zero Range gives
// empty text.
func (r Range) MarshalText() ([]byte, error) {
	return r.AppendText(make([]byte, 0, 11))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. Empty text gives the
// zero Range; anything else must be accepted by [ParseRange].
func (r *Range) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*r = Range{}
		return nil
	}
	q, msg, inner := parseRange(string(text))
	if msg != "" {
		return &ParseError{Func: "Range.UnmarshalText", Input: string(text), Msg: msg, Part: inner}
	}
	*r = q
	return nil
}

// Set returns the set of r's ports, so that a Range combines with sets:
// wellknown.BadPorts().Union(wellknown.NodePortRange().Set()). The zero
// Range gives the empty set.
func (r Range) Set() RangeSet {
	return RangeSetOf(r)
}
