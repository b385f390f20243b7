package porttest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/portalloc/ports"
)

// Lease is one port held for the process that took it: no process that
// leases from the same lock directory gets the port until the lease is
// released or the process ends. A lease holds a number, not a socket, until
// [Lease.ListenTCP] or [Lease.ListenUDP] opens one on it.
//
// A lease keeps one file descriptor open (the lock) until it is released.
// A Lease is safe for concurrent use. Leases come from a [Pool]; the zero
// value holds nothing: its ListenTCP and ListenUDP return errors, and its
// Release does nothing and returns nil, as a released lease's does.
type Lease struct {
	port ports.Port

	mu       sync.Mutex
	lock     *lockFile   // nil once released
	sockets  []io.Closer // opened by ListenTCP and ListenUDP, closed by Release
	released bool
}

// Port returns the leased port.
func (l *Lease) Port() ports.Port { return l.port }

// String returns "lease of port N" and, once released, "(released)".
func (l *Lease) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := "lease of port " + l.port.String()
	if l.released {
		s += " (released)"
	}
	return s
}

// Release closes the sockets opened on the lease, then gives the port back.
// It is safe to call more than once; calls after the first do nothing and
// return nil.
func (l *Lease) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released || l.lock == nil {
		l.released = true
		return nil
	}
	l.released = true
	var errs []error
	for _, s := range l.sockets {
		if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	l.sockets = nil
	if err := l.lock.unlock(); err != nil {
		errs = append(errs, err)
	}
	l.lock = nil
	if len(errs) > 0 {
		return fmt.Errorf("porttest: releasing port %d: %w", l.port, errors.Join(errs...))
	}
	return nil
}

// network returns the network name under which package net opens a server
// socket on addr the way the probe checked it: IPv4 for an IPv4 address,
// dual-stack for ::, IPv6-only for any other IPv6 address.
func network(base string, addr netip.Addr) string {
	switch {
	case addr.Is4():
		return base + "4"
	case addr.IsUnspecified():
		return base
	}
	return base + "6"
}

// hold registers a socket to be closed by Release; it refuses if the lease
// has been released, closing the socket.
func (l *Lease) hold(c io.Closer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released || l.lock == nil {
		c.Close()
		return fmt.Errorf("porttest: port %d: %s", l.port, l.gone())
	}
	l.sockets = append(l.sockets, c)
	return nil
}

// gone says why a lease without a lock holds nothing: it was released, or
// it is the zero Lease, which no Pool handed out. The caller holds l.mu.
func (l *Lease) gone() string {
	if l.released {
		return "lease already released"
	}
	return "the zero Lease, which no Pool handed out"
}

func (l *Lease) check(what string, addr netip.Addr) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.released || l.lock == nil:
		return fmt.Errorf("porttest: %s on port %d: %s", what, l.port, l.gone())
	case !addr.IsValid():
		return fmt.Errorf("porttest: %s on port %d: no address; want an IPv4 or IPv6 address", what, l.port)
	}
	return nil
}

// ListenTCP opens a TCP listener on addr and the leased port, held by the
// lease: [Lease.Release] closes it (closing it earlier is fine). On :: the
// listener is dual-stack, as net.Listen("tcp", ":PORT") makes it.
func (l *Lease) ListenTCP(addr netip.Addr) (*net.TCPListener, error) {
	addr = addr.Unmap()
	if err := l.check("ListenTCP", addr); err != nil {
		return nil, err
	}
	ln, err := net.ListenTCP(network("tcp", addr), net.TCPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(l.port))))
	if err != nil {
		return nil, fmt.Errorf("porttest: ListenTCP on leased port %d: %w", l.port, err)
	}
	if err := l.hold(ln); err != nil {
		return nil, err
	}
	return ln, nil
}

// ListenUDP opens a UDP socket on addr and the leased port, held by the
// lease: [Lease.Release] closes it (closing it earlier is fine).
func (l *Lease) ListenUDP(addr netip.Addr) (*net.UDPConn, error) {
	addr = addr.Unmap()
	if err := l.check("ListenUDP", addr); err != nil {
		return nil, err
	}
	c, err := net.ListenUDP(network("udp", addr), net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(l.port))))
	if err != nil {
		return nil, fmt.Errorf("porttest: ListenUDP on leased port %d: %w", l.port, err)
	}
	if err := l.hold(c); err != nil {
		return nil, err
	}
	return c, nil
}
