package portserver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/porttest"
)

// ask speaks the portpicker protocol: it sends pid and reads the port.
func ask(addr string, pid int) (int, error) {
	network, name := "unix", addr
	if n, ok := strings.CutPrefix(addr, "@"); ok {
		name = "\x00" + n
	}
	c, err := net.Dial(network, name)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, "%d\n", pid); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(line))
}

// serve starts a server of a pool in a lock directory of its own, limited
// to within if it is not empty, and returns it and its address.
func serve(t *testing.T, within ports.RangeSet) (*Server, *porttest.Pool, string) {
	t.Helper()
	dir := t.TempDir()
	pool, err := porttest.NewPool(porttest.Options{Dir: filepath.Join(dir, "locks"), Within: within})
	if err != nil {
		t.Fatal(err)
	}
	addr := filepath.Join(dir, "portserver.sock")
	ln, err := Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	s := New(pool)
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln, 50*time.Millisecond) }()
	t.Cleanup(func() {
		s.Close()
		ln.Close()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, pool, addr
}

// TestChildGetsPortUntilExit runs a child that asks for a port and exits:
// it gets a port, and the port is taken back once it has exited.
func TestChildGetsPortUntilExit(t *testing.T) {
	s, _, addr := serve(t, ports.RangeSet{})
	cmd := exec.Command(os.Args[0], "-test.run=^TestClientProcess$")
	cmd.Env = append(os.Environ(), "PORTSERVER_TEST_ADDRESS="+addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, out)
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || port <= 0 {
		t.Fatalf("client printed %q, want a port", out)
	}
	for deadline := time.Now().Add(10 * time.Second); s.Held() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the port of an exited client is still held (%d held)", s.Held())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClientProcess is the client of TestChildGetsPortUntilExit: it asks
// for a port for itself, binds it, and prints it.
func TestClientProcess(t *testing.T) {
	addr := os.Getenv("PORTSERVER_TEST_ADDRESS")
	if addr == "" {
		t.Skip("run by TestChildGetsPortUntilExit")
	}
	port, err := ask(addr, os.Getpid())
	if err != nil || port == 0 {
		fmt.Println("no port:", err)
		os.Exit(3)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		fmt.Println("cannot bind:", err)
		os.Exit(4)
	}
	ln.Close()
	fmt.Println(port)
	os.Exit(0)
}

// TestPortsNeverShared checks that a port the server gives out is held
// against the module's own leases in the same lock directory, and that
// the server hands out each port once.
func TestPortsNeverShared(t *testing.T) {
	within, _ := ports.ParseRangeSet("61010-61012")
	s, pool, addr := serve(t, within)
	got, err := ask(addr, os.Getpid())
	if err != nil || got == 0 {
		t.Fatalf("ask = %d, %v", got, err)
	}
	other, err := porttest.NewPool(porttest.Options{Dir: pool.Dir(), Within: within})
	if err != nil {
		t.Fatal(err)
	}
	leases, err := other.LeaseN(2)
	if err != nil {
		t.Fatalf("two more of three ports: %v", err)
	}
	defer func() {
		for _, l := range leases {
			l.Release()
		}
	}()
	for _, l := range leases {
		if int(l.Port()) == got {
			t.Fatalf("a test lease got %d, which the server gave out", got)
		}
	}
	if p, err := ask(addr, os.Getpid()); err != nil || p != 0 {
		t.Errorf("ask with every port taken = %d, %v; want 0", p, err)
	}
	if s.Held() != 1 {
		t.Errorf("Held = %d, want 1", s.Held())
	}
}

func TestBadRequests(t *testing.T) {
	s, _, addr := serve(t, ports.RangeSet{})
	for _, req := range []string{"abc\n", "-1\n", "0\n", "\n", strings.Repeat("9", 100) + "\n", "99999999\n"} {
		c, err := net.Dial("unix", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(c, req)
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.TrimSpace(line) != "0" && line != "" {
			t.Errorf("request %q: answer %q, want 0", req, line)
		}
	}
	if s.Held() != 0 {
		t.Errorf("bad requests hold %d ports", s.Held())
	}
}

// TestPythonClient asks for a port with a client written in Python, as a
// portpicker user would, where python3 is installed.
func TestPythonClient(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	_, _, addr := serve(t, ports.RangeSet{})
	script := `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(("%d\n" % os.getpid()).encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(64)
    if not chunk:
        break
    buf += chunk
port = int(buf.split(b"\n")[0])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", port))
srv.close()
print(port)
`
	out, err := exec.Command(py, "-c", script, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	if p, err := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || p <= 0 {
		t.Errorf("python client printed %q", out)
	}
}

func TestListenAbstract(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("the abstract namespace is Linux's")
	}
	name := fmt.Sprintf("@ports-test-%d", os.Getpid())
	ln, err := Listen(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", "\x00"+name[1:])
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	c.Close()
	if _, err := Listen(""); err == nil {
		t.Error("Listen(\"\"): no error")
	}
}

func TestReusedPID(t *testing.T) {
	s, _, _ := serve(t, ports.RangeSet{})
	starts := map[int]uint64{os.Getpid(): 1}
	s.started = func(pid int) (uint64, bool) { v, ok := starts[pid]; return v, ok }
	s.alive = func(pid int, started uint64) bool { return starts[pid] == started }
	if p := s.Request(os.Getpid()); p == 0 {
		t.Fatal("Request: no port")
	}
	starts[os.Getpid()] = 2 // the ID now names a later process
	if n := s.Reap(); n != 1 {
		t.Errorf("Reap after the process was replaced = %d, want 1", n)
	}
	if s.Request(424242) != 0 {
		t.Error("a port for a process that does not exist")
	}
}
