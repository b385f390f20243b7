//go:build !darwin && !dragonfly && !freebsd && !linux && !netbsd && !openbsd

package porttest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portalloc/ports"
)

// lockDir is a checked lock directory, named by its path: these systems
// lock by path (Windows), or not at all.
type lockDir struct {
	path string
}

// openLockDir creates the lock directory if it is missing, with its missing
// parents, and checks that it is a directory and not a symbolic link or
// junction. File modes mean little here; on Windows the default directory
// lies in the per-user temporary directory, which the user's ACL protects.
func openLockDir(dir string) (*lockDir, error) {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrNotExist) {
		if perr := os.MkdirAll(filepath.Dir(dir), 0o700); perr != nil {
			return nil, fmt.Errorf("porttest: creating the parent directories of lock directory %s: %w", dir, perr)
		}
		err = os.Mkdir(dir, 0o700)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("porttest: creating lock directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("porttest: lock directory %s: %w", dir, err)
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, fmt.Errorf("porttest: lock directory %s is a symbolic link or junction; refusing it (remove the link, or choose another directory)", dir)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("porttest: lock directory %s is not a directory", dir)
	}
	return &lockDir{path: dir}, nil
}

func (d *lockDir) lock(p ports.Port) (*lockFile, error) {
	return lockPort(d.path, p)
}

const fdsPerLease = "a handle"
