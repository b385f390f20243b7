//go:build unix

package claims

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on the file at path, creating it, and
// returns the function that releases it. The lock dies with the process,
// so a caller killed while holding it stops no one.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("claims: lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("claims: locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// openRegular opens path for reading if it is a regular file, not a
// symbolic link, a FIFO or a device.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("claims: %s is not a regular file", path)
	}
	return f, nil
}

// prepareDir creates dir if it is missing, mode 0700, and checks that it is
// the user's own: a directory, not a symbolic link, owned by the effective
// user and closed to everyone else.
func prepareDir(dir string) error {
	err := os.MkdirAll(dir, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("claims: creating %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	switch st, ok := fi.Sys().(*syscall.Stat_t); {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("claims: %s is a symbolic link; refusing it", dir)
	case !fi.IsDir():
		return fmt.Errorf("claims: %s is not a directory", dir)
	case ok && int(st.Uid) != os.Geteuid():
		return fmt.Errorf("claims: %s is owned by uid %d, not by this user (uid %d); refusing it", dir, st.Uid, os.Geteuid())
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("claims: %s has mode %04o; want 0700, so that no other user can change your claims (chmod 700 %s)", dir, fi.Mode().Perm(), dir)
	}
	return nil
}
