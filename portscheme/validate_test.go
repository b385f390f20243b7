package portscheme

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// smallSpec is a valid custom scheme for the tests to break.
func smallSpec() Spec {
	return Spec{
		Slots: 4,
		Roles: []Role{
			{Slot: 0, Name: "api", ServicePolicy: ServiceAlways, Env: "PORT"},
			{Slot: 1, Name: "admin", ServicePolicy: ServiceOptional, Env: "ADMIN_PORT"},
		},
		Languages: []LanguageSpec{
			{Name: "go", Range: r(8000, 8039), Components: []ComponentSpec{{"svc", r(8000, 8015)}, {"job", r(8016, 8023)}}},
			{Name: "py", Range: r(8100, 8119), Components: []ComponentSpec{{"svc", r(8100, 8107)}}},
		},
		InfraPorts: []InfraPort{{Name: "gateway", Port: 443, NodePort: 30443}},
	}
}

// problem is a Problem as the tests write it.
type problem struct {
	Where, Detail string
	Err           error
}

func problemsOf(t *testing.T, err error) []problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var se *SchemeError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *SchemeError", err, err)
	}
	var out []problem
	for _, p := range se.Problems {
		out = append(out, problem{p.Where, p.Detail, p.Err})
	}
	return out
}

// errEq compares sentinels by identity.
var errEq = cmp.Comparer(func(a, b error) bool { return a == b })

func TestNewValid(t *testing.T) {
	for name, spec := range map[string]Spec{
		"default": DefaultSpec(),
		"small":   smallSpec(),
		"one slot, no roles": {Slots: 1, Languages: []LanguageSpec{
			{Name: "a", Range: r(0, 0), Components: []ComponentSpec{{"k", r(0, 0)}}}}},
		"whole space": {Slots: 65536, Languages: []LanguageSpec{
			{Name: "a", Range: ports.FullRange(), Components: []ComponentSpec{{"k", ports.FullRange()}}}}},
		"language without kinds": {Slots: 2, Languages: []LanguageSpec{{Name: "a", Range: r(10, 19)}}},
		"touching ranges": {Slots: 2, Languages: []LanguageSpec{
			{Name: "a", Range: r(10, 13), Components: []ComponentSpec{{"x", r(10, 11)}, {"y", r(12, 13)}}},
			{Name: "b", Range: r(14, 15), Components: []ComponentSpec{{"x", r(14, 15)}}}}},
		"service right below a language": {Slots: 2, Languages: []LanguageSpec{{Name: "a", Range: r(10, 11)}},
			InfraPorts: []InfraPort{{Name: "s", Port: 9, NodePort: 12000}}},
		"max-length names": {Slots: 1, Roles: []Role{{Name: "a23456789012345", Env: "_1"}},
			Languages: []LanguageSpec{{Name: Language(strings.Repeat("a", 63)), Range: r(5, 5)}}},
	} {
		if _, err := New(spec); err != nil {
			t.Errorf("New(%s) error: %v", name, err)
		}
	}
}

func TestNewProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Spec)
		want   []problem
	}{
		{"no slots", func(s *Spec) { s.Slots = 0 }, []problem{
			{"slot count", "slot count 0 is out of range; want 1 to 65536", ErrInvalidSpec},
		}},
		{"too many slots", func(s *Spec) { s.Slots = 65537 }, []problem{
			{"slot count", "slot count 65537 is out of range; want 1 to 65536", ErrInvalidSpec},
		}},
		{"sizes", func(s *Spec) { s.Slots = 3 }, []problem{
			{`language "go" (languages[0])`, "range 8000-8039 holds 40 ports, not a multiple of the 3 slots of a pod (13 pods and 1 port left over)", ErrInvalidSpec},
			{`kind "go/svc" (languages[0].kinds[0])`, "range 8000-8015 holds 16 ports, not a multiple of the 3 slots of a pod (5 pods and 1 port left over)", ErrInvalidSpec},
			{`kind "go/job" (languages[0].kinds[1])`, "range 8016-8023 holds 8 ports, not a multiple of the 3 slots of a pod (2 pods and 2 ports left over)", ErrInvalidSpec},
			{`language "py" (languages[1])`, "range 8100-8119 holds 20 ports, not a multiple of the 3 slots of a pod (6 pods and 2 ports left over)", ErrInvalidSpec},
			{`kind "py/svc" (languages[1].kinds[0])`, "range 8100-8107 holds 8 ports, not a multiple of the 3 slots of a pod (2 pods and 2 ports left over)", ErrInvalidSpec},
		}},
		{"text not UTF-8", func(s *Spec) {
			s.Roles[1].Purpose = "Adm\xffin"
			s.Languages[0].Title = "G\xc3"
		}, []problem{
			{`role "admin" (roles[1])`, `purpose "Adm\xffin" is not valid UTF-8`, ErrInvalidSpec},
			{`language "go" (languages[0])`, `title "G\xc3" is not valid UTF-8`, ErrInvalidSpec},
		}},
		{"role slot beyond", func(s *Spec) { s.Roles[1].Slot = 4 }, []problem{
			{`role "admin" (roles[1])`, "slot 4 is beyond the 4 slots (0-3) of a pod", ErrInvalidSpec},
		}},
		{"role slot twice", func(s *Spec) { s.Roles = append(s.Roles, Role{Slot: 1, Name: "web"}) }, []problem{
			{`role "web" (roles[2])`, `slot 1 already has role "admin" (roles[1])`, ErrInvalidSpec},
		}},
		{"role names", func(s *Spec) {
			s.Roles = append(s.Roles,
				Role{Slot: 2, Name: "api"},
				Role{Slot: 3, Name: "Admin"},
				Role{Slot: 3, Name: ""},
			)
		}, []problem{
			{`role "api" (roles[2])`, `port name "api" is also roles[0]`, ErrInvalidSpec},
			{`role "Admin" (roles[3])`, `port name "Admin": character 'A' not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
			{`role (roles[4])`, `slot 3 already has role "Admin" (roles[3])`, ErrInvalidSpec},
			{`role (roles[4])`, `port name "": empty`, ErrInvalidSpec},
		}},
		{"port name forms", func(s *Spec) {
			s.Slots = 8
			s.Languages = nil
			s.Roles = []Role{
				{Slot: 0, Name: "a234567890123456"},
				{Slot: 1, Name: "a--b"},
				{Slot: 2, Name: "123"},
				{Slot: 3, Name: "-ab"},
				{Slot: 4, Name: "ab-"},
				{Slot: 5, Name: "a_b"},
			}
		}, []problem{
			{`role "a234567890123456" (roles[0])`, `port name "a234567890123456": longer than 15 characters`, ErrInvalidSpec},
			{`role "a--b" (roles[1])`, `port name "a--b": two '-' in a row`, ErrInvalidSpec},
			{`role "123" (roles[2])`, `port name "123": no letter`, ErrInvalidSpec},
			{`role "-ab" (roles[3])`, `port name "-ab": begins or ends with '-'`, ErrInvalidSpec},
			{`role "ab-" (roles[4])`, `port name "ab-": begins or ends with '-'`, ErrInvalidSpec},
			{`role "a_b" (roles[5])`, `port name "a_b": character '_' not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
		}},
		{"service policy", func(s *Spec) { s.Roles[0].ServicePolicy = 9 }, []problem{
			{`role "api" (roles[0])`, "service policy ServicePolicy(9) is unknown; want yes, optional, no or internal", ErrInvalidSpec},
		}},
		{"env names", func(s *Spec) {
			s.Roles[1].Env = "PORT"
			s.Roles = append(s.Roles, Role{Slot: 2, Name: "x", Env: "2X"}, Role{Slot: 3, Name: "y", Env: "Y-PORT"})
		}, []problem{
			{`role "admin" (roles[1])`, `environment variable PORT is also that of role "api" (roles[0])`, ErrInvalidSpec},
			{`role "x" (roles[2])`, `environment variable "2X": begins with a digit`, ErrInvalidSpec},
			{`role "y" (roles[3])`, `environment variable "Y-PORT": character '-' not allowed; want A-Z, a-z, 0-9 and '_'`, ErrInvalidSpec},
		}},
		{"env without base", func(s *Spec) { s.Roles[0].Env = "" }, []problem{
			{"roles", "roles name environment variables, but slot 0 has none; the others default to slot 0's variable plus their offset, so slot 0 needs a role with one", ErrInvalidSpec},
		}},
		{"language names", func(s *Spec) {
			s.Languages[1].Name = "go"
			s.Languages = append(s.Languages, LanguageSpec{Name: "C#", Range: r(9000, 9003)},
				LanguageSpec{Name: "café", Range: r(9004, 9007)}, LanguageSpec{Name: "x\xff", Range: r(9008, 9011)})
		}, []problem{
			{`language "go" (languages[1])`, `language "go" is also languages[0]`, ErrInvalidSpec},
			{`language "C#" (languages[2])`, `language name "C#": character 'C' not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
			{`language "café" (languages[3])`, `language name "café": character 'é' not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
			{`language "x\xff" (languages[4])`, `language name "x\xff": character "\xff" not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
		}},
		{"kind names", func(s *Spec) {
			s.Languages[0].Components[1].Name = "svc"
			s.Languages[1].Components[0].Name = ""
		}, []problem{
			{`kind "go/svc" (languages[0].kinds[1])`, `kind "svc" is also kinds[0] of go`, ErrInvalidSpec},
			{`kind "py/" (languages[1].kinds[0])`, `kind name "": empty`, ErrInvalidSpec},
		}},
		{"missing ranges", func(s *Spec) {
			s.Languages[0].Range = ports.Range{}
			s.Languages[1].Components[0].Range = ports.Range{}
		}, []problem{
			{`language "go" (languages[0])`, "no range", ErrInvalidSpec},
			{`kind "py/svc" (languages[1].kinds[0])`, "no range", ErrInvalidSpec},
		}},
		{"kind outside", func(s *Spec) { s.Languages[1].Components[0].Range = r(8096, 8103) }, []problem{
			{`kind "py/svc" (languages[1].kinds[0])`, `range 8096-8103 is not inside the range of language "py", 8100-8119: ports 8096-8099 are outside`, ErrOverlap},
		}},
		{"kinds overlap", func(s *Spec) { s.Languages[0].Components[1].Range = r(8012, 8019) }, []problem{
			{`kind "go/job" (languages[0].kinds[1])`, `range 8012-8019 overlaps kind "go/svc" (languages[0].kinds[0]), 8000-8015, on ports 8012-8015`, ErrOverlap},
		}},
		{"kinds overlap on one port", func(s *Spec) { s.Languages[0].Components[1].Range = r(8015, 8022) }, []problem{
			{`kind "go/job" (languages[0].kinds[1])`, `range 8015-8022 overlaps kind "go/svc" (languages[0].kinds[0]), 8000-8015, on port 8015`, ErrOverlap},
		}},
		{"kind one port outside", func(s *Spec) { s.Languages[1].Components[0].Range = r(8099, 8106) }, []problem{
			{`kind "py/svc" (languages[1].kinds[0])`, `range 8099-8106 is not inside the range of language "py", 8100-8119: port 8099 is outside`, ErrOverlap},
		}},
		{"languages overlap", func(s *Spec) {
			s.Languages[1].Range = r(8036, 8119)
			s.Languages = append(s.Languages, LanguageSpec{Name: "rb", Range: r(7000, 8003)})
		}, []problem{
			{`language "py" (languages[1])`, `range 8036-8119 overlaps language "go" (languages[0]), 8000-8039, on ports 8036-8039`, ErrOverlap},
			{`language "rb" (languages[2])`, `range 7000-8003 overlaps language "go" (languages[0]), 8000-8039, on ports 8000-8003`, ErrOverlap},
		}},
		{"kind outside and over another language's kind", func(s *Spec) { s.Languages[1].Components[0].Range = r(8012, 8019) }, []problem{
			{`kind "py/svc" (languages[1].kinds[0])`, `range 8012-8019 is not inside the range of language "py", 8100-8119: ports 8012-8019 are outside`, ErrOverlap},
			{`kind "py/svc" (languages[1].kinds[0])`, `range 8012-8019 overlaps kind "go/svc" (languages[0].kinds[0]), 8000-8015, on ports 8012-8015`, ErrOverlap},
			{`kind "py/svc" (languages[1].kinds[0])`, `range 8012-8019 overlaps kind "go/job" (languages[0].kinds[1]), 8016-8023, on ports 8016-8019`, ErrOverlap},
		}},
		{"services", func(s *Spec) {
			s.InfraPorts = append(s.InfraPorts,
				InfraPort{Name: "gateway", Port: 444},
				InfraPort{Name: "Web", Port: 0, NodePort: 30443},
				InfraPort{Name: "db", Port: 8110},
				InfraPort{Name: "cache", Port: 443, NodePort: 8001},
			)
		}, []problem{
			{`service "gateway" (services[1])`, `service "gateway" is also services[0]`, ErrInvalidSpec},
			{`service "Web" (services[2])`, `service name "Web": character 'W' not allowed; want a-z, 0-9 and '-'`, ErrInvalidSpec},
			{`service "Web" (services[2])`, "port 0 is not a fixed port; give the service its port", ErrInvalidSpec},
			{`service "Web" (services[2])`, `node port 30443 is also the node port of service "gateway"`, ErrInvalidSpec},
			{`service "db" (services[3])`, `port 8110 lies in the range of language "py", 8100-8119`, ErrOverlap},
			{`service "cache" (services[4])`, `port 443 is also the port of service "gateway"`, ErrInvalidSpec},
			{`service "cache" (services[4])`, `node port 8001 lies in the range of language "go", 8000-8039`, ErrOverlap},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := smallSpec()
			tt.change(&spec)
			s, err := New(spec)
			if err == nil {
				t.Fatalf("New = %v, nil; want problems", s.Spec())
			}
			if diff := cmp.Diff(tt.want, problemsOf(t, err), errEq); diff != "" {
				t.Errorf("New: problems (-want +got):\n%s", diff)
			}
			for _, p := range tt.want {
				if !errors.Is(err, p.Err) {
					t.Errorf("errors.Is(err, %v) = false", p.Err)
				}
			}
			if !s.Equal(Scheme{}) {
				t.Errorf("New with problems returned a non-zero Scheme")
			}
		})
	}
}

// Every problem at once, in the order of the description, and the text of
// the error that lists them.
func TestNewEveryProblem(t *testing.T) {
	spec := Spec{
		Slots: 10,
		Roles: []Role{
			{Slot: 12, Name: "coordinator", Env: "REST_PORT"},
			{Slot: 1, Name: "rest", Env: "REST_PORT"},
		},
		Languages: []LanguageSpec{
			{Name: "rust", Range: r(50050, 50199), Components: []ComponentSpec{{"aggregate", r(50050, 50105)}, {"saga", r(50100, 50139)}}},
			{Name: "go", Range: r(50190, 50349), Components: []ComponentSpec{{"aggregate", r(50350, 50359)}}},
		},
		InfraPorts: []InfraPort{{Name: "topology", Port: 50200}},
	}
	_, err := New(spec)
	want := `portscheme: 8 problems:
	role "coordinator" (roles[0]): slot 12 is beyond the 10 slots (0-9) of a pod
	role "rest" (roles[1]): environment variable REST_PORT is also that of role "coordinator" (roles[0])
	roles: roles name environment variables, but slot 0 has none; the others default to slot 0's variable plus their offset, so slot 0 needs a role with one
	kind "rust/aggregate" (languages[0].kinds[0]): range 50050-50105 holds 56 ports, not a multiple of the 10 slots of a pod (5 pods and 6 ports left over)
	kind "rust/saga" (languages[0].kinds[1]): range 50100-50139 overlaps kind "rust/aggregate" (languages[0].kinds[0]), 50050-50105, on ports 50100-50105
	language "go" (languages[1]): range 50190-50349 overlaps language "rust" (languages[0]), 50050-50199, on ports 50190-50199
	kind "go/aggregate" (languages[1].kinds[0]): range 50350-50359 is not inside the range of language "go", 50190-50349: ports 50350-50359 are outside
	service "topology" (services[0]): port 50200 lies in the range of language "go", 50190-50349`
	if err == nil {
		t.Fatal("New: no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("New: error (-want +got):\n%s", diff)
	}
}

func TestSchemeErrorOne(t *testing.T) {
	_, err := New(Spec{Slots: 0})
	want := "portscheme: slot count: slot count 0 is out of range; want 1 to 65536"
	if err == nil || err.Error() != want {
		t.Errorf("New(Spec{}) error = %v, want %s", err, want)
	}
	var p *Problem
	if !errors.As(err, &p) || p.Where != "slot count" {
		t.Errorf("errors.As(*Problem) = %v", p)
	}
}

func linuxEphemeral() Avoid {
	return Avoid{"the Linux ephemeral range", ports.RangeSetOf(r(32768, 60999))}
}

func ianaDynamic() Avoid {
	return Avoid{"the IANA Dynamic range", ports.RangeSetOf(ports.Dynamic.Range())}
}

// The default scheme lies inside Linux's ephemeral range and IANA's Dynamic
// range, and Validate says so, language by language.
func TestValidateDefault(t *testing.T) {
	err := Default().Validate(linuxEphemeral(), ianaDynamic())
	var want []problem
	for _, a := range []string{"the Linux ephemeral range (32768-60999)", "the IANA Dynamic range (49152-65535)"} {
		for i, row := range []struct {
			l    Language
			pods string
		}{
			{Rust, "50050-50159"}, {Go, "50200-50309"}, {Python, "50400-50509"},
			{Java, "50550-50659"}, {CSharp, "50700-50809"}, {Cpp, "50850-50959"},
		} {
			want = append(want, problem{whereLanguage(i, row.l), "every pod, ports " + row.pods + ", lies in " + a, ErrOverlap})
		}
	}
	if diff := cmp.Diff(want, problemsOf(t, err), errEq); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrOverlap) {
		t.Errorf("errors.Is(err, ErrOverlap) = false")
	}
	// The services 1310, 1340, 9099 and node ports 31310, 31340 are in
	// neither range; the pods are in none of the others.
	if err := Default().Validate(Avoid{"the System range", ports.RangeSetOf(ports.System.Range())},
		Avoid{"Kubernetes NodePorts", ports.RangeSetOf(r(30000, 32767))}); err == nil {
		t.Error("Validate(NodePorts) = nil, want the node ports reported")
	} else if diff := cmp.Diff([]problem{
		{`service "aggregate-coordinator" (services[0])`, "node port 31310 lies in Kubernetes NodePorts (30000-32767)", ErrOverlap},
		{`service "stream-grpc" (services[1])`, "node port 31340 lies in Kubernetes NodePorts (30000-32767)", ErrOverlap},
	}, problemsOf(t, err), errEq); diff != "" {
		t.Errorf("Validate(System, NodePorts) (-want +got):\n%s", diff)
	}
}

func TestValidatePartial(t *testing.T) {
	s := Default()
	tests := []struct {
		name  string
		avoid []Avoid
		want  []problem
	}{
		{"nothing", nil, nil},
		{"empty set", []Avoid{{"nothing", ports.RangeSet{}}}, nil},
		{"elsewhere", []Avoid{{"low ports", ports.RangeSetOf(r(1, 1000), r(50160, 50199), r(50350, 50399))}}, nil},
		{"across two kinds", []Avoid{{"a test range", ports.RangeSetOf(r(50100, 50115))}}, []problem{
			{`kind "rust/aggregate" (languages[0].kinds[0])`, "pod 5, ports 50100-50109, lies in a test range (50100-50115)", ErrOverlap},
			{`kind "rust/saga" (languages[0].kinds[1])`, "pod 0, ports 50110-50115, lies in a test range (50100-50115)", ErrOverlap},
		}},
		{"scattered", []Avoid{{"registered ports", ports.RangeSetOf(r(50201, 50201), r(50225, 50235), r(50259, 50259), r(50300, 50300), r(50305, 50305),
			r(1340, 1340), r(9099, 9099))}}, []problem{
			{`kind "go/aggregate" (languages[1].kinds[0])`, "pods 0, 2-3, 5, ports 50201,50225-50235,50259, lies in registered ports", ErrOverlap},
			{`kind "go/projector" (languages[1].kinds[2])`, "pod 1, ports 50300,50305, lies in registered ports", ErrOverlap},
			{`service "stream-grpc" (services[1])`, "port 1340 lies in registered ports", ErrOverlap},
			{`service "topology-rest" (services[2])`, "port 9099 lies in registered ports", ErrOverlap},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Validate(tt.avoid...)
			if diff := cmp.Diff(tt.want, problemsOf(t, err), errEq); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}
