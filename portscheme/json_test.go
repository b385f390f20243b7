package portscheme

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testdata/default.json is the default scheme as a file people edit: the
// output of json.MarshalIndent, checked by hand against the seed.
func TestJSONGolden(t *testing.T) {
	golden, err := os.ReadFile("testdata/default.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(Default(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(golden), string(got)+"\n"); diff != "" {
		t.Errorf("MarshalIndent(Default()) (-want +got):\n%s", diff)
	}
	s, err := ParseJSON(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default().Spec(), s.Spec(), rangeEq); diff != "" {
		t.Errorf("ParseJSON(testdata/default.json) (-want +got):\n%s", diff)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	small, err := New(smallSpec())
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Scheme{"default": Default(), "small": small} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("%s: ParseJSON(Marshal) error: %v", name, err)
		}
		if diff := cmp.Diff(s.Spec(), q.Spec(), rangeEq); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", name, diff)
		}
		if !q.Equal(s) {
			t.Errorf("%s: round trip: Equal = false", name)
		}
		b2, _ := json.Marshal(q)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: Marshal after round trip differs:\n%s\n%s", name, b, b2)
		}
	}
}

func TestMarshalZero(t *testing.T) {
	b, err := json.Marshal(Scheme{})
	if err != nil || string(b) != "null" {
		t.Errorf("Marshal(Scheme{}) = %s, %v, want null", b, err)
	}
}

