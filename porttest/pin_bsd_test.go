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
	f, err := os.CreateTemp(dir, "pin")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := pinLock(int(f.Fd()), true); err != nil {
		t.Skipf("cannot set the user-immutable flag in %s: %v", dir, err)
	}
	if err := pinLock(int(f.Fd()), false); err != nil {
		t.Fatal(err)
	}
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
