package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestDetectFormat(t *testing.T) {
	const (
		composeBody = "services:\n  web:\n    image: x\n"
		kubeBody    = "apiVersion: v1\nkind: Service\n"
		regBody     = "version: 1\nports: []\n"
	)
	tests := []struct {
		name, data string
		want       Format
		ok         bool
	}{
		{"compose.yaml", "", FormatCompose, true},
		{"dir/docker-compose.yml", "", FormatCompose, true},
		{"docker-compose.prod.yml", "", FormatCompose, true},
		{"compose.override.yaml", "", FormatCompose, true},
		{"Docker-Compose.YML", "", FormatCompose, true},
		{"ports.yaml", "", FormatRegistry, true},
		{"ports.yml", "", FormatRegistry, true},
		{"team.ports.yaml", "", FormatRegistry, true},
		{"stack.yaml", composeBody, FormatCompose, true},
		{"service.yaml", kubeBody, FormatKubernetes, true},
		{"deploy.json", `{"apiVersion": "apps/v1", "kind": "Deployment"}`, FormatKubernetes, true},
		{"all.yaml", "# first\n---\n" + kubeBody, FormatKubernetes, true},
		{"registry.yaml", regBody, FormatRegistry, true},
		{"compose.json", "", 0, false}, // a compose name, but not a YAML extension
		{"values.yaml", "replicas: 3\n", 0, false},
		{"services-list.yaml", "services: [a, b]\n", 0, false},
		{"broken.yaml", "a: [\n", 0, false},
		{"empty.yaml", "", 0, false},
	}
	for _, tt := range tests {
		got, ok := DetectFormat(tt.name, []byte(tt.data))
		if got != tt.want || ok != tt.ok {
			t.Errorf("DetectFormat(%q, %q) = %v, %v, want %v, %v", tt.name, tt.data, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLoadExamples(t *testing.T) {
	// One file of each format, read through Load's detection.
	tests := []struct {
		path  string
		kinds map[Kind]int
	}{
		{"../examples/platforms/alpr/docker-compose.yml", map[Kind]int{KindCompose: 13, KindComposeExpose: 3}},
		{"../examples/platforms/alpr/ports.yaml", map[Kind]int{KindRegistry: 17}},
		{"../examples/platforms/pms/k8s/frontend.yaml", map[Kind]int{KindContainerPort: 1, KindService: 2, KindNodePort: 1}},
	}
	for _, tt := range tests {
		ds, err := Load(tt.path)
		if err != nil {
			t.Fatalf("Load(%q): %v", tt.path, err)
		}
		got := map[Kind]int{}
		for _, d := range ds {
			got[d.Kind]++
		}
		if diff := cmp.Diff(tt.kinds, got); diff != "" {
			t.Errorf("Load(%q) kinds (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestLoadAllKeepsGoodFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ports.yaml")
	bad := filepath.Join(dir, "bad.ports.yaml")
	unknown := filepath.Join(dir, "values.yaml")
	write(t, good, "version: 1\nports:\n  - service: a\n    port: 80\n")
	write(t, bad, "version: 1\nports:\n  - service: b\n    port: 99999\n")
	write(t, unknown, "replicas: 3\n")
	missing := filepath.Join(dir, "missing.yaml")

	ds, err := LoadAll(good, bad, unknown, missing)
	if len(ds) != 1 || ds[0].Service != "a" {
		t.Errorf("LoadAll kept %v, want the one declaration of %s", strs(ds), good)
	}
	if err == nil {
		t.Fatal("LoadAll: no error for three bad files")
	}
	msg := err.Error()
	for _, want := range []string{
		bad + ":4:11: ports[0].port:",
		unknown + ": " + ErrUnknownFormat.Error(),
		missing + ": cannot read file",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("LoadAll error %q does not contain %q", msg, want)
		}
	}
	if !errors.Is(err, ErrUnknownFormat) {
		t.Error("LoadAll error is not ErrUnknownFormat for the unknown file")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("LoadAll error is not fs.ErrNotExist for the missing file")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Error("LoadAll error holds no *Error")
	}
}

func TestLoaderRead(t *testing.T) {
	l := Loader{Env: map[string]string{"PORT": "8181"}}
	ds, err := l.Read("testdata/demo/compose.yaml", strings.NewReader("services:\n  a:\n    image: a\n    ports: ['${PORT}:80']\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"testdata/demo/compose.yaml:4:13: demo/a 8181/tcp -> 80 (compose, host, public)"}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("Loader.Read (-want +got):\n%s", diff)
	}
	if _, err := l.Read("x.yaml", strings.NewReader("a: 1\n")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Loader.Read(unknown) = %v, want ErrUnknownFormat", err)
	}
	// A file whose format cannot be told because its YAML is wrong says
	// what is wrong with it.
	dup := "services:\n  a: {image: a}\n  a: {image: b}\n"
	if _, err := l.Read("x.yaml", strings.NewReader(dup)); err == nil || err.Error() != `manifest: x.yaml:3:3: key "a" is given twice in one mapping (first on line 2)` {
		t.Errorf("Loader.Read(a key twice) = %v", err)
	}
	if _, err := l.Read("x.yaml", iotestErrReader{}); err == nil || !strings.Contains(err.Error(), "x.yaml") {
		t.Errorf("Loader.Read(failing reader) = %v, want an error naming x.yaml", err)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestEnviron(t *testing.T) {
	t.Setenv("MANIFEST_TEST_PORT", "8282")
	env := Environ()
	if got := env["MANIFEST_TEST_PORT"]; got != "8282" {
		t.Errorf(`Environ()["MANIFEST_TEST_PORT"] = %q, want "8282"`, got)
	}
	// The zero Loader does not read the environment.
	ds, err := Loader{}.ReadCompose("testdata/demo/compose.yaml",
		strings.NewReader("services:\n  a:\n    image: a\n    ports: ['${MANIFEST_TEST_PORT:-80}:80']\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ds[0].Endpoint.String(); got != "80/tcp" {
		t.Errorf("zero Loader read the environment: endpoint %s, want 80/tcp", got)
	}
	ds, err = Loader{Env: Environ()}.ReadCompose("testdata/demo/compose.yaml",
		strings.NewReader("services:\n  a:\n    image: a\n    ports: ['${MANIFEST_TEST_PORT:-80}:80']\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ds[0].Endpoint.String(); got != "8282/tcp" {
		t.Errorf("Loader{Env: Environ()}: endpoint %s, want 8282/tcp", got)
	}
}

// TestUnsetVariablesInError checks that a compose file that fails to load
// names the variables that were not set and that it uses without a
// default, and no other.
func TestUnsetVariablesInError(t *testing.T) {
	src := `services:
  web:
    image: nginx
    ports:
      - "${WEB_PORT:-8080}:80"
      - "${OTHER_PORT-8081}:81"
      - "${API_PORT}:82"
      - "${ALT:+8083}:83"
      - "${ALT2:+8084}:84"
    environment:
      ALT2: $ALT2
    mem_limit: ${MEM}
`
	_, err := Loader{Env: map[string]string{}}.ReadCompose("compose.yaml", strings.NewReader(src))
	if err == nil {
		t.Fatal("ReadCompose: no error, want one for the empty mem_limit")
	}
	if got, want := err.Error(), "(variables not set: ALT2, API_PORT, MEM)"; !strings.HasSuffix(got, want) {
		t.Errorf("ReadCompose error = %q, want it to end %q", got, want)
	}
}

// TestUnsetVariablesOfExtendedFiles checks that a variable used without a
// default in an extended file is named, though the given file gives it one.
func TestUnsetVariablesOfExtendedFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "base.yaml"), "services:\n  base:\n    image: x\n    mem_limit: ${MEM}\n")
	main := filepath.Join(dir, "compose.yaml")
	write(t, main, "services:\n  web:\n    extends: {file: base.yaml, service: base}\n    ports: [\"8080:80\"]\n    environment:\n      A: ${MEM:-1g}\n")
	_, err := Loader{Env: map[string]string{}}.LoadCompose(main)
	if err == nil || !strings.HasSuffix(err.Error(), "(variables not set: MEM)") {
		t.Errorf("LoadCompose = %v, want an error ending (variables not set: MEM)", err)
	}
}

func TestDefaultedVars(t *testing.T) {
	files := []composeFile{
		{"a.yaml", []byte("x: ${A:-1} ${B} ${C:?need C} $D ${E-1} ${E:+2} ${FX} $GX ${H:-1}")},
		{"b.yaml", []byte("y: ${H?}")},
	}
	got := defaultedVars(files)
	for k, want := range map[string]bool{
		"A": true, "B": false, "C": false, "D": false, "E": true,
		"F": false, "G": false, "H": false, "Z": false,
	} {
		if got[k] != want {
			t.Errorf("defaultedVars(…)[%s] = %v, want %v", k, got[k], want)
		}
	}
}

// TestDefaultedVarsModel checks the one pass of defaultedVars against a
// scan of the files for each variable on its own.
func TestDefaultedVarsModel(t *testing.T) {
	pieces := []string{"$", "{", "}", ":", "-", "+", "?", "A", "AB", "B", "_1", " ", "\n", "x",
		"${A:-1}", "${A}", "$A ", "${AB-x}", "${B?}", "${B:+y}", "$$B", "${A_1:?}"}
	rapid.Check(t, func(t *rapid.T) {
		var files []composeFile
		for i := range rapid.IntRange(1, 3).Draw(t, "files") {
			var b strings.Builder
			for _, p := range rapid.SliceOfN(rapid.SampledFrom(pieces), 0, 40).Draw(t, fmt.Sprint("file", i)) {
				b.WriteString(p)
			}
			files = append(files, composeFile{fmt.Sprint(i, ".yaml"), []byte(b.String())})
		}
		got := defaultedVars(files)
		for _, k := range []string{"A", "AB", "B", "B_1", "A_1", "_1"} {
			if want := defaultedInOne(files, k); got[k] != want {
				t.Fatalf("defaultedVars(%q)[%s] = %v, want %v", files, k, got[k], want)
			}
		}
	})
}

// defaultedInOne is the model: it looks for k after every "$" of every
// file.
func defaultedInOne(files []composeFile, k string) bool {
	seen := false
	for _, f := range files {
		s := string(f.data)
		for {
			i := strings.IndexByte(s, '$')
			if i < 0 {
				break
			}
			s = s[i+1:]
			braced := strings.HasPrefix(s, "{")
			if braced {
				s = s[1:]
			}
			rest, ok := strings.CutPrefix(s, k)
			if !ok {
				continue
			}
			switch next := strings.TrimPrefix(rest, ":"); {
			case braced && (strings.HasPrefix(next, "-") || strings.HasPrefix(next, "+")):
				seen = true
			case braced && (rest == "" || strings.ContainsRune("}?:", rune(rest[0]))):
				return false
			case !braced && (rest == "" || !isVarChar(rest[0])):
				return false
			}
		}
	}
	return seen
}

// TestDetectFormatStopsEarly checks that the format is decided by the
// first document that says, without decoding the rest: a stream whose
// later documents are not even YAML is still Kubernetes.
func TestDetectFormatStopsEarly(t *testing.T) {
	data := "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n" + strings.Repeat("{[", 1000) + "\n"
	if f, ok := DetectFormat("stream.yaml", []byte(data)); !ok || f != FormatKubernetes {
		t.Errorf("DetectFormat = %v, %v; want kubernetes from the first document", f, ok)
	}
}

// BenchmarkDetectFormat detects the format of a stream of 10,000
// Kubernetes objects, which the first document decides.
func BenchmarkDetectFormat(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d}\nspec: {ports: [{port: 80}]}\n", i)
	}
	data := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		if f, ok := DetectFormat("stream.yaml", data); !ok || f != FormatKubernetes {
			b.Fatal(f, ok)
		}
	}
}
