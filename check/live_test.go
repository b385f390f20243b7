package check

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// TestLiveHeldPort holds a port in this process and checks a declaration
// of it against the host's real socket table: a port-in-use finding that
// names this process; and none for a port nobody holds.
func TestLiveHeldPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	table, err := hostports.ReadTable(hostports.TableOptions{})
	if err != nil {
		t.Skipf("no socket table on this host: %v", err)
	}
	held := decl(manifest.KindCompose, "web", strconv.Itoa(port)+"/tcp", 80, 1)
	rep := run(t, []manifest.Declaration{held}, Options{Live: &table})
	if diff := cmp.Diff([]string{"port-in-use"}, liveRules(rep)); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
	if msg := rep.Findings[0].Message; !strings.Contains(msg, strconv.Itoa(os.Getpid())+" ") {
		t.Errorf("the finding does not name this process (%d): %s", os.Getpid(), msg)
	}
	if !rep.Failed() {
		t.Error("a held port does not fail the check")
	}
	// The same port on another address of the host does not meet a
	// listener on 127.0.0.1 only.
	other := held
	other.Endpoint = ports.EndpointFrom(ports.TCP, netip.MustParseAddr("127.0.0.2"), ports.Port(port).Range())
	if rep := run(t, []manifest.Declaration{other}, Options{Live: &table}); len(liveRules(rep)) != 0 {
		t.Errorf("127.0.0.2 beside a listener on 127.0.0.1: %v", ruleList(rep))
	}
}

// TestLiveOwnContainer checks that a port held by a Docker proxy for the
// declaring service's container port is taken for the service itself,
// already running, and one for another container port is not.
func TestLiveOwnContainer(t *testing.T) {
	sock := func(target string) hostports.Socket {
		return hostports.Socket{
			Protocol: ports.TCP, Local: netip.MustParseAddrPort("0.0.0.0:5432"), State: hostports.StateListen,
			Owner: hostports.OwnerFound,
			Processes: []hostports.Process{{PID: 900, Program: "docker-proxy",
				Container: hostports.Container{Runtime: "docker", Target: target}}},
		}
	}
	d := decl(manifest.KindCompose, "db", "5432/tcp", 5432, 1)
	d.Image = "registry.example.com/store:1"
	for _, tt := range []struct {
		target string
		want   []string
	}{
		{"172.17.0.2:5432/tcp", nil},
		{"172.17.0.3:6543/tcp", []string{"port-in-use"}},
	} {
		table := hostports.Table{Sockets: []hostports.Socket{sock(tt.target)}}
		rep := run(t, []manifest.Declaration{d}, Options{Live: &table})
		if diff := cmp.Diff(tt.want, ruleList(rep)); diff != "" {
			t.Errorf("held by a proxy to %s: rules (-want +got):\n%s", tt.target, diff)
		}
	}
}

// liveRules returns the port-in-use findings' rules of rep.
func liveRules(rep *Report) []string {
	var out []string
	for _, r := range ruleList(rep) {
		if r == "port-in-use" {
			out = append(out, r)
		}
	}
	return out
}
