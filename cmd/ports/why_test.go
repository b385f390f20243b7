package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// The held ports come from 24755-24849, which IANA leaves unassigned and
// no de-facto table names, so that what "ls" says they are known for does
// not depend on which ones are free.
const heldLo, heldHi = 24755, 24849

// TestHoldPorts holds ports when the test binary is started by
// startHolder, and does nothing otherwise: a TCP listener on 127.0.0.1, a
// dual-stack TCP listener on ::, and a UDP socket on 0.0.0.0. It prints
// their ports on one line and holds them until stdin closes.
func TestHoldPorts(t *testing.T) {
	if os.Getenv("PORTS_TEST_HOLD") != "1" {
		return
	}
	var held []string
	var closers []io.Closer // kept open until the test ends
	next := heldLo
	take := func(open func(string) (io.Closer, error), host string) {
		for ; next <= heldHi; next++ {
			c, err := open(net.JoinHostPort(host, strconv.Itoa(next)))
			if err == nil {
				closers = append(closers, c)
				held = append(held, strconv.Itoa(next))
				next++
				return
			}
		}
		fmt.Println("no free port")
		os.Exit(1)
	}
	tcp := func(network string) func(string) (io.Closer, error) {
		return func(addr string) (io.Closer, error) { return net.Listen(network, addr) }
	}
	take(tcp("tcp4"), "127.0.0.1")
	take(tcp("tcp"), "::")
	take(func(addr string) (io.Closer, error) { return net.ListenPacket("udp4", addr) }, "0.0.0.0")
	fmt.Println(strings.Join(held, " "))
	io.Copy(io.Discard, os.Stdin)
	for _, c := range closers {
		c.Close()
	}
	os.Exit(0)
}

// startHolder starts the test binary as TestHoldPorts, and returns it with
// the ports it holds.
func startHolder(t *testing.T) (*exec.Cmd, []string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the socket table with owners is read on Linux")
	}
	if _, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 here: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldPorts$")
	cmd.Env = append(os.Environ(), "PORTS_TEST_HOLD=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the holder printed nothing: %v", err)
	}
	held := strings.Fields(line)
	if len(held) != 3 {
		t.Fatalf("the holder said %q", line)
	}
	return cmd, held
}

