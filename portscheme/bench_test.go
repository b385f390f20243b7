package portscheme

import (
	"strconv"
	"testing"

	"github.com/portalloc/ports"
)

// bigScheme returns a scheme of ten-slot pods with n kinds of one pod
// each, spread over languages of 100 kinds.
func bigScheme(tb testing.TB, n int) Scheme {
	spec := Spec{Slots: 10, Roles: DefaultSpec().Roles}
	base := 1000
	for i := 0; i < n; i += 100 {
		l := LanguageSpec{Name: Language("l" + strconv.Itoa(i/100))}
		lo := base
		for j := i; j < min(n, i+100); j++ {
			l.Components = append(l.Components, ComponentSpec{Name: Component("k" + strconv.Itoa(j)), Range: r(ports.Port(base), ports.Port(base+9))})
			base += 10
		}
		l.Range = r(ports.Port(lo), ports.Port(base-1))
		spec.Languages = append(spec.Languages, l)
	}
	s, err := New(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// sample returns up to 1024 locations of s spread over its pods, and their
// ports.
func sample(s Scheme) ([]Location, []ports.Port) {
	var locs []Location
	var ps []ports.Port
	all := every(s)
	step := max(1, len(all)/1024)
	i := 0
	for _, l := range s.Spec().Languages {
		for pod, pr := range s.Pods(l.Name) {
			for slot := range s.Slots() {
				if i%step == 0 {
					locs = append(locs, Location{pod, Slot(slot)})
					ps = append(ps, pr.Lo()+ports.Port(slot))
				}
				i++
			}
		}
	}
	return locs, ps
}

func benchSchemes(b *testing.B) []struct {
	name string
	s    Scheme
} {
	return []struct {
		name string
		s    Scheme
	}{
		{"default", Default()},
		{"kinds=1000", bigScheme(b, 1000)},
		{"kinds=5000", bigScheme(b, 5000)},
	}
}

func BenchmarkPort(b *testing.B) {
	for _, bs := range benchSchemes(b) {
		b.Run(bs.name, func(b *testing.B) {
			locs, _ := sample(bs.s)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l := locs[i%len(locs)]
				if _, err := bs.s.Port(l.Language, l.Component, l.Index, l.Slot); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkLocate(b *testing.B) {
	for _, bs := range benchSchemes(b) {
		b.Run(bs.name, func(b *testing.B) {
			_, ps := sample(bs.s)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := bs.s.Locate(ps[i%len(ps)]); !ok {
					b.Fatal("not found")
				}
				i++
			}
		})
	}
}

func BenchmarkParseEnv(b *testing.B) {
	s := Default()
	lookup := mapLookup(map[string]string{"PORT": "50260", "REST_PORT": "50261"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ParseEnv(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	spec := DefaultSpec()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(spec); err != nil {
			b.Fatal(err)
		}
	}
}

// Port and Locate allocate nothing.
func TestPortLocateAllocs(t *testing.T) {
	s := Default()
	if n := testing.AllocsPerRun(100, func() {
		if _, err := s.Port(Go, Saga, 2, Logic); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Port allocates %v times per call, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, ok := s.Locate(50283); !ok {
			t.Fatal("Locate(50283) = _, false")
		}
	}); n != 0 {
		t.Errorf("Locate allocates %v times per call, want 0", n)
	}
}
