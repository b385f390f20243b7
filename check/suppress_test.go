package check

import (
	"slices"
	"strconv"
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
		return manifest.Declaration{Service: owner, Endpoint: ports.MustParseEndpoint("8080/tcp"), Pos: manifest.Position{File: file, Line: line, Column: 9}}
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
		rules = append(rules, f.Rule+"@"+f.Members[0].Declaration.Pos.String())
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

func TestAnnotationSuppressions(t *testing.T) {
	src := func(file string, line int) manifest.Position {
		return manifest.Position{File: file, Line: line, Column: 9}
	}
	decls := []manifest.Declaration{
		{Service: "web", Project: "shop", Object: "core/Service/shop/web", Ignore: "collision, exposed-admin-ui -- shared with the canary", IgnoreLine: 7, Pos: src("k.yaml", 12)},
		{Service: "web", Project: "shop", Object: "core/Service/shop/web", Ignore: "collision, exposed-admin-ui -- shared with the canary", IgnoreLine: 7, Pos: src("k.yaml", 14)},
		{Service: "db", Project: "shop", Ignore: "exposed-database", IgnoreLine: 30, Pos: src("k.yaml", 40)},
		{Service: "api", Project: "shop", Pos: src("k.yaml", 50)},
	}
	got, err := AnnotationSuppressions(decls)
	if err != nil {
		t.Fatal(err)
	}
	want := []Suppression{
		{Kind: Annotation, File: "k.yaml", Line: 7, Object: "core/Service/shop/web", Rules: []string{"collision", "exposed-admin-ui"}, Reason: "shared with the canary"},
		{Kind: Annotation, File: "k.yaml", Line: 30, Object: "shop/db", Rules: []string{"exposed-database"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AnnotationSuppressions (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ ignore, want string }{
		{"colision", `k.yaml:3: ports.portalloc.io/ignore: no rule "colision"`},
		{"", "k.yaml:3: ports.portalloc.io/ignore: name the rules"},
		{"-- only a reason", "k.yaml:3: ports.portalloc.io/ignore: name the rules"},
		{"collision,", "k.yaml:3: ports.portalloc.io/ignore: name the rules"},
	} {
		_, err := AnnotationSuppressions([]manifest.Declaration{{Ignore: tt.ignore, IgnoreLine: 3, Pos: src("k.yaml", 9)}})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("AnnotationSuppressions of %q = %v, want an error starting %q", tt.ignore, err, tt.want)
		}
	}
}

func TestRegistrySuppressions(t *testing.T) {
	reg, err := manifest.ParseRegistry("ports.yaml", []byte(`version: 1
ports: [{service: a, port: 80}]
accepted:
  - services: [a, b]
    reason: never together
  - services: [shop/a, c]
    rules: [collision, pool-start-order]
    reason: c waits for a
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := RegistrySuppressions(reg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Suppression{
		{Kind: Accepted, File: "ports.yaml", Line: 4, Services: []string{"a", "b"}, Rules: []string{"collision"}, Reason: "never together"},
		{Kind: Accepted, File: "ports.yaml", Line: 6, Services: []string{"shop/a", "c"}, Rules: []string{"collision", "pool-start-order"}, Reason: "c waits for a"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RegistrySuppressions (-want +got):\n%s", diff)
	}
	reg.Accepted[1].Rules = []string{"pool-order"}
	_, err = RegistrySuppressions(reg)
	if want := `ports.yaml:6: accepted[1].rules: no rule "pool-order"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("RegistrySuppressions with a rule that does not exist = %v, want an error starting %q", err, want)
	}
}

// TestSuppressKinds checks that an annotation and an accepted conflict
// each suppress exactly the findings they say, and that one that
// suppresses nothing is reported.
func TestSuppressKinds(t *testing.T) {
	decl := func(project, service string, line, ignoreLine int) manifest.Declaration {
		return manifest.Declaration{Project: project, Service: service, Endpoint: ports.MustParseEndpoint("8080/tcp"),
			IgnoreLine: ignoreLine, Pos: manifest.Position{File: "k.yaml", Line: line}}
	}
	finding := func(rule string, ds ...manifest.Declaration) Finding {
		f := Finding{Rule: rule, Severity: Error}
		for _, d := range ds {
			f.Members = append(f.Members, Member{Declaration: d})
		}
		return f
	}
	web := decl("shop", "web", 10, 4)       // annotated on line 4
	canary := decl("shop", "canary", 20, 0) // not annotated
	api := decl("shop", "api", 30, 0)
	other := decl("shop", "web", 40, 0) // another file's "web", not annotated
	other.Pos.File = "other.yaml"
	findings := []Finding{
		0: finding("collision", web, canary),        // the annotation: a member is web's
		1: finding("exposed-admin-ui", web),         // not a rule of the annotation
		2: finding("collision", canary, api),        // accepted: canary and api
		3: finding("collision", canary, api, other), // web is not in the accepted list
		4: finding("collision", api, api),           // one service alone: not a conflict between two
		5: finding("pool-start-order", canary, api), // not a rule of the accepted conflict
		6: finding("collision", other, canary),      // the annotation is on web in k.yaml, not other.yaml
	}
	rep := &Report{Findings: slices.Clone(findings)}
	sups := []Suppression{
		{Kind: Annotation, File: "k.yaml", Line: 4, Object: "core/Service/shop/web", Rules: []string{"collision"}},
		{Kind: Accepted, File: "ports.yaml", Line: 7, Services: []string{"canary", "shop/api"}, Rules: []string{"collision"}, Reason: "r"},
		{Kind: Annotation, File: "k.yaml", Line: 90, Object: "core/Pod/shop/x", Rules: []string{"collision"}},
		{Kind: Accepted, File: "ports.yaml", Line: 9, Services: []string{"x", "y"}, Rules: []string{"collision"}, Reason: "gone"},
	}
	// A finding is known by the lines of its members and its rule.
	key := func(f Finding) string {
		k := f.Rule
		for _, m := range f.Members {
			k += " " + m.Declaration.Pos.String()
		}
		return k
	}
	index := func(f Finding) string {
		return strconv.Itoa(slices.IndexFunc(findings, func(g Finding) bool { return key(f) == key(g) }))
	}
	type sup struct {
		Finding string
		By      Suppression
	}
	var got []sup
	for _, s := range rep.Suppress(sups, Options{}) {
		got = append(got, sup{index(s.Finding), s.By})
	}
	want := []sup{{"0", sups[0]}, {"2", sups[1]}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Suppress (-want +got):\n%s", diff)
	}
	var kept, unused []string
	for _, f := range rep.Findings {
		if f.Rule == "unused-suppression" {
			unused = append(unused, f.Message)
			continue
		}
		kept = append(kept, index(f))
	}
	if diff := cmp.Diff([]string{"1", "3", "4", "5", "6"}, kept); diff != "" {
		t.Errorf("findings kept (-want +got):\n%s", diff)
	}
	wantUnused := []string{
		"the annotation ports.portalloc.io/ignore: collision suppresses nothing of core/Pod/shop/x",
		"the accepted conflict of x, y (collision) matches no finding",
	}
	if diff := cmp.Diff(wantUnused, unused); diff != "" {
		t.Errorf("unused-suppression findings (-want +got):\n%s", diff)
	}
}

// FuzzAnnotationSuppressions checks that no annotation value panics, that
// an error names the file and the line, and that a suppression names
// rules that exist and a reason without spaces at its ends.
func FuzzAnnotationSuppressions(f *testing.F) {
	f.Add("collision,exposed-database -- shared with the canary")
	f.Add("collision")
	f.Add(" -- ")
	f.Add("collision -- a -- b")
	f.Fuzz(func(t *testing.T, v string) {
		sups, err := AnnotationSuppressions([]manifest.Declaration{{Ignore: v, IgnoreLine: 7, Pos: manifest.Position{File: "k.yaml", Line: 9}}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "k.yaml:7: ") {
				t.Errorf("error %q does not name the file and line", err)
			}
			return
		}
		if len(sups) != 1 {
			t.Fatalf("%d suppressions of one annotation", len(sups))
		}
		s := sups[0]
		if len(s.Rules) == 0 || s.Kind != Annotation || s.Reason != strings.TrimSpace(s.Reason) {
			t.Errorf("suppression %+v", s)
		}
		for _, id := range s.Rules {
			if _, ok := RuleByID(id); !ok {
				t.Errorf("rule %q", id)
			}
		}
	})
}
