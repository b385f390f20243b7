package sockets

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	psnet "github.com/shirou/gopsutil/v4/net"
)

const (
	processes = 50
	perProc   = 99 // connections a child makes to its own listener
	sockets   = processes * (1 + 2*perProc)
	childEnv  = "SOCKETS_BENCH_CHILD"
)

// holder is one child process and the port of its listener.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	port  ports.Port
}

var holders []holder

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(hold())
	}
	code := m.Run()
	for _, h := range holders {
		h.stdin.Close()
		h.cmd.Wait()
	}
	if command != "" {
		os.RemoveAll(filepath.Dir(command))
	}
	os.Exit(code)
}

// hold listens on 127.0.0.1, connects to itself perProc times, prints the
// port and holds everything until stdin closes.
func hold() int {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var conns []net.Conn
	for range perProc {
		c, err := net.Dial("tcp4", l.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		s, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		conns = append(conns, c, s)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	l.Close()
	return 0
}

// startHolders starts the children once for the whole run.
func startHolders(b *testing.B) {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skip("the workload and ss are Linux's")
	}
	if holders != nil {
		return
	}
	for range processes {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1")
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		h := holder{cmd: cmd, stdin: stdin}
		holders = append(holders, h)
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			b.Fatalf("a holder printed nothing: %v", err)
		}
		p, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			b.Fatalf("a holder said %q", line)
		}
		holders[len(holders)-1].port = ports.Port(p)
	}
}

// BenchmarkTable reads the whole socket table with owners, for each peer.
func BenchmarkTable(b *testing.B) {
	startHolders(b)
	b.Run("peer=hostports", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		n := 0
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{})
			if err != nil {
				b.Fatal(err)
			}
			n = len(t.Sockets)
		}
		cpu.report(b)
		checkCount(b, n)
	})
	b.Run("peer=ss-tanp", func(b *testing.B) {
		if _, err := exec.LookPath("ss"); err != nil {
			b.Skip("ss (iproute2) is not installed: apt-get install iproute2")
		}
		b.ReportAllocs()
		cpu := startCPU()
		n := 0
		for b.Loop() {
			out, err := cpu.run(exec.Command("ss", "-tanp"))
			if err != nil {
				b.Fatal(err)
			}
			n = strings.Count(string(out), "\n") - 1
		}
		cpu.report(b)
		checkCount(b, n)
	})
	b.Run("peer=gopsutil", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		n := 0
		for b.Loop() {
			conns, err := psnet.Connections("inet")
			if err != nil {
				b.Fatal(err)
			}
			n = len(conns)
		}
		cpu.report(b)
		checkCount(b, n)
	})
}

// cpuMeter counts the CPU time, user and system, of this process and of
// the commands it runs, per operation. On a shared machine the wall time
// of an operation grows with the load (the run queue), its CPU time much
// less, so both are reported.
type cpuMeter struct{ start, children time.Duration }

func startCPU() *cpuMeter { return &cpuMeter{start: selfCPU()} }

// run runs c for its standard output and counts its CPU time.
func (m *cpuMeter) run(c *exec.Cmd) ([]byte, error) {
	out, err := c.Output()
	if c.ProcessState != nil {
		m.children += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
	}
	return out, err
}

