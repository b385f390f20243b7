// Command testharness shows a test harness on leased ports: it starts a
// real HTTP server in this process and a backend child process, each on
// ports from package porttest, and talks to both.
//
//	go run ./examples/testharness
//	go test ./examples/testharness
//
// The frontend listens on a held listener, so nothing can take its port
// between choice and use. The backend is this same program run as a child:
// it inherits its API socket from the harness (porttest.Pass, the systemd
// socket-activation convention) and takes it with activation.Listener, as a
// production server would; it binds its admin port itself from a
// leased number given in ADMIN_PORT, as a program configured by a port
// number does. The frontend proxies /api/ to the backend.
//
// harness_test.go does the same with the testing helpers
// (porttest.Listen, porttest.Port, porttest.Handoff). Unix-like systems
// only: Windows cannot hand sockets to a child process.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"

	"github.com/portalloc/ports/porttest"
)

func main() {
	if os.Getenv(roleEnv) == "backend" {
		if err := runBackend(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	pool, err := porttest.Default()
	if err != nil {
		return err
	}
	leases, err := pool.LeaseN(3)
	if err != nil {
		return err
	}
	defer func() {
		for _, l := range leases {
			l.Release() // closes the listeners opened on the lease
		}
	}()
	loopback := netip.MustParseAddr("127.0.0.1")
	front, err := leases[0].ListenTCP(loopback)
	if err != nil {
		return err
	}
	api, err := leases[1].ListenTCP(loopback)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	h, err := Start(Ports{Frontend: front, API: api, Admin: leases[2].Port()}, exec.Command(self))
	if err != nil {
		return err
	}
	fmt.Printf("frontend on %s, backend API on %s, backend admin on %s\n", h.FrontendURL, api.Addr(), h.AdminURL)
	for _, u := range []string{h.FrontendURL + "/", h.FrontendURL + "/api/hello", h.AdminURL + "/healthz"} {
		body, err := get(u)
		if err != nil {
			h.Close()
			return err
		}
		fmt.Printf("GET %s: %s\n", u, body)
	}
	return h.Close()
}

func get(u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return strings.TrimSpace(string(b)), nil
}
