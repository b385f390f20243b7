package porttest

import (
	"errors"
	"path/filepath"

	"github.com/portalloc/ports"
)

var (
	// errBusy: another holder (another process, or another lease of this
	// one) has the port's lock.
	errBusy = errors.New("porttest: port leased by another holder")
	// errRefused: the port's lock file is not a plain file of ours (a
	// symbolic link, say), so the port is passed over.
	errRefused = errors.New("porttest: lock file refused")
)

// lockPath returns the path of the lock file of port p in dir.
func lockPath(dir string, p ports.Port) string {
	return filepath.Join(dir, p.String()+".lock")
}
