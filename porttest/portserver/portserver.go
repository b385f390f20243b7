// Package portserver serves test ports to programs in any language over
// the protocol of the port server of Google's portpicker: a client
// connects to a Unix socket, writes its process ID in ASCII and a newline,
// and reads back a port number and a newline ("0" when none is left). The
// port is the client's until its process exits, and comes from a
// [porttest.Pool], so that it never collides with the ports this module's
// own tests lease on the machine.
//
// Python test suites written for portpicker use it unchanged:
//
//	ports portserver &                      # listens on @unittest-portserver
//	PORTSERVER_ADDRESS=@unittest-portserver python -m pytest
//
// A Server is safe for concurrent use.
package portserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portalloc/ports/porttest"
)

// DefaultAddress is where portpicker's clients look for a port server when
// PORTSERVER_ADDRESS says so by convention: a socket in Linux's abstract
// namespace (the leading "@").
const DefaultAddress = "@unittest-portserver"

// Server hands out the ports of a pool to the processes that ask, and
// takes each back when its process has exited.
type Server struct {
	pool *porttest.Pool

	// alive reports whether the process that asked is still running: pid
	// and the start time recorded when it asked, which tells a process
	// from a later one that reuses its ID. Tests replace it.
	alive   func(pid int, started uint64) bool
	started func(pid int) (uint64, bool)

	mu     sync.Mutex
	leases map[client][]*porttest.Lease
	closed bool
	done   chan struct{}
}

// client is a process that holds ports.
type client struct {
	pid     int
	started uint64
}

// New returns a server of the ports of pool.
func New(pool *porttest.Pool) *Server {
	return &Server{
		pool:    pool,
		alive:   processAlive,
		started: processStart,
		leases:  make(map[client][]*porttest.Lease),
		done:    make(chan struct{}),
	}
}

// Listen listens on addr: a path of a Unix socket, or a name in Linux's
// abstract namespace written with a leading "@".
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, errors.New("portserver: no address")
	}
	if name, ok := strings.CutPrefix(addr, "@"); ok {
		return net.Listen("unix", "\x00"+name)
	}
	return net.Listen("unix", addr)
}

// Serve answers the clients of ln until ln is closed, and takes back the
// ports of exited processes every interval (a second if zero). It returns
// nil when ln was closed by [Server.Close].
func (s *Server) Serve(ln net.Listener, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	go s.reap(interval)
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go s.answer(c)
	}
}

// maxRequest bounds what is read of a request: a process ID and a newline.
const maxRequest = 32

// answer reads one request from c and writes the port given, or 0.
func (s *Server) answer(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(io.LimitReader(c, maxRequest)).ReadString('\n')
	if err != nil && line == "" {
		return
	}
	port := 0
	if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && pid > 0 {
		port = s.Request(pid)
	}
	fmt.Fprintf(c, "%d\n", port)
}

// Request leases a port for the process pid and returns it, or 0 when the
// process is not running or the pool has no port left.
func (s *Server) Request(pid int) int {
	started, ok := s.started(pid)
	if !ok {
		return 0
	}
	l, err := s.pool.Lease()
	if err != nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		l.Release()
		return 0
	}
	k := client{pid, started}
	s.leases[k] = append(s.leases[k], l)
	return int(l.Port())
}

// Held returns how many ports the processes that asked hold now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ls := range s.leases {
		n += len(ls)
	}
	return n
}

// Reap takes back the ports of every process that has exited, and returns
// how many.
func (s *Server) Reap() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c, ls := range s.leases {
		if s.alive(c.pid, c.started) {
			continue
		}
		for _, l := range ls {
			l.Release()
		}
		n += len(ls)
		delete(s.leases, c)
	}
	return n
}

func (s *Server) reap(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.Reap()
		}
	}
}

// Close releases every port and stops the reaping; close the listener to
// stop [Server.Serve].
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	for c, ls := range s.leases {
		for _, l := range ls {
			l.Release()
		}
		delete(s.leases, c)
	}
}
