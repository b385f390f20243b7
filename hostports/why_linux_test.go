package hostports

import (
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
)

func TestWhyHeldDualStack(t *testing.T) {
	l, err := net.Listen("tcp", "[::]:0") // dual-stack, as Go binds ":0"
	if err != nil {
		t.Skipf("no IPv6: %v", err)
	}
	defer l.Close()
	p := ports.Port(l.Addr().(*net.TCPAddr).Port)
	lim, _ := Defaults("linux")
	lim.EphemeralTCP, lim.EphemeralUDP = ports.Range{}, ports.Range{}
	d, err := Why(p, WhyOptions{Protocols: []ports.Protocol{ports.TCP}, Limits: &lim})
	if err != nil {
		t.Fatal(err)
	}
	if d.Bindable() {
		t.Fatalf("Why(%d) with a listener on it: bindable", p)
	}
	var got []string
	for _, r := range d.Reasons {
		got = append(got, r.Kind.String()+" "+addrList(r.Addrs))
		if len(r.Sockets) != 1 || len(r.Sockets[0].Processes) != 1 || r.Sockets[0].Processes[0].PID != os.Getpid() {
			t.Errorf("reason %s: sockets %+v, want this process's listener", r.Kind, r.Sockets)
		}
	}
	want := []string{"held ::1, ::", "dual-stack 127.0.0.1, 0.0.0.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Why(%d) reasons (-want +got):\n%s", p, diff)
	}
	l.Close()
	d, err = Why(p, WhyOptions{Protocols: []ports.Protocol{ports.TCP}, Limits: &lim})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Bindable() || len(d.Reasons) != 0 {
		t.Errorf("Why(%d) after the listener closed: bindable %v, reasons %q", p, d.Bindable(), reasonLines(d))
	}
}

// TestWhyConnectionsAndBound holds ports in the ways a listener does not
// explain, and checks that Why, which reads a port's listeners first,
// still names each: a TIME_WAIT, a connection using the port as its local
// port (refused, or binding with SO_REUSEADDR), a socket bound but not
// listening; and that a port held by a listener with a connection it
// accepted is explained by the listener.
func TestWhyConnectionsAndBound(t *testing.T) {
	lim, _ := Defaults("linux")
	lim.EphemeralTCP, lim.EphemeralUDP = ports.Range{}, ports.Range{}
	why := func(p ports.Port) Diagnosis {
		t.Helper()
		d, err := Why(p, WhyOptions{Protocols: []ports.Protocol{ports.TCP}, Limits: &lim})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	kinds := func(d Diagnosis) []string {
		var out []string
		for _, r := range d.Reasons {
			out = append(out, r.Kind.String())
		}
		return out
	}
	port := func(a net.Addr) ports.Port { return ports.Port(a.(*net.TCPAddr).Port) }

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	// The listener with its accepted connection: held, by this process.
	d := why(port(ln.Addr()))
	if diff := cmp.Diff([]string{"held"}, kinds(d)); diff != "" || d.Bindable() {
		t.Errorf("Why(listener %d): bindable %v, reasons (-want +got):\n%s%q", port(ln.Addr()), d.Bindable(), diff, reasonLines(d))
	}

	// The client's end: a connection on an ephemeral port that no
	// listener has.
	d = why(port(client.LocalAddr()))
	if !slices.Contains(kinds(d), "connected") {
		t.Errorf("Why(client's port %d): reasons %q, want a connection named", port(client.LocalAddr()), reasonLines(d))
	}

	// TIME_WAIT: the end that closes first keeps it.
	c2, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	twPort := port(c2.LocalAddr())
	c2.Close()
	if _, err := s2.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("reading the close: %v", err)
	}
	s2.Close()
	d = why(twPort)
	if !slices.Contains(kinds(d), "time-wait") {
		t.Errorf("Why(TIME_WAIT port %d): reasons %q, want the TIME_WAIT named", twPort, reasonLines(d))
	}

	// The listener closed, its accepted connection open: a server that
	// sets SO_REUSEADDR binds, one that does not is refused.
	ln.Close()
	d = why(port(ln.Addr()))
	if !d.Bindable() || !slices.Contains(kinds(d), "connected") {
		t.Errorf("Why(%d) with the listener closed: bindable %v, reasons %q, want bindable, the accepted connection named", port(ln.Addr()), d.Bindable(), reasonLines(d))
	}

	// Bound, not listening.
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	bound := ports.Port(sa.(*syscall.SockaddrInet4).Port)
	d = why(bound)
	if d.Bindable() || len(d.Reasons) == 0 || d.Reasons[0].Kind != ReasonHeld || len(d.Reasons[0].Sockets) != 1 || d.Reasons[0].Sockets[0].State != StateBound {
		t.Errorf("Why(bound port %d): bindable %v, reasons %q, want held by the bound socket", bound, d.Bindable(), reasonLines(d))
	}
}
