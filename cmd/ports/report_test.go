package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portalloc/ports/check"
)

const (
	hopCompose = "../../examples/platforms/hopwhistle/docker-compose.yml"
	hopReg     = "../../examples/platforms/hopwhistle/ports.yaml"
	fixture    = "testdata/check/report/"
	kinds      = "testdata/check/suppress/kinds/"
)

// fixtureArgs checks the fixture of many rules, rootless so that the
// privileged rule applies.
var fixtureArgs = []string{"--rootless", fixture + "compose.yaml", fixture + "k8s.yaml", fixture + "k8s-copy.yaml", fixture + "ports.yaml"}

func TestCheckFormats(t *testing.T) {
	var tests []golden
	for _, f := range reportFormats[1:] {
		tests = append(tests,
			golden{"check-hopwhistle-" + f, []string{"check", "--profile", "*", "--format", f, hopCompose, hopReg}, exitFindings},
			golden{"check-rules-" + f, append([]string{"check", "--format", f}, fixtureArgs...), exitFindings},
		)
	}
	tests = append(tests,
		golden{"check-rules-text", append([]string{"check"}, fixtureArgs...), exitFindings},
		golden{"check-alpr-sarif", []string{"check", "--format", "sarif", "../../examples/platforms/alpr/docker-compose.yml"}, exitOK},
		golden{"check-format-twice-stdout", []string{"check", "--format", "json", "--format", "sarif", hopCompose}, exitUsage},
		golden{"check-output-first", []string{"check", "--output", "x.sarif", "--format", "sarif", hopCompose}, exitUsage},
		golden{"check-output-twice", []string{"check", "--format", "sarif", "--output", "a", "--output", "b", hopCompose}, exitUsage},
		golden{"check-output-same-file", []string{"check", "--format", "sarif", "--output", "a", "--format", "json", "--output", "./a", hopCompose}, exitUsage},
		golden{"check-suppress", []string{"check", "testdata/check/suppress/compose.yaml"}, exitOK},
		golden{"check-suppress-show", []string{"check", "--show-suppressed", "testdata/check/suppress/compose.yaml"}, exitOK},
		golden{"check-suppress-json", []string{"check", "--format", "json", "testdata/check/suppress/compose.yaml"}, exitOK},
		golden{"check-suppress-sarif", []string{"check", "--format", "sarif", "testdata/check/suppress/compose.yaml"}, exitOK},
		golden{"check-suppress-bad", []string{"check", "testdata/check/suppress/bad.yaml"}, exitUsage},
		golden{"check-suppress-kinds", []string{"check", "--show-suppressed", kinds + "k8s.yaml", kinds + "ports.yaml"}, exitOK},
		golden{"check-suppress-kinds-json", []string{"check", "--format", "json", kinds + "k8s.yaml", kinds + "ports.yaml"}, exitOK},
		golden{"check-suppress-kinds-sarif", []string{"check", "--format", "sarif", kinds + "k8s.yaml", kinds + "ports.yaml"}, exitOK},
		golden{"check-suppress-bad-annotation", []string{"check", kinds + "bad-annotation.yaml"}, exitUsage},
		golden{"check-suppress-bad-accepted", []string{"check", kinds + "bad-accepted.yaml"}, exitUsage},
		golden{"check-suppress-accepted-only", []string{"check", "--profile", "*", "--show-suppressed", "testdata/check/suppress/accepted-only/compose.yaml", "testdata/check/suppress/accepted-only/ports.yaml"}, exitOK},
		golden{"check-list-rules", []string{"check", "--list-rules"}, exitOK},
		golden{"check-list-rules-config", []string{"check", "--list-rules", "--config", "testdata/check/config/severities.yaml"}, exitOK},
		golden{"check-config-severities", []string{"check", "--profile", "*", "--config", "testdata/check/config/severities.yaml", hopCompose}, exitFindings},
		golden{"check-config-os-flag-wins", []string{"check", "--config", "testdata/check/config/severities.yaml", "--os", "linux", "--format", "json", fixture + "compose.yaml"}, exitOK},
		golden{"check-config-bad-rule", []string{"check", "--config", "testdata/check/config/bad-rule.yaml", hopCompose}, exitUsage},
		golden{"check-config-missing", []string{"check", "--config", "testdata/check/config/none.yaml", hopCompose}, exitUsage},
		golden{"check-config-directory", []string{"check", "--config", "testdata/check/config", hopCompose}, exitUsage},
		golden{"check-config-skip", append([]string{"check", "--config", fixture + "skip.yaml"}, fixtureArgs[1:]...), exitFindings},
		golden{"check-bad-flag", []string{"check", "--colour", hopCompose}, exitUsage},
		golden{"check-flag-no-value", []string{"check", hopCompose, "--format"}, exitUsage},
		golden{"help-topic-collisions", []string{"help", "collisions"}, exitOK},
		golden{"help-topic-check-config", []string{"help", "check-config"}, exitOK},
		golden{"help-topic-inputs", []string{"help", "inputs"}, exitOK},
		golden{"help-topic-fix", []string{"help", "fix"}, exitOK},
		golden{"help-topic-suppressions", []string{"help", "suppressions"}, exitOK},
		golden{"check-output-input", []string{"check", "--format", "sarif", "--output", hopCompose, hopCompose}, exitUsage},
	)
	runGolden(t, tests)
}

