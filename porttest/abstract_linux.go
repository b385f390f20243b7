package porttest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/portalloc/ports"
	"golang.org/x/sys/unix"
)

// abstractNamespace returns the prefix of the abstract socket names of the
// lock directory dir: a hash of its path with symbolic links resolved, so
// that the directory removed and made again under the same name is the same
// pool, as its users expect.
func abstractNamespace(dir string) string {
	if testNoAbstract {
		return ""
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	sum := sha256.Sum256([]byte(dir))
	return "porttest/" + hex.EncodeToString(sum[:12]) + "/"
}

// abstractLock binds the abstract Unix socket of port p in namespace ns
// and returns its descriptor; errBusy if another holder has bound it. The
// socket is bound and nothing more: it is a name that cannot be removed
// from under its holder, freed by the kernel when the descriptor closes.
// Abstract names belong to a network namespace, as ports do: processes that
// share ports share them.
func abstractLock(ns string, p ports.Port) (int, error) {
	if ns == "" {
		return -1, nil
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("porttest: leasing port %d: socket: %w", p, describeErrno(err))
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: "@" + ns + p.String()}); err != nil {
		unix.Close(fd)
		if err == unix.EADDRINUSE {
			return -1, errBusy
		}
		return -1, fmt.Errorf("porttest: leasing port %d: binding its abstract socket: %w", p, describeErrno(err))
	}
	return fd, nil
}

// fdsPerLease says how many descriptors a lease holds: its lock file and
// its abstract socket.
const fdsPerLease = "two descriptors"

// testNoAbstract, set by a test, leaves the abstract socket out of the
// leases of pools made after it, as on systems that have no such namespace.
var testNoAbstract bool

// pinLock is not needed on Linux: the abstract socket keeps the lease when
// its lock file is removed. Tests set it to pin with the kernel's
// immutable attribute, to check the pinning that other systems rely on.
var pinLock func(fd int, on bool) error
