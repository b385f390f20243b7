package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/portscheme"
	"github.com/portalloc/ports/porttest"
)

// claimApp returns a test app with a claims store of its own.
func claimApp(t *testing.T) (*app, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	a.claimsDir = filepath.Join(t.TempDir(), "claims")
	a.lockDir = filepath.Join(t.TempDir(), "locks")
	return a, &stdout, &stderr
}

func TestClaimCommands(t *testing.T) {
	a, stdout, stderr := claimApp(t)
	if code := a.main([]string{"claim", "api", "web"}); code != exitOK {
		t.Fatalf("claim: exit %d\n%s", code, stderr)
	}
	first := stdout.String()
	if !regexp.MustCompile(`^\d+\n\d+\n$`).MatchString(first) {
		t.Fatalf("claim api web printed %q, want two ports", first)
	}
	stdout.Reset()
	a.main([]string{"claim", "web", "api"})
	lines := strings.Fields(first)
	if got, want := stdout.String(), lines[1]+"\n"+lines[0]+"\n"; got != want {
		t.Errorf("claim again = %q, want the same ports %q", got, want)
	}
	stdout.Reset()
	if code := a.main([]string{"claims"}); code != exitOK {
		t.Fatalf("claims: exit %d\n%s", code, stderr)
	}
	if out := stdout.String(); !strings.Contains(out, "api") || !strings.Contains(out, lines[0]) || !strings.Contains(out, "web") {
		t.Errorf("claims lists:\n%s", out)
	}
	if code := a.main([]string{"unclaim", "api"}); code != exitOK {
		t.Errorf("unclaim api: exit %d\n%s", code, stderr)
	}
	stderr.Reset()
	if code := a.main([]string{"unclaim", "api"}); code != exitFindings || !strings.Contains(stderr.String(), "api has no claim") {
		t.Errorf("unclaim api again: exit %d, %q", code, stderr)
	}
	if code := a.main([]string{"claim", "bad name"}); code != exitUsage {
		t.Errorf("claim of a bad name: exit %d", code)
	}
}

// TestRunEnvironment runs a child through ports run and checks that it
// sees its claimed port in PORT and NAME_PORT and can bind it.
func TestRunEnvironment(t *testing.T) {
	a, stdout, stderr := claimApp(t)
	code := a.main([]string{"run", "--claim", "my-api", "--claim", "db", "--", os.Args[0], "-test.run=^TestRunChild$"})
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	var port, api, db int
	if _, err := fmt.Sscanf(stdout.String(), "child PORT=%d MY_API_PORT=%d DB_PORT=%d bound", &port, &api, &db); err != nil {
		t.Fatalf("child said %q: %v", stdout, err)
	}
	stdout.Reset()
	a.main([]string{"claim", "my-api", "db"})
	if want := fmt.Sprintf("%d\n%d\n", port, db); stdout.String() != want || api != port {
		t.Errorf("child saw PORT=%d MY_API_PORT=%d DB_PORT=%d; the claims are %q", port, api, db, stdout)
	}
}

// TestRunChild is the child of TestRunEnvironment: it binds $PORT.
func TestRunChild(t *testing.T) {
	port := os.Getenv("PORT")
	if port == "" {
		t.Skip("run by TestRunEnvironment")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Printf("child cannot bind %s: %v\n", port, err)
		os.Exit(3)
	}
	ln.Close()
	fmt.Printf("child PORT=%s MY_API_PORT=%s DB_PORT=%s bound\n", port, os.Getenv("MY_API_PORT"), os.Getenv("DB_PORT"))
	os.Exit(0)
}

func TestRunExitStatus(t *testing.T) {
	a, _, stderr := claimApp(t)
	if code := a.main([]string{"run", "--claim", "x", "--", "/bin/sh", "-c", "exit 7"}); code != 7 {
		t.Errorf("run of a child that exits 7: exit %d\n%s", code, stderr)
	}
	if code := a.main([]string{"run", "--claim", "x", "--", "/nonexistent/program"}); code != exitUsage {
		t.Errorf("run of a missing program: exit %d", code)
	}
}

func TestRunProcfile(t *testing.T) {
	a, stdout, stderr := claimApp(t)
	dir := t.TempDir()
	pf := filepath.Join(dir, "Procfile")
	os.WriteFile(pf, []byte("# services\nweb: echo web on $PORT; sleep 1; exit 0\nworker: echo worker on $WORKER_PORT; sleep 30\n"), 0o644)
	start := time.Now()
	code := a.main([]string{"run", "-f", pf})
	if code != exitOK {
		t.Fatalf("run -f: exit %d\n%s%s", code, stdout, stderr)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the worker was not stopped when web exited")
	}
	out := stdout.String()
	for _, want := range []string{"web | web on ", "worker | worker on "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "PROCESS") {
		t.Errorf("no table of ports:\n%s", stderr)
	}
	for _, bad := range []string{"web\n", "web:\n", "a: x\na: y\n"} {
		os.WriteFile(pf, []byte(bad), 0o644)
		if code := a.main([]string{"run", "-f", pf}); code != exitUsage {
			t.Errorf("Procfile %q: exit %d", bad, code)
		}
	}
}

// freePod returns a pod of the default scheme's language go whose block
// binds now: the first such pod among the n-th pods of the language (in
// port order) with n%3 == from, so that tests that start from 0, 1 and 2
// never pick the same pod. The blocks lie in Linux's ephemeral range, where
// any outbound connection of the host may hold one of their ports for a
// while: a test that named its pod would fail then, through no fault of the
// command.
func freePod(t *testing.T, from int) (string, ports.Range) {
	t.Helper()
	n := 0
	for pod, r := range portscheme.Default().Pods("go") {
		n++
		if (n-1)%3 != from {
			continue
		}
		free := true
		for p := range r.All() {
			if (hostports.Prober{}).Check(p) != nil {
				free = false
				break
			}
		}
		if free {
			return pod.String(), r
		}
	}
	t.Skip("no pod of language go of the default scheme binds now")
	return "", ports.Range{}
}

