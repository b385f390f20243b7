package ports

import (
	"net/netip"
	"strings"
)

// Endpoint is what a declaration or a reservation binds: a protocol, a range
// of ports and, optionally, one IP address.
//
// An Endpoint without an address (the zero [netip.Addr]) stands for every
// address of the host in both families, as a compose file's "8080:80" or a
// server listening on ":8080" does. An Endpoint with an unspecified address
// (0.0.0.0 or ::) stands for every address of that family; see
// [Endpoint.Conflicts] for how the families meet.
//
// Endpoint is a small value type, comparable with ==. Its zero value is
// invalid; [EndpointFrom] and [ParseEndpoint] build valid ones.
type Endpoint struct {
	addr  netip.Addr
	r     Range
	proto Protocol
}

// EndpointFrom returns the endpoint of proto, addr and r. Pass the zero
// [netip.Addr] for "every address". IPv4-mapped IPv6 addresses are unmapped,
// so ::ffff:127.0.0.1 and 127.0.0.1 are one endpoint. It returns the zero
// Endpoint if proto is not one of the four protocols or r is invalid.
func EndpointFrom(proto Protocol, addr netip.Addr, r Range) Endpoint {
	if !proto.IsValid() || !r.ok {
		return Endpoint{}
	}
	return Endpoint{addr: addr.Unmap(), r: r, proto: proto}
}

// ParseEndpoint parses an endpoint in the form [ADDR:]PORTS[/PROTO]:
//
//	8080/tcp
//	8000-8100
//	127.0.0.1:8000-8100/udp
//	[::1]:53/udp
//	[fe80::1%eth0]:546/udp
//
// PORTS is read by [ParseRange]. An IPv6 address is written in brackets;
// its zone may hold any character, ']' and '/' too, so that every endpoint
// [Endpoint.String] writes parses back to itself. PROTO is tcp, udp, sctp or
// dccp in any case; when it is left out the endpoint is TCP, as in compose
// files and Kubernetes manifests. [Endpoint.String] always writes the
// protocol.
func ParseEndpoint(s string) (Endpoint, error) {
	e, msg, inner := parseEndpoint(s)
	if msg != "" {
		return Endpoint{}, &ParseError{Func: "ParseEndpoint", Input: s, Msg: msg, Part: inner}
	}
	return e, nil
}

// MustParseEndpoint is like [ParseEndpoint] but panics on error. It is meant
// for tests and for package-level values built from constants.
func MustParseEndpoint(s string) Endpoint {
	e, err := ParseEndpoint(s)
	if err != nil {
		panic(err)
	}
	return e
}

func parseEndpoint(s string) (e Endpoint, msg, inner string) {
	if s == "" {
		return Endpoint{}, "empty endpoint; want [ADDR:]PORTS[/PROTO]", ""
	}
	rest := s
	e.proto = TCP
	// A zone may hold any byte, '/' and ']' too: the protocol follows the
	// last '/' after the address's closing bracket, and that bracket is the
	// last one.
	if i := strings.LastIndexByte(rest, '/'); i > strings.LastIndexByte(rest, ']') {
		ps := rest[i+1:]
		p, ok := lookupProtocol(ps)
		if !ok {
			return Endpoint{}, protocolMsg(ps), ps
		}
		e.proto, rest = p, rest[:i]
	}
	var addr netip.Addr
	switch {
	case strings.HasPrefix(rest, "["):
		j := strings.LastIndexByte(rest, ']')
		if j < 0 {
			return Endpoint{}, "missing ']' after IPv6 address", ""
		}
		as := rest[1:j]
		a, err := netip.ParseAddr(as)
		if err != nil || !a.Is6() {
			return Endpoint{}, "invalid IPv6 address", as
		}
		if !strings.HasPrefix(rest[j+1:], ":") {
			return Endpoint{}, "missing ':' and port after ']'", ""
		}
		addr, rest = a, rest[j+2:]
	case strings.Contains(rest, ":"):
		j := strings.LastIndexByte(rest, ':')
		as := rest[:j]
		if strings.Contains(as, ":") {
			if _, err := netip.ParseAddr(as); err == nil {
				return Endpoint{}, "IPv6 address must be written in brackets, as [::1]:53", ""
			}
			if _, err := netip.ParseAddr(rest); err == nil {
				return Endpoint{}, "IPv6 address without a port; write it in brackets with one, as [::1]:53", ""
			}
			return Endpoint{}, "too many ':'; want [ADDR:]PORTS[/PROTO], with an IPv6 address in brackets", ""
		}
		if as == "" {
			return Endpoint{}, "missing address before ':'; leave the ':' out for every address", ""
		}
		a, err := netip.ParseAddr(as)
		if err != nil || !a.Is4() {
			return Endpoint{}, "invalid IPv4 address", as
		}
		addr, rest = a, rest[j+1:]
	}
	r, msg, rinner := parseRange(rest)
	if msg != "" {
		if rinner == "" {
			rinner = rest
		}
		return Endpoint{}, msg, rinner
	}
	e.addr, e.r = addr.Unmap(), r
	return e, "", ""
}

