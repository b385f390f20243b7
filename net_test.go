package ports

import (
	"net"
	"net/netip"
	"testing"
)

// otherAddr is a net.Addr of any network and text.
type otherAddr struct{ network, s string }

func (a otherAddr) Network() string { return a.network }
func (a otherAddr) String() string  { return a.s }

func TestPortOf(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	want := ln.Addr().(*net.TCPAddr).Port
	if p, ok := PortOf(ln.Addr()); !ok || int(p) != want {
		t.Errorf("PortOf(%v) = %v, %t; want %d, true", ln.Addr(), p, ok, want)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if p, ok := PortOf(pc.LocalAddr()); !ok || int(p) != pc.LocalAddr().(*net.UDPAddr).Port {
		t.Errorf("PortOf(%v) = %v, %t", pc.LocalAddr(), p, ok)
	}
	var nilAddr net.Addr
	tests := []struct {
		addr interface {
			Network() string
			String() string
		}
		want Port
		ok   bool
	}{
		{&net.TCPAddr{Port: 8080}, 8080, true},
		{&net.UDPAddr{IP: net.ParseIP("::1"), Port: 53, Zone: "lo"}, 53, true},
		{otherAddr{"tcp6", "[fe80::1%eth0]:443"}, 443, true},
		{otherAddr{"sctp", "10.0.0.1:3868"}, 3868, true},
		{otherAddr{"tcp", "10.0.0.1"}, 0, false},
		{otherAddr{"tcp", "10.0.0.1:http"}, 0, false},
		{otherAddr{"tcp", "10.0.0.1:70000"}, 0, false},
		{otherAddr{"unix", "/run/a:80"}, 0, false},
		{&net.UnixAddr{Name: "/run/x.sock", Net: "unix"}, 0, false},
		{&net.IPAddr{IP: net.IPv4(1, 2, 3, 4)}, 0, false},
		{nilAddr, 0, false},
	}
	for _, tt := range tests {
		if p, ok := PortOf(tt.addr); p != tt.want || ok != tt.ok {
			t.Errorf("PortOf(%v) = %v, %t; want %v, %t", tt.addr, p, ok, tt.want, tt.ok)
		}
	}
	tcp := &net.TCPAddr{Port: 8080}
	if a := testing.AllocsPerRun(100, func() { PortOf(tcp) }); a != 0 {
		t.Errorf("PortOf(*net.TCPAddr): %v allocations, want 0", a)
	}
}

func TestEndpointAddrPort(t *testing.T) {
	tests := []struct {
		e    string
		want netip.AddrPort
		ok   bool
	}{
		{"127.0.0.1:8080/tcp", netip.MustParseAddrPort("127.0.0.1:8080"), true},
		{"[::1]:53/udp", netip.MustParseAddrPort("[::1]:53"), true},
		{"8080/tcp", netip.AddrPortFrom(netip.Addr{}, 8080), true},
		{"127.0.0.1:8000-8001/tcp", netip.AddrPort{}, false},
	}
	for _, tt := range tests {
		e := MustParseEndpoint(tt.e)
		ap, ok := e.AddrPort()
		if ap != tt.want || ok != tt.ok {
			t.Errorf("%v.AddrPort() = %v, %t; want %v, %t", e, ap, ok, tt.want, tt.ok)
		}
		if ok {
			if back := EndpointFromAddrPort(e.Protocol(), ap); back != e {
				t.Errorf("EndpointFromAddrPort(%v, %v) = %v, want %v", e.Protocol(), ap, back, e)
			}
		}
	}
	if ap, ok := (Endpoint{}).AddrPort(); ok || ap != (netip.AddrPort{}) {
		t.Errorf("Endpoint{}.AddrPort() = %v, %t", ap, ok)
	}
	if e := EndpointFromAddrPort(0, netip.MustParseAddrPort("1.2.3.4:5")); e.IsValid() {
		t.Errorf("EndpointFromAddrPort(0, …) = %v, want the zero Endpoint", e)
	}
	if e := EndpointFromAddrPort(TCP, netip.MustParseAddrPort("[::ffff:127.0.0.1]:80")); e != MustParseEndpoint("127.0.0.1:80/tcp") {
		t.Errorf("EndpointFromAddrPort of a mapped address = %v, want it unmapped", e)
	}
}

func TestEndpointAnyAddr(t *testing.T) {
	r := MustParseRange("8000-8100")
	if got, want := EndpointAnyAddr(UDP, r), EndpointFrom(UDP, netip.Addr{}, r); got != want || got.String() != "8000-8100/udp" {
		t.Errorf("EndpointAnyAddr(udp, %v) = %v, want %v", r, got, want)
	}
	if got := EndpointAnyAddr(0, r); got.IsValid() {
		t.Errorf("EndpointAnyAddr(0, %v) = %v, want the zero Endpoint", r, got)
	}
}

func TestRangeSet(t *testing.T) {
	if s := MustParseRange("1-5").Set(); !s.Equal(MustParseRangeSet("1-5")) {
		t.Errorf("Range(1-5).Set() = %v", s)
	}
	if s := (Range{}).Set(); !s.IsEmpty() {
		t.Errorf("Range{}.Set() = %v, want empty", s)
	}
}
