package hostports

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/portalloc/ports"
)

// socketCmp compares the netip values of sockets by ==.
var socketCmp = cmp.Options{
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}

// heldSocket is a socket a child holds, as it reports it.
type heldSocket struct {
	Name   string // what the test calls it
	Proto  string // tcp, udp
	Local  string // the local address and port
	Remote string // the remote end, or ""
	State  string // the state the table must show
	V6Only string // on, off or unknown
	Owned  bool   // whether the child holds it (TIME_WAIT: the kernel)
}

func init() {
	// Hold sockets in every state the table knows, print them as JSON on
	// one line, and hold them until stdin closes.
	childRoles["sockets"] = func() error {
		held, closers, err := holdSockets(os.Getenv("HOSTPORTS_SOCKETS") == "netns")
		if err != nil {
			return err
		}
		defer func() {
			for _, c := range closers {
				c()
			}
		}()
		b, err := json.Marshal(held)
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		_, err = io.Copy(io.Discard, os.Stdin)
		return err
	}
	// Hold the descriptors inherited (ExtraFiles) until stdin closes.
	childRoles["inherit"] = func() error {
		fmt.Println("holding")
		_, err := io.Copy(io.Discard, os.Stdin)
		return err
	}
	// Read the socket table as this (unprivileged) user and print the
	// sockets of the port given.
	childRoles["readtable"] = func() error {
		p, err := ports.ParsePort(os.Getenv("HOSTPORTS_PORT"))
		if err != nil {
			return err
		}
		t, err := ReadTable(TableOptions{Port: p})
		if err != nil {
			return err
		}
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
}

// holdSockets opens the sockets of the test. In a fresh network namespace
// (netns) the loopback interface is down, so only wildcard addresses are
// used there.
func holdSockets(netns bool) ([]heldSocket, []func(), error) {
	var held []heldSocket
	var closers []func()
	fail := func(what string, err error) ([]heldSocket, []func(), error) {
		for _, c := range closers {
			c()
		}
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	listen := func(name, network, addr string, v6only int) error {
		lc := net.ListenConfig{}
		if v6only >= 0 {
			lc.Control = func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, v6only)
				})
				if err != nil {
					return err
				}
				return serr
			}
		}
		l, err := lc.Listen(context.Background(), network, addr)
		if err != nil {
			return err
		}
		closers = append(closers, func() { l.Close() })
		v := "unknown"
		switch {
		case strings.HasPrefix(addr, "[") && v6only == 1:
			v = "on"
		case strings.HasPrefix(addr, "["):
			v = "off"
		}
		held = append(held, heldSocket{Name: name, Proto: "tcp", Local: l.Addr().String(), State: "LISTEN", V6Only: v, Owned: true})
		return nil
	}
	if netns {
		if err := listen("tcp 0.0.0.0", "tcp4", "0.0.0.0:0", -1); err != nil {
			return fail("listen on 0.0.0.0", err)
		}
		u, err := net.ListenPacket("udp4", "0.0.0.0:0")
		if err != nil {
			return fail("udp on 0.0.0.0", err)
		}
		closers = append(closers, func() { u.Close() })
		held = append(held, heldSocket{Name: "udp 0.0.0.0", Proto: "udp", Local: u.LocalAddr().String(), State: "BOUND", V6Only: "unknown", Owned: true})
		return held, closers, nil
	}
	for _, l := range []struct {
		name, network, addr string
		v6only              int
	}{
		{"tcp 127.0.0.1", "tcp4", "127.0.0.1:0", -1},
		{"tcp 0.0.0.0", "tcp4", "0.0.0.0:0", -1},
		{"tcp ::1", "tcp6", "[::1]:0", 1},
		{"tcp :: dual-stack", "tcp", "[::]:0", 0},
		{"tcp :: v6only", "tcp6", "[::]:0", 1},
	} {
		if err := listen(l.name, l.network, l.addr, l.v6only); err != nil {
			return fail(l.name, err)
		}
	}
	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return fail("udp", err)
	}
	closers = append(closers, func() { u.Close() })
	held = append(held, heldSocket{Name: "udp 127.0.0.1", Proto: "udp", Local: u.LocalAddr().String(), State: "BOUND", V6Only: "unknown", Owned: true})
	u6, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return fail("udp6", err)
	}
	closers = append(closers, func() { u6.Close() })
	held = append(held, heldSocket{Name: "udp ::1", Proto: "udp", Local: u6.LocalAddr().String(), State: "BOUND", V6Only: "on", Owned: true})

	// An established connection, both ends.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return fail("listen for a connection", err)
	}
	closers = append(closers, func() { ln.Close() })
	held = append(held, heldSocket{Name: "tcp listener of the connection", Proto: "tcp", Local: ln.Addr().String(), State: "LISTEN", V6Only: "unknown", Owned: true})
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		return fail("dial", err)
	}
	s, err := ln.Accept()
	if err != nil {
		return fail("accept", err)
	}
	closers = append(closers, func() { c.Close() }, func() { s.Close() })
	held = append(held,
		heldSocket{Name: "tcp client", Proto: "tcp", Local: c.LocalAddr().String(), Remote: c.RemoteAddr().String(), State: "ESTABLISHED", V6Only: "unknown", Owned: true},
		heldSocket{Name: "tcp server", Proto: "tcp", Local: s.LocalAddr().String(), Remote: s.RemoteAddr().String(), State: "ESTABLISHED", V6Only: "unknown", Owned: true})

	// TIME_WAIT: the end that closes first keeps it.
	c2, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		return fail("dial", err)
	}
	s2, err := ln.Accept()
	if err != nil {
		return fail("accept", err)
	}
	tw := heldSocket{Name: "tcp TIME_WAIT", Proto: "tcp", Local: c2.LocalAddr().String(), Remote: c2.RemoteAddr().String(), State: "TIME_WAIT", V6Only: "unknown"}
	c2.Close()
	if _, err := s2.Read(make([]byte, 1)); err != io.EOF {
		return fail("reading the close", err)
	}
	s2.Close()
	held = append(held, tw)

	// Bound, not listening: socket and bind, nothing more.
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail("socket", err)
	}
	closers = append(closers, func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fail("bind", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	held = append(held, heldSocket{Name: "tcp bound", Proto: "tcp", Local: fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port), State: "BOUND", V6Only: "unknown", Owned: true})
	return held, closers, nil
}

