package main

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// TestLsGroups prints a table made by hand: sockets of two processes (one
// of them in a container, with a name that carries an escape sequence), a
// hidden one and the kernel's TIME_WAIT, with and without --all.
func TestLsGroups(t *testing.T) {
	ap := netip.MustParseAddrPort
	pg := hostports.Process{PID: 812, Program: "postgres", Cmdline: []string{"postgres", "-D", "/var/lib/postgresql/data"}, UID: 999, User: "postgres",
		Container: hostports.Container{Runtime: "docker", ID: "4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"}}
	evil := hostports.Process{PID: 900, Program: "x\x1b[2J", Cmdline: []string{"/tmp/x\x1b[2J", "--title", "a b"}, UID: 1000, User: "alice"}
	found := func(p hostports.Process, proto ports.Protocol, local, remote string, st hostports.SocketState) hostports.Socket {
		s := hostports.Socket{Protocol: proto, Local: ap(local), State: st, Owner: hostports.OwnerFound, Processes: []hostports.Process{p}}
		if remote != "" {
			s.Remote = ap(remote)
		}
		return s
	}
	socks := []hostports.Socket{
		{Protocol: ports.TCP, Local: ap("127.0.0.1:41000"), Remote: ap("127.0.0.1:5432"), State: hostports.StateTimeWait, Owner: hostports.OwnerKernel},
		found(pg, ports.TCP, "0.0.0.0:5432", "", hostports.StateListen),
		found(pg, ports.TCP, "[::]:5432", "", hostports.StateListen),
		found(pg, ports.TCP, "172.17.0.2:5432", "172.17.0.1:40000", hostports.StateEstablished),
		found(evil, ports.UDP, "127.0.0.1:9999", "", hostports.StateBound),
		{Protocol: ports.TCP, Local: ap("0.0.0.0:6379"), State: hostports.StateListen, UID: 0, Owner: hostports.OwnerHidden},
	}
	var listeningOnly []hostports.Socket
	for _, s := range socks {
		if s.Listening() {
			listeningOnly = append(listeningOnly, s)
		}
	}
	for _, tt := range []struct {
		name  string
		socks []hostports.Socket
		all   bool
		want  string
	}{
		{"listening", listeningOnly, false, `postgres  pid 812  user postgres  docker 4f1a2b3c4d5e
  postgres -D /var/lib/postgresql/data
  5432/tcp    0.0.0.0, [::]  (PostgreSQL)

x\x1b[2J  pid 900  user alice
  /tmp/x\x1b[2J --title "a b"
  9999/udp    127.0.0.1  (distinct)

(a process of uid 0: run as root to name it)
  6379/tcp    0.0.0.0  (Redis)
`},
		{"all", socks, true, `postgres  pid 812  user postgres  docker 4f1a2b3c4d5e
  postgres -D /var/lib/postgresql/data
  5432/tcp    0.0.0.0  LISTEN  (PostgreSQL)
  5432/tcp    [::]  LISTEN  (PostgreSQL)
  5432/tcp    172.17.0.2 -> 172.17.0.1:40000  ESTABLISHED  (PostgreSQL)

x\x1b[2J  pid 900  user alice
  /tmp/x\x1b[2J --title "a b"
  9999/udp    127.0.0.1  BOUND  (distinct)

(a process of uid 0: run as root to name it)
  6379/tcp    0.0.0.0  LISTEN  (Redis)

(the kernel: connections closed by their process)
  41000/tcp   127.0.0.1 -> 127.0.0.1:5432  TIME_WAIT
`},
	} {
		var stdout, stderr bytes.Buffer
		a := testApp(&stdout, &stderr)
		a.printLs(groupSockets(tt.socks, tt.all), hostports.Table{})
		if diff := cmp.Diff(tt.want, stdout.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if strings.Contains(stdout.String(), "\x1b") {
			t.Errorf("%s: an escape character reached the output", tt.name)
		}
	}
}

// TestLsDockerContainerName: a port docker-proxy holds shows the name of
// its container where the Docker daemon gave it, with any control
// character of the name escaped.
func TestLsDockerContainerName(t *testing.T) {
	proxy := hostports.Process{PID: 4242, Program: "docker-proxy", UID: 0, User: "root",
		Container: hostports.Container{Runtime: "docker", ID: "8dfafdbc3a40b2a6e3a1f0c4d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0", Name: "shop-db-1\x1b[2J", Target: "172.18.0.2:5432/tcp"}}
	socks := []hostports.Socket{{Protocol: ports.TCP, Local: netip.MustParseAddrPort("0.0.0.0:15432"), State: hostports.StateListen,
		Owner: hostports.OwnerFound, Processes: []hostports.Process{proxy}}}
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	a.printLs(groupSockets(socks, false), hostports.Table{})
	want := `docker-proxy  pid 4242  user root  docker shop-db-1\x1b[2J (8dfafdbc3a40) -> 172.18.0.2:5432/tcp
  15432/tcp   0.0.0.0
`
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
