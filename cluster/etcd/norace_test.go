//go:build !race

package etcd

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
