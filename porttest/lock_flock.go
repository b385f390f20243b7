//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package porttest

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/portalloc/ports"
)

// lockFile is a held flock(2) lock on a port's lock file. The kernel drops
// the lock when the descriptor is closed, which happens at the latest when
// the process ends, however it ends. flock locks belong to the open file,
// so two leases of one process exclude each other as two processes do.
type lockFile struct {
	fd   int
	path string
}

// lockPort takes the lock of port p in dir without waiting. It returns
// errBusy if another holder has it, and an error wrapping errRefused if
// the lock file is not a regular file (a symbolic link, say: the file is
// opened with O_NOFOLLOW) or is there but not ours to open.
func lockPort(dir string, p ports.Port) (*lockFile, error) {
	path := lockPath(dir, p)
	for range 4 {
		fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_NOFOLLOW|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0o600)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%w: %s is a %s, not a regular file", errRefused, path, kind(fi.Mode()))
			} else if lerr == nil && (err == syscall.EACCES || err == syscall.EPERM) {
				// There, and not ours to open: another user's lock.
				return nil, fmt.Errorf("%w: %s: %v", errRefused, path, err)
			}
			return nil, fmt.Errorf("porttest: opening lock file %s: %w", path, err)
		}
		// O_NOFOLLOW refuses a link, and opening a directory for writing
		// fails; a FIFO or a device opens, so look at what was opened.
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err == nil && st.Mode&syscall.S_IFMT != syscall.S_IFREG {
			syscall.Close(fd)
			return nil, fmt.Errorf("%w: %s is not a regular file", errRefused, path)
		}
		if err := flock(fd); err != nil {
			syscall.Close(fd)
			if err == syscall.EWOULDBLOCK {
				return nil, errBusy
			}
			return nil, fmt.Errorf("porttest: locking %s: %w", path, err)
		}
		return &lockFile{fd: fd, path: path}, nil
	}
	return nil, fmt.Errorf("porttest: opening lock file %s: %w", path, syscall.EINTR)
}

func flock(fd int) error {
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

// unlock drops the lock by closing the descriptor. The file stays: removing
// it safely would need every taker to check, after locking, that the name
// still leads to the file it locked, and costs a file-system write per
// release (on ext4, some hundred times the cost of the lock itself). The
// directory holds at most one empty file per candidate port.
func (l *lockFile) unlock() error {
	if err := syscall.Close(l.fd); err != nil {
		return fmt.Errorf("porttest: releasing lock %s: %w", l.path, err)
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	}
	return "special file"
}
