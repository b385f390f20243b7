//go:build linux

package hostports

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
)

func readHost() (Limits, error) {
	return ReadProcFS(os.DirFS("/proc"))
}

// ReadNetns reads the Linux limits of another network namespace, named by a
// namespace file: /proc/PID/ns/net for the namespace of process PID, or
// /run/netns/NAME for one made by "ip netns add NAME".
//
// The values under /proc/sys/net belong to the namespace of the thread that
// reads them, so ReadNetns reads them from a thread of its own that joins
// the namespace with setns(2) and leaves it afterwards; if it cannot leave,
// the thread is discarded, never reused. Joining needs CAP_SYS_ADMIN. On
// systems other than Linux it returns an error that wraps
// [errors.ErrUnsupported].
func ReadNetns(path string) (Limits, error) {
	l, _ := Defaults("linux")
	err, nsErr := inNetns(path, func() error {
		var err error
		l, err = ReadProcFS(os.DirFS("/proc"))
		return err
	})
	if nsErr != nil {
		return l, errors.Join(err, fmt.Errorf("hostports: ReadNetns(%q): %w", path, nsErr))
	}
	return l, err
}

// inNetns runs f on a thread of its own that joins the network namespace
// named by the file at path, and leaves it afterwards; a thread that
// cannot leave is discarded, never reused. It returns f's error, and
// apart, what went wrong entering or leaving the namespace, for the caller
// to name itself in (f is not run when the namespace cannot be entered).
func inNetns(path string, f func() error) (err, nsErr error) {
	type result struct{ err, nsErr error }
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		err, nsErr, restored := joinRun(path, f)
		if restored {
			runtime.UnlockOSThread()
		} // else the thread ends with this goroutine and is never reused
		ch <- result{err, nsErr}
	}()
	r := <-ch
	return r.err, r.nsErr
}

// joinRun runs on a locked thread. It reports whether the thread is back
// in its own namespace.
func joinRun(path string, f func() error) (err, nsErr error, restored bool) {
	target, err := os.Open(path)
	if err != nil {
		return nil, err, true
	}
	defer target.Close()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		// Linux before 3.17 has no /proc/thread-self.
		self, err = os.Open("/proc/self/task/" + strconv.Itoa(syscall.Gettid()) + "/ns/net")
		if err != nil {
			return nil, fmt.Errorf("opening the current namespace: %w", err), true
		}
	}
	defer self.Close()
	if err := setns(target, syscall.CLONE_NEWNET); err != nil {
		msg := ""
		if errors.Is(err, syscall.EPERM) {
			msg = " (joining a network namespace needs CAP_SYS_ADMIN)"
		} else if errors.Is(err, syscall.EINVAL) {
			msg = " (not a network namespace file)"
		}
		return nil, fmt.Errorf("setns: %w%s", err, msg), true
	}
	err = f()
	if err2 := setns(self, syscall.CLONE_NEWNET); err2 != nil {
		return err, fmt.Errorf("returning to the original namespace: %w", err2), false
	}
	return err, nil, true
}

func setns(f *os.File, nstype int) error {
	_, _, e := syscall.Syscall(sysSetns, f.Fd(), uintptr(nstype), 0)
	if e != 0 {
		return e
	}
	return nil
}
