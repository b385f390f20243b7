package manifest

import (
	"net/netip"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// cmpOpts compares the value types of the root package by ==, which is
// what they are built for (their fields are unexported).
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b ports.Endpoint) bool { return a == b }),
	cmp.Comparer(func(a, b ports.Range) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}

// strs returns the String of each declaration: file, line and column,
// owner, endpoint, target, kind, scope and exposure in one line.
func strs(ds []Declaration) []string {
	if len(ds) == 0 {
		return nil
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// checkErr fails t unless err is an *Error whose message is want.
func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %q", what, want)
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("%s: error %T %q, want *manifest.Error", what, err, err)
	}
	if got := e.Error(); got != want {
		t.Errorf("%s: error\n got %q\nwant %q", what, got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
