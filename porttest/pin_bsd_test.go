//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package porttest

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// pinnedLeases: on these systems every lease rests on a pinned lock file;
// it only checks that dir's file system takes the flag.
func pinnedLeases(t *testing.T, dir string) []string {
	t.Helper()
	pinOrSkip(t, dir, pinLock, "the file system has no file flags")
	return nil
}

// isPinned reports whether the file at path is immutable.
func isPinned(t *testing.T, path string) bool {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Flags&ufImmutable != 0
}

// unpin clears the user-immutable flag of the file at path, if it has it.
func unpin(path string) {
	if f, err := os.Open(path); err == nil {
		pinLock(int(f.Fd()), false)
		f.Close()
	}
}