// startSocketsChild starts a child holding sockets and returns it with
// what it holds.
func startSocketsChild(t *testing.T, setup func(*exec.Cmd)) (*exec.Cmd, []heldSocket, error) {
	t.Helper()
	cmd, _, line, err := startChild(t, "sockets", setup)
	if err != nil {
		return nil, nil, err
	}
	var held []heldSocket
	if err := json.Unmarshal([]byte(line), &held); err != nil {
		t.Fatalf("child said %q: %v", line, err)
	}
	return cmd, held, nil
}

// checkHeld checks that the table has each socket the child holds, with
// its state, V6Only and owner.
func checkHeld(t *testing.T, tab Table, cmd *exec.Cmd, held []heldSocket) {
	t.Helper()
	for _, h := range held {
		local := netip.MustParseAddrPort(h.Local)
		var match []Socket
		for _, s := range tab.Sockets {
			if s.Protocol.String() == h.Proto && s.Local.Port() == local.Port() && s.Local.Addr().Unmap() == local.Addr().Unmap() &&
				(h.Remote == "" || s.Remote.String() == h.Remote) {
				match = append(match, s)
			}
		}
		if h.Remote == "" {
			// A listener's port is shared with the connections it
			// accepted; keep the socket without a remote end.
			match = slices.DeleteFunc(match, func(s Socket) bool { return s.Remote.IsValid() })
		}
		if len(match) == 0 && h.State == "BOUND" && h.Proto == "tcp" && !dumpsBound(tab.Source) {
			// /proc/net/tcp lists listeners and connections only, and
			// sock_diag dumps bound sockets from Linux 6.5 on.
			t.Logf("%s %s: not in the table from %s on Linux %s", h.Name, h.Local, tab.Source, kernelRelease())
			continue
		}
		if len(match) != 1 {
			t.Errorf("%s %s: %d sockets in the table, want 1: %+v", h.Name, h.Local, len(match), match)
			continue
		}
		s := match[0]
		got := fmt.Sprintf("%s v6only=%s", s.State, s.V6Only)
		want := fmt.Sprintf("%s v6only=%s", h.State, h.V6Only)
		if tab.Source == "/proc/net" {
			want = fmt.Sprintf("%s v6only=unknown", h.State)
		}
		if got != want {
			t.Errorf("%s %s: %s, want %s", h.Name, h.Local, got, want)
		}
		if !h.Owned {
			if s.Owner != OwnerKernel || len(s.Processes) != 0 {
				t.Errorf("%s %s: owner %s %+v, want the kernel", h.Name, h.Local, s.Owner, s.Processes)
			}
			if s.Expires <= 0 || s.Expires > 2*time.Minute {
				t.Errorf("%s %s: expires in %v, want between 0 and 2 minutes", h.Name, h.Local, s.Expires)
			}
			continue
		}
		if s.Owner != OwnerFound || len(s.Processes) != 1 {
			t.Errorf("%s %s: owner %s, processes %+v; want the child alone", h.Name, h.Local, s.Owner, s.Processes)
			continue
		}
		p := s.Processes[0]
		if p.PID != cmd.Process.Pid {
			t.Errorf("%s %s: PID %d, want %d", h.Name, h.Local, p.PID, cmd.Process.Pid)
		}
		if diff := cmp.Diff(cmd.Args, p.Cmdline); diff != "" {
			t.Errorf("%s %s: command line (-want +got):\n%s", h.Name, h.Local, diff)
		}
		if want := filepath.Base(cmd.Path); !strings.HasPrefix(want, p.Program) || p.Program == "" {
			t.Errorf("%s %s: program %q, want a prefix of %q", h.Name, h.Local, p.Program, want)
		}
		if p.UID != os.Getuid() || p.User == "" {
			t.Errorf("%s %s: user %d %q, want %d", h.Name, h.Local, p.UID, p.User, os.Getuid())
		}
	}
}

