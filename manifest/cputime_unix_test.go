//go:build unix

package manifest

import "syscall"

// cpuSeconds returns the CPU time this process has used, in every thread
// (the collector's too), in seconds; 0 if it cannot be read.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
