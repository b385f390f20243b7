package portscheme

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// The tests in this file check the default scheme against every number of
// the seed's tables (testdata/seed-004-port-conventions.txt), written out
// here by hand; seed_test.go checks the same against the seed's text.

// rangeEq lets go-cmp compare ports.Range, whose fields are unexported.
var rangeEq = cmp.Comparer(func(a, b ports.Range) bool { return a == b })

func r(lo, hi ports.Port) ports.Range { return ports.RangeFrom(lo, hi) }

// The seed's "Port Ranges by Language" table.
var seedLanguages = []struct {
	lang                           Language
	title                          string
	all, aggregates, sagas, projrs ports.Range
}{
	{Rust, "Rust", r(50050, 50199), r(50050, 50109), r(50110, 50139), r(50140, 50159)},
	{Go, "Go", r(50200, 50349), r(50200, 50259), r(50260, 50289), r(50290, 50309)},
	{Python, "Python", r(50400, 50549), r(50400, 50459), r(50460, 50489), r(50490, 50509)},
	{Java, "Java", r(50550, 50699), r(50550, 50609), r(50610, 50639), r(50640, 50659)},
	{CSharp, "C#", r(50700, 50849), r(50700, 50759), r(50760, 50789), r(50790, 50809)},
	{Cpp, "C++", r(50850, 50999), r(50850, 50909), r(50910, 50939), r(50940, 50959)},
}

func TestDefaultLanguageTable(t *testing.T) {
	s := Default()
	for _, row := range seedLanguages {
		t.Run(string(row.lang), func(t *testing.T) {
			l, ok := s.Language(row.lang)
			if !ok {
				t.Fatalf("Language(%q) = _, false", row.lang)
			}
			want := LanguageSpec{Name: row.lang, Title: row.title, Range: row.all, Components: []ComponentSpec{
				{Aggregate, row.aggregates}, {Saga, row.sagas}, {Projector, row.projrs},
			}}
			if diff := cmp.Diff(want, l, rangeEq); diff != "" {
				t.Errorf("Language(%q) (-want +got):\n%s", row.lang, diff)
			}
			for _, k := range []struct {
				kind Component
				r    ports.Range
			}{{Aggregate, row.aggregates}, {Saga, row.sagas}, {Projector, row.projrs}} {
				// The first port of a kind is slot 0 of its pod 0, the last
				// slot 9 of its last pod.
				n, ok := s.Capacity(row.lang, k.kind)
				if !ok || n != k.r.Len()/10 {
					t.Errorf("Capacity(%q, %q) = %d, %v, want %d", row.lang, k.kind, n, ok, k.r.Len()/10)
				}
				if p, err := s.Port(row.lang, k.kind, 0, Coordinator); err != nil || p != k.r.Lo() {
					t.Errorf("Port(%q, %q, 0, 0) = %v, %v, want %v", row.lang, k.kind, p, err, k.r.Lo())
				}
				if p, err := s.Port(row.lang, k.kind, n-1, Control); err != nil || p != k.r.Hi() {
					t.Errorf("Port(%q, %q, %d, 9) = %v, %v, want %v", row.lang, k.kind, n-1, p, err, k.r.Hi())
				}
				if _, err := s.Port(row.lang, k.kind, n, Coordinator); !errors.Is(err, ErrNotInScheme) {
					t.Errorf("Port(%q, %q, %d, 0) error = %v, want ErrNotInScheme", row.lang, k.kind, n, err)
				}
				wantLo := Location{Pod{row.lang, k.kind, 0}, 0}
				if loc, ok := s.Locate(k.r.Lo()); !ok || loc != wantLo {
					t.Errorf("Locate(%v) = %v, %v, want %v", k.r.Lo(), loc, ok, wantLo)
				}
				wantHi := Location{Pod{row.lang, k.kind, n - 1}, 9}
				if loc, ok := s.Locate(k.r.Hi()); !ok || loc != wantHi {
					t.Errorf("Locate(%v) = %v, %v, want %v", k.r.Hi(), loc, ok, wantHi)
				}
			}
			// The top of the language range is unassigned room.
			if loc, ok := s.Locate(row.all.Hi()); ok {
				t.Errorf("Locate(%v) = %v, true; want nothing (unassigned)", row.all.Hi(), loc)
			}
			if row.all.Lo() != row.aggregates.Lo() {
				t.Errorf("seed table: %s range starts at %v, aggregates at %v", row.lang, row.all.Lo(), row.aggregates.Lo())
			}
		})
	}
}

