package hostports

import (
	"fmt"
	"os"
	"testing"
)

// childEnv names the environment variable that makes the test binary run
// as a helper process instead of running tests; its value names the role.
const childEnv = "HOSTPORTS_TEST_CHILD"

// childRoles are the helper processes the tests start by re-executing the
// test binary.
var childRoles = map[string]func() error{}

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		run, ok := childRoles[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
			os.Exit(2)
		}
		if err := run(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
