//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package porttest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/portalloc/ports"
)

// TestLockDirChecks checks that the lock directory is created private and
// that a directory others could tamper with is refused.
func TestLockDirChecks(t *testing.T) {
	base := tempLockDir(t)
	mk := func(name string, mode os.FileMode) string {
		d := filepath.Join(base, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	good := mk("good", 0o700)
	link := filepath.Join(base, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"group-readable", mk("g", 0o750), "has mode 0750; want 0700"},
		{"world-writable", mk("w", 0o777), "has mode 0777; want 0700"},
		{"sticky and open", mk("s", 0o1777), "has mode 0777; want 0700"},
		{"symbolic link to a good directory", link, "is a symbolic link; refusing it"},
		{"regular file", file, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPool(Options{Dir: tt.dir})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "porttest: ") {
				t.Errorf("NewPool(Dir: %s) = %v, want an error containing %q", tt.dir, err, tt.want)
			}
		})
	}
	// A missing directory is created with mode 0700, whatever the umask.
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	fresh := filepath.Join(base, "fresh")
	if _, err := NewPool(Options{Dir: fresh}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("created lock directory has mode %v, want drwx------", fi.Mode())
	}
	// Missing parents are created too, mode 0700, as Options.Dir says.
	deep := filepath.Join(base, "no", "such", "locks")
	if _, err := NewPool(Options{Dir: deep}); err != nil {
		t.Errorf("NewPool(Dir: %s) with missing parents: %v", deep, err)
	}
	for _, d := range []string{filepath.Join(base, "no"), filepath.Join(base, "no", "such"), deep} {
		if fi, err := os.Lstat(d); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("created %s: %v, %v; want a directory of mode 0700", d, fi.Mode(), err)
		}
	}
	// An existing good directory is accepted, as a relative path too.
	if _, err := NewPool(Options{Dir: good}); err != nil {
		t.Errorf("NewPool(Dir: %s): %v", good, err)
	}
}

func TestLockDirOwnedByOther(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	d := filepath.Join(tempLockDir(t), "theirs")
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, 65534, 65534); err != nil {
		t.Skip(err)
	}
	_, err := NewPool(Options{Dir: d})
	if err == nil || !strings.Contains(err.Error(), "is owned by uid 65534, not by this user (uid 0); refusing it") {
		t.Errorf("NewPool(Dir: %s owned by 65534) = %v", d, err)
	}
}

// TestLockFileFIFORefused plants a named pipe where a port's lock file
// goes: it opens without following a link, but is no lock file, so the
// port is passed over.
func TestLockFileFIFORefused(t *testing.T) {
	r := freeRun(t, 2)
	dir := filepath.Join(tempLockDir(t), "locks")
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	if err := syscall.Mkfifo(lockPath(dir, r.Lo()), 0o600); err != nil {
		t.Skip(err)
	}
	leasesOnly(t, pool, r.Hi(), "a FIFO planted")
}
