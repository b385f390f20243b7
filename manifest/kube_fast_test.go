package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
	"pgregory.net/rapid"
)

// kubeTree is what a yaml.Node says, as a tree of values that cmp can
// compare.
type kubeTree struct {
	Kind                                  yaml.Kind
	Style                                 yaml.Style
	Tag, Value, Anchor                    string
	HeadComment, LineComment, FootComment string
	Line, Column                          int
	Alias                                 bool
	Content                               []kubeTree
}

func kubeTreeOf(n *yaml.Node) kubeTree {
	t := kubeTree{
		Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor,
		HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment,
		Line: n.Line, Column: n.Column, Alias: n.Alias != nil,
	}
	for _, c := range n.Content {
		t.Content = append(t.Content, kubeTreeOf(c))
	}
	return t
}

// checkKubeFast checks kubeFast on piece against yaml.Unmarshal: where it
// reads the document, the parser reads it too, to the same tree. It
// reports whether kubeFast read it.
func checkKubeFast(t interface{ Fatalf(string, ...any) }, p *kubeFast, piece []byte) bool {
	root, ok := p.parse(piece)
	if !ok {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal(piece, &n); err != nil {
		t.Fatalf("kubeFast read what yaml.Unmarshal refuses (%v):\n%s", err, piece)
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		t.Fatalf("kubeFast read a document where yaml.Unmarshal finds none:\n%s", piece)
	}
	if diff := cmp.Diff(kubeTreeOf(n.Content[0]), kubeTreeOf(root)); diff != "" {
		t.Fatalf("kubeFast's tree differs from yaml.Unmarshal's (-want +got):\n%s\nin:\n%s", diff, piece)
	}
	return true
}

// kubeFastSeeds are documents in the part of YAML kubeFast reads, and
// next to it.
var kubeFastSeeds = []string{
	"a: 1 # c1\nb:\n  c: x # c2\n  d:\n  - e: 1 # c3\n    f: 2\n  - g # c4\n  - {h: 1} # c5\n  - [i] # c6\nj: {k: v} # c7\n",
	"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - {port: 80, targetPort: http}\n",
	"a:\nb: 2\n", "a:\n  b:\n", "a:\n- x\n- y\nz: 1\n", "a: {}\nb: []\nc: {x: [1, 2], y: 'q'}\n",
	"a: \"x\"\nb: 'y'\n'c': 1\n\"d\": 2\n", "a: 0x50\nb: 0o17\nc: 1_000\nd: 1e3\ne: .5\nf: -.inf\ng: 08\nh: 100m\ni: 128Mi\nj: 2001-12-14\n",
	"a: +\nb: -09\nc: +01\nd: 09\ne: -0\nf: 0b\ng: 1e\nh: 0x1p3\ni: 0xFFFFFFFFFFFFFFFFF\nj: 1_2.5\nk: +1_0\n",
	"a: yes\nb: on\nc: ~\nd: null\ne: NULL\nf: True\ng: 1.2.3\nh: -1\ni: +1\nj: 9223372036854775808\nk: 18446744073709551616\n",
	"  a: 1\n  b: 2\n", "a: b: c\n", "a: b\n  c\n", "- a\n- b\n", "- a: 1\n  b: 2\n- c: 3\n", "-\n  a: 1\n", "- - a\n",
	"a: [x, {y: z}, \"w\"] # end\n", "a: [x,]\n", "a: {x}\n", "a: {x: }\n", "a: [x: y]\n", "a: [--listen=:8080]\n", "a: x#y\n",
	"a: 'it''s'\n", "a: \"tab\\t\"\n", "a: &x 1\nb: *x\n", "<<: {a: 1}\n", "a: !!str 1\n", "a: |\n  x\n", "a: x\n# foot\n",
	"# head\na: 1\n", "a: 1\n\n\nb: 2\n", "a:   \nb: 1\n", "a: 1   # spaced   \n", "a:b\n", "a :b\n", "a : b\n", "? a\n: b\n",
	"a: 1\n...\n", "--- a\n", "---\n---\na: 1\n", "a: 1", "a: [1,\n  2]\n", "a: 'x\n  y'\n", "\"a\":1\n", "a: -\n", "a: - b\n",
	"---\n# Source: x\napiVersion: v1\nkind: A\n", "---\n# Source: x\n\napiVersion: v1\n", "---\n\n# a\n# b\na: 1\n", "---\n# a\n\n# b\na: 1\n",
	"---\n# a\n- x\n", "---\n# a\n  a: 1\n", "---\n# a \na: 1\n", "---\n #a\na: 1\n", "# a\n---\na: 1\n", "---\n#\na: 1\n", "---\n# a\na: 1\n# b\n",
	"a: :x\n", "a: ?x\n", "a: x:\n", "a: [a#b]\n", "a: ['x' y]\n", "a: {'x' : y}\n", "a: {\"k\": v, 'l': [1, [2, {m: n}]]}\n",
}

// TestKubeFast checks kubeFast against yaml.Unmarshal on the seeds, on
// every document of the manifests of the tests, and on the benchmark's
// stream, which it must read (it is written in the part of YAML it reads).
func TestKubeFast(t *testing.T) {
	var p kubeFast
	for _, s := range kubeFastSeeds {
		checkKubeFast(t, &p, []byte(s))
	}
	var files []string
	for _, glob := range []string{"testdata/kubernetes/*/*.yaml", "testdata/kubernetes/*/*/*.yaml", "../cmd/ports/testdata/check/*/*.yaml", "../cmd/ports/testdata/check/*/*/*.yaml", "../cmd/ports/testdata/check/*/*/*/*.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found %d manifests to read, want 10 or more", len(files))
	}
	read := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, piece := range kubePieces(t, data) {
			if checkKubeFast(t, &p, piece) {
				read++
			}
		}
	}
	t.Logf("kubeFast read %d documents of %d files", read, len(files))
	// A document nested deeper than the reader reads is left to the
	// parser.
	var deep strings.Builder
	for i := range 600 {
		fmt.Fprintf(&deep, "%sa:\n", strings.Repeat(" ", i))
	}
	deep.WriteString(strings.Repeat(" ", 600) + "b: 1\n")
	if _, ok := p.parse([]byte(deep.String())); ok {
		t.Errorf("kubeFast read a document nested 600 levels deep")
	}
	for i, piece := range kubePieces(t, []byte(kubeStream(20))) {
		if !checkKubeFast(t, &p, piece) {
			t.Errorf("kubeFast does not read document %d of the benchmark's stream:\n%s", i, piece)
		}
	}
	// The same as helm template writes it.
	helm := strings.ReplaceAll(kubeStream(20), "---\n", "---\n# Source: shop/templates/app.yaml\n")
	for i, piece := range kubePieces(t, []byte(helm)) {
		if !checkKubeFast(t, &p, piece) {
			t.Errorf("kubeFast does not read document %d of the stream as Helm writes it:\n%s", i, piece)
		}
	}
}

