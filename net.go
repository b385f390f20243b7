package ports

import (
	"net/netip"
	"strings"
)

// The bridges to packages net and net/netip. The package does not import
// net, which would bring its resolver and the os package into every
// program that uses the value types: PortOf reads a net.Addr through the
// method set every net.Addr has.

// PortOf returns the port of addr, a [net.Addr] of TCP or UDP (a
// *net.TCPAddr or *net.UDPAddr, as ln.Addr() and conn.LocalAddr() return,
// or any Addr whose Network is tcp, tcp4, tcp6, udp, udp4, udp6, sctp or
// dccp and whose String ends in ":PORT"). It reports false for a nil addr,
// for other networks (unix, ip) and for a String without a port.
//
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	p, _ := ports.PortOf(ln.Addr())
//
// For a *net.TCPAddr or *net.UDPAddr it allocates nothing.
//
// [net.Addr]: https://pkg.go.dev/net#Addr
func PortOf(addr interface {
	Network() string
	String() string
}) (Port, bool) {
	if addr == nil {
		return 0, false
	}
	network := addr.Network()
	switch strings.TrimRight(network, "46") {
	case "tcp", "udp", "sctp", "dccp":
	default:
		return 0, false
	}
	// *net.TCPAddr and *net.UDPAddr, without a string.
	if ap, ok := addr.(interface{ AddrPort() netip.AddrPort }); ok {
		return Port(ap.AddrPort().Port()), true
	}
	s := addr.String()
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return 0, false
	}
	p, msg := parsePort(s[i+1:])
	if msg != "" {
		return 0, false
	}
	return p, true
}

// EndpointAnyAddr returns the endpoint of proto and r on every address of
// the host, as a compose file's "8080:80" or a server listening on ":8080"
// binds: [EndpointFrom] with the zero [netip.Addr]. It returns the zero
// Endpoint if proto is not one of the four protocols or r is invalid.
func EndpointAnyAddr(proto Protocol, r Range) Endpoint {
	return EndpointFrom(proto, netip.Addr{}, r)
}

// EndpointFromAddrPort returns the endpoint of proto on ap's address and
// port; an ap whose address is the zero [netip.Addr] gives an endpoint on
// every address. It returns the zero Endpoint if proto is not one of the
// four protocols.
func EndpointFromAddrPort(proto Protocol, ap netip.AddrPort) Endpoint {
	return EndpointFrom(proto, ap.Addr(), Port(ap.Port()).Range())
}

// AddrPort returns e's address and its port, when e holds one port; ok is
// false for a range of ports and for the zero Endpoint. The address is the
// zero [netip.Addr] for an endpoint on every address, which
// net.TCPAddrFromAddrPort turns into a listener on every address:
//
//	ap, _ := ports.MustParseEndpoint("127.0.0.1:8080/tcp").AddrPort()
//	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ap))
func (e Endpoint) AddrPort() (ap netip.AddrPort, ok bool) {
	if !e.r.IsSingle() {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(e.addr, uint16(e.r.lo)), true
}
