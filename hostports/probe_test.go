package hostports

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// summary renders each check of r as "tcp 127.0.0.1 ok", "udp ::1
// skipped", "tcp 0.0.0.0 in use" and so on.
func summary(r Report) []string {
	out := make([]string, 0, len(r.Checks))
	for _, c := range r.Checks {
		status := "ok"
		var be *BindError
		switch {
		case c.Skipped():
			status = "skipped"
		case errors.Is(c.Err, ErrInUse):
			status = "in use"
		case errors.Is(c.Err, ErrPrivileged):
			status = "privileged"
		case errors.Is(c.Err, ErrExcluded):
			status = "excluded"
		case errors.Is(c.Err, ErrDenied):
			status = "denied"
		case errors.Is(c.Err, ErrAddrNotAvailable):
			status = "not available"
		case errors.As(c.Err, &be):
			status = "other: " + be.Err.Error()
		case c.Err != nil:
			status = "error: " + c.Err.Error()
		}
		out = append(out, c.Protocol.String()+" "+c.Addr.String()+" "+status)
	}
	return out
}

// heldPort binds network on addr:0 and returns the socket's port; the
// socket is closed when the test ends.
func heldPort(t *testing.T, network, addr string) ports.Port {
	t.Helper()
	for range 20 {
		var p ports.Port
		var holder io.Closer
		switch network {
		case "tcp4", "tcp6":
			ln, err := net.Listen(network, addr+":0")
			if err != nil {
				t.Fatal(err)
			}
			p, holder = ports.Port(ln.Addr().(*net.TCPAddr).Port), ln
		default:
			c, err := net.ListenPacket(network, addr+":0")
			if err != nil {
				t.Fatal(err)
			}
			p, holder = ports.Port(c.LocalAddr().(*net.UDPAddr).Port), c
		}
		if othersFree(network, p) {
			t.Cleanup(func() { holder.Close() })
			return p
		}
		holder.Close() // another process holds the port on what the test expects free
	}
	t.Skipf("no port held on %s %s is free on every other address and protocol now", network, addr)
	return 0
}

// othersFree reports whether port p binds, through package net alone, on
// what a holder on network (on its loopback address) leaves free: the other
// protocol on every address, and the same protocol on the loopback address
// of the other family.
func othersFree(network string, p ports.Port) bool {
	try := func(n, a string) bool {
		a = net.JoinHostPort(a, p.String())
		if strings.HasPrefix(n, "tcp") {
			ln, err := net.Listen(n, a)
			if err == nil {
				ln.Close()
			}
			return err == nil
		}
		c, err := net.ListenPacket(n, a)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	switch network {
	case "tcp4":
		return try("udp", "::") && try("tcp6", "::1")
	case "tcp6":
		return try("udp", "::") && try("tcp4", "0.0.0.0")
	default: // udp4
		return try("tcp", "::") && try("udp6", "::1")
	}
}

func TestProbeHeldPort(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the exact pattern of conflicts is Linux's")
	}
	tests := []struct {
		network, addr string
		want          []string
	}{
		{"tcp4", "127.0.0.1", []string{
			"tcp 127.0.0.1 in use", "udp 127.0.0.1 ok",
			"tcp ::1 ok", "udp ::1 ok",
			"tcp 0.0.0.0 in use", "udp 0.0.0.0 ok",
			"tcp :: in use", "udp :: ok", // :: is dual-stack, so it meets the IPv4 holder
		}},
		{"udp4", "127.0.0.1", []string{
			"tcp 127.0.0.1 ok", "udp 127.0.0.1 in use",
			"tcp ::1 ok", "udp ::1 ok",
			"tcp 0.0.0.0 ok", "udp 0.0.0.0 in use",
			"tcp :: ok", "udp :: in use",
		}},
		{"tcp6", "[::1]", []string{
			"tcp 127.0.0.1 ok", "udp 127.0.0.1 ok",
			"tcp ::1 in use", "udp ::1 ok",
			"tcp 0.0.0.0 ok", "udp 0.0.0.0 ok",
			"tcp :: in use", "udp :: ok",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			if !hasIPv6() {
				t.Skip("no IPv6 on this host; the pattern differs")
			}
			p := heldPort(t, tt.network, tt.addr)
			r := Probe(p)
			if diff := cmp.Diff(tt.want, summary(r)); diff != "" {
				t.Errorf("Probe(%d) with %s %s held (-want +got):\n%s", p, tt.network, tt.addr, diff)
			}
			if r.Bindable() {
				t.Errorf("Probe(%d).Bindable() = true with the port held", p)
			}
			if r.Err() == nil {
				t.Errorf("Probe(%d).Err() = nil with the port held", p)
			}
		})
	}
}

