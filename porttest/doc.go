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
// first; two test binaries (go test ./... runs packages in parallel
// processes) pick the same port; the port lies in the OS ephemeral range
// and an outgoing connection takes it; on Windows, Hyper-V has excluded it.
//
// # Held sockets
//
// [Listen], [Listeners], [ListenUDP] and [ListenPair] (TCP and UDP on one
// number) return sockets bound on 127.0.0.1 and a leased port, and
// [NewServer] and [NewTLSServer] an [net/http/httptest.Server] on one; all
// are closed when the test ends. A process outside the pool that takes the
// port between the lease's check and the bind costs a retry, not a failed
// test.
//
// # Leased numbers
//
// [Port], [Ports], [PortRange] (k contiguous ports) and [Pod] (a whole pod
// of a [github.com/portalloc/ports/portscheme] scheme) return port numbers
// leased for the life of the test, and [NewLease] a [Lease] itself. Outside
// tests, a [Pool] does the same with functions that return errors:
// [Pool.Lease], [Pool.LeaseN] and [Pool.LeaseRange].
//
// A lease is a lock in a lock directory that cooperating processes share
// ([DefaultDir], $PORTTEST_DIR, or Options.Dir): a lock file per port, and
// on Linux a name no rm can remove. The kernel drops the locks when their
// process ends, however it ends; nothing needs cleaning up. The directory
// must be the user's own and closed to others (see [Options]).
//
// # Which ports
//
// A [Pool] hands out only its candidates ([Pool.Candidates]): every port
// less those [AvoidedFor] the host, namely the ephemeral, reserved and
// excluded ranges and the privileged ports read by
// [github.com/portalloc/ports/hostports], the System ports, the de-facto
// ports of developers' machines and the ports browsers refuse. It checks
// every port it takes with a bind, TCP and UDP, on 127.0.0.1, ::1, 0.0.0.0
// and :: ([hostports.Prober.Check]), before handing it out. When nothing is
// left it returns an [*ExhaustedError] that says what it tried.
//
// # Handing sockets to a child process
//
// [Pass] (and [Handoff] in tests) gives a child process a duplicate of held
// sockets without releasing them, under the socket-activation convention of
// systemd (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID). The child takes them
// with package [github.com/portalloc/ports/activation], or as any program
// that follows the convention. Unix-like systems only.
//
// # Failures
//
// The test helpers fail the test with t.Fatalf and a message that says what
// was tried; nothing in the package panics. A process that runs out of
// file descriptors gets an error saying so (it unwraps to
// [hostports.ErrNoDescriptors]), not a count of ports that failed.
package porttest