func TestReadTableHeldSockets(t *testing.T) {
	cmd, held, err := startSocketsChild(t, nil)
	if err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	tab, err := ReadTable(TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Source != "sock_diag" {
		t.Logf("read from %s: sock_diag was refused", tab.Source)
	}
	checkHeld(t, tab, cmd, held)
	if !slices.IsSortedFunc(tab.Sockets, compareSockets) {
		t.Errorf("ReadTable: sockets not in order")
	}

	// The /proc/net reader, on its own, sees the same sockets.
	socks, err := readProcNet(0)
	if err != nil {
		t.Fatal(err)
	}
	findOwners(socks, false)
	sortSockets(socks)
	checkHeld(t, Table{Sockets: socks, Source: "/proc/net"}, cmd, held)

	checkPortReads(t, held)
}

// readTimes takes the TIME_WAIT expiries of two reads as the same when
// they differ by less than the time between the reads, lag.
func readTimes(lag time.Duration) cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Expires" },
		cmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() <= lag }))
}

// checkPortReads checks that a read of each held socket's port, with and
// without FirstOwner, gives exactly the sockets of the full table on that
// port: TCP and UDP, IPv4 and IPv6, every state held; and with Listening,
// exactly those of them that listen.
func checkPortReads(t *testing.T, held []heldSocket) {
	t.Helper()
	start := time.Now()
	full, err := ReadTable(TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ports.Port]bool{}
	for _, h := range held {
		p := ports.Port(netip.MustParseAddrPort(h.Local).Port())
		if seen[p] {
			continue
		}
		seen[p] = true
		want := Table{Sockets: full.OnPort(0, p), Source: full.Source}
		for _, first := range []bool{false, true} {
			got, err := ReadTable(TableOptions{Port: p, FirstOwner: first})
			if err != nil {
				t.Fatal(err)
			}
			got.Hidden = 0 // FirstOwner counts only the processes it met
			if diff := cmp.Diff(want, got, socketCmp, readTimes(time.Since(start)+time.Second)); diff != "" {
				t.Errorf("ReadTable(Port %d, FirstOwner %v), %s (-want +got):\n%s", p, first, h.Name, diff)
			}
		}
		listening := Table{Source: full.Source}
		for _, s := range want.Sockets {
			if s.Listening() {
				listening.Sockets = append(listening.Sockets, s)
			}
		}
		got, err := ReadTable(TableOptions{Port: p, FirstOwner: true, Listening: true})
		if err != nil {
			t.Fatal(err)
		}
		got.Hidden = 0
		if diff := cmp.Diff(listening, got, socketCmp, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ReadTable(Port %d, Listening), %s (-want +got):\n%s", p, h.Name, diff)
		}
	}
}

