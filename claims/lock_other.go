//go:build !unix

package claims

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// lockFile takes the lock at path by creating it exclusively, waiting
// while another holds it; a lock older than a minute is taken as left by
// a process that died.
func lockFile(path string) (func(), error) {
	for start := time.Now(); ; {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("claims: lock file: %w", err)
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.Remove(path)
			continue
		}
		if time.Since(start) > 30*time.Second {
			return nil, fmt.Errorf("claims: %s has been locked for 30 s", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openRegular opens path for reading if it is a regular file.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("claims: %s is not a regular file", path)
	}
	return os.Open(path)
}

// prepareDir creates dir if it is missing.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("claims: creating %s: %w", dir, err)
	}
	return nil
}
