//go:build unix

package porttest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// prepareDir creates the lock directory if it is missing, mode 0700, and
// checks that it is private: a directory, not a symbolic link, owned by
// the effective user, closed to everyone else. A directory that others can
// write would let them take or plant locks; a symbolic link would let
// whoever made it choose where the locks go.
func prepareDir(dir string) error {
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		// The umask may have narrowed the mode; make it exactly 0700.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("porttest: lock directory %s: %w", dir, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("porttest: creating lock directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("porttest: lock directory %s: %w", dir, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("porttest: lock directory %s is a symbolic link; refusing it (remove the link, or choose another directory)", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("porttest: lock directory %s is not a directory", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("porttest: lock directory %s is owned by uid %d, not by this user (uid %d); refusing it", dir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		return fmt.Errorf("porttest: lock directory %s has mode %04o; want 0700, so that no other user can take or plant locks (chmod 700 %s)", dir, perm, dir)
	}
	return nil
}
