package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// TestMergeKeyDepth reaches one mapping first through a chain of merges
// deeper than aliases may be chained, and then directly: what it merges is
// found, with YAML's precedence (the chain's first, then the rest in order).
func TestMergeKeyDepth(t *testing.T) {
	var b strings.Builder
	b.WriteString("base: &base {secret: 1}\n")
	b.WriteString("t: &T {<<: *base, own: 1}\n")
	b.WriteString("x: &X {secret: 2}\n")
	b.WriteString("c1: &c1 {<<: *T}\n")
	for i := 2; i <= 2*maxAliasDepth; i++ {
		fmt.Fprintf(&b, "c%d: &c%d {<<: *c%d}\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "top: {<<: [*c%d, *X, *T]}\n", 2*maxAliasDepth)
	docs, err := decodeYAML("m.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	top := valueOf(docs[0].root, "top")
	for key, want := range map[string]string{"own": "1", "secret": "1"} {
		if _, v := get(top, key); v == nil || v.Value != want {
			t.Errorf("get(top, %q) = %v, want %s", key, v, want)
		}
	}
}
