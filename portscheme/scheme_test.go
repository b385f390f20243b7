package portscheme

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

func TestPortErrors(t *testing.T) {
	s := Default()
	tests := []struct {
		lang  Language
		kind  Component
		index int
		slot  Slot
		err   error
		msg   string
	}{
		{"kotlin", Aggregate, 0, 0, ErrNotInScheme,
			`portscheme: kotlin/aggregate/0 slot 0: unknown language "kotlin"; the scheme has rust, go, python, java, csharp and cpp`},
		{"", Aggregate, 0, 0, ErrNotInScheme,
			`portscheme: /aggregate/0 slot 0: unknown language ""; the scheme has rust, go, python, java, csharp and cpp`},
		{Go, "widget", 0, 0, ErrNotInScheme,
			`portscheme: go/widget/0 slot 0: language go has no component "widget"; it has aggregate, saga and projector`},
		{Go, Saga, 3, 0, ErrNotInScheme,
			`portscheme: go/saga/3 slot 0: pod index 3 is beyond the capacity of go/saga: 3 pods (indexes 0-2) in 50260-50289`},
		{Rust, Aggregate, -1, 0, ErrNotInScheme,
			`portscheme: rust/aggregate/-1 slot 0: pod index -1 is beyond the capacity of rust/aggregate: 6 pods (indexes 0-5) in 50050-50109`},
		{Cpp, Projector, 1, 10, ErrNotInScheme,
			`portscheme: cpp/projector/1 slot 10: slot 10 is beyond the 10 slots (0-9) of a pod`},
	}
	for _, tt := range tests {
		p, err := s.Port(tt.lang, tt.kind, tt.index, tt.slot)
		if err == nil {
			t.Errorf("Port(%q, %q, %d, %d) = %v, want error", tt.lang, tt.kind, tt.index, tt.slot, p)
			continue
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("Port(%q, %q, %d, %d) error = %v, want %v", tt.lang, tt.kind, tt.index, tt.slot, err, tt.err)
		}
		if err.Error() != tt.msg {
			t.Errorf("Port(%q, %q, %d, %d) error:\n got %s\nwant %s", tt.lang, tt.kind, tt.index, tt.slot, err, tt.msg)
		}
		var pe *PodError
		if !errors.As(err, &pe) || pe.Pod != (Pod{tt.lang, tt.kind, tt.index}) || pe.Slot != tt.slot || !pe.HasSlot {
			t.Errorf("Port(%q, %q, %d, %d) error = %#v, want a *PodError for the request", tt.lang, tt.kind, tt.index, tt.slot, err)
		}
	}
}

func TestPodRangeErrors(t *testing.T) {
	s := Default()
	_, err := s.PodRange(Pod{Java, Projector, 2})
	want := `portscheme: java/projector/2: pod index 2 is beyond the capacity of java/projector: 2 pods (indexes 0-1) in 50640-50659`
	if err == nil || err.Error() != want || !errors.Is(err, ErrNotInScheme) {
		t.Errorf("PodRange(java/projector/2) error = %v, want %s", err, want)
	}
	one, _ := New(Spec{Slots: 5, Languages: []LanguageSpec{{Name: "x", Range: r(100, 104), Components: []ComponentSpec{{"k", r(100, 104)}}}}})
	_, err = one.PodRange(Pod{"x", "k", 1})
	want = `portscheme: x/k/1: pod index 1 is beyond the capacity of x/k: 1 pod (index 0) in 100-104`
	if err == nil || err.Error() != want {
		t.Errorf("PodRange(x/k/1) error = %v, want %s", err, want)
	}
	_, err = one.PodRange(Pod{"x", "other", 0})
	want = `portscheme: x/other/0: language x has no component "other"; it has k`
	if err == nil || err.Error() != want {
		t.Errorf("PodRange(x/other/0) error = %v, want %s", err, want)
	}
}

func TestZeroScheme(t *testing.T) {
	var s Scheme
	if s.Slots() != 0 {
		t.Errorf("Slots() = %d, want 0", s.Slots())
	}
	if _, err := s.Port(Go, Saga, 0, 0); !errors.Is(err, ErrNotInScheme) {
		t.Errorf("Port on the zero Scheme: error = %v, want ErrNotInScheme", err)
	}
	if loc, ok := s.Locate(50260); ok {
		t.Errorf("Locate on the zero Scheme = %v, true", loc)
	}
	if _, ok := s.Role(0); ok {
		t.Error("Role(0) on the zero Scheme = _, true")
	}
	if _, ok := s.Language(Go); ok {
		t.Error("Language(Go) on the zero Scheme = _, true")
	}
	if _, ok := s.Capacity(Go, Saga); ok {
		t.Error("Capacity on the zero Scheme = _, true")
	}
	if _, ok := s.InfraPort("x"); ok {
		t.Error("Service on the zero Scheme = _, true")
	}
	if _, ok := s.InfraPortAt(1310); ok {
		t.Error("ServiceAt on the zero Scheme = _, true")
	}
	for p := range s.Pods(Go) {
		t.Errorf("Pods on the zero Scheme yielded %v", p)
	}
	if diff := cmp.Diff(Spec{}, s.Spec()); diff != "" {
		t.Errorf("Spec() (-want +got):\n%s", diff)
	}
	if err := s.Validate(Avoid{"all", ports.RangeSetOf(ports.FullRange())}); err != nil {
		t.Errorf("Validate on the zero Scheme = %v", err)
	}
	if _, err := s.Env(Pod{Go, Saga, 0}); !errors.Is(err, ErrNotInScheme) {
		t.Errorf("Env on the zero Scheme: error = %v", err)
	}
	if _, err := s.ParseEnv(mapLookup(map[string]string{"PORT": "50260"})); !errors.Is(err, ErrNotSet) {
		t.Errorf("ParseEnv on the zero Scheme: error = %v", err)
	}
	if _, err := s.ContainerPorts(Pod{Go, Saga, 0}); !errors.Is(err, ErrNotInScheme) {
		t.Errorf("ContainerPorts on the zero Scheme: error = %v", err)
	}
	if !s.Equal(Scheme{}) || s.Equal(Default()) {
		t.Error("the zero Scheme must equal only the zero Scheme")
	}
}