// TestDefaultEveryPort checks all 65536 ports against a model built from
// the seed's table alone: the ports located are exactly those of the kind
// ranges, each at the pod and slot its offset gives.
func TestDefaultEveryPort(t *testing.T) {
	s := Default()
	var want [65536]*Location
	for _, row := range seedLanguages {
		for _, k := range []struct {
			kind Component
			r    ports.Range
		}{{Aggregate, row.aggregates}, {Saga, row.sagas}, {Projector, row.projrs}} {
			for p := range k.r.All() {
				off := int(p - k.r.Lo())
				want[p] = &Location{Pod{row.lang, k.kind, off / 10}, Slot(off % 10)}
			}
		}
	}
	located := 0
	for i := range 65536 {
		p := ports.Port(i)
		loc, ok := s.Locate(p)
		switch {
		case want[p] == nil && ok:
			t.Errorf("Locate(%v) = %v, true; want nothing", p, loc)
		case want[p] != nil && (!ok || loc != *want[p]):
			t.Errorf("Locate(%v) = %v, %v, want %v", p, loc, ok, *want[p])
		case ok:
			located++
			if q, err := s.Port(loc.Language, loc.Component, loc.Index, loc.Slot); err != nil || q != p {
				t.Errorf("Port(Locate(%v)) = %v, %v", p, q, err)
			}
		}
	}
	// 6 languages of 60 + 30 + 20 ports.
	if located != 660 {
		t.Errorf("Locate found %d ports, want 660", located)
	}
}

func TestDefaultGaps(t *testing.T) {
	s := Default()
	for _, p := range []ports.Port{0, 1310, 9099, 50049, 50160, 50199, 50349, 50350, 50399, 50510, 51000, 65535} {
		if loc, ok := s.Locate(p); ok {
			t.Errorf("Locate(%v) = %v, true; want nothing", p, loc)
		}
	}
	// 50350-50399 belongs to no language.
	for p := ports.Port(50350); p <= 50399; p++ {
		if l, ok := s.languageAt(p); ok {
			t.Errorf("languageAt(%v) = %v; want no language", p, l.Name)
		}
	}
}

// The design's sketch: Go's first saga coordinator, and the logic port of
// that pod. The seed agrees: Go sagas are 50260-50289.
func TestDefaultSketch(t *testing.T) {
	s := Default()
	if p, err := s.Port(Go, Saga, 0, Coordinator); err != nil || p != 50260 {
		t.Errorf("Port(Go, Saga, 0, Coordinator) = %v, %v, want 50260", p, err)
	}
	want := Location{Pod{Go, Saga, 0}, Logic}
	if loc, ok := s.Locate(50263); !ok || loc != want {
		t.Errorf("Locate(50263) = %v, %v, want %v", loc, ok, want)
	}
}

// The seed's "Example: Rust Aggregates" table: base, coordinator, REST,
// debug and logic of three pods.
func TestDefaultExamplePods(t *testing.T) {
	s := Default()
	tests := []struct {
		name                            string
		index                           int
		base, coord, rest, debug, logic ports.Port
	}{
		{"Player", 0, 50050, 50050, 50051, 50052, 50053},
		{"Table", 1, 50060, 50060, 50061, 50062, 50063},
		{"Hand", 2, 50070, 50070, 50071, 50072, 50073},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := Pod{Rust, Aggregate, tt.index}
			pr, err := s.PodRange(pod)
			if err != nil || pr != r(tt.base, tt.base+9) {
				t.Errorf("PodRange(%v) = %v, %v, want %v-%v", pod, pr, err, tt.base, tt.base+9)
			}
			for _, c := range []struct {
				slot Slot
				want ports.Port
			}{{Coordinator, tt.coord}, {REST, tt.rest}, {Debug, tt.debug}, {Logic, tt.logic}} {
				if p, err := s.Port(Rust, Aggregate, tt.index, c.slot); err != nil || p != c.want {
					t.Errorf("Port(Rust, Aggregate, %d, %v) = %v, %v, want %v", tt.index, c.slot, p, err, c.want)
				}
				if loc, ok := s.Locate(c.want); !ok || loc != (Location{pod, c.slot}) {
					t.Errorf("Locate(%v) = %v, %v, want %v", c.want, loc, ok, Location{pod, c.slot})
				}
			}
		})
	}
}

// The seed's slot table: offset, purpose, exposed, description.
func TestDefaultSlots(t *testing.T) {
	s := Default()
	if s.Slots() != 10 {
		t.Fatalf("Slots() = %d, want 10", s.Slots())
	}
	tests := []struct {
		slot        Slot
		purpose     string
		exposure    ServicePolicy
		description string
	}{
		{0, "Coordinator gRPC", ServiceAlways, "Sidecar coordinator"},
		{1, "REST Proxy", ServiceOptional, "REST → gRPC proxy"},
		{2, "Coordinator Debug", ServiceOnRequest, "Sidecar diagnostics"},
		// The table says "No"; the rationale says "Never exposed externally"
		// and the Kubernetes notes "stays internal to pod".
		{3, "Client Logic", ServiceNever, "Internal sidecar-to-logic"},
		{4, "Client Debug", ServiceOnRequest, "Logic diagnostics"},
		{9, "Control/Meta UI", ServiceOptional, "Admin UI, metrics"},
	}
	for _, tt := range tests {
		role, ok := s.Role(tt.slot)
		if !ok {
			t.Errorf("Role(%d) = _, false", tt.slot)
			continue
		}
		got := [3]string{role.Purpose, role.ServicePolicy.String(), role.Description}
		want := [3]string{tt.purpose, tt.exposure.String(), tt.description}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Role(%d) (-want +got):\n%s", tt.slot, diff)
		}
		if role.Slot != tt.slot || role.Name != tt.slot.String() {
			t.Errorf("Role(%d) = slot %d named %q, want slot %d named %q", tt.slot, role.Slot, role.Name, tt.slot, tt.slot.String())
		}
	}
	// "5-8 Reserved No Future use".
	for slot := Slot(5); slot <= 8; slot++ {
		if role, ok := s.Role(slot); ok {
			t.Errorf("Role(%d) = %+v, true; want reserved", slot, role)
		}
	}
	if role, ok := s.Role(10); ok {
		t.Errorf("Role(10) = %+v, true; want nothing", role)
	}
}

