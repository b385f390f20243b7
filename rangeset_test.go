package ports

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ranges lists the ranges of s, for comparisons.
func ranges(s RangeSet) []string {
	var out []string
	for r := range s.Ranges() {
		out = append(out, r.String())
	}
	return out
}

func TestParseRangeSet(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "", want: nil},
		{in: "  ", want: nil},
		{in: "80", want: []string{"80"}},
		{in: "443,80,22", want: []string{"22", "80", "443"}},
		{in: "80, 81 ,82", want: []string{"80-82"}},
		{in: "1-10,5-20,21,30-40", want: []string{"1-21", "30-40"}},
		{in: "0-65535,7", want: []string{"0-65535"}},
		{in: "80,,81", wantErr: "empty element"},
		{in: "80,", wantErr: "empty element"},
		{in: "80,9-1", wantErr: `in "9-1": low port 9 is above high port 1`},
		{in: "80,http", wantErr: `in "http": unexpected character 'h'`},
	}
	for _, tt := range tests {
		got, err := ParseRangeSet(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "ports: ParseRangeSet(") {
				t.Errorf("ParseRangeSet(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRangeSet(%q) error: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, ranges(got)); diff != "" {
			t.Errorf("ParseRangeSet(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestRangeSetQueries(t *testing.T) {
	s := MustParseRangeSet("10-20,30,40-65535")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Len", s.Len(), 11 + 1 + 65496},
		{"NumRanges", s.NumRanges(), 3},
		{"IsEmpty", s.IsEmpty(), false},
		{"Contains(9)", s.Contains(9), false},
		{"Contains(10)", s.Contains(10), true},
		{"Contains(20)", s.Contains(20), true},
		{"Contains(21)", s.Contains(21), false},
		{"Contains(30)", s.Contains(30), true},
		{"Contains(65535)", s.Contains(65535), true},
		{"ContainsRange(12-18)", s.ContainsRange(RangeFrom(12, 18)), true},
		{"ContainsRange(12-21)", s.ContainsRange(RangeFrom(12, 21)), false},
		{"ContainsRange(zero)", s.ContainsRange(Range{}), false},
		{"Overlaps(21-29)", s.Overlaps(RangeFrom(21, 29)), false},
		{"Overlaps(21-30)", s.Overlaps(RangeFrom(21, 30)), true},
		{"Overlaps(0-10)", s.Overlaps(RangeFrom(0, 10)), true},
		{"Overlaps(zero)", s.Overlaps(Range{}), false},
		{"String", s.String(), "10-20,30,40-65535"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	var empty RangeSet
	if !empty.IsEmpty() || empty.Len() != 0 || empty.Contains(0) || empty.String() != "" {
		t.Errorf("zero RangeSet is not empty: %q", empty.String())
	}
}

func TestRangeSetNext(t *testing.T) {
	s := MustParseRangeSet("10-20,30,65535")
	type result struct {
		P  Port
		OK bool
	}
	tests := []struct {
		from             Port
		next, nextAbsent result
	}{
		{0, result{10, true}, result{0, true}},
		{10, result{10, true}, result{21, true}},
		{15, result{15, true}, result{21, true}},
		{21, result{30, true}, result{21, true}},
		{30, result{30, true}, result{31, true}},
		{31, result{65535, true}, result{31, true}},
		{65535, result{65535, true}, result{0, false}},
	}
	for _, tt := range tests {
		if p, ok := s.Next(tt.from); (result{p, ok}) != tt.next {
			t.Errorf("Next(%d) = %d, %v; want %v", tt.from, p, ok, tt.next)
		}
		if p, ok := s.NextAbsent(tt.from); (result{p, ok}) != tt.nextAbsent {
			t.Errorf("NextAbsent(%d) = %d, %v; want %v", tt.from, p, ok, tt.nextAbsent)
		}
	}
	if _, ok := MustParseRangeSet("5").Next(6); ok {
		t.Errorf("Next past the last member found one")
	}
	if p, ok := (RangeSet{}).NextAbsent(65535); !ok || p != 65535 {
		t.Errorf("empty.NextAbsent(65535) = %d, %v; want 65535, true", p, ok)
	}
}

func TestRangeSetOperations(t *testing.T) {
	a := MustParseRangeSet("10-20,30-40")
	b := MustParseRangeSet("15-35,50")
	tests := []struct {
		name string
		got  RangeSet
		want string
	}{
		{"Union", a.Union(b), "10-40,50"},
		{"Intersect", a.Intersect(b), "15-20,30-35"},
		{"Difference a-b", a.Difference(b), "10-14,36-40"},
		{"Difference b-a", b.Difference(a), "21-29,50"},
		{"Complement", a.Complement(), "0-9,21-29,41-65535"},
		{"Complement of empty", RangeSet{}.Complement(), "0-65535"},
		{"Complement of full", RangeSetOf(FullRange()).Complement(), ""},
		{"Union with empty", a.Union(RangeSet{}), "10-20,30-40"},
		{"empty Union", RangeSet{}.Union(a), "10-20,30-40"},
		{"Intersect with empty", a.Intersect(RangeSet{}), ""},
		{"Difference of empty", RangeSet{}.Difference(a), ""},
		{"RangeSetOf merges adjacent", RangeSetOf(RangeFrom(1, 2), RangeFrom(3, 4), Range{}), "1-4"},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
	}
	if a.String() != "10-20,30-40" || b.String() != "15-35,50" {
		t.Errorf("operations changed their operands: a = %v, b = %v", a, b)
	}
	if !a.Union(b).Equal(b.Union(a)) || a.Equal(b) {
		t.Errorf("Equal disagrees with set equality")
	}
}

func TestRangeSetAll(t *testing.T) {
	got := slices.Collect(MustParseRangeSet("1-3,7,65535").All())
	if diff := cmp.Diff([]Port{1, 2, 3, 7, 65535}, got); diff != "" {
		t.Errorf("All() (-want +got):\n%s", diff)
	}
	n := 0
	for range MustParseRangeSet("1-3,7").All() {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("break in All did not stop the iteration")
	}
}

func TestRangeSetBuilder(t *testing.T) {
	var b RangeSetBuilder
	if got := b.RangeSet().String(); got != "" {
		t.Errorf("zero builder built %q, want the empty set", got)
	}
	b.Add(RangeFrom(100, 200))
	b.AddPort(201)
	b.Add(Range{}) // ignored
	b.AddSet(MustParseRangeSet("300-400"))
	first := b.RangeSet()
	b.Remove(RangeFrom(150, 160))
	b.RemovePort(350)
	b.RemoveSet(MustParseRangeSet("390-1000"))
	second := b.RangeSet()
	b.Intersect(MustParseRangeSet("0-120,300-310"))
	third := b.RangeSet()
	b.Complement()
	fourth := b.RangeSet()

	for _, tt := range []struct {
		name string
		got  RangeSet
		want string
	}{
		{"after adds", first, "100-201,300-400"},
		{"after removes", second, "100-149,161-201,300-349,351-389"},
		{"after intersect", third, "100-120,300-310"},
		{"after complement", fourth, "0-99,121-299,311-65535"},
	} {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s: RangeSet() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRangeSetText(t *testing.T) {
	s := MustParseRangeSet("1-5,9")
	b, err := s.MarshalText()
	if err != nil || string(b) != "1-5,9" {
		t.Fatalf("MarshalText() = %q, %v", b, err)
	}
	var q RangeSet
	if err := q.UnmarshalText(b); err != nil || !q.Equal(s) {
		t.Errorf("UnmarshalText(%q) = %v, %v", b, q, err)
	}
	if err := q.UnmarshalText([]byte("1,x")); err == nil || !q.Equal(s) || !strings.Contains(err.Error(), "RangeSet.UnmarshalText") {
		t.Errorf("UnmarshalText(%q) = %v; want an error and the set unchanged (%v)", "1,x", err, q)
	}
}

// TestRangeSetBuilderCopy checks that a copy of a builder and the original
// go their own ways: the copy shares arrays with the original, with room to
// spare in them, and both change after the copy.
func TestRangeSetBuilderCopy(t *testing.T) {
	// The original's set has spare room (from Intersect) when copied, and
	// the original then merges an addition into it.
	var b RangeSetBuilder
	b.Add(RangeFrom(0, 100))
	b.Intersect(MustParseRangeSet("0-10,20-30,50-60"))
	c := b
	b.AddPort(15)
	if got := b.RangeSet().String(); got != "0-10,15,20-30,50-60" {
		t.Errorf("original: %q", got)
	}
	if got := c.RangeSet().String(); got != "0-10,20-30,50-60" {
		t.Errorf("copy after the original's addition: %q, want 0-10,20-30,50-60", got)
	}

	// The pending additions have spare room when copied, and both add.
	var d RangeSetBuilder
	d.Add(RangeFrom(1, 2))
	d.RangeSet()
	for _, p := range []Port{100, 102, 104} { // three pending, room for four
		d.AddPort(p)
	}
	e := d
	d.AddPort(200)
	e.AddPort(300)
	d.RangeSet()
	d.AddPort(400)
	if got := d.RangeSet().String(); got != "1-2,100,102,104,200,400" {
		t.Errorf("original: %q, want 1-2,100,102,104,200,400", got)
	}
	if got := e.RangeSet().String(); got != "1-2,100,102,104,300" {
		t.Errorf("copy: %q, want 1-2,100,102,104,300", got)
	}

	// The copy is left alone while the original merges and adds again.
	var f RangeSetBuilder
	f.AddPort(7)
	f.AddPort(9)
	g := f
	f.RangeSet()
	f.AddPort(500)
	if got := g.RangeSet().String(); got != "7,9" {
		t.Errorf("untouched copy: %q, want 7,9", got)
	}

	// A copy put back over the builder it came from, after that builder
	// added and was copied again: each goes its own way.
	var h RangeSetBuilder
	h.AddPort(1)
	h.AddPort(3)
	h.AddPort(5)
	saved := h
	h.AddPort(7)
	k := h
	h = saved
	h.AddPort(9)
	if got := k.RangeSet().String(); got != "1,3,5,7" {
		t.Errorf("copy after a copy back: %q, want 1,3,5,7", got)
	}
	if got := h.RangeSet().String(); got != "1,3,5,9" {
		t.Errorf("copy put back: %q, want 1,3,5,9", got)
	}
}
