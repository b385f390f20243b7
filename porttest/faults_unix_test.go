//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package porttest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// TestLockFileRemovedWhileHeld removes the lock files of a live holder, and
// then the whole lock directory, as a CI cleanup step or a tmp reaper does:
// the port stays the holder's.
func TestLockFileRemovedWhileHeld(t *testing.T) {
	if abstractNamespace(tempLockDir(t)) == "" {
		t.Skip("no abstract sockets here; TestPinnedLockFileRemovedWhileHeld tries rm on this system")
	}
	r := freeRun(t, 2)
	dir := filepath.Join(tempLockDir(t), "locks")
	c := startChild(t, childCmd("holder", "PORTTEST_KILL_DIR="+dir, "PORTTEST_KILL_WITHIN="+r.String()))
	if line, err := c.line(); err != nil || line != r.String() {
		t.Fatalf("holder printed %q, %v; want %s", line, err, r)
	}
	for p := range r.All() {
		if err := os.Remove(lockPath(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	l, err := pool.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Leased != 2 {
		l.Release()
		t.Fatalf("Lease after the holder's lock files were removed = %v, %v; want both ports leased by the holder", l, err)
	}

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	again := privatePool(t, dir, ports.RangeSetOf(r))
	if ls, err := again.LeaseN(1); !errors.As(err, &e) || e.Leased != 2 {
		releaseAll(ls)
		t.Fatalf("Lease after the lock directory was removed and made again = %v, want both ports leased by the holder", err)
	}

	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	run, err := again.LeaseRange(2)
	if err != nil {
		t.Fatalf("LeaseRange(2) once the holder ended: %v", err)
	}
	releaseAll(run)
}

// TestPinnedLockFileRemovedWhileHeld tries to remove the lock files of a
// live holder, and the whole lock directory, where a lease is its lock
// file alone, pinned (macOS and the BSDs; on Linux the abstract sockets are
// left out and the kernel's immutable attribute stands in for the BSDs'
// flag): rm fails, and the port stays the holder's. A holder killed with
// SIGKILL leaves its files pinned; the next holder of the port takes them
// and unpins them when it lets go, and the directory can then be removed.
func TestPinnedLockFileRemovedWhileHeld(t *testing.T) {
	r := freeRun(t, 2)
	base := tempLockDir(t)
	env := pinnedLeases(t, base)
	dir := filepath.Join(base, "locks")
	c := startChild(t, childCmd("holder", append(env, "PORTTEST_KILL_DIR="+dir, "PORTTEST_KILL_WITHIN="+r.String())...))
	if line, err := c.line(); err != nil || line != r.String() {
		t.Fatalf("holder printed %q, %v; want %s", line, err, r)
	}
	for p := range r.All() {
		if err := os.Remove(lockPath(dir, p)); err == nil {
			t.Fatalf("removing the held lock file %s succeeded; want it refused", lockPath(dir, p))
		}
		if err := os.Rename(lockPath(dir, p), lockPath(dir, p)+".moved"); err == nil {
			t.Fatalf("renaming the held lock file %s succeeded; want it refused", lockPath(dir, p))
		}
	}
	if err := os.RemoveAll(dir); err == nil {
		t.Fatalf("removing the lock directory %s with held lock files in it succeeded", dir)
	}
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	l, err := pool.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Leased != 2 {
		l.Release()
		t.Fatalf("Lease after rm of the holder's lock files = %v, %v; want both ports leased by the holder", l, err)
	}

	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
	for p := range r.All() {
		if !isPinned(t, lockPath(dir, p)) {
			t.Fatalf("%s is not pinned after its holder was killed; want it left pinned", lockPath(dir, p))
		}
	}
	run, err := pool.LeaseRange(2)
	if err != nil {
		t.Fatalf("LeaseRange(2) once the holder was killed: %v", err)
	}
	for p := range r.All() {
		if !isPinned(t, lockPath(dir, p)) {
			t.Fatalf("%s is not pinned while leased", lockPath(dir, p))
		}
	}
	releaseAll(run)
	for p := range r.All() {
		if isPinned(t, lockPath(dir, p)) {
			t.Fatalf("%s is still pinned after its lease was released", lockPath(dir, p))
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("removing the lock directory once no lease is held: %v", err)
	}
}

// TestLockDirSwappedAfterNewPool replaces the lock directory with one open
// to everyone after NewPool, as another user who can write its parent
// could: the pool's locks stay in the directory it checked.
func TestLockDirSwappedAfterNewPool(t *testing.T) {
	r := freeRun(t, 1)
	base := tempLockDir(t)
	dir := filepath.Join(base, "locks")
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	moved := filepath.Join(base, "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	l, err := pool.Lease()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := os.Lstat(lockPath(dir, l.Port())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a lock file was made in the directory swapped in after NewPool (Lstat: %v)", err)
	}
	if fi, err := os.Lstat(lockPath(moved, l.Port())); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the lock file is not in the directory NewPool checked: %v", err)
	}
}

// TestDefaultDirTakenByAnotherUser plants the shared lock directory as
// another user would, first: NewPool goes on to the user's own runtime
// directory; and when no directory is left, the error lists every one it
// tried, with why.
func TestDefaultDirTakenByAnotherUser(t *testing.T) {
	base := tempLockDir(t)
	shm := filepath.Join(base, "shm")
	xdg := filepath.Join(base, "run")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(base, "cache"))
	for _, d := range []string{shm, xdg} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	taken := filepath.Join(shm, fmt.Sprintf("porttest-%d", os.Getuid()))
	if err := os.Mkdir(taken, 0o777); err != nil {
		t.Fatal(err)
	}
	want := "has mode 0777"
	if os.Geteuid() == 0 && os.Chown(taken, 65534, 65534) == nil {
		want = "is owned by uid 65534"
	} else if err := os.Chmod(taken, 0o777); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return xdg
		}
		return ""
	}
	dirs := defaultDirs(env, shm)
	wantDirs := []string{taken, filepath.Join(xdg, "porttest"), filepath.Join(base, "cache", "porttest")}
	if diff := cmp.Diff(wantDirs, dirs); diff != "" {
		t.Fatalf("defaultDirs (-want +got):\n%s", diff)
	}
	d, err := openFirst(dirs)
	if err != nil {
		t.Fatalf("openFirst(%q): %v", dirs, err)
	}
	if d.path != wantDirs[1] {
		t.Errorf("openFirst took %s, want the fallback %s", d.path, wantDirs[1])
	}

	// Nothing usable: each is named with its reason.
	for _, f := range wantDirs[1:] {
		os.RemoveAll(f)
		os.MkdirAll(filepath.Dir(f), 0o700)
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err = openFirst(dirs)
	if err == nil {
		t.Fatal("openFirst with no usable directory = nil")
	}
	for _, w := range []string{"porttest: no lock directory could be used", taken + " " + want, wantDirs[1] + " is not a directory", wantDirs[2] + " is not a directory", "set $PORTTEST_DIR"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func init() {
	// Lower the limit of open files, lease until it runs out, then leave
	// exactly two descriptors free: enough for a lease's locks, not for its
	// bind check. Print what each failure says.
	childRoles["nofile"] = func() error {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 48, Max: 48}); err != nil {
			return err
		}
		pool, err := NewPool(Options{Dir: os.Getenv("PORTTEST_NOFILE_DIR")})
		if err != nil {
			return err
		}
		var held []*Lease
		report := func(err error) {
			fmt.Printf("%v|%v|%v\n", errors.Is(err, hostports.ErrNoDescriptors), errors.Is(err, ErrExhausted), err)
		}
		for {
			l, err := pool.Lease()
			if err != nil {
				report(err)
				break
			}
			held = append(held, l)
		}
		held[0].Release()
		var files []*os.File
		for {
			f, err := os.Open(os.DevNull)
			if err != nil {
				break
			}
			files = append(files, f)
		}
		// Free as many descriptors as a lease takes, and no more: the
		// lock gets them, and the bind check none.
		perLease := 2 // the lock file and the abstract socket
		if abstractNamespace(os.Getenv("PORTTEST_NOFILE_DIR")) == "" {
			perLease = 1
		}
		for _, f := range files[:perLease] {
			f.Close()
		}
		_, err = pool.Lease()
		report(err)
		return nil
	}
}