// TestDiagOneTCPDump checks that the one TCPDIAG_GETSOCK dump, which
// readDiag uses, gives the sockets of the two per-family dumps.
func TestDiagOneTCPDump(t *testing.T) {
	_, held, err := startSocketsChild(t, nil)
	if err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 4)
	if err != nil {
		t.Skipf("no sock_diag here: %v", err)
	}
	defer syscall.Close(fd)
	d := diagConn{fd: fd, buf: make([]byte, 64<<10)}
	for _, h := range held {
		if h.Proto != "tcp" {
			continue
		}
		p := ports.Port(netip.MustParseAddrPort(h.Local).Port())
		start := time.Now()
		one, err := d.dump(diagRequestTCP(p, diagAllStates, 1), ports.TCP, nil)
		if err != nil {
			t.Skipf("TCPDIAG_GETSOCK refused on Linux %s: %v", kernelRelease(), err)
		}
		var two []Socket
		for _, family := range []uint8{afInet, afInet6} {
			if two, err = d.dump(diagRequest(family, ipprotoTCP, p, diagAllStates, 2), ports.TCP, two); err != nil {
				t.Fatal(err)
			}
		}
		sortSockets(one)
		sortSockets(two)
		if len(one) == 0 {
			t.Errorf("%s: port %d: no socket", h.Name, p)
		}
		if diff := cmp.Diff(two, one, socketCmp, readTimes(time.Since(start)+time.Second)); diff != "" {
			t.Errorf("%s: port %d: one dump (-two dumps +one):\n%s", h.Name, p, diff)
		}
	}
}

func TestHolders(t *testing.T) {
	_, held, err := startSocketsChild(t, nil)
	if err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	byName := map[string]heldSocket{}
	for _, h := range held {
		byName[h.Name] = h
	}
	port := func(name string) ports.Port {
		return ports.Port(netip.MustParseAddrPort(byName[name].Local).Port())
	}
	tests := []struct {
		name string // of the held socket
		addr string // the address asked about, "" for any
		want int    // sockets that hold it
	}{
		{"tcp 127.0.0.1", "", 1},
		{"tcp 127.0.0.1", "127.0.0.1", 1},
		{"tcp 127.0.0.1", "0.0.0.0", 1},
		{"tcp 127.0.0.1", "127.0.0.2", 0},
		{"tcp 127.0.0.1", "::1", 0},
		{"tcp :: dual-stack", "127.0.0.1", 1},
		{"tcp :: v6only", "127.0.0.1", 0},
		{"tcp :: v6only", "::1", 1},
		{"tcp ::1", "::", 1},
		{"tcp TIME_WAIT", "127.0.0.1", 0},
		{"tcp bound", "127.0.0.1", 1},
		{"udp 127.0.0.1", "0.0.0.0", 0}, // asked on TCP
	}
	for _, tt := range tests {
		var addr netip.Addr
		if tt.addr != "" {
			addr = netip.MustParseAddr(tt.addr)
		}
		p := port(tt.name)
		e := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(p, p))
		got, err := Holders(e)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("Holders(%v) (%s) = %d sockets, want %d: %+v", e, tt.name, len(got), tt.want, got)
		}
	}
}

