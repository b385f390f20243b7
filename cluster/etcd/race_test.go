//go:build race

package etcd

// raceEnabled reports whether the tests run under the race detector, which
// slows etcd and the clients about tenfold: the long tests do less.
const raceEnabled = true