func (m *cpuMeter) report(b *testing.B) {
	cpu := selfCPU() - m.start + m.children
	b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// checkCount fails unless a peer saw at least the sockets the children
// hold: a peer that reads less is not doing the work.
func checkCount(b *testing.B, n int) {
	b.Helper()
	if n < sockets {
		b.Fatalf("read %d sockets, want at least the %d held", n, sockets)
	}
	b.ReportMetric(float64(n), "sockets")
}

// BenchmarkWhy explains one held port: every bind, the kernel's table of
// the port and its owners; then each part alone.
func BenchmarkWhy(b *testing.B) {
	startHolders(b)
	p := holders[len(holders)/2].port
	b.Run("part=all", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			d, err := hostports.Why(p, hostports.WhyOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if d.Bindable() || len(d.Reasons) == 0 || len(d.Reasons[0].Sockets) == 0 || d.Reasons[0].Sockets[0].Owner != hostports.OwnerFound {
				b.Fatalf("Why(%d): %+v, want held by a child", p, d.Reasons)
			}
		}
		cpu.report(b)
	})
	b.Run("part=binds", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			if hostports.Probe(p).Bindable() {
				b.Fatalf("port %d is held, yet bindable", p)
			}
		}
		cpu.report(b)
	})
	b.Run("part=table-of-port", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{Port: p, NoOwners: true})
			if err != nil || len(t.Sockets) == 0 {
				b.Fatalf("ReadTable(%d): %d sockets, %v", p, len(t.Sockets), err)
			}
		}
		cpu.report(b)
	})
	b.Run("part=listeners-of-port", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{Port: p, NoOwners: true, Listening: true})
			if err != nil || len(t.Sockets) != 1 {
				b.Fatalf("ReadTable(%d, Listening): %d sockets, %v", p, len(t.Sockets), err)
			}
		}
		cpu.report(b)
	})
	b.Run("part=listeners-of-port-first-owner", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{Port: p, FirstOwner: true, Listening: true})
			if err != nil || len(t.Sockets) != 1 || t.Sockets[0].Owner != hostports.OwnerFound {
				b.Fatalf("ReadTable(%d, Listening, FirstOwner): %d sockets, %v", p, len(t.Sockets), err)
			}
		}
		cpu.report(b)
	})
	b.Run("part=table-of-port-first-owner", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{Port: p, FirstOwner: true})
			if err != nil || len(t.Sockets) != 1+perProc || t.Sockets[0].Owner != hostports.OwnerFound {
				b.Fatalf("ReadTable(%d, FirstOwner): %d sockets, %v", p, len(t.Sockets), err)
			}
		}
		cpu.report(b)
	})
	b.Run("part=table-of-port-every-owner", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			t, err := hostports.ReadTable(hostports.TableOptions{Port: p})
			if err != nil || len(t.Sockets) != 1+perProc {
				b.Fatalf("ReadTable(%d): %d sockets, %v", p, len(t.Sockets), err)
			}
		}
		cpu.report(b)
	})
	b.Run("peer=ss-tanp-sport", func(b *testing.B) {
		if _, err := exec.LookPath("ss"); err != nil {
			b.Skip("ss (iproute2) is not installed: apt-get install iproute2")
		}
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			out, err := cpu.run(exec.Command("ss", "-tanp", "sport", "=", ":"+p.String()))
			if err != nil {
				b.Fatal(err)
			}
			if n := strings.Count(string(out), "\n") - 1; n != 1+perProc {
				b.Fatalf("ss -tanp sport = :%d: %d sockets, want %d", p, n, 1+perProc)
			}
		}
		cpu.report(b)
	})
}

// BenchmarkWhyCommand runs the command, ports why PORT, on one held port:
// a process's start, the binds, the table of the port and its owner, the
// text. The command is built once, from this checkout.
func BenchmarkWhyCommand(b *testing.B) {
	startHolders(b)
	bin := buildCommand(b)
	h := holders[len(holders)/2]
	want := fmt.Sprintf("(pid %d,", h.cmd.Process.Pid)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		out, err := cpu.run(exec.Command(bin, "why", h.port.String()))
		if e, ok := err.(*exec.ExitError); !ok || e.ExitCode() != 1 {
			b.Fatalf("ports why %d: %v, want exit 1\n%s", h.port, err, out)
		}
		if !strings.Contains(string(out), want) {
			b.Fatalf("ports why %d does not name the holder %s:\n%s", h.port, want, out)
		}
	}
	cpu.report(b)
}

var command string

// buildCommand builds cmd/ports of this checkout into a directory of the
// run, once.
func buildCommand(b *testing.B) string {
	b.Helper()
	if command != "" {
		return command
	}
	dir, err := os.MkdirTemp("", "sockets-bench")
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "ports")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ports")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/ports: %v\n%s", err, out)
	}
	command = bin
	return bin
}
