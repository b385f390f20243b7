//go:build linux || darwin || freebsd

package hostports

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"

	"github.com/portalloc/ports"
)

// bindOnce binds p on one protocol and address with raw system calls and
// closes the socket at once. It does what net.Listen and net.ListenPacket do
// for a server socket, without registering the socket with the runtime's
// poller, which a socket closed at once never needs; that makes a probe
// several times cheaper.
func bindOnce(proto ports.Protocol, addr netip.Addr, p ports.Port) error {
	tcp := proto == ports.TCP
	return bind(proto, addr, p, tcp, tcp)
}

// bindStrict binds as bindOnce does, but without SO_REUSEADDR and, for TCP,
// without listening. Without SO_REUSEADDR a bind is refused by every socket
// bound to the port on an overlapping address, listening or not, in
// TIME_WAIT or not, so it refuses whatever bindOnce refuses (the listen
// of bindOnce can only fail where such a socket exists), and a little more,
// for two system calls less. TestWildcardCoversAddrs holds it to that.
func bindStrict(proto ports.Protocol, addr netip.Addr, p ports.Port) error {
	return bind(proto, addr, p, false, false)
}

func bind(proto ports.Protocol, addr netip.Addr, p ports.Port, reuseAddr, listen bool) error {
	family, typ := syscall.AF_INET, syscall.SOCK_DGRAM
	if addr.Is6() {
		family = syscall.AF_INET6
	}
	if proto == ports.TCP {
		typ = syscall.SOCK_STREAM
	}
	var sa syscall.Sockaddr
	if addr.Is4() {
		sa = &syscall.SockaddrInet4{Port: int(p), Addr: addr.As4()}
	} else {
		zone, err := zoneIndex(addr.Zone())
		if err != nil {
			return err
		}
		sa = &syscall.SockaddrInet6{Port: int(p), Addr: addr.As16(), ZoneId: zone}
	}
	fd, err := socketCloexec(family, typ)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer syscall.Close(fd)
	if reuseAddr {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if family == syscall.AF_INET6 {
		v6only := 1
		if addr.IsUnspecified() {
			v6only = 0 // dual-stack, as Go opens a server socket on ::
		}
		if v6only != defaultV6Only() {
			if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, v6only); err != nil {
				return os.NewSyscallError("setsockopt", err)
			}
		}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if listen {
		if err := syscall.Listen(fd, 1); err != nil {
			return os.NewSyscallError("listen", err)
		}
	}
	return nil
}

// zoneIndex returns the interface index of an IPv6 zone: the zone itself if
// it is a number, else the index of the interface it names.
func zoneIndex(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, err
	}
	return uint32(ifi.Index), nil
}
