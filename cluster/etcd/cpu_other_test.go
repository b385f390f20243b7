//go:build !unix

package etcd

import "time"

// cpuTime returns 0 where getrusage(2) is not available.
func cpuTime() time.Duration { return 0 }
