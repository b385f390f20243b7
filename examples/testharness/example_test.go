//go:build unix

package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"

	"github.com/portalloc/ports/porttest"
)

// Start the harness on three leased ports, outside a test: the frontend
// answers itself, proxies /api/ to the backend child, and the backend's
// admin port answers on the number it was given.
func Example() {
	pool, err := porttest.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	leases, err := pool.LeaseN(3)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		for _, l := range leases {
			l.Release()
		}
	}()
	loopback := netip.MustParseAddr("127.0.0.1")
	front, err := leases[0].ListenTCP(loopback)
	if err != nil {
		fmt.Println(err)
		return
	}
	api, err := leases[1].ListenTCP(loopback)
	if err != nil {
		fmt.Println(err)
		return
	}
	backend := exec.Command(os.Args[0], "-test.run=^$") // TestMain runs it as the backend
	backend.Env = append(os.Environ(), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	h, err := Start(Ports{Frontend: front, API: api, Admin: leases[2].Port()}, backend)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range []string{h.FrontendURL + "/", h.AdminURL + "/healthz"} {
		body, err := get(u)
		fmt.Println(body, err)
	}
	fmt.Println(h.Close())
	// Output:
	// frontend <nil>
	// ok <nil>
	// <nil>
}
