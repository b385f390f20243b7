package hostports

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// holder opens a socket that holds a port in one way, and returns what
// closes it.
type holder struct {
	name string
	hold func(t *testing.T, p ports.Port) (close func())
	// shares: a server may still bind and listen on the port (Linux lets
	// a SO_REUSEADDR socket share a port with a bound, non-listening
	// SO_REUSEADDR socket).
	shares bool
}

func listenHolder(network, host string, v6only bool) holder {
	name := fmt.Sprintf("%s listener on %s", network, host)
	if v6only {
		name += " (IPv6-only)"
	}
	return holder{name: name, hold: func(t *testing.T, p ports.Port) func() {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			if v6only {
				c.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
				})
			}
			return serr
		}}
		addr := net.JoinHostPort(host, p.String())
		if network[:3] == "udp" {
			c, err := lc.ListenPacket(context.Background(), network, addr)
			if err != nil {
				t.Fatalf("holding %s: %v", name, err)
			}
			return func() { c.Close() }
		}
		ln, err := lc.Listen(context.Background(), network, addr)
		if err != nil {
			t.Fatalf("holding %s: %v", name, err)
		}
		return func() { ln.Close() }
	}}
}

// boundHolder binds a TCP socket on 127.0.0.1 without listening, as a
// client that chose its own port does.
func boundHolder(reuseAddr bool) holder {
	return holder{name: fmt.Sprintf("tcp socket bound on 127.0.0.1, not listening (SO_REUSEADDR %v)", reuseAddr), shares: reuseAddr, hold: func(t *testing.T, p ports.Port) func() {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if reuseAddr {
			if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
				t.Fatal(err)
			}
		}
		if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: int(p), Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			syscall.Close(fd)
			t.Fatal(err)
		}
		return func() { syscall.Close(fd) }
	}}
}

// clientHolder holds p as the local port of a TCP connection to a server
// on another port; with timeWait, the connection is closed by its p side
// first, which leaves p in TIME_WAIT.
func clientHolder(timeWait bool) holder {
	name := "established tcp connection from 127.0.0.1"
	if timeWait {
		name = "tcp connection from 127.0.0.1 in TIME_WAIT"
	}
	return holder{name: name, hold: func(t *testing.T, p ports.Port) func() {
		srv, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := srv.Accept()
			if err == nil {
				accepted <- c
			}
			close(accepted)
		}()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p)}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp4", srv.Addr().String())
		if err != nil {
			srv.Close()
			t.Fatal(err)
		}
		peer := <-accepted
		if timeWait {
			c.Close() // the side on p closes first and keeps TIME_WAIT
			if peer != nil {
				buf := make([]byte, 1)
				peer.Read(buf) // wait for the FIN
				peer.Close()
			}
			srv.Close()
			return func() {}
		}
		return func() {
			c.Close()
			if peer != nil {
				peer.Close()
			}
			srv.Close()
		}
	}}
}

// TestWildcardCoversAddrs checks the ground of the shortcut in Check: for
// each way a socket can hold a port, if some default address refuses the
// port, the dual-stack bind on :: refuses it too, so Check never passes a
// port that the address-by-address check fails, and it returns what that
// check returns.
func TestWildcardCoversAddrs(t *testing.T) {
	if _, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	holders := []holder{boundHolder(true), boundHolder(false), clientHolder(false), clientHolder(true)}
	for _, network := range []string{"tcp", "udp"} {
		for _, host := range []string{"127.0.0.1", "127.0.0.2", "::1", "0.0.0.0"} {
			n := network + "4"
			if host == "::1" {
				n = network + "6"
			}
			holders = append(holders, listenHolder(n, host, false))
		}
		holders = append(holders, listenHolder(network, "::", false), listenHolder(network+"6", "::", true))
	}
	protos, addrs := DefaultProtocols(), DefaultAddrs()
	if !wildcardCovers(protos, addrs) {
		t.Fatal("wildcardCovers(default protocols, default addresses) = false, want true on Linux")
	}
	for _, h := range holders {
		t.Run(h.name, func(t *testing.T) {
			p := freePort(t)
			release := h.hold(t, p)
			defer release()
			each := checkEach(protos, addrs, p)
			if (each == nil) != h.shares {
				t.Fatalf("checkEach(%d) while held by %s = %v; want an error: %v", p, h.name, each, !h.shares)
			}
			if each != nil && bindsOnWildcard(protos, p) {
				t.Fatalf("port %d held by %s: the :: bind passes, but checkEach fails: %v", p, h.name, each)
			}
			var pr Prober
			if diff := cmp.Diff(errText(each), errText(pr.Check(p))); diff != "" {
				t.Errorf("Check(%d) differs from checkEach (-each +Check):\n%s", p, diff)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestWildcardCovers(t *testing.T) {
	a := netip.MustParseAddr
	tcp, udp := []ports.Protocol{ports.TCP}, []ports.Protocol{ports.TCP, ports.UDP}
	for _, tc := range []struct {
		protos []ports.Protocol
		addrs  []netip.Addr
		want   bool
	}{
		{udp, DefaultAddrs(), true},
		{tcp, []netip.Addr{a("::")}, true},
		{tcp, []netip.Addr{a("127.0.0.5"), a("::ffff:127.0.0.1"), a("::")}, true},
		{tcp, []netip.Addr{a("127.0.0.1"), a("0.0.0.0")}, false},     // no ::
		{tcp, []netip.Addr{a("192.0.2.1"), a("::")}, false},          // may not be this host's
		{tcp, []netip.Addr{a("fe80::1%lo"), a("::")}, false},         // link-local
		{[]ports.Protocol{ports.SCTP}, []netip.Addr{a("::")}, false}, // not probed
		{tcp, nil, false},
	} {
		if got := wildcardCovers(tc.protos, tc.addrs); got != tc.want {
			t.Errorf("wildcardCovers(%v, %v) = %v, want %v", tc.protos, tc.addrs, got, tc.want)
		}
	}
}