func hasIPv6() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestCheckStopsAtFirstFailure(t *testing.T) {
	p := heldPort(t, "tcp4", "127.0.0.1")
	pr := Prober{Protocols: []ports.Protocol{ports.UDP, ports.TCP}}
	err := pr.Check(p)
	var be *BindError
	if !errors.As(err, &be) {
		t.Fatalf("Check(%d) = %v, want a *BindError", p, err)
	}
	// UDP on 127.0.0.1 passes, so the first failure is TCP on 127.0.0.1.
	want := fmt.Sprintf("tcp 127.0.0.1 %d", p)
	if got := fmt.Sprintf("%v %v %d", be.Protocol, be.Addr, be.Port); got != want {
		t.Errorf("Check(%d) failed on %s, want %s", p, got, want)
	}
	if !errors.Is(err, ErrInUse) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Check(%d) = %v, want it to wrap ErrInUse and EADDRINUSE", p, err)
	}
	wantMsg := fmt.Sprintf("hostports: cannot bind tcp 127.0.0.1:%d: port in use (bind: address already in use)", p)
	if runtime.GOOS == "linux" && err.Error() != wantMsg {
		t.Errorf("Check(%d) = %q, want %q", p, err, wantMsg)
	}
}

func TestProbeFreePort(t *testing.T) {
	// A port just released may be taken by another process before the
	// probe runs; try a few, and fail only if none probes free.
	var last Report
	for range 5 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ports.Port(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		last = Probe(p)
		if last.Bindable() {
			if err := last.Err(); err != nil {
				t.Errorf("Probe(%d).Err() = %v for a bindable port", p, err)
			}
			if len(last.Checks) != 8 {
				t.Errorf("Probe(%d) ran %d checks, want 8", p, len(last.Checks))
			}
			var pr Prober
			if err := pr.Check(p); err != nil {
				t.Errorf("Check(%d) = %v for a port Probe found bindable", p, err)
			}
			return
		}
	}
	t.Fatalf("no free port probed bindable; last:\n%v", last)
}

func TestProbeRefuses(t *testing.T) {
	tests := []struct {
		name  string
		pr    Prober
		port  ports.Port
		wants string
	}{
		{"port 0", Prober{}, 0, "port 0 asks the OS for any free port"},
		{"sctp", Prober{Protocols: []ports.Protocol{ports.SCTP}}, 40000, "probing sctp is not supported"},
		{"no address", Prober{Addrs: []netip.Addr{{}}}, 40000, "no address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.pr.Check(tt.port)
			if err == nil || !strings.Contains(err.Error(), tt.wants) || !strings.HasPrefix(err.Error(), "hostports: ") {
				t.Errorf("Check(%d) = %v, want an error containing %q", tt.port, err, tt.wants)
			}
			r := tt.pr.Probe(tt.port)
			if r.Bindable() || r.Err() == nil {
				t.Errorf("Probe(%d) = bindable %v, err %v; want not bindable with an error", tt.port, r.Bindable(), r.Err())
			}
		})
	}
}

