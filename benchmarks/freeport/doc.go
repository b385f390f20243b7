// Package freeport compares package porttest of
// github.com/portalloc/ports with two peers that hand out free ports for
// tests, github.com/hashicorp/consul/sdk/freeport and
// github.com/phayes/freeport, side by side in one benchmark run.
//
// It is a module of its own so that the library does not depend on the
// peers. Run it from this directory:
//
//	go test -run '^$' -bench . -benchtime=1s
//
// Each benchmark hands out one port per operation, and gives it back when
// the peer has a way to, and reports ports/s. The peers do not check the
// same things, and the benchmarks say what each checks:
//
//   - porttest: a lease unique across processes (a flock on a file per
//     port), outside the ephemeral, reserved, excluded, privileged and
//     well-known ports, bound TCP (bind and listen) and UDP on 127.0.0.1,
//     ::1, 0.0.0.0 and :: before it is handed out (on Linux, by one
//     dual-stack bind on :: per protocol, which the kernel refuses while
//     any of the four holds the port);
//   - porttest with only TCP on 127.0.0.1 checked, the check consul makes;
//   - consul: a port of a block of 1500 that the process reserves outside
//     the ephemeral range (a listener on its first port marks it), checked
//     with a TCP listener on 127.0.0.1; a port given back waits in a queue
//     that a goroutine checks and recycles every 250 ms;
//   - phayes: a port the kernel chooses from the ephemeral range for a TCP
//     listener on localhost, closed before the port is returned: nothing
//     keeps another process from taking it, nor from choosing the same.
package freeport
