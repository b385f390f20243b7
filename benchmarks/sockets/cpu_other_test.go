//go:build !linux

package sockets

import "time"

// selfCPU is not measured here: the benchmarks run on Linux alone.
func selfCPU() time.Duration { return 0 }