func TestParseJSONMinimal(t *testing.T) {
	// Optional fields left out; exposure left out is "no".
	s, err := ParseJSON([]byte(` {"slots": 2, "roles": [{"slot": 1, "name": "web"}],
		"languages": [{"name": "a", "range": "100-103", "kinds": [{"name": "k", "range": "102"}]}]}`))
	if err == nil {
		t.Fatalf("ParseJSON: a one-port kind with 2 slots must fail, got %v", s.Spec())
	}
	s, err = ParseJSON([]byte(` {"slots": 2, "roles": [{"slot": 1, "name": "web"}],
		"languages": [{"name": "a", "range": "100-103", "kinds": [{"name": "k", "range": "102-103"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Slots: 2, Roles: []Role{{Slot: 1, Name: "web", ServicePolicy: ServiceOnRequest}},
		Languages: []LanguageSpec{{Name: "a", Range: r(100, 103), Components: []ComponentSpec{{"k", r(102, 103)}}}}}
	if diff := cmp.Diff(want, s.Spec(), rangeEq); diff != "" {
		t.Errorf("ParseJSON (-want +got):\n%s", diff)
	}
}

func TestParseJSONSyntax(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{``, `portscheme: reading JSON: want a JSON object, as {"slots": 10, ...}`},
		{`[]`, `portscheme: reading JSON: want a JSON object, as {"slots": 10, ...}`},
		{`null`, `portscheme: reading JSON: want a JSON object, as {"slots": 10, ...}`},
		{`{`, `portscheme: reading JSON: line 1, column 2: unexpected EOF`},
		{`{"slots": 10,}`, `portscheme: reading JSON: line 1, column 14: invalid character '}' looking for beginning of object key string`},
		{"{\n  \"slots\": 10,\n}", `portscheme: reading JSON: line 3, column 1: invalid character '}' looking for beginning of object key string`},
		{`{"slots": 10, "roles": 5}`, `portscheme: reading JSON: line 1, column 24: json: cannot unmarshal number into Go struct field jsonScheme.roles of type []portscheme.jsonRole`},
		{`{"slots": 10, "sagas": []}`, `portscheme: reading JSON: json: unknown field "sagas"`},
		{`{"slots": 10} {}`, `portscheme: reading JSON: line 1, column 15: data after the scheme's closing brace`},
		{"{\"slots\": 10}\n\n  x", `portscheme: reading JSON: line 3, column 3: data after the scheme's closing brace`},
	}
	for _, tt := range tests {
		_, err := ParseJSON([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseJSON(%q) error:\n got %v\nwant %s", tt.in, err, tt.want)
		}
		var se *SchemeError
		if errors.As(err, &se) {
			t.Errorf("ParseJSON(%q) error is a *SchemeError; want a JSON error", tt.in)
		}
	}
}

// TestParseJSONSlotNumbers checks that a slot count or a role's slot that
// is not a whole number in range is a listed problem, as a port is, not a
// JSON error.
func TestParseJSONSlotNumbers(t *testing.T) {
	tests := []struct {
		slots, slot string
		want        []problem
	}{
		{"1.5", "0", []problem{{"slot count", "slot count 1.5 is not written as a whole number; write it in digits alone", ErrInvalidSpec}}},
		{"1e20", "0", []problem{{"slot count", "slot count 1e20 is out of range; want 1 to 65536", ErrInvalidSpec}}},
		{`"10"`, "0", []problem{{"slot count", `slot count "10" is not a number`, ErrInvalidSpec}}},
		{"-1", "0", []problem{{"slot count", "slot count -1 is out of range; want 1 to 65536", ErrInvalidSpec}}},
		{"10", "1e3", []problem{{`role "r" (roles[0])`, "slot 1e3 is not written as a whole number; write it in digits alone", ErrInvalidSpec}}},
		{"10", "99999999999999999999", []problem{{`role "r" (roles[0])`, "slot 99999999999999999999 is out of range; want 0 to the slot count minus one", ErrInvalidSpec}}},
		{"10", `"0"`, []problem{{`role "r" (roles[0])`, `slot "0" is not a number`, ErrInvalidSpec}}},
	}
	for _, tt := range tests {
		in := `{"slots": ` + tt.slots + `, "roles": [{"slot": ` + tt.slot + `, "name": "r"}]}`
		_, err := ParseJSON([]byte(in))
		if diff := cmp.Diff(tt.want, problemsOf(t, err), errEq); diff != "" {
			t.Errorf("ParseJSON(%s): problems (-want +got):\n%s", in, diff)
		}
	}
}

func TestParseJSONProblems(t *testing.T) {
	in := `{
	  "slots": 10,
	  "roles": [
	    {"slot": 70000, "name": "x", "exposure": "sometimes"},
	    {"slot": -1, "name": "y"},
	    {"slot": 0, "name": "z", "exposure": "Yes"}
	  ],
	  "languages": [
	    {"name": "a", "range": "65530-65600", "kinds": [
	      {"name": "k", "range": "abc"},
	      {"name": "j", "range": "20-10"},
	      {"name": "m"},
	      {"name": "n", "range": "1-"},
	      {"name": "o", "range": "999999999999999999999-5"},
	      {"name": "p", "range": "9999999999999-10000000000000"}
	    ]},
	    {"name": "b", "range": "60000-60009", "kinds": [{"name": "k", "range": "60000-60012"}]}
	  ],
	  "services": [{"name": "s", "port": 70000, "node_port": -5}, {"name": "t", "port": 0},
	    {"name": "u", "port": 1e20, "node_port": 99999999999999999999}, {"name": "v", "port": "80"},
	    {"name": "w", "port": 80.5}, {"name": "x", "port": 1e309, "node_port": -1e309},
	    {"name": "y", "port": 8.1e3}, {"name": "z", "port": 80.000000000000001}]
	}`
	_, err := ParseJSON([]byte(in))
	want := []problem{
		{`role "x" (roles[0])`, "slot 70000 is out of range; want 0 to the slot count minus one", ErrInvalidSpec},
		{`role "x" (roles[0])`, `exposure "sometimes" is unknown; want yes, optional, no or internal`, ErrInvalidSpec},
		{`role "y" (roles[1])`, "slot -1 is out of range; want 0 to the slot count minus one", ErrInvalidSpec},
		{`role "z" (roles[2])`, `exposure "Yes" is unknown; want yes, optional, no or internal`, ErrInvalidSpec},
		{`language "a" (languages[0])`, "range 65530-65600 goes beyond port 65535", ErrInvalidSpec},
		{`kind "a/k" (languages[0].kinds[0])`, `range "abc" is malformed; want LO-HI in decimal, as "50050-50199", or one port`, ErrInvalidSpec},
		{`kind "a/j" (languages[0].kinds[1])`, "range 20-10 is inverted: its low end is above its high end", ErrInvalidSpec},
		{`kind "a/m" (languages[0].kinds[2])`, "no range", ErrInvalidSpec},
		{`kind "a/n" (languages[0].kinds[3])`, `range "1-" is malformed; want LO-HI in decimal, as "50050-50199", or one port`, ErrInvalidSpec},
		{`kind "a/o" (languages[0].kinds[4])`, "range 999999999999999999999-5 is inverted: its low end is above its high end", ErrInvalidSpec},
		{`kind "a/p" (languages[0].kinds[5])`, "range 9999999999999-10000000000000 goes beyond port 65535", ErrInvalidSpec},
		{`kind "b/k" (languages[1].kinds[0])`, "range 60000-60012 holds 13 ports, not a multiple of the 10 slots of a pod (1 pod and 3 ports left over)", ErrInvalidSpec},
		{`kind "b/k" (languages[1].kinds[0])`, `range 60000-60012 is not inside the range of language "b", 60000-60009: ports 60010-60012 are outside`, ErrOverlap},
		{`service "s" (services[0])`, "port 70000 is beyond 65535", ErrInvalidSpec},
		{`service "s" (services[0])`, "node port -5 is negative", ErrInvalidSpec},
		{`service "t" (services[1])`, "port 0 is not a fixed port; give the service its port", ErrInvalidSpec},
		{`service "u" (services[2])`, "port 1e20 is beyond 65535", ErrInvalidSpec},
		{`service "u" (services[2])`, "node port 99999999999999999999 is beyond 65535", ErrInvalidSpec},
		{`service "v" (services[3])`, `port "80" is not a number`, ErrInvalidSpec},
		{`service "w" (services[4])`, "port 80.5 is not written as a whole number; write the port in digits alone", ErrInvalidSpec},
		{`service "x" (services[5])`, "port 1e309 is beyond 65535", ErrInvalidSpec},
		{`service "x" (services[5])`, "node port -1e309 is negative", ErrInvalidSpec},
		{`service "y" (services[6])`, "port 8.1e3 is not written as a whole number; write the port in digits alone", ErrInvalidSpec},
		{`service "z" (services[7])`, "port 80.000000000000001 is not written as a whole number; write the port in digits alone", ErrInvalidSpec},
	}
	if diff := cmp.Diff(want, problemsOf(t, err), errEq); diff != "" {
		t.Errorf("ParseJSON: problems (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(err.Error(), "portscheme: 24 problems:\n\t") {
		t.Errorf("ParseJSON: error text begins %q", err.Error()[:40])
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var cfg struct {
		Scheme Scheme `json:"scheme"`
		Other  int    `json:"other"`
	}
	def, _ := json.Marshal(Default())
	if err := json.Unmarshal([]byte(`{"scheme": `+string(def)+`, "other": 1}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.Scheme.Equal(Default()) {
		t.Error("Unmarshal into a field: scheme differs from Default()")
	}
	// null leaves the scheme as it was.
	if err := json.Unmarshal([]byte(`{"scheme": null}`), &cfg); err != nil || !cfg.Scheme.Equal(Default()) {
		t.Errorf("Unmarshal(null) = %v; scheme kept: %v", err, cfg.Scheme.Equal(Default()))
	}
	// A bad scheme is an error, and the old scheme is kept.
	err := json.Unmarshal([]byte(`{"scheme": {"slots": 0}}`), &cfg)
	if !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("Unmarshal(bad scheme) error = %v, want ErrInvalidSpec", err)
	}
	if !cfg.Scheme.Equal(Default()) {
		t.Error("Unmarshal(bad scheme) changed the scheme")
	}
}
