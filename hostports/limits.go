package hostports

import (
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown"
)

// Limits is what a host keeps for itself: the ports its OS hands out as
// ephemeral (local) ports, the ports it reserves or excludes, and the ports
// only a privileged process may bind. [Read] fills one from the running
// host; [Defaults] gives the documented defaults of an OS.
//
// The zero value describes a host that keeps no port for itself. A Limits is
// a plain value, safe for concurrent use once built; [Limits.Avoid] turns it
// into the set of ports an allocator policy should leave alone.
type Limits struct {
	// GOOS names the operating system the values describe, as runtime.GOOS
	// does.
	GOOS string

	// EphemeralTCP and EphemeralUDP are the ranges the OS picks a local
	// port from when a program binds port 0 or connects without binding.
	// Linux and the BSDs use one range for every protocol; Windows keeps
	// one per protocol. The zero Range means unknown.
	EphemeralTCP, EphemeralUDP ports.Range

	// Reserved holds the ports that Linux leaves out of the ephemeral range
	// (net.ipv4.ip_local_reserved_ports): an administrator reserves them for
	// servers. Empty on other systems.
	Reserved ports.RangeSet

	// ExcludedTCP and ExcludedUDP hold the Windows excluded port ranges,
	// which no program can bind: Hyper-V, WSL 2 and Docker Desktop add them
	// at boot, and administrators with netsh. Empty on other systems.
	ExcludedTCP, ExcludedUDP ports.RangeSet

	// Exclusions are the rows of the Windows excluded port ranges, as
	// netsh lists them, with the mark of those an administrator added (see
	// [ExplainExclusion]); ExcludedTCP and ExcludedUDP are their union per
	// protocol. Nil on other systems.
	Exclusions []Exclusion

	// Privileged holds the ports that only a privileged process may bind:
	// 0-1023 on Unix-like systems, below net.ipv4.ip_unprivileged_port_start
	// on Linux (empty when that is 0). Empty on Windows, which has none.
	Privileged ports.RangeSet

	// Defaulted says, one entry per value, what could not be read from the
	// host and was set to the documented default instead, and why. It is
	// empty when every value was read.
	Defaulted []string
}

// Ephemeral returns the ephemeral range of proto: EphemeralUDP for UDP,
// EphemeralTCP for every other protocol (Linux and the BSDs use one range
// for all of them).
func (l Limits) Ephemeral(proto ports.Protocol) ports.Range {
	if proto == ports.UDP {
		return l.EphemeralUDP
	}
	return l.EphemeralTCP
}

// Excluded returns the excluded ranges of proto: ExcludedUDP for UDP,
// ExcludedTCP for every other protocol, and both together for the zero
// Protocol.
func (l Limits) Excluded(proto ports.Protocol) ports.RangeSet {
	switch proto {
	case ports.UDP:
		return l.ExcludedUDP
	case 0:
		return l.ExcludedTCP.Union(l.ExcludedUDP)
	}
	return l.ExcludedTCP
}

// Avoid returns the ports a program choosing a port for a server of proto
// should leave alone on this host: the ephemeral range (an outgoing
// connection may hold any of them at any moment), the reserved and excluded
// ranges, and the privileged ports. For the zero Protocol it returns what
// both TCP and UDP should avoid, for a port that must serve both. It is the
// host's part of [Avoided], which adds the ports of other software.
func (l Limits) Avoid(proto ports.Protocol) ports.RangeSet {
	var b ports.RangeSetBuilder
	if proto == 0 {
		b.Add(l.EphemeralTCP)
		b.Add(l.EphemeralUDP)
	} else {
		b.Add(l.Ephemeral(proto))
	}
	b.AddSet(l.Excluded(proto))
	b.AddSet(l.Reserved)
	b.AddSet(l.Privileged)
	return b.RangeSet()
}

// AvoidOptions say what a port chosen by [Avoided] is for, and so which
// parts of the recipe apply. The zero value is a port that serves every
// transport, on this host, for anything.
type AvoidOptions struct {
	// Protocols are the transports the port serves: the host's ranges and
	// the de-facto ports of each are avoided, and no others, so that a TCP
	// port is not kept out of ranges only UDP software uses (the RTP media
	// ranges 10000-32768). None means every transport, as
	// [Limits.Avoid](0) and [wellknown.DeFactoPorts](0) take it.
	Protocols []ports.Protocol

	// NodePorts, when valid, is the NodePort range of the Kubernetes
	// cluster the port is for: every port outside it is avoided in place of
	// the host's own ranges, which are the nodes' and which a cluster keeps
	// clear of its NodePort range.
	NodePorts ports.Range

	// AllowDeFacto leaves the ports of widely used software in: a
	// conventional place such as 8080 for a web server is theirs by
	// convention, and is not avoided for it.
	AllowDeFacto bool
}

