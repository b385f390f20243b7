package manifest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// decodeAll decodes every document of a YAML stream with one decoder, as a
// stream is read whole: the root of each and its line, or an error.
func decodeAll(r io.Reader, off int) (lines []int, kinds []yaml.Kind, err error) {
	dec := yaml.NewDecoder(r)
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return lines, kinds, nil
		}
		if err != nil {
			return lines, kinds, err
		}
		line, kind := 0, yaml.Kind(0)
		if len(n.Content) == 1 {
			line, kind = n.Content[0].Line+off, n.Content[0].Kind
		}
		lines, kinds = append(lines, line), append(kinds, kind)
	}
}

// directiveAfterContent reports whether a directive line ("%YAML") of
// piece follows content with no "..." between: a piece the splitter keeps
// whole, as kubectl does, since it cannot tell a directive from a line of
// a scalar there.
func directiveAfterContent(piece []byte) bool {
	content := false
	for _, line := range bytes.SplitAfter(piece, []byte("\n")) {
		switch {
		case kubeMarker(line, "---"):
			content = content || !kubeBlankOrComment(line[3:])
		case kubeMarker(line, "..."):
			content = false
		case len(line) > 0 && line[0] == '%':
			if content {
				return true
			}
		case !kubeBlankOrComment(line):
			content = true
		}
	}
	return false
}

// FuzzKubeSplitter checks the cutting of a stream into documents against
// the parser reading the stream whole: the pieces put together are the
// input, each piece starts on the line it says, and when the parser reads
// the whole stream, the pieces give the same documents, with their roots
// on the same lines, unless a document names an anchor of another (which
// YAML and the API server refuse, and the pieces then do) or a directive
// follows content in one piece.
func FuzzKubeSplitter(f *testing.F) {
	for _, s := range []string{
		cacheAlone, cacheInAll,
		"a: 1\n---\nb: 2\n",
		"# header\n---\n---\na: 1\n",
		"%YAML 1.1\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n",
		"a: 1\n...\nb: 2\n",
		"--- |\n  text\n---\n--- {a: 1}\n",
		"a: &x 1\n---\nb: *x\n",
		"a: \"x\n---\ny\"\n",
		"---\r\na: 1\r\n---\r\n",
		"- a\n---- b\n--- # c\n",
		"---\n---\n%YAML 1.1\n---\n",
		"---\n--- a\n%YAML 1.1\n",
		"---\na: 1\n%YAML 1.1\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newKubeSplitter(bytes.NewReader(data))
		var all []byte
		var lines []int
		var kinds []yaml.Kind
		var pieceErr error
		var failed []byte
		for {
			piece, first, err := s.next()
			if err != nil {
				t.Fatalf("next: %v", err)
			}
			if piece == nil {
				break
			}
			if want := yamlBreaks(all) + 1; first != want {
				t.Fatalf("piece %q starts on line %d, want %d", piece, first, want)
			}
			all = append(all, piece...)
			if pieceErr == nil {
				l, k, err := decodeAll(bytes.NewReader(piece), first-1)
				lines, kinds = append(lines, l...), append(kinds, k...)
				pieceErr, failed = err, bytes.Clone(piece)
			}
		}
		if !bytes.Equal(all, data) {
			t.Fatalf("pieces put together are %q, want %q", all, data)
		}
		wantLines, wantKinds, err := decodeAll(bytes.NewReader(data), 0)
		if err != nil {
			return
		}
		if pieceErr != nil {
			if !strings.Contains(pieceErr.Error(), "unknown anchor") && !directiveAfterContent(failed) {
				t.Fatalf("the stream reads whole, but piece %q fails: %v", failed, pieceErr)
			}
			return
		}
		if len(lines) != len(wantLines) {
			t.Fatalf("pieces give %d documents, the stream %d", len(lines), len(wantLines))
		}
		for i := range lines {
			if lines[i] != wantLines[i] || kinds[i] != wantKinds[i] {
				t.Fatalf("document %d: root on line %d (kind %v), want %d (%v)", i, lines[i], kinds[i], wantLines[i], wantKinds[i])
			}
		}
	})
}