func TestPods(t *testing.T) {
	s := Default()
	type row struct {
		Pod   Pod
		Ports ports.Range
	}
	var got []row
	for p, pr := range s.Pods(Go) {
		got = append(got, row{p, pr})
	}
	want := []row{
		{Pod{Go, Aggregate, 0}, r(50200, 50209)},
		{Pod{Go, Aggregate, 1}, r(50210, 50219)},
		{Pod{Go, Aggregate, 2}, r(50220, 50229)},
		{Pod{Go, Aggregate, 3}, r(50230, 50239)},
		{Pod{Go, Aggregate, 4}, r(50240, 50249)},
		{Pod{Go, Aggregate, 5}, r(50250, 50259)},
		{Pod{Go, Saga, 0}, r(50260, 50269)},
		{Pod{Go, Saga, 1}, r(50270, 50279)},
		{Pod{Go, Saga, 2}, r(50280, 50289)},
		{Pod{Go, Projector, 0}, r(50290, 50299)},
		{Pod{Go, Projector, 1}, r(50300, 50309)},
	}
	if diff := cmp.Diff(want, got, rangeEq); diff != "" {
		t.Errorf("Pods(Go) (-want +got):\n%s", diff)
	}
	// Stopping early stops.
	n := 0
	for range s.Pods(Go) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("Pods(Go) with break after 2: %d", n)
	}
	for p := range s.Pods("kotlin") {
		t.Errorf("Pods(kotlin) yielded %v", p)
	}
}

// Kinds listed out of port order are still laid out and walked by port.
func TestKindsOutOfOrder(t *testing.T) {
	s, err := New(Spec{Slots: 2, Languages: []LanguageSpec{{Name: "a", Range: r(10, 19), Components: []ComponentSpec{
		{"late", r(16, 19)}, {"early", r(10, 13)},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []Pod
	for p := range s.Pods("a") {
		got = append(got, p)
	}
	want := []Pod{{"a", "early", 0}, {"a", "early", 1}, {"a", "late", 0}, {"a", "late", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pods(a) (-want +got):\n%s", diff)
	}
	if loc, ok := s.Locate(17); !ok || loc != (Location{Pod{"a", "late", 0}, 1}) {
		t.Errorf("Locate(17) = %v, %v", loc, ok)
	}
	if loc, ok := s.Locate(14); ok {
		t.Errorf("Locate(14) = %v, true; want nothing", loc)
	}
}

func TestNewKeepsACopy(t *testing.T) {
	spec := DefaultSpec()
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.Slots = 3
	spec.Roles[0].Env = "X"
	spec.Languages[1].Components[1].Range = r(1, 2)
	spec.InfraPorts[0].Port = 1
	if !s.Equal(Default()) {
		t.Error("changing the Spec given to New changed the Scheme")
	}
	if p, _ := s.Port(Go, Saga, 0, 0); p != 50260 {
		t.Errorf("Port(Go, Saga, 0, 0) = %v after changing the Spec", p)
	}
}

func TestEqual(t *testing.T) {
	base := Default()
	change := []struct {
		name string
		f    func(*Spec)
	}{
		{"title", func(s *Spec) { s.Languages[2].Title = "CPython" }},
		{"kind range", func(s *Spec) { s.Languages[0].Components[2].Range = r(50140, 50149) }},
		{"role order", func(s *Spec) { s.Roles[0], s.Roles[1] = s.Roles[1], s.Roles[0] }},
		{"role description", func(s *Spec) { s.Roles[5].Description = "" }},
		{"service", func(s *Spec) { s.InfraPorts = s.InfraPorts[:2] }},
		{"language order", func(s *Spec) { s.Languages[0], s.Languages[1] = s.Languages[1], s.Languages[0] }},
	}
	for _, c := range change {
		spec := DefaultSpec()
		c.f(&spec)
		s, err := New(spec)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.Equal(base) || base.Equal(s) {
			t.Errorf("%s: Equal reports true", c.name)
		}
	}
	same, _ := New(DefaultSpec())
	if !same.Equal(base) {
		t.Error("New(DefaultSpec()).Equal(Default()) = false")
	}
}

func TestLanguageIsACopy(t *testing.T) {
	s := Default()
	l, _ := s.Language(Rust)
	l.Components[0].Range = r(1, 10)
	if p, _ := s.Port(Rust, Aggregate, 0, 0); p != 50050 {
		t.Errorf("changing Language(Rust).Kinds changed the scheme: Port = %v", p)
	}
}
