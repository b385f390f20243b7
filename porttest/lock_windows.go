package porttest

import (
	"fmt"
	"syscall"
	"unsafe"

	"github.com/portalloc/ports"
)

// LockFileEx is not in package syscall; it is loaded from kernel32.dll.
var procLockFileEx = syscall.NewLazyDLL("kernel32.dll").NewProc("LockFileEx")

const (
	lockfileFailImmediately   = 0x1
	lockfileExclusiveLock     = 0x2
	errorLockViolation        = syscall.Errno(33)
	fileFlagOpenReparsePoint  = 0x00200000
	fileAttributeReparsePoint = 0x400
)

// lockFile is a held LockFileEx lock on the first byte of a port's lock
// file. Windows drops the lock when the handle is closed, which happens at
// the latest when the process ends, however it ends. The file itself stays:
// Windows cannot remove a file that another process has open.
type lockFile struct {
	h    syscall.Handle
	path string
}

// lockPort takes the lock of port p in dir without waiting. It returns
// errBusy if another holder has it, and an error wrapping errRefused if the
// lock file is a reparse point (a symbolic link or a junction) or a
// directory.
func lockPort(dir string, p ports.Port) (*lockFile, error) {
	path := lockPath(dir, p)
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("porttest: lock file %q: %w", path, err)
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL|fileFlagOpenReparsePoint, 0)
	if err != nil {
		if err == syscall.ERROR_ACCESS_DENIED {
			return nil, fmt.Errorf("%w: %s: %v", errRefused, path, err)
		}
		return nil, fmt.Errorf("porttest: opening lock file %s: %w", path, err)
	}
	var info syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &info); err != nil {
		syscall.CloseHandle(h)
		return nil, fmt.Errorf("porttest: lock file %s: %w", path, err)
	}
	if info.FileAttributes&(fileAttributeReparsePoint|syscall.FILE_ATTRIBUTE_DIRECTORY) != 0 {
		syscall.CloseHandle(h)
		return nil, fmt.Errorf("%w: %s is a reparse point or a directory, not a regular file", errRefused, path)
	}
	var ol syscall.Overlapped
	r, _, e := syscall.SyscallN(procLockFileEx.Addr(), uintptr(h), lockfileExclusiveLock|lockfileFailImmediately, 0, 1, 0, uintptr(unsafe.Pointer(&ol)))
	if r == 0 {
		syscall.CloseHandle(h)
		if e == errorLockViolation || e == syscall.ERROR_IO_PENDING {
			return nil, errBusy
		}
		return nil, fmt.Errorf("porttest: locking %s: %w", path, e)
	}
	return &lockFile{h: h, path: path}, nil
}

// unlock drops the lock by closing the handle.
func (l *lockFile) unlock() error {
	if err := syscall.CloseHandle(l.h); err != nil {
		return fmt.Errorf("porttest: releasing lock %s: %w", l.path, err)
	}
	return nil
}
