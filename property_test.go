package ports

import (
	"encoding/json"
	"net/netip"
	"testing"

	"go.yaml.in/yaml/v3"
	"pgregory.net/rapid"
)

// Generators. Ports are drawn from a narrow window as often as from the
// whole space, so that ranges overlap and touch often.

func genPort() *rapid.Generator[Port] {
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) Port { return Port(rapid.IntRange(0, 65535).Draw(t, "port")) }),
		rapid.Custom(func(t *rapid.T) Port { return Port(rapid.IntRange(0, 40).Draw(t, "low")) }),
		rapid.Custom(func(t *rapid.T) Port { return Port(rapid.IntRange(65500, 65535).Draw(t, "high")) }),
	)
}

func genRange() *rapid.Generator[Range] {
	return rapid.Custom(func(t *rapid.T) Range {
		a, b := genPort().Draw(t, "a"), genPort().Draw(t, "b")
		return RangeFrom(min(a, b), max(a, b))
	})
}

func genProtocol() *rapid.Generator[Protocol] {
	return rapid.SampledFrom([]Protocol{TCP, UDP, SCTP, DCCP})
}

func genAddr() *rapid.Generator[netip.Addr] {
	return rapid.OneOf(genCommonAddr(), genZoned())
}

// genZoned draws link-local IPv6 addresses with any zone: the text forms
// must carry every byte of it, '/', ']' and '%' included.
func genZoned() *rapid.Generator[netip.Addr] {
	return rapid.Custom(func(t *rapid.T) netip.Addr {
		zone := rapid.StringOfN(rapid.SampledFrom([]rune("ab0]/%:[ \xff")), 1, 6, -1).Draw(t, "zone")
		return netip.MustParseAddr("fe80::1").WithZone(zone)
	})
}

func genCommonAddr() *rapid.Generator[netip.Addr] {
	return rapid.SampledFrom([]netip.Addr{
		{},
		netip.MustParseAddr("0.0.0.0"),
		netip.MustParseAddr("127.0.0.1"),
		netip.MustParseAddr("10.0.0.1"),
		netip.MustParseAddr("::"),
		netip.MustParseAddr("::1"),
		netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("2001:db8::1"),
	})
}

func genEndpoint() *rapid.Generator[Endpoint] {
	return rapid.Custom(func(t *rapid.T) Endpoint {
		return EndpointFrom(genProtocol().Draw(t, "proto"), genAddr().Draw(t, "addr"), genRange().Draw(t, "range"))
	})
}

// model is the naive reference for a RangeSet: one bool per port.
type model [65536]bool

func (m *model) set(r Range, v bool) {
	for p := range r.All() {
		m[p] = v
	}
}

func genSet() *rapid.Generator[RangeSet] {
	return rapid.Custom(func(t *rapid.T) RangeSet {
		return RangeSetOf(rapid.SliceOfN(genRange(), 0, 6).Draw(t, "ranges")...)
	})
}

func modelOf(s RangeSet) *model {
	var m model
	for r := range s.Ranges() {
		m.set(r, true)
	}
	return &m
}

// checkNormal fails unless s is sorted, disjoint and never adjacent.
func checkNormal(t *rapid.T, s RangeSet) {
	prev := Range{}
	for r := range s.Ranges() {
		if !r.IsValid() {
			t.Fatalf("set %v holds an invalid range", s)
		}
		if prev.IsValid() && uint32(r.Lo()) <= uint32(prev.Hi())+1 {
			t.Fatalf("set %v: ranges %v and %v overlap or touch", s, prev, r)
		}
		prev = r
	}
}

func TestPropertyRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genPort().Draw(t, "p")
		if q, err := ParsePort(p.String()); err != nil || q != p {
			t.Fatalf("ParsePort(%q) = %v, %v; want %v", p.String(), q, err, p)
		}
		r := genRange().Draw(t, "r")
		if q, err := ParseRange(r.String()); err != nil || q != r {
			t.Fatalf("ParseRange(%q) = %v, %v; want %v", r.String(), q, err, r)
		}
		proto := genProtocol().Draw(t, "proto")
		if q, err := ParseProtocol(proto.String()); err != nil || q != proto {
			t.Fatalf("ParseProtocol(%q) = %v, %v; want %v", proto.String(), q, err, proto)
		}
		e := genEndpoint().Draw(t, "e")
		if q, err := ParseEndpoint(e.String()); err != nil || q != e {
			t.Fatalf("ParseEndpoint(%q) = %v, %v; want %v", e.String(), q, err, e)
		}
		s := genSet().Draw(t, "s")
		if q, err := ParseRangeSet(s.String()); err != nil || !q.Equal(s) {
			t.Fatalf("ParseRangeSet(%q) = %v, %v; want %v", s.String(), q, err, s)
		}

		// Text, JSON and YAML forms, through one struct of every type.
		type all struct {
			P     Port
			R     Range
			Proto Protocol
			E     Endpoint
			S     RangeSet
			C     Class
		}
		in := all{p, r, proto, e, s, p.Class()}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("json.Marshal(%+v): %v", in, err)
		}
		var out all
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", b, err)
		}
		if out.P != in.P || out.R != in.R || out.Proto != in.Proto || out.E != in.E || !out.S.Equal(in.S) || out.C != in.C {
			t.Fatalf("JSON round trip of %+v gave %+v (via %s)", in, out, b)
		}
		y, err := yaml.Marshal(in)
		if err != nil {
			t.Fatalf("yaml.Marshal(%+v): %v", in, err)
		}
		out = all{}
		if err := yaml.Unmarshal(y, &out); err != nil {
			t.Fatalf("yaml.Unmarshal(%s): %v", y, err)
		}
		if out.P != in.P || out.R != in.R || out.Proto != in.Proto || out.E != in.E || !out.S.Equal(in.S) || out.C != in.C {
			t.Fatalf("YAML round trip of %+v gave %+v (via %s)", in, out, y)
		}
		// AppendText appends to what is already there.
		for _, tm := range []interface{ AppendText([]byte) ([]byte, error) }{p, r, proto, e, s, p.Class()} {
			b, _ := tm.AppendText([]byte("x"))
			want, _ := tm.AppendText(nil)
			if string(b) != "x"+string(want) {
				t.Fatalf("%v.AppendText(\"x\") = %q", tm, b)
			}
		}
	})
}

func TestPropertySymmetry(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genRange().Draw(t, "a"), genRange().Draw(t, "b")
		if a.Overlaps(b) != b.Overlaps(a) {
			t.Fatalf("%v.Overlaps(%v) != %v.Overlaps(%v)", a, b, b, a)
		}
		// Overlaps agrees with a port-by-port check.
		var ma, mb model
		ma.set(a, true)
		mb.set(b, true)
		shared := false
		for p := range a.All() {
			if mb[p] {
				shared = true
				break
			}
		}
		if a.Overlaps(b) != shared {
			t.Fatalf("%v.Overlaps(%v) = %v, but sharing a port is %v", a, b, a.Overlaps(b), shared)
		}
		ea, eb := genEndpoint().Draw(t, "ea"), genEndpoint().Draw(t, "eb")
		if ea.Conflicts(eb) != eb.Conflicts(ea) {
			t.Fatalf("%v.Conflicts(%v) != %v.Conflicts(%v)", ea, eb, eb, ea)
		}
		if !ea.Conflicts(ea) {
			t.Fatalf("%v does not conflict with itself", ea)
		}
		// Compare is a total order consistent with ==.
		if (ea.Compare(eb) == 0) != (ea == eb) || ea.Compare(eb) != -eb.Compare(ea) {
			t.Fatalf("Compare(%v, %v) = %d, reversed %d", ea, eb, ea.Compare(eb), eb.Compare(ea))
		}
		if (a.Compare(b) == 0) != (a == b) || a.Compare(b) != -b.Compare(a) {
			t.Fatalf("Compare(%v, %v) = %d, reversed %d", a, b, a.Compare(b), b.Compare(a))
		}
	})
}

