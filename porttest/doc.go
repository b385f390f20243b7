// Package porttest gives tests ports that are really free: sockets held
// from the moment their port is chosen, and port numbers leased across the
// processes of go test ./... so that no two of them get the same one.
//
//	func TestServer(t *testing.T) {
//		ln := porttest.Listen(t)                 // 127.0.0.1, held until the test ends
//		go http.Serve(ln, handler)
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
// number) return sockets bound on 127.0.0.1 and a leased port, closed when
// the test ends. The socket is bound right after the lease's check, and the
// lease keeps every other user of the pool off the port meanwhile; a
// process outside the pool that takes the port in that moment costs a
// retry (see Failures), not a failed test.
//
// # Leased numbers
//
// [Port], [Ports], [Run] (k contiguous ports, such as the ten of a pod of a
// slot scheme) and [Take] return ports leased for the life of the test,
// for callers that need a number: a configuration file, a child process.
// Outside tests, a [Pool] does the same with plain functions that return
// errors: [Pool.Lease], [Pool.LeaseN], [Pool.LeaseRun], and a [Lease] can
// open sockets on its port ([Lease.ListenTCP], [Lease.ListenUDP]).
//
// A lease is a lock on a file named after the port ("12345.lock") in a
// lock directory that cooperating processes share ([DefaultDir], or
// $PORTTEST_DIR, which must be an absolute path, or Options.Dir): flock(2)
// on Unix-like systems, LockFileEx on Windows; on Linux also a name in the
// abstract socket namespace, which no rm can remove, so that a lease
// survives its lock file being deleted (elsewhere, do not clean the lock
// directory while tests run). The locks belong to the process that took
// them, so the kernel drops them when the process ends however it ends,
// kill -9 included; a lease never outlives its holder and nothing needs
// cleaning up. The files are left in place, empty, for the next holder.
// The directory is created with mode 0700 and refused if it is a symbolic
// link, belongs to another user or is open to others; a pool holds it open,
// so that moving it away later does not move the locks. When another user
// has taken the default directory first, the pool falls back to one in
// $XDG_RUNTIME_DIR or the user's cache directory. A lock file that is a
// symbolic link is refused (the port is passed over), never followed.
//
// # Which ports
//
// A [Pool] hands out only its candidates ([Pool.Candidates]): every port
// less those [Avoided] on the host, namely the ephemeral ranges, the
// reserved and excluded ranges and the privileged ports read by
// [github.com/portalloc/ports/hostports], the System ports, the de-facto
// ports of developers' machines and the ports browsers refuse from
// [github.com/portalloc/ports/wellknown]. A pool whose prober checks only
// some protocols avoids only what those protocols should ([AvoidedFor]): a
// TCP-only pool may use the UDP media ranges of SIP software, 10000-32768,
// which the default pool, for ports that serve both, leaves alone.
//
// A pool starts at a random candidate and goes round, passing over ports
// leased by others, and checks every port it takes with a bind, TCP (bind
// and listen) and UDP, on 127.0.0.1, ::1, 0.0.0.0 and :: (see
// [hostports.Prober.Check], which on Linux answers for the four with one
// dual-stack socket on :: per protocol; IPv6 is skipped on a host without
// it), before handing it out. A lease so checked cost about 20 µs on a
// two-core Linux virtual machine, as much as one TCP check through
// package net. When nothing is left it returns an
// [*ExhaustedError] that says what it tried.
//
// # Handing sockets to a child process
//
// [Pass] (and [Handoff] in tests) gives a child process a duplicate of held
// sockets without releasing them, under the socket-activation convention of
// systemd: descriptors from 3, LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID
// (set by a /bin/sh prelude, since the child's process id is known only
// once it runs). On the receiving side, [InheritedListener],
// [InheritedPacketConn] and [InheritedFiles] take them, in any program
// that follows the convention; a descriptor announced but not an open
// socket when the program starts is refused. Unix-like systems only.
//
// # Failures
//
// The test helpers fail the test with t.Fatalf and a message that says what
// was tried; nothing in the package panics. A process that runs out of
// file descriptors gets an error saying so (it unwraps to
// [hostports.ErrNoDescriptors]), not a count of ports that failed. A helper that opens a socket
// tries up to three leases if a process outside the pool takes a port
// between its check and the bind.
package porttest
