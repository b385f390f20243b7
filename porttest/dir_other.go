//go:build !unix

package porttest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// prepareDir creates the lock directory if it is missing and checks that it
// is a directory and not a symbolic link or junction. File modes mean
// little here; on Windows the default directory lies in the per-user
// temporary directory, which the user's ACL protects.
func prepareDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("porttest: creating lock directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("porttest: lock directory %s: %w", dir, err)
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return fmt.Errorf("porttest: lock directory %s is a symbolic link or junction; refusing it (remove the link, or choose another directory)", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("porttest: lock directory %s is not a directory", dir)
	}
	return nil
}