func TestProbeMappedAddr(t *testing.T) {
	p := heldPort(t, "tcp4", "127.0.0.1")
	pr := Prober{Protocols: []ports.Protocol{ports.TCP}, Addrs: []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}}
	r := pr.Probe(p)
	if diff := cmp.Diff([]string{"tcp 127.0.0.1 in use"}, summary(r)); diff != "" {
		t.Errorf("Probe of ::ffff:127.0.0.1 (-want +got):\n%s", diff)
	}
}

func TestProbeAddrNotAvailable(t *testing.T) {
	// 192.0.2.1 (TEST-NET-1) is on no interface of a test host.
	pr := Prober{Protocols: []ports.Protocol{ports.TCP}, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}
	r := pr.Probe(40000)
	if runtime.GOOS == "linux" {
		if diff := cmp.Diff([]string{"tcp 192.0.2.1 not available"}, summary(r)); diff != "" {
			t.Errorf("Probe on a foreign address (-want +got):\n%s", diff)
		}
	}
	if r.Bindable() {
		t.Errorf("Probe on 192.0.2.1 is bindable")
	}
}

func TestClassify(t *testing.T) {
	l := Limits{
		ExcludedTCP: ports.MustParseRangeSet("50000-50059,60000-60009"),
		Exclusions: []Exclusion{
			{Protocol: ports.TCP, Range: ports.RangeFrom(50000, 50059)},
			{Protocol: ports.TCP, Range: ports.RangeFrom(60000, 60009), Administered: true},
		},
		Privileged: ports.MustParseRangeSet("0-1023"),
	}
	v4, v6, any6, other6 := netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback(), netip.IPv6Unspecified(), netip.MustParseAddr("2001:db8::1")
	tests := []struct {
		kind  errKind
		proto ports.Protocol
		addr  netip.Addr
		port  ports.Port
		want  error
	}{
		{kindInUse, ports.TCP, v4, 8080, ErrInUse},
		{kindAccess, ports.TCP, v4, 80, ErrPrivileged},
		{kindAccess, ports.TCP, v4, 50010, ErrExcluded},
		{kindAccess, ports.UDP, v4, 50010, ErrDenied}, // excluded for TCP only
		{kindAccess, ports.TCP, v4, 60005, ErrDenied}, // administered: bindable, so not why
		{kindAccess, ports.TCP, v4, 8080, ErrDenied},
		{kindAddrNotAvail, ports.TCP, v4, 8080, ErrAddrNotAvailable},
		{kindAddrNotAvail, ports.TCP, v6, 8080, ErrNoIPv6},
		{kindAddrNotAvail, ports.TCP, any6, 8080, ErrNoIPv6},
		{kindAddrNotAvail, ports.TCP, other6, 8080, ErrAddrNotAvailable},
		{kindNoFamily, ports.UDP, v6, 8080, ErrNoIPv6},
		{kindNoFamily, ports.UDP, v4, 8080, nil},
		{kindOther, ports.TCP, v4, 8080, nil},
	}
	for _, tt := range tests {
		if got := classify(tt.kind, tt.proto, tt.addr, tt.port, l); got != tt.want {
			t.Errorf("classify(%d, %v, %v, %d) = %v, want %v", tt.kind, tt.proto, tt.addr, tt.port, got, tt.want)
		}
	}
}

