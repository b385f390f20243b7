// Package hostports says what this machine allows: which ports its OS keeps
// for itself, who holds a port now, and whether a port can be bound.
//
//	lim, err := hostports.Read()            // ephemeral, reserved, excluded, privileged
//	avoid := hostports.Avoided(lim, hostports.AvoidOptions{}) // a ports.RangeSet to stay off
//	rep := hostports.Probe(8080)            // TCP and UDP on 127.0.0.1, ::1, 0.0.0.0, ::
//	if !rep.Bindable() { log.Print(rep.Err()) } // ... port in use (bind: address already in use)
//	socks, err := hostports.Holders(ports.MustParseEndpoint("5432/tcp")) // who holds it
//
// Unlike the pure packages of the module, hostports reads the OS. Every
// output it reads is parsed by a pure, exported function ([ParseLinuxPortRange],
// [ParseNetshExcludedPortRanges], [ParseLsof], …), so that outputs captured
// elsewhere can be read too, and the formats of every OS are tested on
// every OS.
//
// # Limits
//
// [Read] returns the [Limits] of the running host and [Defaults] the
// documented defaults of an OS: the ephemeral range, the ports Linux
// reserves for servers, the privileged ports, and the Windows excluded
// ranges that Hyper-V, WSL 2 and Docker Desktop set. [Limits.Avoid] unites
// them; [Avoided] adds the System ports, the ports of widely used software
// and those browsers refuse: the set to stay off when choosing a server's
// port. Linux keeps the limits per network namespace: [ReadProcFS] reads
// them from any procfs, and [ReadNetns] from another namespace (which needs
// CAP_SYS_ADMIN).
//
// # Probing
//
// A [Prober] binds a port as a Go server would (listening for TCP, on
// 127.0.0.1, ::1, 0.0.0.0 and :: by default) and closes it at once.
// [Prober.Check] stops at the first failure, a [*BindError] that unwraps to
// its reason ([ErrInUse], [ErrPrivileged], [ErrExcluded], [ErrDenied],
// [ErrAddrNotAvailable], [ErrNoDescriptors]); [Prober.Probe] tries every
// address and returns a [Report]. A probe says what is true when it runs;
// package porttest leases ports so that cooperating processes do not race.
//
// # Sockets
//
// [ReadTable] reads the host's TCP and UDP sockets (on Linux, of any
// network namespace) into a [Table]: each [Socket] with its ends, state,
// IPV6_V6ONLY, and the processes and containers that hold it. A process of
// another user that cannot be inspected is [OwnerHidden], never guessed.
// [Why] says every reason a bind of a port would fail, with its evidence
// and its fix.
//
// # Container runtime
//
// [ReadRuntime] says which container runtime would publish a compose
// project's ports here, and whether it is rootless (rootless Docker, or
// Podman run by a user), found as the Docker CLI finds its daemon:
// DOCKER_HOST, the current Docker context, the default socket. A rootless
// runtime cannot publish the ports of [Limits.Privileged]. [FindRuntime]
// decides the same from an environment, a user and a file system given to
// it.
//
// # Portability
//
// The package builds on every OS Go supports and reads Linux, macOS,
// FreeBSD and Windows; elsewhere [Read] returns the defaults it knows and
// an error wrapping [errors.ErrUnsupported]. Beyond the module's own
// packages it uses the standard library only.
package hostports
