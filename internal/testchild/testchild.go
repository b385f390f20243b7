// Package testchild lets a package's tests re-execute their own test binary
// as a helper process: a child that holds a lease, joins a namespace or
// waits to be killed.
//
// A test file calls Main from TestMain; a test starts a child by running
// os.Args[0] with the package's environment variable set to a role.
package testchild

import (
	"fmt"
	"os"
	"testing"
)

// Main runs the role named by the environment variable env, when it is set,
// and exits with 0 if the role returns nil, 1 if it returns an error and 2
// if the role is unknown. When env is not set, it runs the tests of m.
// Main never returns.
func Main(m *testing.M, env string, roles map[string]func() error) {
	role := os.Getenv(env)
	if role == "" {
		os.Exit(m.Run())
	}
	run, ok := roles[role]
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
