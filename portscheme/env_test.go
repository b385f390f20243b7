package portscheme

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// mapLookup returns a lookup function over env, the test stand-in for
// os.LookupEnv.
func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestParseEnv(t *testing.T) {
	s := Default()
	full := func(p, r, d, tg ports.Port) []EnvVar {
		return []EnvVar{{"PORT", 0, p}, {"REST_PORT", 1, r}, {"DEBUG_PORT", 2, d}, {"TARGET_PORT", 3, tg}}
	}
	tests := []struct {
		name string
		env  map[string]string
		want PodEnv
	}{
		{"PORT alone", map[string]string{"PORT": "50260"},
			PodEnv{Pod: Pod{Go, Saga, 0}, Vars: full(50260, 50261, 50262, 50263), slots: 10, Derived: []string{"REST_PORT", "DEBUG_PORT", "TARGET_PORT"}}},
		{"all set", map[string]string{"PORT": "50050", "REST_PORT": "50051", "DEBUG_PORT": "50052", "TARGET_PORT": "50053"},
			PodEnv{Pod: Pod{Rust, Aggregate, 0}, Vars: full(50050, 50051, 50052, 50053), slots: 10, Derived: nil}},
		{"some set", map[string]string{"PORT": "50950", "DEBUG_PORT": "50952"},
			PodEnv{Pod: Pod{Cpp, Projector, 1}, Vars: full(50950, 50951, 50952, 50953), slots: 10, Derived: []string{"REST_PORT", "TARGET_PORT"}}},
		{"leading zeros", map[string]string{"PORT": "050060", "REST_PORT": "0050061"},
			PodEnv{Pod: Pod{Rust, Aggregate, 1}, Vars: full(50060, 50061, 50062, 50063), slots: 10, Derived: []string{"DEBUG_PORT", "TARGET_PORT"}}},
		{"other variables ignored", map[string]string{"PORT": "50070", "HTTP_PORT": "x", "port": "1"},
			PodEnv{Pod: Pod{Rust, Aggregate, 2}, Vars: full(50070, 50071, 50072, 50073), slots: 10, Derived: []string{"REST_PORT", "DEBUG_PORT", "TARGET_PORT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ParseEnv(mapLookup(tt.env))
			if err != nil {
				t.Fatalf("ParseEnv(%v) error: %v", tt.env, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
				t.Errorf("ParseEnv(%v) (-want +got):\n%s", tt.env, diff)
			}
		})
	}
}

func TestParseEnvErrors(t *testing.T) {
	s := Default()
	tests := []struct {
		name string
		env  map[string]string
		want []string // every error, in order
		errs []error
	}{
		{"PORT missing", map[string]string{},
			[]string{"portscheme: PORT: not set; it must hold the pod's slot 0 (coordinator) port, from which the others derive"},
			[]error{ErrNotSet}},
		{"PORT empty", map[string]string{"PORT": ""},
			[]string{`portscheme: PORT="": malformed: set but empty; want a decimal port number`},
			[]error{ErrNotAPort}},
		{"PORT word", map[string]string{"PORT": "5005O"},
			[]string{`portscheme: PORT="5005O": malformed: unexpected 'O' at byte 4; want a decimal port number`},
			[]error{ErrNotAPort}},
		{"PORT space", map[string]string{"PORT": "50050 "},
			[]string{`portscheme: PORT="50050 ": malformed: white space at byte 5; want a decimal port number alone`},
			[]error{ErrNotAPort}},
		{"PORT sign", map[string]string{"PORT": "+50050"},
			[]string{`portscheme: PORT="+50050": malformed: unexpected '+' at byte 0; want a decimal port number`},
			[]error{ErrNotAPort}},
		{"PORT non-ASCII", map[string]string{"PORT": "５0050"},
			[]string{`portscheme: PORT="５0050": malformed: non-ASCII character at byte 0; want ASCII digits`},
			[]error{ErrNotAPort}},
		{"PORT too big", map[string]string{"PORT": "65536"},
			[]string{`portscheme: PORT="65536": out of range: ports go from 0 to 65535`},
			[]error{ErrNotAPort}},
		{"PORT huge", map[string]string{"PORT": "99999999999999999999999"},
			[]string{`portscheme: PORT="99999999999999999999999": out of range: ports go from 0 to 65535`},
			[]error{ErrNotAPort}},
		{"PORT not slot 0", map[string]string{"PORT": "50263"},
			[]string{`portscheme: PORT="50263": contradicts the scheme: 50263 is the slot 3 (logic) port of go/saga/0, not a pod's slot 0 (coordinator) port; that pod's PORT is 50260`},
			[]error{ErrNotInScheme}},
		{"PORT reserved slot", map[string]string{"PORT": "50056"},
			[]string{`portscheme: PORT="50056": contradicts the scheme: 50056 is the slot 6 port of rust/aggregate/0, not a pod's slot 0 (coordinator) port; that pod's PORT is 50050`},
			[]error{ErrNotInScheme}},
		{"PORT in no language", map[string]string{"PORT": "8080"},
			[]string{`portscheme: PORT="8080": contradicts the scheme: 8080 lies in no pod of the scheme; its pods lie in 50050-50159,50200-50309,50400-50509,50550-50659,50700-50809,50850-50959`},
			[]error{ErrNotInScheme}},
		{"PORT in unassigned room", map[string]string{"PORT": "50160"},
			[]string{`portscheme: PORT="50160": contradicts the scheme: 50160 lies in the range of language rust, 50050-50199, but in none of its kinds; its pods lie in 50050-50159`},
			[]error{ErrNotInScheme}},
		{"PORT a service", map[string]string{"PORT": "1310"},
			[]string{`portscheme: PORT="1310": contradicts the scheme: 1310 is a port of service aggregate-coordinator, not of a pod`},
			[]error{ErrNotInScheme}},
		{"REST_PORT elsewhere", map[string]string{"PORT": "50050", "REST_PORT": "50061"},
			[]string{`portscheme: REST_PORT="50061": contradicts the scheme: pod rust/aggregate/0 (PORT=50050) has its slot 1 (rest) port at 50051, and 50061 is the slot 1 (rest) port of rust/aggregate/1`},
			[]error{ErrNotInScheme}},
		{"TARGET_PORT outside", map[string]string{"PORT": "50050", "TARGET_PORT": "8080"},
			[]string{`portscheme: TARGET_PORT="8080": contradicts the scheme: pod rust/aggregate/0 (PORT=50050) has its slot 3 (logic) port at 50053`},
			[]error{ErrNotInScheme}},
		{"every problem at once", map[string]string{"PORT": "50050", "REST_PORT": "x", "DEBUG_PORT": "70000", "TARGET_PORT": "50054"},
			[]string{
				`portscheme: REST_PORT="x": malformed: unexpected 'x' at byte 0; want a decimal port number`,
				`portscheme: DEBUG_PORT="70000": out of range: ports go from 0 to 65535`,
				`portscheme: TARGET_PORT="50054": contradicts the scheme: pod rust/aggregate/0 (PORT=50050) has its slot 3 (logic) port at 50053, and 50054 is the slot 4 (client-debug) port of rust/aggregate/0`,
			},
			[]error{ErrNotAPort, ErrNotAPort, ErrNotInScheme}},
		{"PORT bad, others still read", map[string]string{"PORT": "abc", "REST_PORT": "", "DEBUG_PORT": "50052"},
			[]string{
				`portscheme: PORT="abc": malformed: unexpected 'a' at byte 0; want a decimal port number`,
				`portscheme: REST_PORT="": malformed: set but empty; want a decimal port number`,
			},
			[]error{ErrNotAPort, ErrNotAPort}},
		{"PORT missing, others set", map[string]string{"REST_PORT": "50051"},
			[]string{"portscheme: PORT: not set; it must hold the pod's slot 0 (coordinator) port, from which the others derive"},
			[]error{ErrNotSet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ParseEnv(mapLookup(tt.env))
			if err == nil {
				t.Fatalf("ParseEnv(%v) = %+v, want errors", tt.env, got)
			}
			if diff := cmp.Diff(strings.Join(tt.want, "\n"), err.Error()); diff != "" {
				t.Errorf("ParseEnv(%v) error (-want +got):\n%s", tt.env, diff)
			}
			var list []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				list = j.Unwrap()
			} else {
				list = []error{err}
			}
			if len(list) != len(tt.errs) {
				t.Fatalf("ParseEnv(%v): %d errors, want %d", tt.env, len(list), len(tt.errs))
			}
			for i, e := range list {
				var ee *EnvError
				if !errors.As(e, &ee) || !errors.Is(e, tt.errs[i]) {
					t.Errorf("ParseEnv(%v) error %d = %#v, want an *EnvError wrapping %v", tt.env, i, e, tt.errs[i])
				}
			}
			if diff := cmp.Diff(PodEnv{}, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
				t.Errorf("ParseEnv(%v) with an error returned (-want +got):\n%s", tt.env, diff)
			}
		})
	}
}

func TestParseEnvNoVariables(t *testing.T) {
	s, err := New(Spec{Slots: 1, Roles: []Role{{Name: "main"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ParseEnv(mapLookup(map[string]string{"PORT": "1"}))
	want := "portscheme: the scheme names no environment variables"
	if err == nil || err.Error() != want || !errors.Is(err, ErrNotSet) {
		t.Errorf("ParseEnv = %v, want %s", err, want)
	}
}

// A custom scheme names its own variables; the defaults still derive from
// the slot-0 variable.
func TestParseEnvCustom(t *testing.T) {
	s, err := New(Spec{
		Slots: 4,
		Roles: []Role{
			{Slot: 3, Name: "ui", Env: "UI_PORT"},
			{Slot: 0, Name: "api", ServicePolicy: ServiceAlways, Env: "API_PORT"},
			{Slot: 1, Name: "metrics"},
		},
		Languages: []LanguageSpec{{Name: "ts", Range: r(7000, 7099), Components: []ComponentSpec{{"web", r(7000, 7019)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := s.Env(Pod{"ts", "web", 4})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]EnvVar{{"API_PORT", 0, 7016}, {"UI_PORT", 3, 7019}}, vars); diff != "" {
		t.Errorf("Env(ts/web/4) (-want +got):\n%s", diff)
	}
	got, err := s.ParseEnv(mapLookup(map[string]string{"API_PORT": "7004", "PORT": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := PodEnv{Pod: Pod{"ts", "web", 1}, Vars: []EnvVar{{"API_PORT", 0, 7004}, {"UI_PORT", 3, 7007}}, Derived: []string{"UI_PORT"}, slots: s.Slots()}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
		t.Errorf("ParseEnv (-want +got):\n%s", diff)
	}
	if p, ok := got.Port(3); !ok || p != 7007 {
		t.Errorf("Port(3) = %v, %v, want 7007", p, ok)
	}
	// PORT fixes every slot, those without a variable too.
	for slot := range Slot(s.Slots()) {
		if p, ok := got.Port(slot); !ok || p != 7004+ports.Port(slot) {
			t.Errorf("Port(%d) = %v, %v, want %d", slot, p, ok, 7004+int(slot))
		}
	}
	if p, ok := got.Port(Slot(s.Slots())); ok {
		t.Errorf("Port(%d) = %v, true; the scheme has %d slots", s.Slots(), p, s.Slots())
	}
	if p, ok := got.Lookup("UI_PORT"); !ok || p != 7007 {
		t.Errorf(`Lookup("UI_PORT") = %v, %v, want 7007`, p, ok)
	}
	if p, ok := got.Lookup("PORT"); ok {
		t.Errorf(`Lookup("PORT") = %v, true; the scheme has no PORT`, p)
	}
}

func TestEnvErrors(t *testing.T) {
	_, err := Default().Env(Pod{Go, Saga, 3})
	if !errors.Is(err, ErrNotInScheme) {
		t.Errorf("Env(go/saga/3) error = %v, want ErrNotInScheme", err)
	}
}

func TestParseEnvAllowBare(t *testing.T) {
	s := Default()
	tests := []struct {
		name string
		env  map[string]string
		want PodEnv
	}{
		{"platform port", map[string]string{"PORT": "8080"},
			PodEnv{Bare: true, Note: "PORT=8080 lies outside the scheme: taken as the service's own port, with no pod",
				Vars: []EnvVar{{"PORT", 0, 8080}}}},
		{"platform port and another variable", map[string]string{"PORT": "8080", "DEBUG_PORT": "9229"},
			PodEnv{Bare: true, Note: "PORT=8080 lies outside the scheme: taken as the service's own port, with no pod",
				Vars: []EnvVar{{"PORT", 0, 8080}, {"DEBUG_PORT", 2, 9229}}}},
		{"a pod's port, read as ParseEnv reads it", map[string]string{"PORT": "50260"},
			PodEnv{Pod: Pod{Go, Saga, 0}, slots: 10, Vars: []EnvVar{{"PORT", 0, 50260}, {"REST_PORT", 1, 50261}, {"DEBUG_PORT", 2, 50262}, {"TARGET_PORT", 3, 50263}},
				Derived: []string{"REST_PORT", "DEBUG_PORT", "TARGET_PORT"}}},
	}
	for _, tt := range tests {
		got, err := s.ParseEnvAllowBare(mapLookup(tt.env))
		if err != nil {
			t.Errorf("%s: ParseEnvAllowBare(%v) error: %v", tt.name, tt.env, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
			t.Errorf("%s: ParseEnvAllowBare(%v) (-want +got):\n%s", tt.name, tt.env, diff)
		}
	}
	// A port inside the scheme that names no pod is still an error, and so
	// is a bad value beside a bare port.
	for env, want := range map[string]string{
		"50053": `portscheme: PORT="50053": contradicts the scheme: 50053 is the slot 3 (logic) port of rust/aggregate/0, not a pod's slot 0 (coordinator) port; that pod's PORT is 50050`,
		"1310":  `portscheme: PORT="1310": contradicts the scheme: 1310 is a port of service aggregate-coordinator, not of a pod`,
		"50340": `portscheme: PORT="50340": contradicts the scheme: 50340 lies in the range of language go, 50200-50349, but in none of its kinds; its pods lie in 50200-50309`,
	} {
		_, err := s.ParseEnvAllowBare(mapLookup(map[string]string{"PORT": env}))
		if err == nil || err.Error() != want {
			t.Errorf("ParseEnvAllowBare(PORT=%s) error = %v, want %q", env, err, want)
		}
	}
	_, err := s.ParseEnvAllowBare(mapLookup(map[string]string{"PORT": "8080", "REST_PORT": "x"}))
	if err == nil || !errors.Is(err, ErrNotAPort) {
		t.Errorf("ParseEnvAllowBare(PORT=8080 REST_PORT=x) error = %v, want ErrNotAPort", err)
	}
	// Strict ParseEnv still refuses the platform's port.
	if _, err := s.ParseEnv(mapLookup(map[string]string{"PORT": "8080"})); !errors.Is(err, ErrNotInScheme) {
		t.Errorf("ParseEnv(PORT=8080) error = %v, want ErrNotInScheme", err)
	}
}
