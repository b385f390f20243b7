// Package ports is the vocabulary of the ports library: port numbers,
// protocols, inclusive port ranges, sets of ranges, the RFC 6335 classes and
// the endpoints that services bind, with the one rule that says when two
// endpoints conflict.
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
// [Port] is a uint16: every value is a port. [Protocol] is one of the four
// transports of the IANA registry. [Range] is an inclusive range of ports
// that cannot be built inverted. [RangeSet] is an immutable set of ports,
// built by a [RangeSetBuilder]. [Class] is the RFC 6335 class of a port:
// [System] 0-1023, [User] 1024-49151, [Dynamic] 49152-65535. [Endpoint] is
// a protocol, a range and an optional address; [Endpoint.Conflicts] is the
// conflict rule (see [AddrsOverlap] for how addresses meet).
//
// The types are small values, comparable with == (but RangeSet, which has
// [RangeSet.Equal]), safe for concurrent use, with a documented zero value
// and the family of net/netip: ParseX, MustParseX, String, AppendText,
// MarshalText and UnmarshalText, Compare. Parse errors are a [*ParseError],
// which names the function, quotes the input and says what is wrong.
//
// # JSON, YAML and package net
//
// A Port is a JSON and YAML number and reads a number or a string of
// digits; Range, Endpoint and RangeSet are strings ("8000-8100") that also
// read a bare number as one port. [PortOf] reads the port of a net.Addr;
// [Endpoint.AddrPort] and [EndpointFromAddrPort] convert to and from
// netip.AddrPort; [EndpointAnyAddr] builds an endpoint on every address.
//
// Parsing and the set operations cost O(n) in the length of the input or
// the number of ranges; nothing here touches the file system, the network
// or the clock.
package ports
