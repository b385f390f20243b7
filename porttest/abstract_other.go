//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package porttest

import "github.com/portalloc/ports"

// Only Linux has an abstract socket namespace; elsewhere the lock file is
// the whole lease.

func abstractNamespace(string) string { return "" }

func abstractLock(string, ports.Port) (int, error) { return -1, nil }

const fdsPerLease = "a descriptor"
