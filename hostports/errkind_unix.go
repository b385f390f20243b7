//go:build unix

package hostports

import (
	"errors"
	"strconv"
	"syscall"
)

func errKindOf(err error) errKind {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return kindInUse
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return kindAccess
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return kindAddrNotAvail
	case errors.Is(err, syscall.EAFNOSUPPORT), errors.Is(err, syscall.EPROTONOSUPPORT):
		return kindNoFamily
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return kindNoFiles
	}
	return kindOther
}

// withDescriptorLimit adds the process's limit of open files to err, an
// EMFILE or ENFILE from opening a socket, so that the message says what ran
// out: the process's limit (EMFILE) or the system's table (ENFILE).
func withDescriptorLimit(err error) error {
	if !errors.Is(err, syscall.EMFILE) {
		return err
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return err
	}
	return &limitError{err: err, limit: uint64(rl.Cur)}
}

// limitError is an EMFILE from the OS with the limit it ran into.
type limitError struct {
	err   error
	limit uint64
}

func (e *limitError) Error() string {
	return e.err.Error() + "; ulimit -n " + strconv.FormatUint(e.limit, 10)
}

func (e *limitError) Unwrap() error { return e.err }