// Avoided returns the ports to stay off when choosing a port for a server
// on a host with limits l, the one recipe of the module:
//
//   - for each protocol of o, what [Limits.Avoid] says: the ephemeral
//     range (an outgoing connection may hold any of its ports at any
//     moment), the reserved and excluded ranges and the privileged ports;
//     or, with o.NodePorts, every port outside that range;
//   - the System ports 0-1023 and the ports RFC 6335 reserves (0, 1023,
//     1024, 49151), on every system;
//   - the ports browsers refuse ([wellknown.BadPorts]), so that a server
//     can be reached from a browser;
//   - unless o.AllowDeFacto, the de-facto ports of each protocol
//     ([wellknown.DeFactoPorts]): Grafana's 3000, Postgres's 5432 and the
//     rest, which a developer's machine may have busy at any moment.
//
// Package porttest leases test ports outside it, package claims claims
// dev ports outside it, and package check suggests new places outside it.
// Each call builds a new set, in O(n log n) for the n ranges it unites (a
// few hundred, most of them the de-facto table's).
func Avoided(l Limits, o AvoidOptions) ports.RangeSet {
	protos := o.Protocols
	if len(protos) == 0 {
		protos = []ports.Protocol{0}
	}
	var b ports.RangeSetBuilder
	for _, p := range protos {
		if o.NodePorts.IsValid() {
			b.AddSet(ports.RangeSetOf(o.NodePorts).Complement())
		} else {
			b.AddSet(l.Avoid(p))
		}
		if !o.AllowDeFacto {
			b.AddSet(wellknown.DeFactoPorts(p))
		}
	}
	b.Add(ports.System.Range())
	for _, p := range []ports.Port{0, 1023, 1024, 49151} {
		b.AddPort(p)
	}
	b.AddSet(wellknown.BadPorts())
	return b.RangeSet()
}

// Defaults returns the documented defaults of the operating system goos
// (named as runtime.GOOS names it), and whether it knows them:
//
//   - linux: ephemeral 32768-60999 (net.ipv4.ip_local_port_range), nothing
//     reserved, privileged 0-1023;
//   - darwin and ios: ephemeral 49152-65535 (net.inet.ip.portrange.first and
//     last), privileged 0-1023;
//   - freebsd: ephemeral 10000-65535, privileged 0-1023;
//   - windows: dynamic ports 49152-65535 for TCP and UDP (Windows Vista and
//     later), nothing excluded, nothing privileged.
//
// Defaulted is empty in the result: a default is not a reading.
func Defaults(goos string) (Limits, bool) {
	privileged := ports.RangeSetOf(ports.RangeFrom(0, 1023))
	switch goos {
	case "linux", "android":
		r := ports.RangeFrom(32768, 60999)
		return Limits{GOOS: goos, EphemeralTCP: r, EphemeralUDP: r, Privileged: privileged}, true
	case "darwin", "ios":
		r := ports.RangeFrom(49152, 65535)
		return Limits{GOOS: goos, EphemeralTCP: r, EphemeralUDP: r, Privileged: privileged}, true
	case "freebsd":
		r := ports.RangeFrom(10000, 65535)
		return Limits{GOOS: goos, EphemeralTCP: r, EphemeralUDP: r, Privileged: privileged}, true
	case "windows":
		r := ports.RangeFrom(49152, 65535)
		return Limits{GOOS: goos, EphemeralTCP: r, EphemeralUDP: r}, true
	}
	return Limits{GOOS: goos}, false
}

// Read returns the limits of the running host, read from the OS:
//
//   - Linux: the files under /proc/sys/net/ipv4 (see [ReadProcFS]), which
//     give the values of the network namespace the process runs in;
//   - macOS and FreeBSD: the sysctl variables net.inet.ip.portrange.first
//     and last, read with sysctl(3), or with sysctl(8) if that fails;
//   - Windows: the output of netsh int ipv4 show dynamicport and show
//     excludedportrange, for TCP and UDP, and of netsh int ipv6 show
//     excludedportrange (an IPv6 exclusion stops a bind on :: all the same).
//
// A value that the OS does not have (an old kernel without
// ip_unprivileged_port_start, say) is set to its default and noted in
// Limits.Defaulted. If the ephemeral range cannot be read, Read returns the
// documented defaults of the OS (see [Defaults]) together with the error,
// so that a caller may choose to carry on. On other systems it returns the
// defaults it knows and an error that wraps [errors.ErrUnsupported].
func Read() (Limits, error) {
	return readHost()
}
