package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// TestMergeKeyDepth reaches one mapping first through a chain of merges as
// deep as the limit, where the mapping's own merges are cut off, and then
// directly: what it merges is still found.
func TestMergeKeyDepth(t *testing.T) {
	var b strings.Builder
	b.WriteString("base: &base {secret: 1}\n")
	b.WriteString("t: &T {<<: *base, own: 1}\n")
	b.WriteString("c1: &c1 {<<: *T}\n")
	for i := 2; i <= maxAliasDepth-1; i++ {
		fmt.Fprintf(&b, "c%d: &c%d {<<: *c%d}\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "top: {<<: [*c%d, *T]}\n", maxAliasDepth-1)
	docs, err := decodeYAML("m.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	top := valueOf(docs[0].root, "top")
	for _, key := range []string{"own", "secret"} {
		if _, v := get(top, key); v == nil {
			t.Errorf("get(top, %q) found nothing", key)
		}
	}
}
