package claims

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Worktree returns the top directory of the git worktree that holds dir:
// the nearest directory, dir or above, with a ".git" entry (a directory in
// a main worktree, a file in a linked one). Each worktree of a repository
// has its own top, so claims scoped to it are the checkout's own. The
// symbolic links of the path are resolved, so that one checkout has one
// name.
func Worktree(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("claims: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("claims: %s is not in a git worktree", dir)
		}
		d = parent
	}
}