// run runs the command and returns its standard output and exit status.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := testApp(&stdout, &stderr).main(args)
	if code == exitUsage {
		t.Fatalf("ports %s: exit status 2: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String(), code
}

// compile compiles the JSON Schema in file, with format assertions on.
func compile(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///" + filepath.Base(file)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s does not compile: %v", file, err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, name, doc string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v", name, err)
	}
}

// TestSARIFSchema validates the SARIF report against the OASIS schema, on
// the examples and the fixture of many rules, and checks that each
// result's ruleIndex points at its rule.
func TestSARIFSchema(t *testing.T) {
	sch := compile(t, "testdata/sarif-schema-2.1.0.json")
	for _, args := range [][]string{
		{hopCompose, hopReg},
		{"../../examples/platforms/alpr/docker-compose.yml", "../../examples/platforms/alpr/ports.yaml"},
		{"../../examples/platforms/pms/k8s/backend.yaml", "../../examples/platforms/pms/k8s/frontend.yaml"},
		fixtureArgs,
		{"testdata/check/unresolved.yml"},
		{"testdata/check/suppress/compose.yaml"},
		{kinds + "k8s.yaml", kinds + "ports.yaml"},
	} {
		out, _ := run(t, append([]string{"check", "--format", "sarif"}, args...)...)
		validate(t, sch, strings.Join(args, " "), out)
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		rules := log.Runs[0].Tool.Driver.Rules
		if len(rules) != len(check.Rules()) {
			t.Errorf("%d rules in tool.driver.rules, want %d", len(rules), len(check.Rules()))
		}
		for _, r := range log.Runs[0].Results {
			if rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("result of %s has ruleIndex %d, which is %s", r.RuleID, r.RuleIndex, rules[r.RuleIndex].ID)
			}
		}
	}
}

// TestJSONSchema validates every JSON report among the golden files
// against the report's schema, and a report of every rule.
func TestJSONSchema(t *testing.T) {
	sch := compile(t, "schema/check-report.schema.json")
	files, err := filepath.Glob("testdata/golden/check-*json.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("only %d JSON golden files: %v", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, _ := strings.Cut(string(b), "--- stderr\n")
		validate(t, sch, f, doc)
	}
	out, _ := run(t, append([]string{"check", "--format", "json"}, fixtureArgs...)...)
	validate(t, sch, "the fixture of many rules", out)
}

// TestJSONSchemaRejects checks that the schema tells a wrong report apart.
func TestJSONSchemaRejects(t *testing.T) {
	sch := compile(t, "schema/check-report.schema.json")
	out, _ := run(t, append([]string{"check", "--format", "json"}, fixtureArgs...)...)
	for _, bad := range []struct{ from, to string }{
		{`"version": 1`, `"version": 2`},
		{`"severity": "warning"`, `"severity": "fatal"`},
		{`"ports": "8080"`, `"ports": "http"`},
		{`"declarations": `, `"declared": `},
	} {
		if !strings.Contains(out, bad.from) {
			t.Fatalf("the report has no %s", bad.from)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(out, bad.from, bad.to, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("the schema takes a report with %s for %s", bad.to, bad.from)
		}
	}
}

// TestSARIFFingerprints checks that a finding keeps its fingerprint when
// the lines of its file move, and that distinct findings have distinct
// ones.
func TestSARIFFingerprints(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(fixture + "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fps := func(content string) (map[string]string, map[string]int) {
		t.Helper()
		name := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		wd, _ := os.Getwd()
		t.Chdir(dir)
		out, _ := run(t, "check", "--rootless", "--format", "sarif", "compose.yaml")
		t.Chdir(wd)
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		byFP, lines := map[string]string{}, map[string]int{}
		for _, r := range log.Runs[0].Results {
			fp := r.PartialFingerprints[sarifFingerprintKey]
			if _, dup := byFP[fp]; dup {
				t.Errorf("two results share the fingerprint %s", fp)
			}
			byFP[fp] = r.RuleID
			lines[fp] = r.Locations[0].PhysicalLocation.Region.StartLine
		}
		return byFP, lines
	}
	before, linesBefore := fps(string(src))
	after, linesAfter := fps("# three lines\n# more\n# above\n" + string(src))
	if len(before) < 5 {
		t.Fatalf("only %d results", len(before))
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("fingerprints changed when the lines moved (-before +after):\n%s", diff)
	}
	for fp, l := range linesBefore {
		if linesAfter[fp] != l+3 {
			t.Errorf("%s: line %d, then %d; want it 3 lines down", before[fp], l, linesAfter[fp])
		}
	}
}

// TestJUnitParses reads the JUnit report back with encoding/xml: a case
// for each rule and file, failing where an error was found.
func TestJUnitParses(t *testing.T) {
	out, code := run(t, append([]string{"check", "--format", "junit"}, fixtureArgs...)...)
	if code != exitFindings {
		t.Errorf("exit status %d, want 1", code)
	}
	var got struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("the JUnit report does not parse: %v\n%s", err, out)
	}
	nRules := len(check.Rules())
	if len(got.Suites) != 4 || got.Tests != 4*nRules {
		t.Errorf("%d suites, %d tests; want 4 and %d", len(got.Suites), got.Tests, 4*nRules)
	}
	failed := map[string]string{}
	warned := map[string]string{}
	for _, s := range got.Suites {
		if len(s.Cases) != nRules || s.Tests != nRules {
			t.Errorf("suite %s: %d cases, tests=%d; want %d", s.Name, len(s.Cases), s.Tests, nRules)
		}
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("case %s of %s has class %s", c.Name, s.Name, c.Classname)
			}
			if c.Failure != nil {
				failed[filepath.Base(s.Name)+" "+c.Name] = c.Failure.Text
			}
			if c.SystemOut != "" {
				warned[filepath.Base(s.Name)+" "+c.Name] = c.SystemOut
			}
		}
	}
	if got.Failures != len(failed) {
		t.Errorf("failures=%d, but %d cases fail", got.Failures, len(failed))
	}
	var keys []string
	for k := range failed {
		keys = append(keys, k)
	}
	want := []string{"compose.yaml collision", "compose.yaml network-mode-ports", "k8s.yaml nodeport-range"}
	slices.Sort(keys)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("failing cases (-want +got):\n%s", diff)
	}
	if !strings.Contains(failed["compose.yaml collision"], "report/web, report/admin and shop/gateway") {
		t.Errorf("the collision's failure does not name its members: %q", failed["compose.yaml collision"])
	}
	if !strings.Contains(warned["compose.yaml exposed-database"], "PostgreSQL") {
		t.Errorf("the exposed database is not in its case's output: %v", warned)
	}
}

