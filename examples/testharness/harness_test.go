package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/porttest"
)

// TestMain runs the test binary as the backend when the harness starts it
// as its child.
func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "backend" {
		if err := runBackend(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestHarness(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot hand sockets to a child process")
	}
	p := Ports{
		Frontend: porttest.Listen(t), // held until the test ends
		API:      porttest.Listen(t), // held, and handed to the backend
		Admin:    porttest.Port(t),   // a number the backend binds itself
	}
	backend := exec.Command(os.Args[0], "-test.run=^$")
	// Under the race detector the backend would sleep a second at exit
	// (GORACE atexit_sleep_ms); races are still reported, and fail it.
	backend.Env = append(os.Environ(), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	h, err := Start(p, backend)
	if err != nil {
		t.Fatal(err)
	}
	backendPid := h.backend.Process.Pid

	tests := []struct {
		url, want string
	}{
		{h.FrontendURL + "/", "frontend"},
		{h.FrontendURL + "/api/hello", fmt.Sprintf("hello from the backend, pid %d", backendPid)},
		{h.AdminURL + "/healthz", "ok"},
	}
	for _, tt := range tests {
		got, err := get(tt.url)
		if err != nil || got != tt.want {
			t.Errorf("GET %s = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}

	if f, a := tcpPort(p.Frontend), tcpPort(p.API); f == a || f == p.Admin || a == p.Admin {
		t.Errorf("ports not distinct: frontend %d, API %d, admin %d", f, a, p.Admin)
	}
	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if !h.backend.ProcessState.Success() {
		t.Errorf("backend ended with %v", h.backend.ProcessState)
	}
	// The backend is gone, and with it its admin socket.
	if _, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", p.Admin)); err == nil {
		t.Errorf("the admin port %d still answers after Close", p.Admin)
	}
}

func tcpPort(ln *net.TCPListener) ports.Port {
	return ports.Port(ln.Addr().(*net.TCPAddr).Port)
}

// TestProgram runs the program as a user would, with go run's binary: it
// must start both sides, talk to them and stop cleanly.
func TestProgram(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot hand sockets to a child process")
	}
	t.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0") // the backend inherits it
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