// IsValid reports whether e is an endpoint; only the zero Endpoint is not.
func (e Endpoint) IsValid() bool { return e.r.ok }

// Protocol returns the protocol of e.
func (e Endpoint) Protocol() Protocol { return e.proto }

// Addr returns the address of e; the zero [netip.Addr] means every address.
func (e Endpoint) Addr() netip.Addr { return e.addr }

// Range returns the ports of e.
func (e Endpoint) Range() Range { return e.r }

// WithRange returns e with its ports replaced by r, or the zero Endpoint if
// r is invalid.
func (e Endpoint) WithRange(r Range) Endpoint {
	return EndpointFrom(e.proto, e.addr, r)
}

// WithAddr returns e bound to addr instead (the zero [netip.Addr] for every
// address).
func (e Endpoint) WithAddr(addr netip.Addr) Endpoint {
	return EndpointFrom(e.proto, addr, e.r)
}

// Conflicts reports whether e and o cannot both be bound on one host: this is
// the one conflict rule of the library, shared by the allocator and the
// conflict checker. Two endpoints conflict when
//
//   - their protocols are the same,
//   - their ranges overlap, and
//   - their addresses overlap (see [AddrsOverlap]).
//
// It is symmetric, and an invalid endpoint conflicts with nothing.
func (e Endpoint) Conflicts(o Endpoint) bool {
	return e.proto == o.proto && e.r.Overlaps(o.r) && AddrsOverlap(e.addr, o.addr)
}

// AddrsOverlap reports whether a socket bound to a and one bound to b would
// compete for the same traffic on a dual-stack host. It is symmetric. The
// addresses overlap when
//
//   - either is the zero [netip.Addr] (every address of the host);
//   - they are equal (after unmapping IPv4-mapped IPv6 addresses; zones
//     count, so fe80::1%eth0 and fe80::1%eth1 differ);
//   - one is the unspecified address of the other's family (0.0.0.0 covers
//     every IPv4 address, :: every IPv6 address); or
//   - one is :: and the other is any IPv4 address.
//
// The last clause is the dual-stack choice, made deliberately: Linux, macOS
// and Windows let an IPv6 socket bound to :: accept IPv4 traffic unless
// IPV6_V6ONLY is set (Linux's net.ipv6.bindv6only defaults to 0), and Go's
// net.Listen("tcp", ":8080") binds exactly such a socket. A port held on ::
// therefore cannot also be bound on 0.0.0.0 or 127.0.0.1. The rule leans
// towards reporting a conflict: on a host where every IPv6 socket is
// IPv6-only it reports some that would not occur, and never misses one
// that would.
func AddrsOverlap(a, b netip.Addr) bool {
	if !a.IsValid() || !b.IsValid() {
		return true
	}
	a, b = a.Unmap(), b.Unmap()
	if a == b {
		return true
	}
	if a.IsUnspecified() && (a.Is4() == b.Is4() || a.Is6()) {
		return true
	}
	if b.IsUnspecified() && (b.Is4() == a.Is4() || b.Is6()) {
		return true
	}
	return false
}

// Compare returns an integer comparing e and o: by protocol, then range (as
// [Range.Compare]), then address (as [netip.Addr.Compare], every-address
// first). It is a total order consistent with ==.
func (e Endpoint) Compare(o Endpoint) int {
	if e.proto != o.proto {
		if e.proto < o.proto {
			return -1
		}
		return +1
	}
	if c := e.r.Compare(o.r); c != 0 {
		return c
	}
	return e.addr.Compare(o.addr)
}

// String returns the text form of e, as [ParseEndpoint] reads it, always with
// the protocol: "8080/tcp", "127.0.0.1:8000-8100/udp", "[::1]:53/udp". The
// zero Endpoint gives "invalid Endpoint".
func (e Endpoint) String() string {
	if !e.IsValid() {
		return "invalid Endpoint"
	}
	b, _ := e.AppendText(make([]byte, 0, 32))
	return string(b)
}

// AppendText implements [encoding.TextAppender]. The zero Endpoint appends
// nothing.
func (e Endpoint) AppendText(b []byte) ([]byte, error) {
	if !e.IsValid() {
		return b, nil
	}
	if e.addr.IsValid() {
		if e.addr.Is6() {
			b = append(b, '[')
			b = e.addr.AppendTo(b)
			b = append(b, ']')
		} else {
			b = e.addr.AppendTo(b)
		}
		b = append(b, ':')
	}
	b, _ = e.r.AppendText(b)
	b = append(b, '/')
	return append(b, protocolNames[e.proto]...), nil
}

// MarshalText implements [encoding.TextMarshaler]. The zero Endpoint gives
// empty text.
func (e Endpoint) MarshalText() ([]byte, error) {
	return e.AppendText(make([]byte, 0, 32))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. Empty text gives the
// zero Endpoint; anything else must be accepted by [ParseEndpoint].
func (e *Endpoint) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*e = Endpoint{}
		return nil
	}
	q, msg, inner := parseEndpoint(string(text))
	if msg != "" {
		return &ParseError{Func: "Endpoint.UnmarshalText", Input: string(text), Msg: msg, Part: inner}
	}
	*e = q
	return nil
}
