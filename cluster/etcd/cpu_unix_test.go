//go:build unix

package etcd

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time, user and system, that this process has
// used: in a benchmark, its clients (the etcd server that they use runs in
// a process of its own).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