func TestReadTableNetns(t *testing.T) {
	cmd, held, err := startSocketsChild(t, func(c *exec.Cmd) {
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
		c.Env = append(c.Env, "HOSTPORTS_SOCKETS=netns")
	})
	if err != nil {
		t.Skipf("cannot start a process in a new network namespace (needs CAP_SYS_ADMIN or user namespaces): %v", err)
	}
	tab, err := ReadTable(TableOptions{Netns: fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)})
	if err != nil {
		t.Fatal(err)
	}
	// The namespace is new: the child's sockets are all there is.
	if len(tab.Sockets) != len(held) {
		t.Errorf("ReadTable of the child's namespace: %d sockets, want the child's %d: %+v", len(tab.Sockets), len(held), tab.Sockets)
	}
	checkHeld(t, tab, cmd, held)
	// This process's own table does not have them.
	own, err := ReadTable(TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range own.Sockets {
		for _, sp := range s.Processes {
			if sp.PID == cmd.Process.Pid {
				t.Errorf("own namespace has a socket of the child: %+v", s)
			}
		}
	}
	if _, err := ReadTable(TableOptions{Netns: "/proc/self/ns/uts"}); err == nil || !strings.Contains(err.Error(), "not a network namespace file") {
		t.Errorf("ReadTable(Netns /proc/self/ns/uts) error = %v, want one saying it is not a network namespace file", err)
	}
}

// TestReadTableOtherUser runs, as root, a child holding sockets under
// another uid, which the table must name, and a child reading the table
// under another uid, which must report root's socket as hidden, not guess.
func TestReadTableOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to run children under another uid")
	}
	const nobody = 65534
	// The other user must be able to run the test binary: copy it where
	// every user can.
	dir, err := os.MkdirTemp("", "hostports-uid")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hostports.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	asNobody := func(c *exec.Cmd) {
		c.Path, c.Args[0] = bin, bin
		c.Dir = dir
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	cmd, held, err := startSocketsChild(t, asNobody)
	if err != nil {
		t.Skipf("cannot run a child as uid %d: %v", nobody, err)
	}
	tab, err := ReadTable(TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range held[:1] {
		p := ports.Port(netip.MustParseAddrPort(h.Local).Port())
		socks := tab.OnPort(ports.TCP, p)
		if len(socks) != 1 || len(socks[0].Processes) != 1 {
			t.Fatalf("port %d: %+v, want one socket of one process", p, socks)
		}
		pr := socks[0].Processes[0]
		if pr.PID != cmd.Process.Pid || pr.UID != nobody || socks[0].UID != nobody {
			t.Errorf("port %d: process %d of uid %d, socket uid %d; want %d of uid %d", p, pr.PID, pr.UID, socks[0].UID, cmd.Process.Pid, nobody)
		}
	}

	// The other way: this process (root) holds a listener, and a child of
	// uid nobody reads the table.
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := l.Addr().(*net.TCPAddr).Port
	c := exec.Command(bin, "-test.run=^$")
	c.Env = append(os.Environ(), childEnv+"=readtable", fmt.Sprintf("HOSTPORTS_PORT=%d", p))
	asNobody(c)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("reading the table as uid %d: %v", nobody, err)
	}
	var got Table
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("child printed %q: %v", out, err)
	}
	if len(got.Sockets) != 1 {
		t.Fatalf("the table read as uid %d has %d sockets on port %d, want 1: %s", nobody, len(got.Sockets), p, out)
	}
	if s := got.Sockets[0]; s.Owner != OwnerHidden || len(s.Processes) != 0 || s.UID != 0 || got.Hidden == 0 {
		t.Errorf("root's listener read as uid %d: owner %s, processes %+v, uid %d, hidden processes %d; want hidden, none, 0, some",
			nobody, s.Owner, s.Processes, s.UID, got.Hidden)
	}
}

// dumpsBound reports whether a table read from source lists TCP sockets
// that are bound and neither listen nor connect: sock_diag on Linux 6.5
// and later.
func dumpsBound(source string) bool {
	var major, minor int
	fmt.Sscanf(kernelRelease(), "%d.%d", &major, &minor)
	return source == "sock_diag" && (major > 6 || major == 6 && minor >= 5)
}

func kernelRelease() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}

func TestNearest(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sorted := rapid.SliceOfN(rapid.Uint64(), 1, 20).Draw(t, "inodes")
		slices.Sort(sorted)
		ino := rapid.OneOf(rapid.Uint64(), rapid.SampledFrom(sorted)).Draw(t, "ino")
		want := uint64(math.MaxUint64)
		for _, x := range sorted {
			want = min(want, max(x, ino)-min(x, ino))
		}
		if got := nearest(sorted, ino); got != want {
			t.Fatalf("nearest(%v, %d) = %d, want %d", sorted, ino, got, want)
		}
	})
}

