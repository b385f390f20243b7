package porttest

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

func TestHelpers(t *testing.T) {
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var used []ports.Port
	t.Run("helpers", func(t *testing.T) {
		p := Port(t)
		ps := Ports(t, 3)
		run := PortRange(t, 10)
		lease := NewLease(t)
		ln := Listen(t)
		lns := Listeners(t, 2)
		uc := ListenUDP(t)
		pln, puc := ListenPair(t)

		tcpPort := func(ln *net.TCPListener) ports.Port { return ports.Port(ln.Addr().(*net.TCPAddr).Port) }
		udpPort := func(c *net.UDPConn) ports.Port { return ports.Port(c.LocalAddr().(*net.UDPAddr).Port) }
		used = append(used, p, lease.Port(), tcpPort(ln), tcpPort(lns[0]), tcpPort(lns[1]), udpPort(uc), tcpPort(pln))
		used = append(used, ps...)
		for q := range run.All() {
			used = append(used, q)
		}
		if run.Len() != 10 {
			t.Errorf("PortRange(t, 10) = %v", run)
		}
		if tcpPort(pln) != udpPort(puc) {
			t.Errorf("ListenPair gave TCP port %d and UDP port %d", tcpPort(pln), udpPort(puc))
		}
		sorted := slices.Clone(used)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(used) {
			t.Errorf("helpers handed out a port twice: %v", used)
		}
		for _, q := range used {
			if !pool.Candidates().Contains(q) {
				t.Errorf("port %d is not a candidate", q)
			}
		}
		for _, l := range append(lns, ln, pln) {
			if a := l.Addr().(*net.TCPAddr); !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Errorf("listener on %v, want 127.0.0.1", a)
			}
		}
		// The sockets work.
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Write([]byte("ok"))
				c.Close()
			}
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		if _, err := c.Read(buf); err != nil || string(buf) != "ok" {
			t.Errorf("read %q, %v from the listener", buf, err)
		}
		c.Close()
	})
	// Every port was given back when the subtest ended: a private pool on
	// the same directory can lease them all.
	again, err := NewPool(Options{Dir: pool.Dir(), Within: ports.RangeSetOf(portRanges(used)...)})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := again.LeaseN(len(used))
	if err != nil {
		t.Fatalf("leasing the helpers' ports after the test ended: %v", err)
	}
	releaseAll(ls)
}

func portRanges(ps []ports.Port) []ports.Range {
	out := make([]ports.Range, len(ps))
	for i, p := range ps {
		out[i] = p.Range()
	}
	return out
}

// fakeTB records what a helper reports, so that the messages of failures
// can be checked. Fatalf ends the goroutine, as testing.T's does.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// runFake runs fn with a fakeTB on a goroutine of its own, then the
// cleanups, last first.
func runFake(fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f
}

func TestHelperFailures(t *testing.T) {
	tests := []struct {
		name string
		fn   func(tb testing.TB)
		want string
	}{
		{"Ports(-1)", func(tb testing.TB) { Ports(tb, -1) }, "porttest.Ports(-1): porttest: LeaseN(-1): want 0 to 65536 ports"},
		{"Ports(1<<62)", func(tb testing.TB) { Ports(tb, 1<<62) }, "porttest.Ports(4611686018427387904): porttest: LeaseN(4611686018427387904): want 0 to 65536 ports"},
		{"PortRange(0)", func(tb testing.TB) { PortRange(tb, 0) }, "porttest.PortRange(0): porttest: LeaseRange(0): want 1 to 65536 ports"},
		{"Listeners(-1)", func(tb testing.TB) { Listeners(tb, -1) }, "porttest.Listeners(-1): want 0 to 65536 listeners"},
		{"Listeners(1<<62)", func(tb testing.TB) { Listeners(tb, 1<<62) }, "porttest.Listeners(4611686018427387904): want 0 to 65536 listeners"},
		{"Handoff with ExtraFiles", func(tb testing.TB) {
			cmd := exec.Command("true")
			cmd.ExtraFiles = make([]*os.File, 1)
			Handoff(tb, cmd, Socket{Name: "x", Conn: Listen(tb)})
		}, "porttest: Pass: the command already has 1 ExtraFiles; the inherited sockets must start at descriptor 3"},
		{"Handoff with a bad name", func(tb testing.TB) {
			Handoff(tb, exec.Command("true"), Socket{Name: "a:b", Conn: Listen(tb)})
		}, `porttest: socket name "a:b": byte ":" not allowed; want printable ASCII other than ':'`},
		{"Handoff with a name not ASCII", func(tb testing.TB) {
			Handoff(tb, exec.Command("true"), Socket{Name: "caf\u00e9", Conn: Listen(tb)})
		}, `porttest: socket name "café": byte "\xc3" not allowed; want printable ASCII other than ':'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := runFake(tt.fn)
			if diff := cmp.Diff(tt.want, f.fatal); diff != "" {
				t.Errorf("Fatalf message (-want +got):\n%s", diff)
			}
			if len(f.errs) > 0 {
				t.Errorf("cleanup errors: %v", f.errs)
			}
		})
	}
}

// tempLockDir returns a new temporary directory for lock directories, as
// t.TempDir does, and clears the pins (pin_bsd.go) that holders which died
// holding left in it before the directory is removed.
func tempLockDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				unpin(path)
			}
			return nil
		})
	})
	return dir
}
