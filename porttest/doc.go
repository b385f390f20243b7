// Package porttest gives tests ports that are really free: sockets held
// from the moment their port is chosen, and port numbers leased across the
// processes of go test ./... so that no two of them get the same one.
//
//	func TestServer(t *testing.T) {
//		srv := porttest.NewServer(t, handler)    // httptest, on a leased port
//		ln := porttest.Listen(t)                 // 127.0.0.1, held until the test ends
//		port := porttest.Port(t)                 // a number for a child's config
//		cmd := exec.Command("./worker", "-port", port.String())
//		...
//	}
//
// It fixes the usual causes of flaky port use in tests: a helper binds :0,
// closes the socket and returns the number, and another process takes it
// first; two test binaries pick the same port; the port lies in the OS
// ephemeral range and an outgoing connection takes it; on Windows, Hyper-V
// has excluded it.
//
// # Held sockets and leased numbers
//
// [Listen], [Listeners], [ListenUDP] and [ListenPair] (TCP and UDP on one
// number) return sockets bound on 127.0.0.1 and a leased port, and
// [NewServer] and [NewTLSServer] an [net/http/httptest.Server] on one.
// [Port], [Ports], [PortRange] (k contiguous ports) and [Pod] (a pod of a
// [github.com/portalloc/ports/portscheme] scheme) return port numbers, and
// [NewLease] a [Lease]. All are released when the test ends. A process
// outside the pool that takes a port between its check and the bind costs a
// retry, not a failed test. Outside tests, a [Pool] does the same with
// methods that return errors.
//
// A lease is a lock in a lock directory that cooperating processes share
// ([DefaultDir], $PORTTEST_DIR, or Options.Dir), one lock file per port.
// The kernel drops the locks when their process ends, however it ends. The
// directory must be the user's own and closed to others (see [Options]).
// Removing a held lock file does not free its port: on Linux a lease is also
// a name in the kernel; on macOS and the BSDs a held lock file is made
// immutable (chflags uchg) until it is released, so rm fails on it. A
// process that ends holding leases there (killed, or exiting without
// releasing them) leaves their files immutable until the port's next lease
// ends; `chflags -R nouchg DIR` clears them before DIR is removed.
//
// # Which ports
//
// A [Pool] hands out only its candidates ([Pool.Candidates]): every port
// less those [AvoidedFor] the host, which [hostports.Avoided] lists. It
// checks each port it takes with a bind, TCP and UDP, on 127.0.0.1, ::1,
// 0.0.0.0 and :: ([hostports.Prober.Check]). A lease costs one lock and one
// check when most candidates are free, O(c) for c candidates when few are;
// when none is left it returns an [*ExhaustedError] that says what it
// tried.
//
// # Handing sockets to a child process
//
// [Pass] (and [Handoff] in tests) gives a child process a duplicate of held
// sockets without releasing them, under the socket-activation convention of
// systemd (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID), which package
// [github.com/portalloc/ports/activation] receives. Unix-like systems only.
//
// # Failures and concurrency
//
// The test helpers fail the test with t.Fatalf and a message that says what
// was tried; the errors of a Pool say it too, and one that ran out of file
// descriptors unwraps to [hostports.ErrNoDescriptors]. Nothing in the
// package panics. The helpers use the process's [Default] pool. A [Pool]
// and a [Lease] are safe for concurrent use; the zero Pool is not usable.
package porttest
