package check

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
)

func TestParseConfig(t *testing.T) {
	const good = `# the team's settings
rules:
  privileged: off
  ephemeral: error
nodeport-range: 20000-22767
os: freebsd
rootless: true
skip:
  - legacy/
  - "*.generated.yaml"
`
	got, err := ParseConfig(".ports-check.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Severities:    map[string]Severity{"privileged": Off, "ephemeral": Error},
		NodePortRange: ports.MustParseRange("20000-22767"),
		OS:            "freebsd",
		Rootless:      true, RootlessSet: true,
		Skip: []string{"legacy/", "*.generated.yaml"},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b ports.Range) bool { return a == b })); diff != "" {
		t.Errorf("ParseConfig (-want +got):\n%s", diff)
	}
	for _, empty := range []string{"", "# nothing\n", "---\n", "~\n"} {
		if c, err := ParseConfig("c.yaml", []byte(empty)); err != nil || len(c.Severities) != 0 || c.RootlessSet {
			t.Errorf("ParseConfig(%q) = %+v, %v; want the zero Config", empty, c, err)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"rules:\n  colision: off\n", `c.yaml:2: no rule "colision"; the rules are collision,`},
		{"rules:\n  privileged: loud\n", `c.yaml:2: rule privileged: "loud" is not a severity`},
		{"rules:\n  privileged: [off]\n", `c.yaml:2: rule privileged: "" is not a severity`},
		{"rules: off\n", `c.yaml:1: rules: want a mapping`},
		{"rules:\n  ephemeral: off\n  ephemeral: error\n", `c.yaml:3: rule "ephemeral" given twice`},
		{"nodeport-range: 32767-30000\n", `c.yaml:1: nodeport-range: "32767-30000" is not a range`},
		{"os: plan9\n", `c.yaml:1: os: "plan9"; want linux`},
		{"rootless: yes\n", `c.yaml:1: rootless: "yes"; want true or false`},
		{"skip: legacy\n", `c.yaml:1: skip: want a list`},
		{"skip:\n  - \"[\"\n", `c.yaml:2: skip: "[" is not a pattern`},
		{"\nports:\n  - 80\n", `c.yaml:2: unknown key "ports"; want rules,`},
		{"os: linux\nos: darwin\n", `c.yaml:2: "os" given twice`},
		{"- a\n", `c.yaml:1: want a mapping`},
		{"rules: {\n", `c.yaml: `},
		{strings.Repeat("#", maxConfig+1), `c.yaml: larger than`},
	} {
		_, err := ParseConfig("c.yaml", []byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q) = %v, want an error starting %q", tt.in, err, tt.want)
		}
	}
}

func TestConfigSkips(t *testing.T) {
	c := Config{Skip: []string{"legacy/", "*.generated.yaml", "deploy/old/*.yaml", "./vendor"}}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"legacy/compose.yaml", true},
		{"apps/legacy/compose.yaml", true}, // no slash: any element
		{"legacy", true},
		{"legacyx/compose.yaml", false},
		{"k8s/app.generated.yaml", true},
		{"deploy/old/a.yaml", true},
		{"deploy/old/a.yml", false},
		{"x/deploy/old/a.yaml", false}, // with a slash: from the top
		{"vendor/a.yaml", true},
		{"compose.yaml", false},
		{"../legacy/compose.yaml", false},
		{"./legacy/a.yaml", true},
	} {
		if got := c.Skips(tt.path); got != tt.want {
			t.Errorf("Skips(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// FuzzParseConfig checks that no input panics and that a parsed config
// names only rules that exist and severities that are.
func FuzzParseConfig(f *testing.F) {
	f.Add("rules:\n  privileged: off\nos: linux\n")          // the usual
	f.Add("skip:\n  - \"[\"\n")                              // a bad pattern
	f.Add("rules: {collision: error, ephemeral: warning}\n") // flow style
	f.Add("nodeport-range: 1-65535\nrootless: false\n")      // bounds
	f.Add("&a rules: *a\n")                                  // an alias
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseConfig("f.yaml", []byte(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for id, s := range c.Severities {
			if _, ok := RuleByID(id); !ok || s > Error {
				t.Errorf("parsed rule %q severity %v", id, s)
			}
		}
	})
}
