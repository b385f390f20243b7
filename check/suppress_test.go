package check

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
)

func TestScanSuppressions(t *testing.T) {
	in := `services:
  a:
    ports:
      # ports:ignore collision -- a and b never run together
      - "8080:80"
      - "5432:5432" #ports:ignore exposed-database, registry-exposure -- demo only
    image: "x#y" # a hash in a string, and no marker
`
	got, err := ScanSuppressions("c.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Suppression{
		{File: "c.yaml", Line: 4, Target: 5, Rules: []string{"collision"}, Reason: "a and b never run together"},
		{File: "c.yaml", Line: 6, Target: 6, Rules: []string{"exposed-database", "registry-exposure"}, Reason: "demo only"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ScanSuppressions (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ in, want string }{
		{"x: 1 # ports:ignore collision\n", "c.yaml:1: ports:ignore: give a reason"},
		{"x: 1 # ports:ignore collision --   \n", "c.yaml:1: ports:ignore: give a reason"},
		{"\n# ports:ignore colision -- typo\n", `c.yaml:2: ports:ignore: no rule "colision"`},
		{"# ports:ignore -- no rule\n", "c.yaml:1: ports:ignore: name the rules"},
		{"# ports:ignore collision, -- trailing comma\n", "c.yaml:1: ports:ignore: name the rules"},
		{"# ports:ignorecollision -- glued\n", "c.yaml:1: ports:ignore: want a space"},
	} {
		_, err := ScanSuppressions("c.yaml", []byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ScanSuppressions(%q) = %v, want an error starting %q", tt.in, err, tt.want)
		}
	}
}

func TestSuppress(t *testing.T) {
	decl := func(file string, line int, owner string) manifest.Declaration {
		return manifest.Declaration{Service: owner, Endpoint: ports.MustParseEndpoint("8080/tcp"), Source: manifest.Source{File: file, Line: line, Column: 9}}
	}
	collision := Finding{Rule: "collision", Severity: Error, Members: []Member{{Declaration: decl("a.yaml", 5, "a")}, {Declaration: decl("b.yaml", 9, "b")}}}
	exposed := Finding{Rule: "exposed-database", Severity: Warning, Members: []Member{{Declaration: decl("a.yaml", 7, "db")}}}
	rep := &Report{Findings: []Finding{collision, exposed}}
	sups := []Suppression{
		{File: "b.yaml", Line: 8, Target: 9, Rules: []string{"collision"}, Reason: "r1"},         // the second member's line
		{File: "a.yaml", Line: 7, Target: 7, Rules: []string{"collision"}, Reason: "wrong rule"}, // unused
		{File: "a.yaml", Line: 1, Target: 2, Rules: []string{"exposed-database"}, Reason: "r3"},  // wrong line: unused
	}
	got := rep.Suppress(sups, Options{})
	if len(got) != 1 || got[0].Finding.Rule != "collision" || got[0].By.Reason != "r1" {
		t.Errorf("suppressed %+v, want the collision by r1", got)
	}
	if rep.Failed() {
		t.Errorf("the report fails with its one error suppressed")
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule+"@"+f.Members[0].Declaration.Source.String())
	}
	want := []string{"exposed-database@a.yaml:7:9", "unused-suppression@a.yaml:7", "unused-suppression@a.yaml:1"}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("findings after Suppress (-want +got):\n%s", diff)
	}

	// Off turns the unused-suppression rule off.
	rep = &Report{}
	rep.Suppress(sups[1:2], Options{Severities: map[string]Severity{"unused-suppression": Off}})
	if len(rep.Findings) != 0 {
		t.Errorf("unused-suppression off still reports %v", rep.Findings)
	}
}

// FuzzScanSuppressions checks that no input panics and that every
// suppression found names rules that exist, a reason, and its target at
// its line or the next.
func FuzzScanSuppressions(f *testing.F) {
	f.Add("x: 1 # ports:ignore collision -- why\n")                 // trailing
	f.Add("# ports:ignore collision,ephemeral -- why\nx: 1\n")      // above
	f.Add("a: '#' # ports:ignore privileged -- after a quoted #\n") // two hashes
	f.Add("# ports:ignore\n")                                       // bare
	f.Fuzz(func(t *testing.T, in string) {
		sups, err := ScanSuppressions("f.yaml", []byte(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Errorf("error %q does not name the file and line", err)
			}
			return
		}
		for _, s := range sups {
			if s.Reason == "" || len(s.Rules) == 0 || (s.Target != s.Line && s.Target != s.Line+1) {
				t.Errorf("suppression %+v", s)
			}
			for _, id := range s.Rules {
				if _, ok := RuleByID(id); !ok {
					t.Errorf("rule %q", id)
				}
			}
		}
	})
}
