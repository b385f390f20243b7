package porttest

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// pinEnv, in a child's environment, makes it lease as pinnedLeases makes
// the test's own process lease.
const pinEnv = "PORTTEST_TEST_PIN=immutable"

func init() {
	if os.Getenv("PORTTEST_TEST_PIN") == "immutable" {
		testNoAbstract, pinLock = true, linuxImmutable
	}
}

// fsImmutable is FS_IMMUTABLE_FL of <linux/fs.h>.
const fsImmutable = 0x10

// linuxImmutable sets or clears the kernel's immutable attribute of the
// open file fd (chattr +i), which, like the BSDs' user-immutable flag,
// refuses unlink and rename while reads go on. Setting it takes
// CAP_LINUX_IMMUTABLE.
func linuxImmutable(fd int, on bool) error {
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	want := flags &^ fsImmutable
	if on {
		want |= fsImmutable
	}
	if want == flags {
		return nil
	}
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(want))
}

// isPinned reports whether the file at path is immutable.
func isPinned(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		t.Fatal(err)
	}
	return flags&fsImmutable != 0
}

// pinnedLeases makes the leases of pools made from now on until the test
// ends rest on pinned lock files alone, as on macOS and the BSDs: no
// abstract socket, and lock files made immutable with the kernel's
// attribute. It skips the test where this process may not set the
// attribute in dir (it takes root) or dir's file system has none. It
// returns what a child's environment needs to lease the same way.
func pinnedLeases(t *testing.T, dir string) []string {
	t.Helper()
	pinOrSkip(t, dir, linuxImmutable, "it takes CAP_LINUX_IMMUTABLE and a file system that has it")
	saved, savedPin := testNoAbstract, pinLock
	testNoAbstract, pinLock = true, linuxImmutable
	t.Cleanup(func() { testNoAbstract, pinLock = saved, savedPin })
	return []string{pinEnv}
}

// unpin clears the immutable attribute of the file at path, if it has it.
func unpin(path string) {
	if f, err := os.Open(path); err == nil {
		linuxImmutable(int(f.Fd()), false)
		f.Close()
	}
}
