package ports

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		in      string
		want    Range
		wantErr string
	}{
		{in: "8080", want: RangeFrom(8080, 8080)},
		{in: "8000-8100", want: RangeFrom(8000, 8100)},
		{in: "0-65535", want: FullRange()},
		{in: "7-7", want: RangeFrom(7, 7)},
		{in: "", wantErr: "empty range"},
		{in: "-", wantErr: "missing low port"},
		{in: "-80", wantErr: "missing low port"},
		{in: "80-", wantErr: "missing high port"},
		{in: "8100-8000", wantErr: "low port 8100 is above high port 8000"},
		{in: "80-90-100", wantErr: `in "90-100": unexpected character '-'`},
		{in: "80x-90", wantErr: `in "80x": unexpected character 'x'`},
		{in: "1-70000", wantErr: `in "70000": out of range`},
		{in: "80 - 90", wantErr: "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseRange(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "ports: ParseRange(") {
				t.Fatalf("ParseRange(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
		})
	}
}

func TestRangeFrom(t *testing.T) {
	if r := RangeFrom(10, 9); r.IsValid() || r != (Range{}) {
		t.Errorf("RangeFrom(10, 9) = %v, want the zero Range", r)
	}
	r := RangeFrom(9, 10)
	if !r.IsValid() || r.Lo() != 9 || r.Hi() != 10 || r.Len() != 2 {
		t.Errorf("RangeFrom(9, 10) = %v (lo %d hi %d len %d)", r, r.Lo(), r.Hi(), r.Len())
	}
}

func TestRangeMethods(t *testing.T) {
	var zero Range
	r := RangeFrom(100, 200)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"zero.IsValid", zero.IsValid(), false},
		{"zero.Len", zero.Len(), 0},
		{"zero.String", zero.String(), "invalid Range"},
		{"zero.Contains(0)", zero.Contains(0), false},
		{"zero.Overlaps(zero)", zero.Overlaps(zero), false},
		{"zero.Overlaps(r)", zero.Overlaps(r), false},
		{"r.Overlaps(zero)", r.Overlaps(zero), false},
		{"full.Len", FullRange().Len(), 65536},
		{"full.String", FullRange().String(), "0-65535"},
		{"r.Len", r.Len(), 101},
		{"r.Contains(99)", r.Contains(99), false},
		{"r.Contains(100)", r.Contains(100), true},
		{"r.Contains(200)", r.Contains(200), true},
		{"r.Contains(201)", r.Contains(201), false},
		{"r.IsSingle", r.IsSingle(), false},
		{"single.IsSingle", Port(5).Range().IsSingle(), true},
		{"r.ContainsRange(150-200)", r.ContainsRange(RangeFrom(150, 200)), true},
		{"r.ContainsRange(150-201)", r.ContainsRange(RangeFrom(150, 201)), false},
		{"r.ContainsRange(zero)", r.ContainsRange(zero), false},
		{"r.Overlaps(200-300)", r.Overlaps(RangeFrom(200, 300)), true},
		{"r.Overlaps(201-300)", r.Overlaps(RangeFrom(201, 300)), false},
		{"r.Overlaps(0-100)", r.Overlaps(RangeFrom(0, 100)), true},
		{"r.Overlaps(0-99)", r.Overlaps(RangeFrom(0, 99)), false},
		{"r.Overlaps(150)", r.Overlaps(Port(150).Range()), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestRangeIntersect(t *testing.T) {
	tests := []struct {
		a, b   Range
		want   Range
		wantOK bool
	}{
		{RangeFrom(1, 10), RangeFrom(5, 20), RangeFrom(5, 10), true},
		{RangeFrom(1, 10), RangeFrom(10, 20), RangeFrom(10, 10), true},
		{RangeFrom(1, 10), RangeFrom(11, 20), Range{}, false},
		{RangeFrom(1, 10), Range{}, Range{}, false},
		{FullRange(), RangeFrom(3, 4), RangeFrom(3, 4), true},
	}
	for _, tt := range tests {
		got, ok := tt.a.Intersect(tt.b)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%v.Intersect(%v) = %v, %v; want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRangeCompare(t *testing.T) {
	// Sorted by Compare, these must come out in this order.
	want := []Range{{}, RangeFrom(0, 0), RangeFrom(0, 5), RangeFrom(1, 1), RangeFrom(1, 65535), RangeFrom(2, 3)}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, Range.Compare)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b Range) bool { return a == b })); diff != "" {
		t.Errorf("sorted by Compare (-want +got):\n%s", diff)
	}
	for i, a := range want {
		for j, b := range want {
			c := a.Compare(b)
			if (c == 0) != (i == j) || (c < 0) != (i < j) {
				t.Errorf("%v.Compare(%v) = %d; inconsistent with order", a, b, c)
			}
		}
	}
}

func TestRangeAll(t *testing.T) {
	var got []Port
	for p := range RangeFrom(65533, 65535).All() {
		got = append(got, p)
	}
	if diff := cmp.Diff([]Port{65533, 65534, 65535}, got); diff != "" {
		t.Errorf("RangeFrom(65533, 65535).All() (-want +got):\n%s", diff)
	}
	for range (Range{}).All() {
		t.Errorf("zero Range yielded a port")
	}
	n := 0
	for p := range FullRange().All() {
		n++
		if p == 10 {
			break
		}
	}
	if n != 11 {
		t.Errorf("breaking out of All after port 10 saw %d ports, want 11", n)
	}
}

func TestRangeText(t *testing.T) {
	for _, r := range []Range{{}, RangeFrom(0, 0), RangeFrom(80, 80), RangeFrom(8000, 8100), FullRange()} {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() error: %v", r, err)
		}
		var q Range
		if err := q.UnmarshalText(b); err != nil || q != r {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, q, err, r)
		}
	}
	r := RangeFrom(1, 2)
	if err := r.UnmarshalText([]byte("5-4")); err == nil || r != RangeFrom(1, 2) || !strings.Contains(err.Error(), "Range.UnmarshalText") {
		t.Errorf("UnmarshalText(%q) = %v, %v; want error and the range unchanged", "5-4", r, err)
	}
	b, err := json.Marshal(map[string]Range{"web": RangeFrom(8000, 8100)})
	if err != nil || string(b) != `{"web":"8000-8100"}` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
}
