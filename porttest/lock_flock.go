//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package porttest

// A lease on these systems is a flock(2) lock on "PORT.lock" in the lock
// directory, and on Linux also a name in the abstract socket namespace.
//
// The directory is opened once, by NewPool, and held: every lock file is
// opened relative to that descriptor (openat, O_NOFOLLOW), so renaming or
// replacing any component of the directory's path afterwards cannot
// redirect the locks into a directory someone else controls.
//
// A flock lock belongs to an open file, not to a name: once its file is
// unlinked, a new file of the same name can be created and locked by
// another holder while the first still holds the old one. Three things keep
// a port from going to two holders:
//
//   - after locking, the taker checks that the name still leads to the file
//     it locked (same device and inode) and starts again if not, so a file
//     replaced between open and flock is never taken for the one locked;
//   - on Linux the taker also binds an abstract Unix socket named after the
//     directory's path and the port (abstractLock). Such a name lives in
//     the kernel, not in a file system: no rm can take it away, and the
//     kernel frees it when the holder closes it or dies. A holder whose lock
//     file was removed (rm -rf of the lock directory while tests run) keeps
//     its port;
//   - where there is no such namespace (macOS and the BSDs), the taker pins
//     the file it locked (pinLock, pin_bsd.go) before that check: it sets
//     the file's user-immutable flag, which no rm of the user can get past,
//     and clears it when it lets go. The files are opened read-only, which
//     an immutable file allows, so the next taker finds a held file busy,
//     not refused.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/portalloc/ports"
	"golang.org/x/sys/unix"
)

// lockDir is an open, checked lock directory.
type lockDir struct {
	path string
	f    *os.File // the directory, held open for openat; closed when unreachable
	ns   string   // the abstract socket namespace of the directory (Linux)
}

// openLockDir creates the lock directory if it is missing (mode 0700, and
// its missing parents with mode 0700 too), opens it without following a
// symbolic link, and checks through the descriptor that it is private: a
// directory owned by the effective user, closed to everyone else. A
// directory that others can write would let them take or plant locks; a
// symbolic link would let whoever made it choose where the locks go.
func openLockDir(dir string) (*lockDir, error) {
	created := false
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrNotExist) {
		if perr := os.MkdirAll(filepath.Dir(dir), 0o700); perr != nil {
			return nil, fmt.Errorf("porttest: creating the parent directories of lock directory %s: %w", dir, perr)
		}
		err = os.Mkdir(dir, 0o700)
	}
	switch {
	case err == nil:
		created = true
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("porttest: creating lock directory %s: %w", dir, err)
	}
	fd, err := openNoEINTR(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if fi, lerr := os.Lstat(dir); lerr == nil {
			switch {
			case fi.Mode()&fs.ModeSymlink != 0:
				return nil, fmt.Errorf("porttest: lock directory %s is a symbolic link; refusing it (remove the link, or choose another directory)", dir)
			case !fi.IsDir():
				return nil, fmt.Errorf("porttest: lock directory %s is not a directory", dir)
			}
		}
		return nil, fmt.Errorf("porttest: opening lock directory %s: %w", dir, err)
	}
	f := os.NewFile(uintptr(fd), dir)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("porttest: lock directory %s: %w", dir, err)
	}
	if int(st.Uid) != os.Geteuid() {
		f.Close()
		return nil, fmt.Errorf("porttest: lock directory %s is owned by uid %d, not by this user (uid %d); refusing it", dir, st.Uid, os.Geteuid())
	}
	if created {
		// The umask may have narrowed the mode; make it exactly 0700.
		if err := unix.Fchmod(fd, 0o700); err != nil {
			f.Close()
			return nil, fmt.Errorf("porttest: lock directory %s: %w", dir, err)
		}
		st.Mode = st.Mode&^0o7777 | 0o700
	}
	if perm := st.Mode & 0o777; perm != 0o700 {
		f.Close()
		return nil, fmt.Errorf("porttest: lock directory %s has mode %04o; want 0700, so that no other user can take or plant locks (chmod 700 %s)", dir, perm, dir)
	}
	return &lockDir{path: dir, f: f, ns: abstractNamespace(dir)}, nil
}

// lockFile is a held lease: a flock(2) lock on a port's lock file, and on
// Linux the bound abstract socket. The kernel drops both when the
// descriptors are closed, which happens at the latest when the process
// ends, however it ends. flock locks belong to the open file, so two leases
// of one process exclude each other as two processes do.
type lockFile struct {
	fd     int
	sock   int // the abstract socket, or -1
	path   string
	pinned bool // pinLock set the file's immutable flag
}

