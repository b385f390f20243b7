// Package hostports says what this machine allows: which ports its OS keeps
// for itself, and whether a port can be bound right now.
//
//	lim, err := hostports.Read()            // ephemeral, reserved, excluded, privileged
//	avoid := lim.Avoid(0)                   // a ports.RangeSet for an allocator policy
//	rep := hostports.Probe(8080)            // TCP and UDP on 127.0.0.1, ::1, 0.0.0.0, ::
//	if !rep.Bindable() { log.Print(rep.Err()) } // ... port in use (bind: address already in use)
//
// Unlike the pure packages of the module, hostports reads the OS. Every
// output it reads is parsed by a pure, exported function, so that outputs
// captured elsewhere (a CI runner, a colleague's Windows machine) can be
// read too, and so that the formats of every OS are tested on every OS.
//
// # Limits
//
// [Read] returns the [Limits] of the running host, and [Defaults] the
// documented defaults of an OS:
//
//   - the ephemeral range, from which the OS picks the local port of an
//     outgoing connection or of a bind to port 0. Linux:
//     /proc/sys/net/ipv4/ip_local_port_range, default 32768-60999 (see
//     [ParseLinuxPortRange]). macOS and FreeBSD: the sysctl variables
//     net.inet.ip.portrange.first and last, default 49152-65535 and
//     10000-65535 (see [ParseSysctlPortRange]). Windows: netsh int ipv4 show
//     dynamicport tcp and udp, default 49152-65535 (see
//     [ParseNetshDynamicPortRange]). A range that includes port 0 is an
//     error: port 0 asks for any port, and no kernel takes it as an end;
//   - the ports Linux reserves for servers,
//     /proc/sys/net/ipv4/ip_local_reserved_ports (see
//     [ParseLinuxReservedPorts]);
//   - the privileged ports, 0-1023 on Unix-like systems, or below
//     /proc/sys/net/ipv4/ip_unprivileged_port_start on Linux (see
//     [ParseLinuxUnprivilegedPortStart]);
//   - the Windows excluded port ranges that Hyper-V, WSL 2 and Docker
//     Desktop set, from netsh int ipv4 (and ipv6) show excludedportrange
//     (see [ParseNetshExcludedPortRanges]).
//
// Every range comes back as a [ports.Range] or a [ports.RangeSet] of the
// root package; [Limits.Avoid] unites them into the set a port allocator
// should leave alone.
//
// # Network namespaces
//
// Linux keeps these values per network namespace, and a process sees those
// of its own. [ReadProcFS] reads them from any procfs given as an [io/fs.FS];
// [ReadNetns] reads those of another namespace (/proc/PID/ns/net or
// /run/netns/NAME) from a thread that joins it, which needs CAP_SYS_ADMIN.
//
// # Probing
//
// A [Prober] binds a port to see whether it can: for TCP it binds and
// listens, for UDP it binds, on each of its addresses, by default
// 127.0.0.1, ::1, 0.0.0.0 and :: ([DefaultAddrs]), closing each socket at
// once. [Prober.Check] stops at the first failure and returns a
// [*BindError]; [Prober.Probe] tries everything and returns a [Report].
// A [*BindError] unwraps to the reason: [ErrInUse], [ErrPrivileged],
// [ErrExcluded] (a Windows excluded range), [ErrDenied],
// [ErrAddrNotAvailable]. To tell a privileged or excluded port from another
// refusal of permission, the first refused bind of the process reads the
// host's limits with [Read], once. On a host without IPv6, the IPv6 checks
// are skipped, not failed, and [Report.SkippedIPv6] says so. Port 0 is
// refused (binding it asks for any port), and so are protocols other than
// TCP and UDP.
//
// The sockets are opened as a Go server opens them (SO_REUSEADDR for TCP on
// Unix-like systems; :: dual-stack), so that "bindable" means "a Go server
// could listen here now". On Linux, macOS and FreeBSD the probe uses raw
// system calls, without the runtime's poller, which makes each socket cost
// about half what it costs through package net (BenchmarkBindOnce), and it
// sets IPV6_V6ONLY only when the socket does not start with the value it
// wants (Linux's net.ipv6.bindv6only, read once).
//
// On Linux, [Prober.Check] with loopback and wildcard addresses that include
// :: (the defaults) first binds only :: for each protocol, dual-stack,
// without SO_REUSEADDR and without listening: the kernel refuses that bind
// while any socket of any local address, IPv4 or IPv6, is bound to the
// port, so when it succeeds every address would bind and listen too. Only when it fails does Check go address by address, to
// name the one that fails. TestWildcardCoversAddrs holds ports in every way
// the package knows (listeners on each address, IPv6-only and dual-stack,
// bound and connected TCP sockets, TIME_WAIT) and checks that the short
// path never passes a port the long one fails. On a two-core Linux virtual
// machine a check of TCP and UDP on the four default addresses measured
// 15 µs this way and 63-70 µs address by address (BenchmarkCheck), nearly
// all of it in the kernel. [Prober.Probe] always goes address by address.
//
// A probe says what is true at the moment it runs; another process may
// take the port the next moment. Package
// [github.com/portalloc/ports/porttest] leases ports across processes so
// that cooperating programs do not.
//
// # Sockets
//
// [ReadTable] reads the host's TCP and UDP sockets (or, on Linux, those of
// another network namespace) into a [Table]: each [Socket] with its local
// and remote ends, its [SocketState], whether it is IPv6-only, and the
// processes that hold it, with their container. [Holders] answers "who
// holds this endpoint now". A process of another user that cannot be
// inspected is reported as [OwnerHidden], never guessed.
//
// # Portability
//
// The package builds on every OS Go supports. It reads the limits of Linux,
// macOS, FreeBSD and Windows; elsewhere [Read] returns the defaults it
// knows and an error wrapping [errors.ErrUnsupported]. The parsers and
// [Defaults] work everywhere. It uses the standard library only: sysctl(3)
// through package syscall on macOS and FreeBSD (falling back to running
// sysctl(8)), and netsh through package os/exec on Windows.
package hostports
