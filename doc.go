// Package ports is the vocabulary of the ports library: port numbers,
// protocols, inclusive port ranges, sets of ranges, the RFC 6335 classes and
// the endpoints that services bind, with the one rule that says when two
// endpoints conflict.
//
// The library answers three questions for the people who wire services
// together: what is this port, which port should this service use, and can
// I have these ports without colliding with anyone?
//
//	p, _ := ports.ParsePort("8080")
//	fmt.Println(p.Class()) // user
//
//	a := ports.MustParseEndpoint("0.0.0.0:3000/tcp") // Grafana
//	b := ports.MustParseEndpoint("3000")             // a web app, every address
//	fmt.Println(a.Conflicts(b)) // true
//
// # Types
//
// [Port] is a uint16: every value is a port, and out-of-range input is caught
// by [ParsePort]. [Protocol] is one of the four transports of the IANA
// registry. [Range] is an inclusive range of ports, comparable with ==, that
// cannot be built inverted. [RangeSet] is an immutable set of ports built by
// a [RangeSetBuilder]: it is how the rest of the library says "avoid these
// ports". [Class] is the RFC 6335 class of a port. [Endpoint] is a protocol,
// a range and an optional address, and [Endpoint.Conflicts] is the conflict
// rule.
//
// The value types follow net/netip. [Port], [Range] and [Endpoint] have
// ParseX, MustParseX, String, AppendText, MarshalText and UnmarshalText, and
// Compare; [Protocol] all but MustParseX and Compare; [RangeSet] all but
// Compare (it has [RangeSet.Equal]); [Class] is an enumeration with String,
// Title and Range. The zero value of each type is documented; parse errors
// are a [*ParseError], which names the function, quotes the input and says
// what is wrong, and whose [ParseError.Detail] leaves the function out for
// messages to a program's users.
//
// # Packages
//
// The module is layered; a package imports only packages below it.
//
//   - ports (this package): value types. Pure.
//   - [github.com/portalloc/ports/wellknown]: the whole IANA service registry,
//     the de-facto ports the registry does not know, the ports browsers
//     refuse, and the known collisions. Pure.
//   - [github.com/portalloc/ports/portscheme]: the ten-slot-per-pod offset
//     scheme with per-language ranges, and the PORT, REST_PORT, DEBUG_PORT
//     and TARGET_PORT contract for service bootstrap. Pure.
//   - [github.com/portalloc/ports/allocator]: an interval-tree allocator with
//     conflict detection that names every holder and suggests the nearest
//     free alternative. Pure.
//   - [github.com/portalloc/ports/hostports]: what this machine reserves
//     (ephemeral range, reserved and excluded ranges, privileged ports) and
//     whether a port can be bound now. Reads the OS.
//   - [github.com/portalloc/ports/porttest]: free ports for tests that are
//     really free: held sockets, leases unique across the processes of
//     go test ./..., released on t.Cleanup. Opens sockets and lock files.
//   - [github.com/portalloc/ports/manifest]: declared ports read from compose
//     files, Kubernetes manifests and a port registry file. Reads files.
//   - cmd/ports: the command-line tool.
//
// Pure packages never touch the file system, the network, the environment or
// the clock: what they need from the world is passed in, usually as a
// [RangeSet].
//
// # Classes
//
// RFC 6335 divides the port space in three: [System] ports 0-1023, [User]
// ports 1024-49151 and [Dynamic] (private) ports 49152-65535. It also reserves
// four edge values, 0, 1023, 1024 and 49151, which [Port.IsReserved] reports.
//
// # Conflicts
//
// Two endpoints conflict when their protocols are the same, their ranges
// overlap and their addresses overlap. Addresses overlap when they are equal,
// when either is absent (every address), when one is the unspecified address
// of the other's family, and — the dual-stack choice — when one is :: and the
// other any IPv4 address, since an IPv6 socket on :: accepts IPv4 traffic by
// default. See [AddrsOverlap].
package ports