// testHookBeforeFlock, when set by a test, runs between the opening of a
// lock file and its locking, where another process may replace the file.
var testHookBeforeFlock func(path string)

// lockAttempts bounds how often lock starts again when the lock file is
// replaced under it; a file replaced that often is someone's doing.
const lockAttempts = 8

// lock takes the lock of port p without waiting. It returns errBusy if
// another holder has it, and an error wrapping errRefused if the lock file
// is not a regular file (a symbolic link, say: the file is opened with
// O_NOFOLLOW) or is there but not ours to open.
func (d *lockDir) lock(p ports.Port) (*lockFile, error) {
	defer runtime.KeepAlive(d.f) // its descriptor is used below
	sock, err := abstractLock(d.ns, p)
	if err != nil {
		return nil, err
	}
	name := p.String() + ".lock"
	path := filepath.Join(d.path, name)
	dirfd := int(d.f.Fd())
	for range lockAttempts {
		fd, err := openNoEINTR(dirfd, name, unix.O_RDONLY|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0o600)
		if err != nil {
			closeSock(sock)
			var st unix.Stat_t
			if serr := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); serr == nil && st.Mode&unix.S_IFMT != unix.S_IFREG {
				return nil, fmt.Errorf("%w: %s is a %s, not a regular file", errRefused, path, kind(uint32(st.Mode)))
			} else if serr == nil && (err == unix.EACCES || err == unix.EPERM) {
				// There, and not ours to open: another user's lock.
				return nil, fmt.Errorf("%w: %s: %v", errRefused, path, err)
			}
			return nil, fmt.Errorf("porttest: opening lock file %s: %w", path, describeErrno(err))
		}
		// O_NOFOLLOW refuses a link, and opening a directory for writing
		// fails; a FIFO or a device opens, so look at what was opened.
		var held unix.Stat_t
		if err := unix.Fstat(fd, &held); err != nil || held.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			closeSock(sock)
			return nil, fmt.Errorf("%w: %s is not a regular file", errRefused, path)
		}
		if testHookBeforeFlock != nil {
			testHookBeforeFlock(path)
		}
		if err := flock(fd); err != nil {
			unix.Close(fd)
			closeSock(sock)
			if err == unix.EWOULDBLOCK {
				return nil, errBusy
			}
			return nil, fmt.Errorf("porttest: locking %s: %w", path, err)
		}
		// Pinned first, then checked: once the name is seen to lead to a
		// pinned file, no rm can take the name from it.
		pinned := pinLock != nil && pinLock(fd, true) == nil
		// The name must still lead to the file locked: if it was removed
		// or replaced in between, the lock guards nothing another taker
		// would see.
		var now unix.Stat_t
		if err := unix.Fstatat(dirfd, name, &now, unix.AT_SYMLINK_NOFOLLOW); err != nil || now.Dev != held.Dev || now.Ino != held.Ino {
			if pinned {
				pinLock(fd, false)
			}
			unix.Close(fd)
			continue
		}
		return &lockFile{fd: fd, sock: sock, path: path, pinned: pinned}, nil
	}
	closeSock(sock)
	return nil, fmt.Errorf("%w: %s was replaced each of the %d times it was locked", errRefused, path, lockAttempts)
}

func openNoEINTR(dirfd int, path string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, path, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func flock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

func closeSock(sock int) {
	if sock >= 0 {
		unix.Close(sock)
	}
}

// unlock unpins the file if it was pinned and drops the lock by closing
// the descriptors. The file stays: removing it would cost a file-system
// write per release (on ext4, some hundred times the cost of the lock
// itself), and the directory holds at most one empty file per candidate
// port.
func (l *lockFile) unlock() error {
	var err error
	if l.pinned {
		if uerr := pinLock(l.fd, false); uerr != nil {
			err = fmt.Errorf("porttest: releasing lock %s: clearing its immutable flag: %w", l.path, uerr)
		}
	}
	closeSock(l.sock)
	if cerr := unix.Close(l.fd); cerr != nil && err == nil {
		err = fmt.Errorf("porttest: releasing lock %s: %w", l.path, cerr)
	}
	return err
}

func kind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return "symbolic link"
	case unix.S_IFDIR:
		return "directory"
	}
	return "special file"
}