// kubePieces cuts data as ReadKubernetes does.
func kubePieces(t testing.TB, data []byte) [][]byte {
	s := newKubeSplitter(bytes.NewReader(data))
	var out [][]byte
	for {
		piece, _, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if piece == nil {
			return out
		}
		out = append(out, bytes.Clone(piece))
	}
}

// TestKubeFastProperty checks kubeFast against yaml.Unmarshal on documents
// drawn from a grammar of the YAML manifests are written in, with the
// constructs it gives up on among them, and checks that it reads those
// drawn without them.
func TestKubeFastProperty(t *testing.T) {
	var p kubeFast
	rapid.Check(t, func(t *rapid.T) {
		var b strings.Builder
		plain := kubeFastDraw(t)
		b.WriteString("---\n")
		for range rapid.IntRange(0, 2).Draw(t, "comments") {
			b.WriteString(rapid.SampledFrom([]string{"# Source: chart/templates/service.yaml", "#", "# a: b", "#x"}).Draw(t, "comment") + "\n")
		}
		kubeFastMapping(t, &b, 0, 0, plain)
		if !checkKubeFast(t, &p, []byte(b.String())) && *plain {
			t.Fatalf("kubeFast does not read:\n%s", b.String())
		}
		// The document with a few bytes changed, which may make it
		// invalid, or valid in another way.
		doc := []byte(b.String())
		for range rapid.IntRange(1, 3).Draw(t, "changes") {
			at := rapid.IntRange(0, len(doc)-1).Draw(t, "at")
			c := rapid.SampledFrom([]byte(" \n-:#'\"{}[],&*ax0")).Draw(t, "byte")
			switch rapid.IntRange(0, 2).Draw(t, "change") {
			case 0:
				doc = append(doc[:at], append([]byte{c}, doc[at:]...)...)
			case 1:
				doc = append(doc[:at], doc[at+1:]...)
			default:
				doc[at] = c
			}
			if len(doc) == 0 {
				return
			}
		}
		checkKubeFast(t, &p, doc)
	})
}

