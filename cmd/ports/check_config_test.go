package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindConfig checks that the configuration is looked up from the
// current directory upward, and not above the repository's root.
func TestFindConfig(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	deep := filepath.Join(repo, "deploy", "compose")
	for _, d := range []string{filepath.Join(repo, ".git"), deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Above the repository: never read.
	write(filepath.Join(top, ".ports-check.yaml"), "rules:\n  collision: off\n")
	write(filepath.Join(deep, "compose.yaml"), "services:\n  a:\n    image: a\n    ports: [\"8080:80\"]\n  b:\n    image: b\n    ports: [\"8080:81\"]\n")
	t.Chdir(deep)
	if got, err := findConfig(); err != nil || got != "" {
		t.Errorf("findConfig() = %q, %v; want none: the file above .git is not the repository's", got, err)
	}
	check := func(want int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := testApp(&stdout, &stderr).main([]string{"check", "compose.yaml"}); code != want {
			t.Errorf("ports check: exit status %d, want %d\n%s%s", code, want, stdout.String(), stderr.String())
		}
	}
	check(exitFindings)

	// At the repository's root: found from below, and its severity wins.
	write(filepath.Join(repo, ".ports-check.yaml"), "rules:\n  collision: warning\n")
	got, err := findConfig()
	if err != nil || got != filepath.Join(repo, ".ports-check.yaml") {
		t.Errorf("findConfig() = %q, %v; want the repository's", got, err)
	}
	check(exitOK)

	// Nearer wins over farther.
	write(filepath.Join(deep, ".ports-check.yaml"), "rules:\n  collision: error\n")
	check(exitFindings)

	// A broken file is an error that names it and its line.
	write(filepath.Join(deep, ".ports-check.yaml"), "rules:\n  collision: loud\n")
	var stdout, stderr bytes.Buffer
	if code := testApp(&stdout, &stderr).main([]string{"check", "compose.yaml"}); code != exitUsage ||
		!strings.Contains(stderr.String(), filepath.Join(deep, ".ports-check.yaml")+":2: ") {
		t.Errorf("a broken configuration: exit status %d, stderr %q", code, stderr.String())
	}
}

// TestReadCapped checks the cap on what is read of a configuration.
func TestReadCapped(t *testing.T) {
	name := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(name, bytes.Repeat([]byte("#"), 101), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCapped(name, 100); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("readCapped of 101 bytes, cap 100: %v", err)
	}
	if b, err := readCapped(name, 101); err != nil || len(b) != 101 {
		t.Errorf("readCapped of 101 bytes, cap 101: %d bytes, %v", len(b), err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := readCapped("/dev/zero", 100); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("readCapped(/dev/zero): %v", err)
		}
	}
}
