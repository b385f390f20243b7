package porttest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports/activation"
)

func init() {
	// Take the inherited sockets "http" (TCP) and "dns" (UDP, first asked
	// for as the wrong type), say what
	// the environment holds once they are taken, then answer one
	// connection and one datagram.
	childRoles["inherit"] = func() error {
		ln, err := activation.Listener("http")
		if err != nil {
			return err
		}
		// A datagram socket asked for as a listener is refused, and left
		// for the right call.
		if _, err := activation.Listener("dns"); err == nil {
			return fmt.Errorf("activation.Listener took the datagram socket")
		}
		pc, err := activation.PacketConn("dns")
		if err != nil {
			return err
		}
		_, again := activation.Listener("http")
		fmt.Printf("ready LISTEN_PID=%q LISTEN_FDS=%q LISTEN_FDNAMES=%q again=%v\n",
			os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES"), again)
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		fmt.Fprintf(c, "http from %d\n", os.Getpid())
		c.Close()
		buf := make([]byte, 64)
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		_, err = pc.WriteTo([]byte("dns "+string(buf[:n])), from)
		return err
	}
}

func TestHandoff(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no descriptor inheritance on Windows")
	}
	ln, pc := ListenPair(t)
	cmd := childCmd("inherit")
	Handoff(t, cmd, Socket{Name: "http", Conn: ln}, Socket{Name: "dns", Conn: pc})
	if cmd.Path != "/bin/sh" || len(cmd.ExtraFiles) != 2 {
		t.Fatalf("after Handoff: Path %q, %d ExtraFiles", cmd.Path, len(cmd.ExtraFiles))
	}
	c := startChild(t, cmd)
	line, err := c.line()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	// The child took both sockets, found no second "http", and removed the
	// variables so that its own children do not take them for theirs.
	want := `ready LISTEN_PID="" LISTEN_FDS="" LISTEN_FDNAMES="" again=activation: Listener("http"): no socket of that name left; passed: http, dns`
	if diff := cmp.Diff(want, line); diff != "" {
		t.Errorf("child report (-want +got):\n%s", diff)
	}

	// The parent never accepts: the answer comes from the child, through
	// the socket the parent still holds.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if want := fmt.Sprintf("http from %d\n", cmd.Process.Pid); err != nil || got != want {
		t.Errorf("TCP answer = %q, %v; want %q (the child's pid)", got, err, want)
	}

	uc, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	uc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := uc.Write([]byte("query")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := uc.Read(buf)
	if err != nil || string(buf[:n]) != "dns query" {
		t.Errorf("UDP answer = %q, %v; want %q", buf[:n], err, "dns query")
	}
	c.stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	// The parent's sockets are still open.
	if _, err := net.Dial("tcp", ln.Addr().String()); err != nil {
		t.Errorf("the parent's listener was closed by the handoff: %v", err)
	}
}

// TestPassConvention runs a shell as the receiver, to check the variables
// and descriptors as any program that follows the convention sees them.
func TestPassConvention(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/fd")
	}
	ln, pc := ListenPair(t)
	cmd := exec.Command("/bin/sh", "-c", `echo "$LISTEN_PID $$ $LISTEN_FDS $LISTEN_FDNAMES $(readlink /proc/self/fd/3 | cut -c1-7) $(readlink /proc/self/fd/4 | cut -c1-7)"`)
	cmd.Env = append(os.Environ(), "LISTEN_PID=1", "LISTEN_FDS=9") // stale values are replaced
	files, err := Pass(cmd, Socket{Name: "web", Conn: ln}, Socket{Name: "dns", Conn: pc})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	closeFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	checkConvention(t, out, "web:dns")
}

// checkConvention checks what the receiver of TestPassConvention printed.
func checkConvention(t *testing.T, out []byte, names string) {
	t.Helper()
	f := strings.Fields(string(out))
	if len(f) != 6 {
		t.Fatalf("receiver printed %q", out)
	}
	if f[0] != f[1] {
		t.Errorf("LISTEN_PID = %s, but the receiver's pid is %s", f[0], f[1])
	}
	if diff := cmp.Diff([]string{"2", names, "socket:", "socket:"}, f[2:]); diff != "" {
		t.Errorf("LISTEN_FDS, LISTEN_FDNAMES, fd 3, fd 4 (-want +got):\n%s", diff)
	}
}

