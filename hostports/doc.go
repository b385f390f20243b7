// Package hostports says what this machine allows: which ports its OS keeps
// for itself, who holds a port now, and whether a port can be bound.
//
//	lim, err := hostports.Read()            // ephemeral, reserved, excluded, privileged
//	avoid := hostports.Avoided(lim, hostports.AvoidOptions{}) // the ports to stay off
//	rep := hostports.Probe(8080)            // TCP and UDP on 127.0.0.1, ::1, 0.0.0.0, ::
//	if !rep.Bindable() { log.Print(rep.Err()) } // ... port in use (bind: address already in use)
//	socks, err := hostports.Holders(ports.MustParseEndpoint("5432/tcp")) // who holds it
//
// Unlike the pure packages of the module, hostports reads the OS; each
// output it reads is parsed by a pure, exported function ([ParseLsof], …),
// so that outputs captured elsewhere can be read too.
//
// # Limits
//
// [Read] returns the [Limits] of the running host and [Defaults] the
// documented defaults of an OS: the ephemeral range, the ports Linux
// reserves, the privileged ports, and the Windows excluded ranges.
// [Limits.Avoid] unites them; [Avoided] adds the System ports, the ports
// of widely used software and those browsers refuse: the set to stay off
// when choosing a server's port. [ReadProcFS] and [ReadNetns] read the
// limits of another Linux network namespace.
//
// # Probing
//
// A [Prober] binds a port as a Go server would (listening for TCP, on
// 127.0.0.1, ::1, 0.0.0.0 and :: by default) and closes it at once.
// [Prober.Check] stops at the first failure, a [*BindError] that unwraps to
// its reason ([ErrInUse], [ErrPrivileged], [ErrExcluded], …);
// [Prober.Probe] tries every address and returns a [Report]. A probe says
// what is true when it runs; package porttest leases ports so that
// cooperating processes do not race.
//
// # Sockets
//
// [ReadTable] reads the host's TCP and UDP sockets into a [Table]: each
// [Socket] with its ends, state, and the processes and containers that
// hold it; an owner that cannot be inspected is [OwnerHidden], never
// guessed. Windows's tables come from GetExtendedTcpTable and
// GetExtendedUdpTable. [Why] says every reason a bind of a port would
// fail, with its evidence and its fix; [ExplainExclusion] says who likely
// made the Windows excluded range of a port (WinNAT, an administrator, a
// service).
//
// # Container runtime
//
// [ReadRuntime] says which container runtime would publish a compose
// project's ports here (Docker or Podman), and whether it is rootless and
// so cannot publish the ports of [Limits.Privileged]; [FindRuntime] decides
// the same from an environment, a user and a file system given to it.
// [ReadTable] names the container of a port Docker publishes (held by
// docker-proxy or dockerd) by asking the Docker daemon's unix socket, with
// a short deadline, and by the proxy's arguments where it does not answer;
// [ParseDockerContainers] reads the daemon's answer.
//
// # Costs, concurrency, portability
//
// [Read] reads a few files or sysctls; a probe costs one bind per protocol
// and address (one per protocol on Linux when all are free); [ReadTable]
// reads the socket tables and, to name owners, every process's descriptors:
// O(sockets + descriptors); for one port with TableOptions.FirstOwner,
// that port's sockets and the descriptors read until each has a holder,
// and with TableOptions.Listening, on Linux, without the kernel's table
// of connections.
// The functions are safe for concurrent use, and [Limits], [Report] and
// [Table] are plain values. The package builds on every OS Go supports and
// reads Linux, macOS, FreeBSD and Windows; elsewhere [Read] returns the
// defaults it knows and an error wrapping [errors.ErrUnsupported].
package hostports
