//go:build !unix

package manifest

// cpuSeconds returns 0: the CPU time is read on Unix only.
func cpuSeconds() float64 { return 0 }