// TestCheckOutputFiles writes two reports to files and the text report to
// standard output.
func TestCheckOutputFiles(t *testing.T) {
	dir := t.TempDir()
	sarif, junit := filepath.Join(dir, "ports.sarif"), filepath.Join(dir, "junit.xml")
	out, code := run(t, append([]string{"check", "--format", "sarif", "--output", sarif, "--format", "junit", "--output", junit}, fixtureArgs...)...)
	if code != exitFindings {
		t.Errorf("exit status %d, want 1", code)
	}
	text, _ := run(t, append([]string{"check"}, fixtureArgs...)...)
	if out != text {
		t.Errorf("standard output is not the text report:\n%s", out)
	}
	for file, format := range map[string]string{sarif: "sarif", junit: "junit"} {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := run(t, append([]string{"check", "--format", format}, fixtureArgs...)...)
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", file, diff)
		}
	}

	// "--output -" is standard output: the text report is then not written.
	out, _ = run(t, "check", "--format", "github", "--output", "-", fixture+"compose.yaml")
	if !strings.HasPrefix(out, "::error ") {
		t.Errorf("--output - wrote %q", out)
	}

	// A file that cannot be written is an error, after the others.
	var stdout, stderr bytes.Buffer
	code = testApp(&stdout, &stderr).main([]string{"check", "--format", "json", "--output", filepath.Join(dir, "no", "such", "dir.json"), fixture + "compose.yaml"})
	if code != exitUsage || !strings.Contains(stderr.String(), "no such file or directory") || !strings.Contains(stdout.String(), "1 collision") {
		t.Errorf("an unwritable --output: exit status %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestGitHubEscaping(t *testing.T) {
	for _, tt := range []struct{ in, data, prop string }{
		{"a%b", "a%25b", "a%25b"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"f:1,2", "f:1,2", "f%3A1%2C2"},
		{"100%0A", "100%250A", "100%250A"},
	} {
		if got := githubData.Replace(tt.in); got != tt.data {
			t.Errorf("data %q = %q, want %q", tt.in, got, tt.data)
		}
		if got := githubProperty.Replace(tt.in); got != tt.prop {
			t.Errorf("property %q = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

// TestReportsEscapeControls checks that a name with terminal controls
// reaches no text report as it is.
func TestReportsEscapeControls(t *testing.T) {
	dir := t.TempDir()
	manifest := "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"evil\\e[2J\\rforged\"\n  namespace: shop\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 8080\n"
	name := filepath.Join(dir, "svc.yaml")
	if err := os.WriteFile(name, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range reportFormats {
		out, _ := run(t, "check", "--format", f, name)
		if !strings.Contains(out, "evil") {
			t.Fatalf("--format %s does not name the service:\n%s", f, out)
		}
		if strings.ContainsAny(out, "\x1b\r") {
			t.Errorf("--format %s writes a control character:\n%q", f, out)
		}
	}
}