func TestRunPod(t *testing.T) {
	a, stdout, stderr := claimApp(t)
	pod, block := freePod(t, 0)
	if code := a.main([]string{"run", "--pod", pod, "--", "/bin/sh", "-c", "echo $PORT $REST_PORT $DEBUG_PORT $TARGET_PORT"}); code != exitOK {
		t.Fatalf("run --pod: exit %d\n%s", code, stderr)
	}
	// The scheme's own layout: the first four ports of the pod's block.
	lo := block.Lo()
	if got, want := strings.TrimSpace(stdout.String()), fmt.Sprintf("%d %d %d %d", lo, lo+1, lo+2, lo+3); got != want {
		t.Errorf("run --pod %s: the child saw %q, want %q", pod, got, want)
	}
	// While the program runs, the pod's block is leased: a child asking
	// for it through the same lock directory is refused.
	t.Setenv(porttest.DirEnv, a.lockDir)
	stdout.Reset()
	if code := a.main([]string{"run", "--pod", pod, "--", os.Args[0], "-test.run=^TestPodChild$"}); code != exitOK {
		t.Fatalf("run --pod with a child that leases: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := strings.TrimSpace(stdout.String()); got != "held" {
		t.Errorf("the pod's block while the program runs: the child says %q, want held", got)
	}
	// After, it is free again.
	pool, err := porttest.NewPool(porttest.Options{Dir: a.lockDir})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := pool.LeaseBlock(block)
	if err != nil {
		t.Fatalf("the pod's block after the program exited: %v", err)
	}
	for _, l := range ls {
		l.Release()
	}
	for _, bad := range []string{"go/saga", "go/saga/x", "cobol/saga/0"} {
		if code := a.main([]string{"run", "--pod", bad, "--", "true"}); code != exitUsage {
			t.Errorf("run --pod %s: exit %d", bad, code)
		}
	}
}

// TestClaimsNamesHolder holds a claimed port in this process and checks
// that ports claims says who binds it.
func TestClaimsNamesHolder(t *testing.T) {
	a, stdout, stderr := claimApp(t)
	if code := a.main([]string{"claim", "held"}); code != exitOK {
		t.Fatalf("claim: exit %d\n%s", code, stderr)
	}
	port := strings.TrimSpace(stdout.String())
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("binding the claimed port %s: %v", port, err)
	}
	defer ln.Close()
	stdout.Reset()
	if code := a.main([]string{"claims"}); code != exitOK {
		t.Fatalf("claims: exit %d\n%s", code, stderr)
	}
	if want := fmt.Sprintf("%d ", os.Getpid()); !strings.Contains(stdout.String(), want) {
		t.Errorf("claims does not name this process (%s) as the holder of %s:\n%s", want, port, stdout)
	}
}

// TestCheckLive checks a compose project against a socket table of held
// ports: postgres held by a process of the host, 8080 by the web service's
// own container already running, 3001 by nobody.
func TestCheckLive(t *testing.T) {
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	a.table = func() (hostports.Table, error) {
		return hostports.Table{Source: "test", Sockets: []hostports.Socket{
			{Protocol: ports.TCP, Local: netip.MustParseAddrPort("0.0.0.0:5432"), State: hostports.StateListen, Owner: hostports.OwnerFound,
				Processes: []hostports.Process{{PID: 812, Program: "postgres", UID: 106}}},
			{Protocol: ports.TCP, Local: netip.MustParseAddrPort("0.0.0.0:8080"), State: hostports.StateListen, Owner: hostports.OwnerFound,
				Processes: []hostports.Process{{PID: 2201, Program: "docker-proxy", Container: hostports.Container{Runtime: "docker", Target: "172.18.0.3:8080/tcp"}}}},
			{Protocol: ports.TCP, Local: netip.MustParseAddrPort("127.0.0.1:3001"), Remote: netip.MustParseAddrPort("127.0.0.1:40000"), State: hostports.StateEstablished},
		}}, nil
	}
	code := a.main([]string{"check", "--live", "--os", "linux", "testdata/check/live/compose.yaml"})
	if code != exitFindings {
		t.Fatalf("check --live: exit %d, want %d\n%s%s", code, exitFindings, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "[port-in-use]") || !strings.Contains(out, "812 postgres") {
		t.Errorf("check --live does not name postgres' holder:\n%s", out)
	}
	if strings.Count(out, "[port-in-use]") != 1 {
		t.Errorf("check --live: want one held port (8080 is web's own container, 3001 only a connection):\n%s", out)
	}
}

// TestPodChild is the child of TestRunPod: it tries to lease the block of
// its pod (from PORT) in the lock directory of PORTTEST_DIR.
func TestPodChild(t *testing.T) {
	port := os.Getenv("PORT")
	if port == "" || os.Getenv(porttest.DirEnv) == "" {
		t.Skip("run by TestRunPod")
	}
	pool, err := porttest.NewPool(porttest.Options{})
	if err != nil {
		fmt.Println("pool:", err)
		os.Exit(3)
	}
	p := ports.MustParsePort(port)
	if ls, err := pool.LeaseBlock(ports.RangeFrom(p, p+9)); err == nil {
		for _, l := range ls {
			l.Release()
		}
		fmt.Println("free")
	} else {
		fmt.Println("held")
	}
	os.Exit(0)
}