// TestPassEnvSetAfter sets cmd.Env after Pass, as a caller adding a
// variable does: the child still gets the variables of the convention.
func TestPassEnvSetAfter(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/fd")
	}
	ln, pc := ListenPair(t)
	cmd := exec.Command("/bin/sh", "-c", `echo "$LISTEN_PID $$ $LISTEN_FDS $LISTEN_FDNAMES $(readlink /proc/self/fd/3 | cut -c1-7) $(readlink /proc/self/fd/4 | cut -c1-7)"`)
	files, err := Pass(cmd, Socket{Name: "it's $web", Conn: ln}, Socket{Name: "dns", Conn: pc})
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LISTEN_FDS=7"}
	out, err := cmd.Output()
	closeFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	// The name has a space: checkConvention splits on it.
	checkConvention(t, []byte(strings.Replace(string(out), "it's $web", "it's_$web", 1)), "it's_$web:dns")
}

func TestPassErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Pass is unsupported on Windows")
	}
	ln := Listen(t)
	started := exec.Command("true")
	if err := started.Run(); err != nil {
		t.Skip(err)
	}
	long := strings.Repeat("a", 256)
	tests := []struct {
		name  string
		cmd   *exec.Cmd
		socks []Socket
		want  string
	}{
		{"started", started, []Socket{{"x", ln}}, "porttest: Pass: the command has already started"},
		{"no sockets", exec.Command("true"), nil, "porttest: Pass: no sockets to pass"},
		{"empty name", exec.Command("true"), []Socket{{"", ln}}, `porttest: socket name "": want 1 to 255 characters`},
		{"long name", exec.Command("true"), []Socket{{long, ln}}, "want 1 to 255 characters"},
		{"tab in name", exec.Command("true"), []Socket{{"a\tb", ln}}, `byte "\t" not allowed`},
		{"nil conn", exec.Command("true"), []Socket{{"x", nil}}, `porttest: Pass: socket "x" is nil`},
		{"no path", &exec.Cmd{}, []Socket{{"x", ln}}, "porttest: Pass: the command has no path"},
		{"lookup failed", exec.Command("no-such-program-anywhere"), []Socket{{"x", ln}}, "porttest: Pass: exec: \"no-such-program-anywhere\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Pass(tt.cmd, tt.socks...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Pass = %v, want an error containing %q", err, tt.want)
			}
			if files != nil {
				t.Errorf("Pass returned files with an error")
			}
		})
	}
	closed := Listen(t)
	closed.Close()
	if _, err := Pass(exec.Command("true"), Socket{"ok", ln}, Socket{"closed", closed}); err == nil || !strings.Contains(err.Error(), `duplicating socket "closed"`) {
		t.Errorf("Pass of a closed listener = %v", err)
	}
}

func init() {
	// Take two inherited sockets of one name, "x", a datagram socket
	// passed first: each call finds the one of its type.
	childRoles["same-name"] = func() error {
		ln, err := activation.Listener("x")
		if err != nil {
			return err
		}
		pc, err := activation.PacketConn("x")
		if err != nil {
			return err
		}
		fmt.Printf("ready %s %s\n", ln.Addr().Network(), pc.LocalAddr().Network())
		return nil
	}
}

// TestHandoffSameName passes a UDP and a TCP socket under one name, as
// systemd units often name them: the child's listener is the TCP one.
func TestHandoffSameName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no descriptor inheritance on Windows")
	}
	ln, pc := ListenPair(t)
	handoffSameName(t, pc, ln, "ready tcp udp")
}

// handoffSameName passes dgram and then stream to a child under one name,
// and checks what the child says it took: want.
func handoffSameName(t *testing.T, dgram, stream FileConn, want string) {
	t.Helper()
	cmd := childCmd("same-name")
	Handoff(t, cmd, Socket{Name: "x", Conn: dgram}, Socket{Name: "x", Conn: stream})
	c := startChild(t, cmd)
	line, err := c.line()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if line != want {
		t.Errorf("child took %q, want %q: the stream socket as listener and the datagram one as packet conn", line, want)
	}
	c.stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
}

// TestHandoffSameNameUnix is TestHandoffSameName with Unix sockets, which
// package net converts to a listener or a packet conn whatever their type.
func TestHandoffSameNameUnix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no descriptor inheritance on Windows")
	}
	dir := tempLockDir(t)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: dir + "/s", Net: "unix"})
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dir + "/d", Net: "unixgram"})
	if err != nil {
		t.Skip(err)
	}
	defer pc.Close()
	handoffSameName(t, pc, ln, "ready unix unixgram")
}
