package hostports

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

const (
	fixtureDB  = "8dfafdbc3a40b2a6e3a1f0c4d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0"
	fixtureDNS = "3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b"
)

func readDockerFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "docker", "containers.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDockerContainers(t *testing.T) {
	got, err := ParseDockerContainers(readDockerFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	db := Container{Runtime: "docker", ID: fixtureDB, Name: "shop-db-1", Target: "5432/tcp"}
	want := []DockerPort{
		{Protocol: ports.TCP, Addr: netip.MustParseAddr("0.0.0.0"), Port: 5432, Container: db},
		{Protocol: ports.TCP, Addr: netip.MustParseAddr("::"), Port: 5432, Container: db},
		{Protocol: ports.UDP, Addr: netip.MustParseAddr("127.0.0.1"), Port: 5353, Container: Container{Runtime: "docker", ID: fixtureDNS, Name: "dns", Target: "53/udp"}},
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestParseDockerContainersErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"message":"page not found"}`, "want a JSON array"},
		{`[{"Id":"x","Ports":"none"}]`, "container 1"},
		{`[{"Id":"a"},{"Id":"b","Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":70000,"Type":"tcp"}]}]`, "container 2 (b): port 70000:80 out of range"},
		{`[{"Id":"c","Ports":[{"IP":"localhost","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}]}]`, `container 1 (c): IP "localhost"`},
		{``, "want a JSON array"},
	} {
		_, err := ParseDockerContainers([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDockerContainers(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseDockerContainers(f *testing.F) {
	f.Add(readDockerFixture(f))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"Id":"x","Names":[],"Ports":[{"IP":"::ffff:1.2.3.4","PrivatePort":0,"PublicPort":1,"Type":"sctp"}]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dp, err := ParseDockerContainers(b)
		if err != nil {
			if dp != nil {
				t.Fatalf("error %v with ports %v", err, dp)
			}
			return
		}
		for _, p := range dp {
			if p.Port == 0 || (p.Protocol != ports.TCP && p.Protocol != ports.UDP) || p.Addr.Is4In6() || p.Container.Runtime != "docker" {
				t.Fatalf("published port %+v", p)
			}
		}
	})
}

// proxySocket is a socket as the table reads it when docker-proxy holds
// it: the container named by the proxy's arguments alone.
func proxySocket(proto ports.Protocol, local string) Socket {
	return Socket{
		Protocol: proto, Local: netip.MustParseAddrPort(local), State: StateListen, UID: 0, Owner: OwnerFound,
		Processes: []Process{{PID: 4242, Program: "docker-proxy", UID: 0,
			Container: Container{Runtime: "docker", Target: "172.18.0.2:5432/" + proto.String()}}},
	}
}

func TestNameDockerSockets(t *testing.T) {
	dp, err := ParseDockerContainers(readDockerFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	socks := []Socket{
		proxySocket(ports.TCP, "0.0.0.0:5432"),
		proxySocket(ports.TCP, "[::]:5432"),
		// dockerd holds the port itself when the userland proxy is off.
		{Protocol: ports.UDP, Local: netip.MustParseAddrPort("127.0.0.1:5353"), Owner: OwnerFound,
			Processes: []Process{{PID: 7, Program: "dockerd"}}},
		// No container publishes 8080: the proxy's arguments stay.
		proxySocket(ports.TCP, "0.0.0.0:8080"),
		// Not Docker's: left alone even on a published port.
		{Protocol: ports.TCP, Local: netip.MustParseAddrPort("127.0.0.2:5432"), Owner: OwnerFound,
			Processes: []Process{{PID: 9, Program: "postgres"}}},
	}
	nameDockerSockets(socks, dp)
	var got []Container
	for _, s := range socks {
		got = append(got, s.Processes[0].Container)
	}
	want := []Container{
		{Runtime: "docker", ID: fixtureDB, Name: "shop-db-1", Target: "172.18.0.2:5432/tcp"},
		{Runtime: "docker", ID: fixtureDB, Name: "shop-db-1", Target: "172.18.0.2:5432/tcp"},
		{Runtime: "docker", ID: fixtureDNS, Name: "dns", Target: "53/udp"},
		{Runtime: "docker", Target: "172.18.0.2:5432/tcp"},
		{},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestDockerContainerOfAmbiguous(t *testing.T) {
	a := Container{Runtime: "docker", ID: "a", Name: "a"}
	b := Container{Runtime: "docker", ID: "b", Name: "b"}
	dp := []DockerPort{
		{Protocol: ports.TCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: 80, Container: a},
		{Protocol: ports.TCP, Addr: netip.MustParseAddr("127.0.0.2"), Port: 80, Container: b},
	}
	s := Socket{Protocol: ports.TCP, Local: netip.MustParseAddrPort("[::ffff:127.0.0.2]:80")}
	if c, ok := dockerContainerOf(s, dp); !ok || c != b {
		t.Errorf("on 127.0.0.2: %v %v, want b", c, ok)
	}
	s.Local = netip.MustParseAddrPort("0.0.0.0:80")
	if c, ok := dockerContainerOf(s, dp); ok {
		t.Errorf("on 0.0.0.0, two containers publish 80: got %v, want none", c)
	}
}

// fakeDockerd starts a test double of the Docker daemon: a real HTTP
// server on a unix socket in a temporary directory, which answers
// GET /containers/json (on any API version path) with handler. It returns
// the socket's path.
func fakeDockerd(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dockerd") // t.TempDir can exceed the 108-byte limit of a unix socket path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets here:", err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

func TestNameDockerFromDaemon(t *testing.T) {
	fixture := readDockerFixture(t)
	asked := make(chan string, 1)
	sock := fakeDockerd(t, func(w http.ResponseWriter, r *http.Request) {
		asked <- r.Method + " " + r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.Write(fixture)
	})
	socks := []Socket{proxySocket(ports.TCP, "0.0.0.0:5432")}
	nameDocker(socks, sock, 5*time.Second)
	select {
	case a := <-asked:
		if a != "GET /containers/json" {
			t.Errorf("daemon was asked %q, want GET /containers/json", a)
		}
	default:
		t.Error("daemon was not asked")
	}
	want := Container{Runtime: "docker", ID: fixtureDB, Name: "shop-db-1", Target: "172.18.0.2:5432/tcp"}
	if d := cmp.Diff(want, socks[0].Processes[0].Container); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if got, wantS := want.String(), "docker shop-db-1 (8dfafdbc3a40) -> 172.18.0.2:5432/tcp"; got != wantS {
		t.Errorf("String() = %q, want %q", got, wantS)
	}
}

func TestNameDockerNoDaemon(t *testing.T) {
	socks := []Socket{proxySocket(ports.TCP, "0.0.0.0:5432")}
	want := socks[0].Processes[0].Container
	if _, err := queryDocker(filepath.Join(t.TempDir(), "docker.sock"), time.Second, maxDockerAnswer); err == nil {
		t.Error("queryDocker with no socket: no error")
	}
	nameDocker(socks, filepath.Join(t.TempDir(), "docker.sock"), time.Second)
	if d := cmp.Diff(want, socks[0].Processes[0].Container); d != "" {
		t.Errorf("with no daemon the proxy's arguments must stay (-want +got)\n%s", d)
	}
}

func TestQueryDockerSlowDaemon(t *testing.T) {
	release := make(chan struct{})
	sock := fakeDockerd(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	done := make(chan error, 1)
	go func() {
		_, err := queryDocker(sock, 50*time.Millisecond, maxDockerAnswer)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a daemon that never answers: no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("queryDocker did not give up on a daemon that never answers")
	}
	socks := []Socket{proxySocket(ports.TCP, "0.0.0.0:5432")}
	want := socks[0].Processes[0].Container
	nameDocker(socks, sock, 50*time.Millisecond)
	if d := cmp.Diff(want, socks[0].Processes[0].Container); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestQueryDockerOversized(t *testing.T) {
	fixture := readDockerFixture(t)
	sock := fakeDockerd(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(fixture)
	})
	limit := int64(len(fixture) - 1)
	if _, err := queryDocker(sock, 5*time.Second, limit); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("answer of %d bytes with a limit of %d: %v, want refused", len(fixture), limit, err)
	}
	if _, err := queryDocker(sock, 5*time.Second, limit+1); err != nil {
		t.Errorf("answer of %d bytes with a limit of %d: %v", len(fixture), limit+1, err)
	}
}

func TestQueryDockerStatus(t *testing.T) {
	sock := fakeDockerd(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"client version 1.99 is too new"}`, http.StatusBadRequest)
	})
	if _, err := queryDocker(sock, 5*time.Second, maxDockerAnswer); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("a 400 answer: %v, want an error naming it", err)
	}
}

func TestDockerSocketPath(t *testing.T) {
	for _, tc := range []struct {
		r    Runtime
		want string
	}{
		{Runtime{Name: "docker", Endpoint: "unix:///run/user/1000/docker.sock"}, "/run/user/1000/docker.sock"},
		{Runtime{Name: "docker", Endpoint: "tcp://10.0.0.1:2375"}, "/var/run/docker.sock"},
		{Runtime{Name: "podman", Endpoint: "unix:///run/podman/podman.sock"}, "/var/run/docker.sock"},
		{Runtime{}, "/var/run/docker.sock"},
	} {
		if got := dockerSocketPath(tc.r); got != tc.want {
			t.Errorf("dockerSocketPath(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestHolderFixNamesContainer(t *testing.T) {
	s := proxySocket(ports.TCP, "0.0.0.0:5432")
	s.Processes[0].Container.Name = "shop-db-1"
	want := "it is a published port of Docker container shop-db-1 (172.18.0.2:5432/tcp): stop it (docker stop shop-db-1), or publish your service on another port"
	if got := holderFix(s); got != want {
		t.Errorf("holderFix = %q, want %q", got, want)
	}
}

// TestParseDockerContainersProperty: every published port of every
// container of an answer, in order, is read back with its container, and
// an exposed port (no PublicPort) is not; each socket on a published port
// and address is then named by the container that publishes it.
func TestParseDockerContainersProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type apiPort struct {
			IP          string `json:"IP,omitempty"`
			PrivatePort int    `json:"PrivatePort"`
			PublicPort  int    `json:"PublicPort,omitempty"`
			Type        string `json:"Type"`
		}
		type apiContainer struct {
			ID    string    `json:"Id"`
			Names []string  `json:"Names"`
			Ports []apiPort `json:"Ports"`
		}
		ips := []string{"", "0.0.0.0", "::", "127.0.0.1", "::1", "192.168.1.10"}
		var answer []apiContainer
		var want []DockerPort
		used := map[string]bool{}
		n := rapid.IntRange(0, 5).Draw(t, "containers")
		for i := range n {
			c := apiContainer{ID: fmt.Sprintf("%064x", i+1), Names: []string{"/" + rapid.StringMatching(`[a-z][a-z0-9_.-]{0,12}`).Draw(t, "name")}}
			for range rapid.IntRange(0, 4).Draw(t, "ports") {
				p := apiPort{
					IP:          rapid.SampledFrom(ips).Draw(t, "ip"),
					PrivatePort: rapid.IntRange(1, 65535).Draw(t, "private"),
					Type:        rapid.SampledFrom([]string{"tcp", "udp"}).Draw(t, "type"),
				}
				if rapid.Bool().Draw(t, "published") {
					p.PublicPort = rapid.IntRange(1, 65535).Draw(t, "public")
					key := fmt.Sprint(p.IP, p.PublicPort, p.Type)
					if used[key] {
						continue // the daemon publishes a host port once per address
					}
					used[key] = true
					dp := DockerPort{Port: ports.Port(p.PublicPort), Protocol: ports.TCP,
						Container: Container{Runtime: "docker", ID: c.ID, Name: c.Names[0][1:], Target: fmt.Sprintf("%d/%s", p.PrivatePort, p.Type)}}
					if p.Type == "udp" {
						dp.Protocol = ports.UDP
					}
					if p.IP != "" {
						dp.Addr = netip.MustParseAddr(p.IP)
					}
					want = append(want, dp)
				}
				c.Ports = append(c.Ports, p)
			}
			answer = append(answer, c)
		}
		b, err := json.Marshal(answer)
		if err != nil {
			t.Fatal(err)
		}
		if answer == nil {
			b = []byte("[]")
		}
		got, err := ParseDockerContainers(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
			t.Fatalf("%s (-want +got)\n%s", b, d)
		}
		for _, p := range want {
			if !p.Addr.IsValid() {
				continue
			}
			s := Socket{Protocol: p.Protocol, Local: netip.AddrPortFrom(p.Addr, uint16(p.Port))}
			c, ok := dockerContainerOf(s, got)
			if !ok || c != p.Container {
				t.Fatalf("socket %v: named %v (%v), want %v", s.Local, c, ok, p.Container)
			}
		}
	})
}
