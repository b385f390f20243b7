package porttest

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/portalloc/ports"
)

// The helpers of this file lease from the [Default] pool, release on
// t.Cleanup, and fail the test (with t.Fatalf) when they cannot give what
// was asked, saying what they tried.

// defaultPoolTB returns the default pool or fails tb.
func defaultPoolTB(tb testing.TB, fn string) *Pool {
	tb.Helper()
	p, err := Default()
	if err != nil {
		tb.Fatalf("porttest.%s: setting up the default pool: %v", fn, err)
	}
	return p
}

// releaseAtCleanup releases ls when tb's test ends, reporting any failure.
func releaseAtCleanup(tb testing.TB, ls ...*Lease) {
	tb.Cleanup(func() {
		for _, l := range ls {
			if err := l.Release(); err != nil {
				tb.Errorf("%v", err)
			}
		}
	})
}

// NewLease leases one port for the test, as [Pool.Lease] does, and returns
// the lease, for tests that open sockets on it themselves (on other
// addresses than 127.0.0.1, say). The lease is released when the test ends.
func NewLease(tb testing.TB) *Lease {
	tb.Helper()
	l, err := defaultPoolTB(tb, "NewLease").Lease()
	if err != nil {
		tb.Fatalf("porttest.NewLease: %v", err)
	}
	releaseAtCleanup(tb, l)
	return l
}

// Port leases one port for the test and returns its number, for a
// configuration file or a child process. No process that leases from the
// same lock directory gets it until the test ends. The port was bindable
// (TCP and UDP, on 127.0.0.1, ::1, 0.0.0.0 and ::) when it was handed out;
// nothing holds it open, so bind it soon.
func Port(tb testing.TB) ports.Port {
	tb.Helper()
	l, err := defaultPoolTB(tb, "Port").Lease()
	if err != nil {
		tb.Fatalf("porttest.Port: %v", err)
	}
	releaseAtCleanup(tb, l)
	return l.Port()
}

// Ports leases n distinct ports for the test, as [Port] does.
func Ports(tb testing.TB, n int) []ports.Port {
	tb.Helper()
	ls, err := defaultPoolTB(tb, "Ports").LeaseN(n)
	if err != nil {
		tb.Fatalf("porttest.Ports(%d): %v", n, err)
	}
	releaseAtCleanup(tb, ls...)
	out := make([]ports.Port, len(ls))
	for i, l := range ls {
		out[i] = l.Port()
	}
	return out
}

// PortRange leases k contiguous ports for the test, as [Pool.LeaseRange]
// does, and returns them as a range: the ten ports of a pod of a slot
// scheme, say (see [Pod] for a pod of a given scheme).
func PortRange(tb testing.TB, k int) ports.Range {
	tb.Helper()
	ls, err := defaultPoolTB(tb, "PortRange").LeaseRange(k)
	if err != nil {
		tb.Fatalf("porttest.PortRange(%d): %v", k, err)
	}
	releaseAtCleanup(tb, ls...)
	return ports.RangeFrom(ls[0].Port(), ls[len(ls)-1].Port())
}

// listenAttempts bounds how many leases a helper tries when the socket
// cannot be opened on a port that was verified a moment before (a process
// outside the pool took it in between).
const listenAttempts = 3

var loopback4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// withSocket leases ports from p until open succeeds on one, up to
// listenAttempts times; it returns the lease, or every error met.
func withSocket(p *Pool, open func(*Lease) error) (*Lease, error) {
	var errs []error
	for range listenAttempts {
		l, err := p.Lease()
		if err != nil {
			errs = append(errs, err)
			break
		}
		if err := open(l); err != nil {
			l.Release()
			errs = append(errs, err)
			continue
		}
		return l, nil
	}
	return nil, errors.Join(errs...)
}

// Listen returns a TCP listener on 127.0.0.1 and a leased port, held until
// the test ends: the port stays bound from the moment it is chosen, so no
// other process can take it between choice and use.
func Listen(tb testing.TB) *net.TCPListener {
	tb.Helper()
	return listenTB(tb, "Listen")
}

// listenTB is Listen for the helper fn.
func listenTB(tb testing.TB, fn string) *net.TCPListener {
	tb.Helper()
	var ln *net.TCPListener
	l, err := withSocket(defaultPoolTB(tb, fn), func(l *Lease) (err error) {
		ln, err = l.ListenTCP(loopback4)
		return err
	})
	if err != nil {
		tb.Fatalf("porttest.%s: leasing a port and listening on 127.0.0.1: %v", fn, err)
	}
	releaseAtCleanup(tb, l)
	return ln
}

// Listeners returns n TCP listeners on 127.0.0.1, each on its own leased
// port, as [Listen] does.
func Listeners(tb testing.TB, n int) []*net.TCPListener {
	tb.Helper()
	if n < 0 || n > 65536 {
		tb.Fatalf("porttest.Listeners(%d): want 0 to 65536 listeners", n)
		return nil
	}
	out := make([]*net.TCPListener, n)
	for i := range out {
		out[i] = Listen(tb)
	}
	return out
}

// ListenUDP returns a UDP socket on 127.0.0.1 and a leased port, held until
// the test ends.
func ListenUDP(tb testing.TB) *net.UDPConn {
	tb.Helper()
	var c *net.UDPConn
	l, err := withSocket(defaultPoolTB(tb, "ListenUDP"), func(l *Lease) (err error) {
		c, err = l.ListenUDP(loopback4)
		return err
	})
	if err != nil {
		tb.Fatalf("porttest.ListenUDP: leasing a port and binding UDP on 127.0.0.1: %v", err)
	}
	releaseAtCleanup(tb, l)
	return c
}

// ListenPair returns a TCP listener and a UDP socket on 127.0.0.1 and the
// same leased port, held until the test ends: for a service that serves
// both, as DNS does.
func ListenPair(tb testing.TB) (*net.TCPListener, *net.UDPConn) {
	tb.Helper()
	var (
		ln *net.TCPListener
		c  *net.UDPConn
	)
	l, err := withSocket(defaultPoolTB(tb, "ListenPair"), func(l *Lease) (err error) {
		if ln, err = l.ListenTCP(loopback4); err != nil {
			return err
		}
		c, err = l.ListenUDP(loopback4)
		return err
	})
	if err != nil {
		tb.Fatalf("porttest.ListenPair: leasing a port and binding TCP and UDP on 127.0.0.1: %v", err)
	}
	releaseAtCleanup(tb, l)
	return ln, c
}
