package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoInjection checks that names read from files cannot reach a
// terminal or a Markdown document as markup: an ESC sequence in a
// Kubernetes name that would clear the screen and print a false verdict,
// and a newline in a registry group that would start a heading of its own.
func TestNoInjection(t *testing.T) {
	dir := t.TempDir()
	manifestFile := filepath.Join(dir, "evil.yaml")
	evil := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x\\e[2J\\e[1;31mOK: no collisions\\e[0m\\r\"\nspec:\n  containers:\n  - name: a\n    image: postgres\n    ports:\n    - containerPort: 5432\n      hostPort: 5432\n  - name: b\n    image: postgres\n    ports:\n    - containerPort: 5432\n      hostPort: 5432\n"
	registry := filepath.Join(dir, "ports.yaml")
	reg := "version: 1\nproject: p\nports:\n  - service: \"web\\u202e\"\n    port: 3000\n    group: \"Apps\\n# Injected heading\"\n    description: \"<script>alert(1)</script> | cell\"\n"
	for f, s := range map[string]string{manifestFile: evil, registry: reg} {
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	a.main([]string{"check", "--os", "linux", manifestFile, registry})
	out := stdout.String() + stderr.String()
	if strings.ContainsAny(out, "\x1b\r\u202e") {
		t.Errorf("check printed a control character raw:\n%q", out)
	}
	if !strings.Contains(out, `\x1b[2J`) {
		t.Errorf("check output does not show the escaped name:\n%s", out)
	}

	stdout.Reset()
	stderr.Reset()
	a.main([]string{"doc", manifestFile, registry})
	doc := stdout.String()
	if strings.ContainsAny(doc, "\x1b\r\u202e") {
		t.Errorf("doc wrote a control character raw:\n%q", doc)
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "# Injected") {
			t.Errorf("a registry group started a heading of its own:\n%s", doc)
		}
	}
	if strings.Contains(doc, "<script>") {
		t.Errorf("doc let HTML through:\n%s", doc)
	}
	if strings.Contains(doc, "</script> | cell") {
		t.Errorf("doc let a | split a table cell:\n%s", doc)
	}
}