func TestDirentPID(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.StringMatching(`[0-9a-z.]{0,12}`).Draw(t, "name")
		pad := rapid.IntRange(1, 8).Draw(t, "padding")
		got, ok := direntPID(append([]byte(name), make([]byte, pad)...))
		want, err := strconv.Atoi(name)
		wantOK := err == nil && len(name) <= 9 && name[0] != '0' && !strings.ContainsAny(name, "+-")
		if ok != wantOK || ok && got != want {
			t.Fatalf("direntPID(%q) = %d, %v; want %d, %v", name, got, ok, want, wantOK)
		}
	})
}

func TestListPIDs(t *testing.T) {
	pids := listPIDs()
	if !slices.Contains(pids, os.Getpid()) || !slices.IsSorted(pids) || slices.Contains(pids, 0) {
		t.Errorf("listPIDs() = %v: want this process's PID %d, in order", pids, os.Getpid())
	}
}

// TestReadTableSharedSocket holds a listener in this process and in a
// child that inherited it: the full table names both holders, and a read
// with FirstOwner names one or both, each a true holder.
func TestReadTableSharedSocket(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd, _, _, err := startChild(t, "inherit", func(c *exec.Cmd) { c.ExtraFiles = []*os.File{f} })
	if err != nil {
		t.Fatal(err)
	}
	p := ports.Port(l.Addr().(*net.TCPAddr).Port)
	holders := []int{os.Getpid(), cmd.Process.Pid}
	slices.Sort(holders)
	for _, first := range []bool{false, true} {
		tab, err := ReadTable(TableOptions{Port: p, FirstOwner: first})
		if err != nil {
			t.Fatal(err)
		}
		socks := tab.OnPort(ports.TCP, p)
		if len(socks) != 1 || socks[0].Owner != OwnerFound {
			t.Fatalf("ReadTable(Port %d, FirstOwner %v): %+v, want one listener with owners", p, first, socks)
		}
		var got []int
		for _, pr := range socks[0].Processes {
			got = append(got, pr.PID)
		}
		if !first {
			if diff := cmp.Diff(holders, got); diff != "" {
				t.Errorf("ReadTable(Port %d): holders (-want +got):\n%s", p, diff)
			}
			continue
		}
		if len(got) == 0 || slices.ContainsFunc(got, func(pid int) bool { return !slices.Contains(holders, pid) }) {
			t.Errorf("ReadTable(Port %d, FirstOwner): holders %v, want one or both of %v", p, got, holders)
		}
	}
}

// TestFirstOrderVisitsEach: firstOrder gives every process once, whatever
// the first sockets it is told.
func TestFirstOrderVisitsEach(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(t, "processes")
		first := rapid.SliceOfN(rapid.Uint64Range(0, 50), n, n).Draw(t, "first sockets")
		o := newFirstOrder(n, rapid.Uint64Range(1, 50).Draw(t, "target"))
		seen := make([]bool, n)
		for range n {
			i, ok := o.next()
			if !ok || seen[i] {
				t.Fatalf("next() = %d, %v; seen %v", i, ok, seen[i])
			}
			seen[i] = true
			o.record(i, first[i])
		}
		if i, ok := o.next(); ok {
			t.Fatalf("next() after every process = %d", i)
		}
	})
}

// TestFirstOrderFindsSoon: among 1,000 processes whose first sockets grow
// with their PIDs, a third of them without a socket, the holder of a
// socket is visited within a few dozen steps, not after half of them as
// newest first would.
func TestFirstOrderFindsSoon(t *testing.T) {
	const n = 1000
	first := make([]uint64, n)
	for i := range first {
		if i%3 != 0 {
			first[i] = uint64(5000 + 7*i)
		}
	}
	for _, holder := range []int{1, 437, 500, 998} {
		if first[holder] == 0 {
			t.Fatalf("process %d has no socket", holder)
		}
		o := newFirstOrder(n, first[holder])
		steps := 0
		for {
			i, ok := o.next()
			if !ok {
				t.Fatalf("holder %d never visited", holder)
			}
			steps++
			o.record(i, first[i])
			if i == holder {
				break
			}
		}
		if steps > 30 {
			t.Errorf("holder %d of %d found after %d steps, want at most 30", holder, n, steps)
		}
	}
}
