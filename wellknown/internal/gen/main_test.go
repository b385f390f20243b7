package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portalloc/ports/wellknown/internal/tablegen"
)

const fixture = "../tablegen/testdata/fixture.xml"

func TestRun(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "defacto.txt")
	if err := os.WriteFile(df, []byte("grafana | 3000/tcp | observability | Grafana | UI | https://grafana.com/docs/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	im := filepath.Join(dir, "images.txt")
	if err := os.WriteFile(im, []byte("grafana/grafana | grafana\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "tables_gen.go")
	if err := run(fixture, df, im, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := tablegen.BuildFiles(fixture, df, im)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tab.Generate(tablegen.Command)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("run wrote something else than tablegen generates")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("output mode = %v, %v; want -rw-r--r--", fi.Mode(), err)
	}
}

// TestRunBadInput checks that a bad de-facto table is an error naming the
// line, and that the previous output is left as it was.
func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "defacto.txt")
	if err := os.WriteFile(df, []byte("# ok\ngrafana | 3000/tcp | nope | Grafana | UI | https://grafana.com/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "tables_gen.go")
	if err := os.WriteFile(out, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(fixture, df, filepath.Join(dir, "images.txt"), out)
	if err == nil || !strings.Contains(err.Error(), `line 2: unknown category "nope"`) {
		t.Errorf("run with a bad category: error %v, want one naming line 2", err)
	}
	if got, _ := os.ReadFile(out); string(got) != "previous" {
		t.Errorf("output after a failed run = %q, want it untouched", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tables-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
