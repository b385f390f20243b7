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
	type result struct {
		l   Limits
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		l, err, restored := readInNetns(path)
		if restored {
			runtime.UnlockOSThread()
		} // else the thread ends with this goroutine and is never reused
		ch <- result{l, err}
	}()
	r := <-ch
	return r.l, r.err
}

// readInNetns runs on a locked thread. It reports whether the thread is
// back in its own namespace.
func readInNetns(path string) (l Limits, err error, restored bool) {
	l, _ = Defaults("linux")
	target, err := os.Open(path)
	if err != nil {
		return l, fmt.Errorf("hostports: ReadNetns(%q): %w", path, err), true
	}
	defer target.Close()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		// Linux before 3.17 has no /proc/thread-self.
		self, err = os.Open("/proc/self/task/" + strconv.Itoa(syscall.Gettid()) + "/ns/net")
		if err != nil {
			return l, fmt.Errorf("hostports: ReadNetns(%q): opening the current namespace: %w", path, err), true
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
		return l, fmt.Errorf("hostports: ReadNetns(%q): setns: %w%s", path, err, msg), true
	}
	l, err = ReadProcFS(os.DirFS("/proc"))
	if err2 := setns(self, syscall.CLONE_NEWNET); err2 != nil {
		return l, errors.Join(err, fmt.Errorf("hostports: ReadNetns(%q): returning to the original namespace: %w", path, err2)), false
	}
	return l, err, true
}

func setns(f *os.File, nstype int) error {
	_, _, e := syscall.Syscall(sysSetns, f.Fd(), uintptr(nstype), 0)
	if e != 0 {
		return e
	}
	return nil
}
