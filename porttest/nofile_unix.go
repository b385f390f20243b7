//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package porttest

import (
	"errors"
	"strconv"

	"github.com/portalloc/ports/hostports"
	"golang.org/x/sys/unix"
)

// describeErrno returns err, an error of a system call that opens a
// descriptor, as an error that says what ran out when it is EMFILE or
// ENFILE (and unwraps to [hostports.ErrNoDescriptors] and err).
func describeErrno(err error) error {
	switch {
	case errors.Is(err, unix.EMFILE):
		var rl unix.Rlimit
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil {
			return &noDescriptorsError{err: err, why: "ulimit -n " + strconv.FormatUint(uint64(rl.Cur), 10)}
		}
		return &noDescriptorsError{err: err, why: "the process's limit"}
	case errors.Is(err, unix.ENFILE):
		return &noDescriptorsError{err: err, why: "the system's limit"}
	}
	return err
}

type noDescriptorsError struct {
	err error
	why string
}

func (e *noDescriptorsError) Error() string {
	return "out of file descriptors (" + e.err.Error() + "; " + e.why + ")"
}

func (e *noDescriptorsError) Unwrap() []error { return []error{hostports.ErrNoDescriptors, e.err} }
