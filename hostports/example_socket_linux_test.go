package hostports_test

import (
	"fmt"
	"net"
	"os"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

func ExampleReadTable() {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	port := ports.Port(l.Addr().(*net.TCPAddr).Port)

	// The sockets of one port, with the processes that hold them.
	t, err := hostports.ReadTable(hostports.TableOptions{Port: port})
	if err != nil {
		panic(err)
	}
	for _, s := range t.OnPort(ports.TCP, port) {
		fmt.Println(s.Protocol, s.Local.Addr(), s.State, s.Owner, s.Processes[0].PID == os.Getpid())
	}
	// Output: tcp 127.0.0.1 LISTEN found true
}

func ExampleTableOptions_firstOwner() {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	port := ports.Port(l.Addr().(*net.TCPAddr).Port)

	// Who holds one port, as ports why asks: the kernel's sockets of the
	// port, and a process for each, found without a pass over every
	// process's open files.
	t, err := hostports.ReadTable(hostports.TableOptions{Port: port, FirstOwner: true})
	if err != nil {
		panic(err)
	}
	for _, s := range t.OnPort(ports.TCP, port) {
		pr := s.Processes[0]
		fmt.Println(s.Local.Addr(), s.State, s.Owner, pr.PID == os.Getpid(), pr.Program != "")
	}
	// Output: 127.0.0.1 LISTEN found true true
}

func ExampleParseCgroup() {
	// The contents of /proc/PID/cgroup of a process in a Docker container
	// (cgroup v2, systemd driver).
	c, err := hostports.ParseCgroup("0::/system.slice/docker-4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(c)
	// Output: docker 4f1a2b3c4d5e
}