// TestWhyLsHeld runs why, ls and check --live on ports a child holds,
// against golden files in which the child's PID, its path, the user, the
// ports and the project's directory are replaced by names.
func TestWhyLsHeld(t *testing.T) {
	cmd, held := startHolder(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// A compose project that publishes the held ports, for check --live.
	dir := t.TempDir()
	compose := filepath.Join(dir, "compose.yaml")
	project := fmt.Sprintf("name: live\nservices:\n  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:%s:5432\"\n  web:\n    image: example.com/web:2\n    ports:\n      - \"%s:8080\"\n      - \"%s:8081/udp\"\n", held[0], held[1], held[2])
	if err := os.WriteFile(compose, []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	names := strings.NewReplacer(
		dir, "DIR",
		os.Args[0], "ports.test",
		"user "+u.Username, "user USER",
		`"user": "`+u.Username+`"`, `"user": "USER"`,
	)
	numbers := map[string]string{strconv.Itoa(cmd.Process.Pid): "PID", held[0]: "P1", held[1]: "P2", held[2]: "P3"}
	number := regexp.MustCompile(`\b[0-9]+\b`)
	inode := regexp.MustCompile(`"inode": [0-9]+`)
	uid := regexp.MustCompile(`"uid": ` + u.Uid + `\b`)
	normalise := func(s string) string {
		s = inode.ReplaceAllString(uid.ReplaceAllString(names.Replace(s), `"uid": UID`), `"inode": INODE`)
		return number.ReplaceAllStringFunc(s, func(n string) string {
			if name, ok := numbers[n]; ok {
				return name
			}
			return n
		})
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"why-held-loopback", []string{"why", held[0]}, exitFindings},
		{"why-held-dual-stack", []string{"why", held[1] + "/tcp"}, exitFindings},
		{"why-held-dual-stack-v4", []string{"why", "--addr", "127.0.0.1", held[1] + "/tcp"}, exitFindings},
		{"why-held-udp-json", []string{"why", "--format", "json", held[2] + "/udp"}, exitFindings},
		{"why-free-addr", []string{"why", "--addr", "::1", held[0] + "/tcp"}, exitOK},
		{"ls-held", []string{"ls", held[0], held[1], held[2]}, exitOK},
		{"ls-held-json", []string{"ls", "--format", "json", held[1]}, exitOK},
		{"check-live-held", []string{"check", "--live", "--os", "linux", compose}, exitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			a := testApp(&stdout, &stderr)
			code := a.main(tt.args)
			got := normalise(stdout.String())
			if stderr.Len() > 0 {
				got += "--- stderr\n" + normalise(stderr.String())
			}
			checkGolden(t, tt.name, got)
			if code != tt.code {
				t.Errorf("ports %s: exit status %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, got)
			}
		})
	}
}

func TestWhyLsUsage(t *testing.T) {
	runGolden(t, []golden{
		{"why-help", []string{"why", "--help"}, exitOK},
		{"why-no-port", []string{"why"}, exitUsage},
		{"why-two-ports", []string{"why", "1", "2"}, exitUsage},
		{"why-port-zero", []string{"why", "0"}, exitUsage},
		{"why-sctp", []string{"why", "5000/sctp"}, exitUsage},
		{"why-bad-addr", []string{"why", "--addr", "localhost", "5000"}, exitUsage},
		{"why-bad-format", []string{"why", "--format", "xml", "5000"}, exitUsage},
		{"ls-help", []string{"ls", "--help"}, exitOK},
		{"ls-bad-port", []string{"ls", "http"}, exitUsage},
		{"ls-bad-format", []string{"ls", "--format", "yaml"}, exitUsage},
	})
}

// checkGolden compares got with testdata/golden/NAME.txt, or writes it
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file (run go test -update to write it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestCommandLineEscapes(t *testing.T) {
	got := commandLine([]string{"/bin/evil\x1b[2J", "two words", "", "plain"})
	want := `/bin/evil\x1b[2J "two words" "" plain`
	if got != want {
		t.Errorf("commandLine = %q, want %q", got, want)
	}
}

// TestWhyWindowsExcluded prints what ports why says of ports in the
// excluded ranges of a Windows host, read from netsh output captured on
// such hosts: a WinNAT block, an administered range (which binds), a
// service's port, and a UDP block.
func TestWhyWindowsExcluded(t *testing.T) {
	l := windowsExcludedLimits(t)
	lo := netip.MustParseAddr("127.0.0.1")
	refused := func(proto ports.Protocol, p ports.Port) hostports.Check {
		return hostports.Check{Protocol: proto, Addr: lo, Err: &hostports.BindError{Protocol: proto, Addr: lo, Port: p, Reason: hostports.ErrExcluded, Err: errors.New("bind: An attempt was made to access a socket in a way forbidden by its access permissions.")}}
	}
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	for _, in := range []hostports.WhyInput{
		{Port: 50100, Checks: []hostports.Check{refused(ports.TCP, 50100)}},
		{Port: 50010, Checks: []hostports.Check{{Protocol: ports.TCP, Addr: lo}}},
		{Port: 5985, Checks: []hostports.Check{refused(ports.TCP, 5985)}},
		{Port: 49200, Checks: []hostports.Check{refused(ports.UDP, 49200)}},
	} {
		in.Limits = l
		a.printWhy(hostports.Diagnose(in))
		fmt.Fprintln(&stdout)
	}
	checkGolden(t, "why-windows-excluded", stdout.String())
}

// windowsExcludedLimits returns the limits of a Windows host whose excluded
// ranges are those of netsh output captured on such hosts.
func windowsExcludedLimits(t *testing.T) hostports.Limits {
	t.Helper()
	l, _ := hostports.Defaults("windows")
	for _, f := range []struct {
		file  string
		proto ports.Protocol
	}{
		{"excludedportrange-tcp-winnat.txt", ports.TCP},
		{"excludedportrange-udp-winnat.txt", ports.UDP},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "hostports", "testdata", "windows", f.file))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := hostports.ParseNetshExclusions(string(b), f.proto)
		if err != nil {
			t.Fatal(err)
		}
		var set ports.RangeSetBuilder
		for _, x := range rows {
			set.Add(x.Range)
		}
		if f.proto == ports.TCP {
			l.ExcludedTCP = set.RangeSet()
		} else {
			l.ExcludedUDP = set.RangeSet()
		}
		l.Exclusions = append(l.Exclusions, rows...)
	}
	return l
}

// TestWhoisWindowsExcluded checks what ports whois says of ports in
// excluded ranges: who likely made the range, and that a port of an
// administered range is not called unbindable.
func TestWhoisWindowsExcluded(t *testing.T) {
	l := windowsExcludedLimits(t)
	for _, tt := range []struct {
		p     ports.Port
		proto ports.Protocol
		want  []string
	}{
		{50100, ports.TCP, []string{
			"in the ephemeral range 49152-65535 (tcp) of this windows host: an outgoing connection may hold it at any moment",
			"excluded by the OS (tcp; the Windows excluded port range 50060-50159, likely made by winnat): nothing can bind it; ports why 50100/tcp says what to do",
		}},
		{50010, ports.TCP, []string{
			"in the ephemeral range 49152-65535 (tcp) of this windows host: an outgoing connection may hold it at any moment",
			"in the Windows excluded port range 50000-50059 of tcp, which an administrator added: it keeps Windows's own uses off, and a program may still bind it",
		}},
	} {
		if diff := cmp.Diff(tt.want, hostFacts(tt.p, tt.proto, l)); diff != "" {
			t.Errorf("hostFacts(%v/%v) (-want +got):\n%s", tt.p, tt.proto, diff)
		}
	}
}
