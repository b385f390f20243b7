package hostports

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"golang.org/x/sys/windows"
)

// TestReadTableWindows holds a TCP listener, a connection to it (both
// ends) and a UDP socket on 127.0.0.1, and reads the table through the IP
// Helper calls: each comes back with its state and this process as its
// owner.
func TestReadTableWindows(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	// The UDP socket is made with the Winsock calls themselves: package
	// net asks for SIO_UDP_CONNRESET, which Wine refuses, and the table
	// needs only a bound socket.
	udp, err := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.Closesocket(udp)
	if err := windows.Bind(udp, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := windows.Getsockname(udp)
	if err != nil {
		t.Fatal(err)
	}

	wine := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
	start := time.Now()
	tab, err := ReadTable(TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ReadTable: %d sockets in %v", len(tab.Sockets), time.Since(start))
	if tab.Source != "GetExtendedTcpTable" {
		t.Errorf("Source = %q, want the IP Helper calls", tab.Source)
	}
	listen := netip.MustParseAddrPort(ln.Addr().String())
	dialed := netip.MustParseAddrPort(conn.LocalAddr().String())
	bound := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*windows.SockaddrInet4).Port))
	for _, want := range []struct {
		proto  ports.Protocol
		local  netip.AddrPort
		remote netip.AddrPort
		state  SocketState
	}{
		{ports.TCP, listen, netip.AddrPort{}, StateListen},
		{ports.TCP, dialed, listen, StateEstablished},
		{ports.TCP, listen, dialed, StateEstablished},
		{ports.UDP, bound, netip.AddrPort{}, StateBound},
	} {
		s, ok := findSocket(tab, want.proto, want.local, want.remote)
		if !ok {
			t.Errorf("no %v socket %v → %v in the table of %d sockets", want.proto, want.local, want.remote, len(tab.Sockets))
			continue
		}
		if s.State != want.state {
			t.Errorf("%v %v → %v: state %v, want %v", want.proto, want.local, want.remote, s.State, want.state)
		}
		if s.Owner != OwnerFound || len(s.Processes) == 0 || s.Processes[0].PID != os.Getpid() {
			if wine && want.state != StateEstablished || wine && want.remote != listen {
				// Wine keeps these sockets in its server process and
				// gives their owner as PID 0; only the connecting end
				// is this process's in its tables.
				t.Logf("under Wine: %v %v → %v: owner %v %+v", want.proto, want.local, want.remote, s.Owner, s.Processes)
				continue
			}
			t.Errorf("%v %v → %v: owner %v %+v, want this process (PID %d)", want.proto, want.local, want.remote, s.Owner, s.Processes, os.Getpid())
		}
	}

	start = time.Now()
	one, err := ReadTable(TableOptions{Port: ports.Port(bound.Port()), NoOwners: true})
	t.Logf("ReadTable of one port without owners: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range one.Sockets {
		if s.Port() != ports.Port(bound.Port()) || s.Owner != OwnerUnknown || len(s.Processes) != 0 {
			t.Errorf("ReadTable with Port %d and NoOwners gave %+v", bound.Port(), s)
		}
	}
	if _, ok := findSocket(one, ports.UDP, bound, netip.AddrPort{}); !ok {
		t.Errorf("ReadTable with Port %d lost the UDP socket", bound.Port())
	}
}

func findSocket(tab Table, proto ports.Protocol, local, remote netip.AddrPort) (Socket, bool) {
	for _, s := range tab.Sockets {
		if s.Protocol == proto && s.Local == local && s.Remote == remote {
			return s, true
		}
	}
	return Socket{}, false
}