// TestOutOfDescriptors runs out of file descriptors while leasing, in a
// child with a low limit: the error says what ran out, and the search
// stops instead of counting every port as failing its check.
func TestOutOfDescriptors(t *testing.T) {
	c := startChild(t, childCmd("nofile", "PORTTEST_NOFILE_DIR="+filepath.Join(tempLockDir(t), "locks")))
	for _, what := range []string{"first failure", "failure of the bind check"} {
		line, err := c.line()
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		f := strings.SplitN(line, "|", 3)
		if len(f) != 3 {
			t.Fatalf("child printed %q", line)
		}
		if f[0] != "true" || f[1] != "false" {
			t.Errorf("%s: errors.Is ErrNoDescriptors %s, ErrExhausted %s; want true, false: %s", what, f[0], f[1], f[2])
		}
		if !strings.Contains(f[2], "out of file descriptors (") || !strings.Contains(f[2], "too many open files; ulimit -n 48)") {
			t.Errorf("%s: %q does not say what ran out", what, f[2])
		}
		if what == "failure of the bind check" && !strings.HasPrefix(f[2], "porttest: checking port ") {
			t.Errorf("%s: %q, want the bind check's failure", what, f[2])
		}
	}
}

// TestLockFileReplacedBeforeFlock replaces a lock file between its opening
// and its locking, and locks the new file as another taker would: the
// lock taken on the old file guards nothing, and the lease is refused as
// busy instead of handing out a port that another holder has.
func TestLockFileReplacedBeforeFlock(t *testing.T) {
	r := freeRun(t, 1)
	dir := filepath.Join(tempLockDir(t), "locks")
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	other := -1
	testHookBeforeFlock = func(path string) {
		testHookBeforeFlock = nil // once
		if err := os.Remove(path); err != nil {
			t.Error(err)
			return
		}
		fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_CLOEXEC, 0o600)
		if err != nil {
			t.Error(err)
			return
		}
		if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Error(err)
		}
		other = fd
	}
	defer func() {
		testHookBeforeFlock = nil
		if other >= 0 {
			syscall.Close(other)
		}
	}()
	l, err := pool.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Leased != 1 {
		l.Release()
		t.Fatalf("Lease with its lock file replaced and locked by another = %v, %v; want the port leased by the other", l, err)
	}
	if other < 0 {
		t.Fatal("the hook did not run")
	}
	syscall.Close(other)
	other = -1
	l, err = pool.Lease()
	if err != nil {
		t.Fatalf("Lease once the other let go: %v", err)
	}
	l.Release()
}

// pinOrSkip pins and unpins a file in dir with pin, and skips the test,
// saying why (the likely cause), where pin fails.
func pinOrSkip(t *testing.T, dir string, pin func(fd int, on bool) error, cause string) {
	t.Helper()
	f, err := os.CreateTemp(dir, "pin")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := pin(int(f.Fd()), true); err != nil {
		t.Skipf("cannot pin a file in %s (%v): %s", dir, err, cause)
	}
	if err := pin(int(f.Fd()), false); err != nil {
		t.Fatal(err)
	}
}
