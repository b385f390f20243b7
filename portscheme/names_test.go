package portscheme

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLanguageString(t *testing.T) {
	// The names are the JSON form of the default scheme: they must not
	// change.
	tests := []struct {
		l    Language
		want string
	}{
		{Rust, "rust"}, {Go, "go"}, {Python, "python"}, {Java, "java"}, {CSharp, "csharp"}, {Cpp, "cpp"},
		{"", ""}, {"kotlin", "kotlin"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("Language(%q).String() = %q, want %q", string(tt.l), got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Component
		want string
	}{
		{Aggregate, "aggregate"}, {Saga, "saga"}, {Projector, "projector"}, {"", ""}, {"widget", "widget"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%q).String() = %q, want %q", string(tt.k), got, tt.want)
		}
	}
}

func TestSlotString(t *testing.T) {
	tests := []struct {
		s    Slot
		want string
	}{
		{Coordinator, "coordinator"},
		{REST, "rest"},
		{Debug, "debug"},
		{Logic, "logic"},
		{ClientDebug, "client-debug"},
		{5, "slot 5"},
		{8, "slot 8"},
		{Control, "control"},
		{10, "slot 10"},
		{65535, "slot 65535"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Slot(%d).String() = %q, want %q", uint16(tt.s), got, tt.want)
		}
	}
}

func TestServicePolicyString(t *testing.T) {
	tests := []struct {
		e     ServicePolicy
		want  string
		valid bool
	}{
		{ServiceOnRequest, "no", true},
		{ServiceAlways, "yes", true},
		{ServiceOptional, "optional", true},
		{ServiceNever, "internal", true},
		{4, "ServicePolicy(4)", false},
		{255, "ServicePolicy(255)", false},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("ServicePolicy(%d).String() = %q, want %q", uint8(tt.e), got, tt.want)
		}
		if got := tt.e.IsValid(); got != tt.valid {
			t.Errorf("ServicePolicy(%d).IsValid() = %v, want %v", uint8(tt.e), got, tt.valid)
		}
		if e, ok := lookupServicePolicy(tt.want); ok != tt.valid || (ok && e != tt.e) {
			t.Errorf("lookupServicePolicy(%q) = %v, %v", tt.want, e, ok)
		}
	}
	var zero ServicePolicy
	if zero != ServiceOnRequest {
		t.Errorf("zero ServicePolicy = %v, want %v", zero, ServiceOnRequest)
	}
}

func TestPodString(t *testing.T) {
	tests := []struct {
		in   interface{ String() string }
		want string
	}{
		{Pod{Go, Saga, 0}, "go/saga/0"},
		{Pod{CSharp, Projector, 12}, "csharp/projector/12"},
		{Pod{}, "//0"},
		{Location{Pod{Go, Saga, 0}, Logic}, "go/saga/0 slot 3"},
		{EnvVar{"REST_PORT", REST, 50051}, "REST_PORT=50051"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestServicePolicyText checks the text form of every policy through JSON and
// YAML, and that anything else is refused.
func TestServicePolicyText(t *testing.T) {
	for _, e := range []ServicePolicy{ServiceOnRequest, ServiceAlways, ServiceOptional, ServiceNever} {
		b, err := json.Marshal(Role{ServicePolicy: e})
		if err != nil || !strings.Contains(string(b), `"ServicePolicy":"`+e.String()+`"`) {
			t.Errorf("json.Marshal(Role{ServicePolicy: %v}) = %s, %v", e, b, err)
		}
		var r Role
		if err := json.Unmarshal(b, &r); err != nil || r.ServicePolicy != e {
			t.Errorf("json.Unmarshal(%s) = %v, %v; want %v", b, r.ServicePolicy, err, e)
		}
		y, err := yaml.Marshal(Role{ServicePolicy: e})
		if err != nil {
			t.Fatal(err)
		}
		r = Role{}
		if err := yaml.Unmarshal(y, &r); err != nil || r.ServicePolicy != e {
			t.Errorf("yaml.Unmarshal(%q) = %v, %v; want %v", y, r.ServicePolicy, err, e)
		}
	}
	var e ServicePolicy
	if err := e.UnmarshalText([]byte("Yes")); err == nil || err.Error() != `portscheme: exposure "Yes" is unknown; want yes, optional, no or internal` {
		t.Errorf("UnmarshalText(Yes) error = %v", err)
	}
	if _, err := ServicePolicy(9).MarshalText(); err == nil || err.Error() != "portscheme: ServicePolicy(9) is not a service policy; want yes, optional, no or internal" {
		t.Errorf("ServicePolicy(9).MarshalText() error = %v", err)
	}
}