// kubeFastDraw returns a flag that drawing clears when it writes
// something kubeFast gives up on.
func kubeFastDraw(*rapid.T) *bool { plain := true; return &plain }

var kubeFastScalars = []string{
	"x", "web", "nginx:1.25", "http://a.b/c", "80", "0x50", "-1", "1.5", "1e3", "100m", "true", "yes", "null", "~", "",
	"a b", "a#b", "'q'", "\"d\"", "'it''s'", "\"t\\tb\"", "2001-12-14", "*x", "&a v", "!!str 8", "|", "a: b", "- x", "[x]",
	"{k: v}", "[1, 'two', {three: 3}]", "{}", "[]", "08", ".inf", "0b11", "1_000", "a # note", "b #", "-x", "--flag",
	"+", "-0", "+01", "-09", "09", "0", "007", "1e", "0x", "0xZ", "-.5", "1.", "+.inf", "123456789012345678901", "-9223372036854775809",
	"0o8", "1__2", "3e-2", "12:30", "0.0.0.0", "10.0.0.1", "::1", "1Gi", "500M",
}

func kubeFastValue(t *rapid.T, plain *bool) string {
	s := rapid.SampledFrom(kubeFastScalars).Draw(t, "scalar")
	switch s {
	case "'it''s'", "\"t\\tb\"", "2001-12-14", "*x", "&a v", "!!str 8", "|", "a: b", "- x", "0b11", "b #", "0o8", "::1":
		*plain = false
	}
	return s
}

var kubeFastKeys = []string{"a", "name", "containerPort", "app.kubernetes.io/name", "'q'", "\"d\"", "80", "true", "a b", "x-y"}

func kubeFastMapping(t *rapid.T, b *strings.Builder, indent, depth int, plain *bool) {
	n := rapid.IntRange(1, 4).Draw(t, "keys")
	seen := map[string]bool{}
	for i := range n {
		k := rapid.SampledFrom(kubeFastKeys).Draw(t, "key")
		if seen[k] {
			continue
		}
		seen[k] = true
		if i > 0 {
			b.WriteString(strings.Repeat(" ", indent))
		}
		fmt.Fprintf(b, "%s:", k)
		kubeFastAfterKey(t, b, indent, depth, plain)
	}
}

func kubeFastAfterKey(t *rapid.T, b *strings.Builder, indent, depth int, plain *bool) {
	what := rapid.IntRange(0, 5).Draw(t, "value")
	if depth > 3 {
		what = 0
	}
	switch what {
	case 0, 1:
		v := kubeFastValue(t, plain)
		if v != "" {
			b.WriteString(" " + v)
		}
		b.WriteString("\n")
	case 2, 3: // a nested mapping
		in := indent + rapid.IntRange(1, 3).Draw(t, "indent")
		b.WriteString("\n" + strings.Repeat(" ", in))
		kubeFastMapping(t, b, in, depth+1, plain)
	default: // a list, in the key's column or further in
		in := indent + rapid.IntRange(0, 2).Draw(t, "indent")
		b.WriteString("\n")
		for range rapid.IntRange(1, 3).Draw(t, "entries") {
			b.WriteString(strings.Repeat(" ", in) + "- ")
			if rapid.Bool().Draw(t, "entry is a mapping") {
				kubeFastMapping(t, b, in+2, depth+1, plain)
			} else {
				v := kubeFastValue(t, plain)
				if v == "" {
					v = "x"
				}
				b.WriteString(v + "\n")
			}
		}
	}
}

// FuzzKubeFast checks kubeFast against yaml.Unmarshal on any bytes.
func FuzzKubeFast(f *testing.F) {
	for _, s := range kubeFastSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(kubeStream(2)))
	// Keys about YAML's limit of 1,024 characters, in bytes and runes.
	for _, n := range []int{simpleKeyMax, simpleKeyMax + 1} {
		for _, c := range []string{"z", "é"} {
			k := strings.Repeat(c, n)
			f.Add([]byte(k + ": 1\n"))
			f.Add([]byte("a: {" + k + ": 1}\n"))
			f.Add([]byte(`"` + k[len(c):] + `": 1` + "\n"))
		}
	}
	var p kubeFast
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		checkKubeFast(t, &p, data)
	})
}
