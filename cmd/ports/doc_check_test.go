package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestDocCheck(t *testing.T) {
	dir := t.TempDir()
	const in = "testdata/check/unresolved.yml"
	ref := filepath.Join(dir, "PORTS.md")
	var stdout, stderr bytes.Buffer
	if code := testApp(&stdout, &stderr).main([]string{"doc", "-o", ref, in}); code != exitOK {
		t.Fatalf("ports doc -o: exit status %d: %s", code, stderr.String())
	}
	doc := func(args ...string) (string, string, int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := testApp(&stdout, &stderr).main(append([]string{"doc"}, args...))
		return stdout.String(), stderr.String(), code
	}

	// Clean: nothing printed, exit 0.
	if out, errs, code := doc("--check", ref, in); code != exitOK || out != "" || errs != "" {
		t.Errorf("--check of a current reference: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// Drifted: a row edited by hand and a line added.
	data, _ := os.ReadFile(ref)
	drifted := strings.Replace(string(data), "| 3000 |", "| 3001 |", 1) + "hand-written note\n"
	if drifted == string(data)+"hand-written note\n" {
		t.Fatalf("the reference has no 3000 to edit:\n%s", data)
	}
	if err := os.WriteFile(ref, []byte(drifted), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := doc("--title", "Port reference: unresolved", "--check", ref, in)
	if code != exitFindings {
		t.Errorf("--check of a drifted reference: exit status %d, want 1", code)
	}
	if !strings.HasPrefix(out, "--- "+ref+"\n+++ "+ref+" (ports doc now)\n@@ ") ||
		!strings.Contains(out, "\n-| ") || !strings.Contains(out, "\n+| ") || !strings.Contains(out, "\n-hand-written note\n") {
		t.Errorf("--check of a drifted reference printed:\n%s", out)
	}
	if want := "to update it, run: ports doc -o " + ref + " --title Port reference: unresolved " + in; !strings.Contains(errs, want) {
		t.Errorf("stderr %q does not say %q", errs, want)
	}
	if got := applyDiff(t, drifted, out); got != string(data) {
		t.Errorf("the diff applied to the drifted reference gives (-want +got):\n%s", cmp.Diff(string(data), got))
	}

	// Missing: the whole reference as added, exit 1.
	out, errs, code = doc("--check", filepath.Join(dir, "none.md"), in)
	if code != exitFindings || !strings.HasPrefix(out, "--- /dev/null\n") || !strings.Contains(errs, "does not exist") {
		t.Errorf("--check of a missing reference: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got := applyDiff(t, "", out); got != string(data) {
		t.Errorf("the diff from nothing gives (-want +got):\n%s", cmp.Diff(string(data), got))
	}

	// Not a file, and both -o and --check: usage errors.
	if _, errs, code := doc("--check", dir, in); code != exitUsage || !strings.Contains(errs, "not a regular file") {
		t.Errorf("--check of a directory: exit %d, stderr %q", code, errs)
	}
	if _, _, code := doc("--check", ref, "-o", ref, in); code != exitUsage {
		t.Errorf("--check with -o: exit %d, want 2", code)
	}
}

// applyDiff applies the unified diff d to a, checking each context and
// removed line against a, as patch does.
func applyDiff(t *testing.T, a, d string) string {
	t.Helper()
	src := splitLines(a)
	var out []string
	next := 0 // the next line of src not yet copied
	lines := splitLines(d)
	if len(lines) < 2 {
		if len(lines) == 0 && a == "" {
			return ""
		}
		t.Fatalf("no headers in diff %q", d)
	}
	for _, l := range lines[2:] {
		switch {
		case strings.HasPrefix(l, "@@ -"):
			spec := strings.Fields(l)[1][1:]
			startS, _, _ := strings.Cut(spec, ",")
			start, err := strconv.Atoi(startS)
			if err != nil {
				t.Fatalf("bad hunk header %q", l)
			}
			if strings.HasSuffix(spec, ",0") {
				start++ // an empty range names the line before
			}
			for next < start-1 {
				out = append(out, src[next])
				next++
			}
		case l == "" || l[0] == ' ' || l[0] == '-':
			text := ""
			if l != "" {
				text = l[1:]
			}
			if next >= len(src) || src[next] != text {
				t.Fatalf("diff line %q does not match line %d of the original", l, next+1)
			}
			if l == "" || l[0] == ' ' {
				out = append(out, text)
			}
			next++
		case l[0] == '+':
			out = append(out, l[1:])
		default:
			t.Fatalf("bad diff line %q", l)
		}
	}
	out = append(out, src[next:]...)
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// TestUnifiedDiffProperty checks that the diff of any two texts, applied
// to the first, gives the second, and is empty of hunks only when they
// are equal.
func TestUnifiedDiffProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		line := rapid.SampledFrom([]string{"a", "b", "c", "d", "", "| x |"})
		x := rapid.SliceOfN(line, 0, 30).Draw(rt, "x")
		y := rapid.SliceOfN(line, 0, 30).Draw(rt, "y")
		text := func(ls []string) string {
			if len(ls) == 0 {
				return ""
			}
			return strings.Join(ls, "\n") + "\n"
		}
		var b bytes.Buffer
		unifiedDiff(&b, "x", "y", text(x), text(y))
		if got := applyDiff(t, text(x), b.String()); got != text(y) {
			rt.Fatalf("diff of %q and %q:\n%s\napplied gives %q", x, y, b.String(), got)
		}
		if hunks := strings.Contains(b.String(), "\n@@ "); hunks == (text(x) == text(y)) {
			rt.Fatalf("equal=%v but hunks=%v:\n%s", text(x) == text(y), hunks, b.String())
		}
	})
}

// TestUnifiedDiffLarge checks the fallback for texts too large to align.
func TestUnifiedDiffLarge(t *testing.T) {
	var x, y []string
	for i := range 3000 {
		x = append(x, fmt.Sprint("x", i))
		y = append(y, fmt.Sprint("y", i))
	}
	a, b := strings.Join(x, "\n")+"\n", strings.Join(y, "\n")+"\n"
	var d bytes.Buffer
	unifiedDiff(&d, "a", "b", a, b)
	if got := applyDiff(t, a, d.String()); got != b {
		t.Errorf("the diff of two large texts does not apply")
	}
}