// The seed's infrastructure table.
func TestDefaultServices(t *testing.T) {
	s := Default()
	want := []InfraPort{
		{Name: "aggregate-coordinator", Title: "Aggregate Coordinator", Port: 1310, NodePort: 31310, Description: "Per-domain command handling"},
		{Name: "stream-grpc", Title: "Stream gRPC", Port: 1340, NodePort: 31340, Description: "Event streaming"},
		{Name: "topology-rest", Title: "Topology REST API", Port: 9099, Description: "Topology visualization"},
	}
	if diff := cmp.Diff(want, s.Spec().InfraPorts); diff != "" {
		t.Errorf("Spec().Services (-want +got):\n%s", diff)
	}
	for _, sv := range want {
		if got, ok := s.InfraPort(sv.Name); !ok || got != sv {
			t.Errorf("Service(%q) = %+v, %v", sv.Name, got, ok)
		}
		if got, ok := s.InfraPortAt(sv.Port); !ok || got.Name != sv.Name {
			t.Errorf("ServiceAt(%v) = %q, %v, want %q", sv.Port, got.Name, ok, sv.Name)
		}
		if sv.NodePort != 0 {
			if got, ok := s.InfraPortAt(sv.NodePort); !ok || got.Name != sv.Name {
				t.Errorf("ServiceAt(%v) = %q, %v, want %q", sv.NodePort, got.Name, ok, sv.Name)
			}
		}
	}
	for _, p := range []ports.Port{0, 1311, 50050} {
		if got, ok := s.InfraPortAt(p); ok {
			t.Errorf("ServiceAt(%v) = %q, true; want nothing", p, got.Name)
		}
	}
	if _, ok := s.InfraPort("kafka"); ok {
		t.Errorf(`Service("kafka") = _, true`)
	}
}

// The seed's environment table: PORT, and the others at PORT+1, +2, +3.
func TestDefaultEnv(t *testing.T) {
	s := Default()
	got, err := s.Env(Pod{Rust, Aggregate, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvVar{{"PORT", 0, 50050}, {"REST_PORT", 1, 50051}, {"DEBUG_PORT", 2, 50052}, {"TARGET_PORT", 3, 50053}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Env(rust/aggregate/0) (-want +got):\n%s", diff)
	}
}

// The seed's values.yaml for the player: coordinator 50050 exposed via the
// Service, rest 50051 exposed if REST is needed, debug 50052 only if
// needed, and the logic port 50053 internal to the pod.
func TestDefaultKubernetes(t *testing.T) {
	s := Default()
	got, err := s.ContainerPorts(Pod{Rust, Aggregate, 0}, REST, Debug)
	if err != nil {
		t.Fatal(err)
	}
	want := []ContainerPort{
		{Name: "coordinator", Port: 50050, Protocol: ports.TCP, Slot: 0, ServicePolicy: ServiceAlways, InService: true},
		{Name: "rest", Port: 50051, Protocol: ports.TCP, Slot: 1, ServicePolicy: ServiceOptional, InService: true},
		{Name: "debug", Port: 50052, Protocol: ports.TCP, Slot: 2, ServicePolicy: ServiceOnRequest, InService: true},
		{Name: "logic", Port: 50053, Protocol: ports.TCP, Slot: 3, ServicePolicy: ServiceNever, InService: false},
		{Name: "client-debug", Port: 50054, Protocol: ports.TCP, Slot: 4, ServicePolicy: ServiceOnRequest, InService: false},
		{Name: "control", Port: 50059, Protocol: ports.TCP, Slot: 9, ServicePolicy: ServiceOptional, InService: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ContainerPorts(rust/aggregate/0, REST, Debug) (-want +got):\n%s", diff)
	}
}

func TestDefaultIsShared(t *testing.T) {
	// Default is built once; every call gives an equal scheme, and the spec
	// handed out is a copy.
	a, b := Default(), Default()
	if !a.Equal(b) {
		t.Fatal("Default() != Default()")
	}
	spec := a.Spec()
	spec.Languages[0].Components[0].Range = r(1, 10)
	spec.Roles[0].Name = "changed"
	if !Default().Equal(b) {
		t.Fatal("changing Spec() changed Default()")
	}
	if diff := cmp.Diff(DefaultSpec(), Default().Spec(), rangeEq); diff != "" {
		t.Errorf("Default().Spec() (-want +got):\n%s", diff)
	}
}
