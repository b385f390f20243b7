//go:build !linux && !darwin && !freebsd

package hostports

import (
	"net"
	"net/netip"

	"github.com/portalloc/ports"
)

// bindOnce binds p on one protocol and address with package net and closes
// the socket at once. On :: it asks for a dual-stack socket, as
// net.Listen("tcp", ":8080") does; elsewhere for a socket of the address's
// family.
func bindOnce(proto ports.Protocol, addr netip.Addr, p ports.Port) error {
	ap := netip.AddrPortFrom(addr, uint16(p))
	suffix := "4"
	switch {
	case addr.Is6() && addr.IsUnspecified():
		suffix = ""
	case addr.Is6():
		suffix = "6"
	}
	if proto == ports.TCP {
		ln, err := net.ListenTCP("tcp"+suffix, net.TCPAddrFromAddrPort(ap))
		if err != nil {
			return err
		}
		return ln.Close()
	}
	c, err := net.ListenUDP("udp"+suffix, net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return err
	}
	return c.Close()
}

// bindStrict is bindOnce: package net sets SO_REUSEADDR as it sees fit.
func bindStrict(proto ports.Protocol, addr netip.Addr, p ports.Port) error {
	return bindOnce(proto, addr, p)
}