func TestReportMethods(t *testing.T) {
	inUse := &BindError{Protocol: ports.TCP, Addr: netip.IPv4Unspecified(), Port: 8080, Reason: ErrInUse, Err: errors.New("bind: address already in use")}
	noV6 := &BindError{Protocol: ports.UDP, Addr: netip.IPv6Loopback(), Port: 8080, Reason: ErrNoIPv6, Err: errors.New("bind: cannot assign requested address")}
	ok4 := Check{Protocol: ports.TCP, Addr: netip.MustParseAddr("127.0.0.1")}
	tests := []struct {
		name            string
		r               Report
		bindable, noIP6 bool
		str             string
	}{
		{"all ok", Report{Port: 8080, Checks: []Check{ok4}}, true, false, "8080 tcp 127.0.0.1: ok"},
		{"skipped IPv6 still bindable", Report{Port: 8080, Checks: []Check{ok4, {Protocol: ports.UDP, Addr: netip.IPv6Loopback(), Err: noV6}}}, true, true,
			"8080 tcp 127.0.0.1: ok\n8080 udp [::1]: skipped: IPv6 not available on this host"},
		{"one failure", Report{Port: 8080, Checks: []Check{ok4, {Protocol: ports.TCP, Addr: netip.IPv4Unspecified(), Err: inUse}}}, false, false,
			"8080 tcp 127.0.0.1: ok\n8080 tcp 0.0.0.0: port in use (bind: address already in use)"},
		{"only skipped", Report{Port: 8080, Checks: []Check{{Protocol: ports.UDP, Addr: netip.IPv6Loopback(), Err: noV6}}}, false, true,
			"8080 udp [::1]: skipped: IPv6 not available on this host"},
		{"no checks", Report{Port: 8080}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Bindable(); got != tt.bindable {
				t.Errorf("Bindable() = %v, want %v", got, tt.bindable)
			}
			if got := tt.r.SkippedIPv6(); got != tt.noIP6 {
				t.Errorf("SkippedIPv6() = %v, want %v", got, tt.noIP6)
			}
			if got := tt.r.Err() == nil; got != tt.bindable {
				t.Errorf("Err() = %v, want nil exactly when bindable (%v)", tt.r.Err(), tt.bindable)
			}
			if diff := cmp.Diff(tt.str, tt.r.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
		})
	}
	if got, want := inUse.Error(), "hostports: cannot bind tcp 0.0.0.0:8080: port in use (bind: address already in use)"; got != want {
		t.Errorf("BindError.Error() = %q, want %q", got, want)
	}
	v6 := &BindError{Protocol: ports.UDP, Addr: netip.IPv6Unspecified(), Port: 53, Reason: ErrPrivileged}
	if got, want := v6.Error(), "hostports: cannot bind udp [::]:53: port is privileged"; got != want {
		t.Errorf("BindError.Error() = %q, want %q", got, want)
	}
}

func TestDefaultAddrs(t *testing.T) {
	var got []string
	for _, a := range DefaultAddrs() {
		got = append(got, a.String())
	}
	if diff := cmp.Diff([]string{"127.0.0.1", "::1", "0.0.0.0", "::"}, got); diff != "" {
		t.Errorf("DefaultAddrs() (-want +got):\n%s", diff)
	}
	a, b := DefaultAddrs(), DefaultAddrs()
	a[0] = netip.Addr{}
	if !b[0].IsValid() {
		t.Error("DefaultAddrs shares its slice between calls")
	}
}

// TestEmptyListsMeanDefaults checks that a Prober with empty, not nil,
// lists checks what the zero Prober does, instead of passing every port
// unchecked.
func TestEmptyListsMeanDefaults(t *testing.T) {
	p := heldPort(t, "tcp4", "127.0.0.1")
	for _, pr := range []Prober{
		{Protocols: []ports.Protocol{}},
		{Addrs: []netip.Addr{}},
		{Protocols: []ports.Protocol{}, Addrs: []netip.Addr{}},
	} {
		if err := pr.Check(p); !errors.Is(err, ErrInUse) {
			t.Errorf("%+v: Check(%d) = %v, want ErrInUse", pr, p, err)
		}
		rep := pr.Probe(p)
		if rep.Bindable() || len(rep.Checks) != len(DefaultProtocols())*len(DefaultAddrs()) {
			t.Errorf("%+v: Probe(%d) = %v, want the default checks, not bindable", pr, p, rep)
		}
	}
}