func TestPropertySetOperations(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genSet().Draw(t, "a"), genSet().Draw(t, "b")
		ma, mb := modelOf(a), modelOf(b)
		ops := []struct {
			name string
			got  RangeSet
			want func(p int) bool
		}{
			{"Union", a.Union(b), func(p int) bool { return ma[p] || mb[p] }},
			{"Intersect", a.Intersect(b), func(p int) bool { return ma[p] && mb[p] }},
			{"Difference", a.Difference(b), func(p int) bool { return ma[p] && !mb[p] }},
			{"Complement", a.Complement(), func(p int) bool { return !ma[p] }},
		}
		for _, op := range ops {
			checkNormal(t, op.got)
			n := 0
			for p := range 65536 {
				want := op.want(p)
				if op.got.Contains(Port(p)) != want {
					t.Fatalf("%s: (%v, %v) = %v; Contains(%d) = %v, want %v", op.name, a, b, op.got, p, !want, want)
				}
				if want {
					n++
				}
			}
			if op.got.Len() != n {
				t.Fatalf("%s = %v: Len() = %d, want %d", op.name, op.got, op.got.Len(), n)
			}
		}
		// Next, NextAbsent, ContainsRange and Overlaps against the model.
		from := genPort().Draw(t, "from")
		wantNext, wantAbsent := -1, -1
		for p := int(from); p < 65536; p++ {
			if wantNext < 0 && ma[p] {
				wantNext = p
			}
			if wantAbsent < 0 && !ma[p] {
				wantAbsent = p
			}
		}
		if p, ok := a.Next(from); ok != (wantNext >= 0) || (ok && int(p) != wantNext) {
			t.Fatalf("%v.Next(%d) = %d, %v; want %d", a, from, p, ok, wantNext)
		}
		if p, ok := a.NextAbsent(from); ok != (wantAbsent >= 0) || (ok && int(p) != wantAbsent) {
			t.Fatalf("%v.NextAbsent(%d) = %d, %v; want %d", a, from, p, ok, wantAbsent)
		}
		r := genRange().Draw(t, "r")
		all, some := true, false
		for p := range r.All() {
			all = all && ma[p]
			some = some || ma[p]
		}
		if a.ContainsRange(r) != all || a.Overlaps(r) != some {
			t.Fatalf("%v: ContainsRange(%v) = %v, Overlaps = %v; want %v, %v", a, r, a.ContainsRange(r), a.Overlaps(r), all, some)
		}
	})
}

// TestPropertyBuilder applies random additions and removals to builders
// and to a model of each side by side. Builders are copied into one another
// as the steps go, into a new builder, over another, back over the one they
// came from: a copy shares nothing the other can change.
func TestPropertyBuilder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bs := []*RangeSetBuilder{new(RangeSetBuilder), new(RangeSetBuilder)}
		ms := []*model{new(model), new(model)}
		for i := range rapid.IntRange(0, 24).Draw(t, "steps") {
			j := rapid.IntRange(0, len(bs)-1).Draw(t, "builder")
			b, m := bs[j], ms[j]
			r := genRange().Draw(t, "r")
			switch op := rapid.IntRange(0, 7).Draw(t, "op"); op {
			case 0, 1:
				b.Add(r)
				m.set(r, true)
			case 2:
				b.Remove(r)
				m.set(r, false)
			case 3:
				s := RangeSetOf(r)
				b.Intersect(s)
				for p := range m {
					m[p] = m[p] && r.Contains(Port(p))
				}
			case 4:
				b.Complement()
				for p := range m {
					m[p] = !m[p]
				}
			case 5: // a new copy
				c, cm := *b, *m
				bs, ms = append(bs, &c), append(ms, &cm)
			case 6: // a copy over another builder, the one it came from included
				k := rapid.IntRange(0, len(bs)-1).Draw(t, "over")
				*bs[k], *ms[k] = *b, *m
			case 7: // a look, which merges the pending additions
				got := b.RangeSet()
				checkNormal(t, got)
				if !got.Equal(RangeSet{rs: normalize(modelRanges(m))}) {
					t.Fatalf("after step %d builder %d holds %v; the model disagrees", i, j, got)
				}
			}
		}
		for j, b := range bs {
			if got := b.RangeSet(); !got.Equal(RangeSet{rs: normalize(modelRanges(ms[j]))}) {
				t.Fatalf("at the end builder %d holds %v; the model disagrees", j, got)
			}
		}
	})
}

// modelRanges turns the model back into ranges, one port at a time.
func modelRanges(m *model) []Range {
	var rs []Range
	for p := range 65536 {
		if m[p] {
			rs = append(rs, Port(p).Range())
		}
	}
	return rs
}

func TestPropertyClassesPartition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genPort().Draw(t, "p")
		n := 0
		for _, c := range Classes() {
			if c.Range().Contains(p) {
				n++
			}
		}
		if n != 1 || !p.Class().Range().Contains(p) {
			t.Fatalf("port %d lies in %d classes; Class() = %v", p, n, p.Class())
		}
	})
	// The class ranges tile 0-65535 with no gap and no overlap.
	var b RangeSetBuilder
	total := 0
	for _, c := range Classes() {
		b.Add(c.Range())
		total += c.Range().Len()
	}
	if s := b.RangeSet(); s.String() != "0-65535" || total != 65536 {
		t.Errorf("classes cover %v with %d ports, want 0-65535 with 65536", s, total)
	}
}
