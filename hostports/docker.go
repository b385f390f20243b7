package hostports

// The Docker Engine API is asked only when ReadTable names owners and a
// socket is held by docker-proxy or dockerd: one GET /containers/json on
// the daemon's unix socket, with a deadline of dockerTimeout and an answer
// of at most maxDockerAnswer bytes. The daemon's socket is the one
// ReadRuntime finds when it is a unix socket of Docker, else
// /var/run/docker.sock. Any failure (no socket, no permission, a slow or
// oversized answer, bad JSON) leaves the containers as the proxy's
// arguments name them; it is never an error of the table. Only the
// standard library speaks to the daemon: an http.Client whose transport
// dials the unix socket, whatever host the URL names.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/portalloc/ports"
)

const (
	// dockerTimeout bounds the whole exchange with the daemon.
	dockerTimeout = 300 * time.Millisecond
	// maxDockerAnswer bounds the answer read; a host with a few hundred
	// containers answers some hundred kilobytes.
	maxDockerAnswer = 4 << 20
	// defaultDockerSocket is where a rootful daemon listens.
	defaultDockerSocket = "/var/run/docker.sock"
)

// DockerPort is one published port of a container, as [ParseDockerContainers]
// reads it from the Docker Engine API.
type DockerPort struct {
	Protocol ports.Protocol
	// Addr is the host address the port is published on; the zero Addr
	// when the API names none (every address).
	Addr netip.Addr
	// Port is the host port.
	Port ports.Port
	// Container is the container that publishes it, with its ID, its
	// name and Target its port ("5432/tcp").
	Container Container
}

// ParseDockerContainers reads the answer of the Docker Engine API to
// GET /containers/json (a JSON array of containers, each with Id, Names
// and Ports of IP, PrivatePort, PublicPort and Type) and returns the
// host ports the containers publish. A port with no PublicPort is exposed,
// not published, and left out; so is one of a protocol other than tcp and
// udp. A container's name is its first name without the leading slash.
// It depends on b alone; malformed JSON or a field of the wrong type is an
// error naming the container.
func ParseDockerContainers(b []byte) ([]DockerPort, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, errors.New("hostports: docker /containers/json: want a JSON array of containers: " + err.Error())
	}
	var out []DockerPort
	for i, raw := range list {
		var c struct {
			ID    string   `json:"Id"`
			Names []string `json:"Names"`
			Ports []struct {
				IP          string `json:"IP"`
				PrivatePort int    `json:"PrivatePort"`
				PublicPort  int    `json:"PublicPort"`
				Type        string `json:"Type"`
			} `json:"Ports"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("hostports: docker /containers/json: container %d: %v", i+1, err)
		}
		name := ""
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		for _, p := range c.Ports {
			if p.PublicPort == 0 {
				continue
			}
			if p.PublicPort < 0 || p.PublicPort > 65535 || p.PrivatePort < 0 || p.PrivatePort > 65535 {
				return nil, fmt.Errorf("hostports: docker /containers/json: container %d (%s): port %d:%d out of range", i+1, c.ID, p.PublicPort, p.PrivatePort)
			}
			var proto ports.Protocol
			switch p.Type {
			case "tcp":
				proto = ports.TCP
			case "udp":
				proto = ports.UDP
			default:
				continue
			}
			dp := DockerPort{Protocol: proto, Port: ports.Port(p.PublicPort), Container: Container{Runtime: "docker", ID: c.ID, Name: name}}
			if p.PrivatePort != 0 {
				dp.Container.Target = strconv.Itoa(p.PrivatePort) + "/" + p.Type
			}
			if p.IP != "" {
				a, err := netip.ParseAddr(p.IP)
				if err != nil {
					return nil, fmt.Errorf("hostports: docker /containers/json: container %d (%s): IP %q: %v", i+1, c.ID, p.IP, err)
				}
				dp.Addr = a.Unmap()
			}
			out = append(out, dp)
		}
	}
	return out, nil
}

// dockerSocketPath returns the unix socket of the Docker daemon as
// ReadRuntime finds it, else defaultDockerSocket.
func dockerSocketPath(r Runtime) string {
	if r.Name == "docker" {
		if p, ok := strings.CutPrefix(r.Endpoint, "unix://"); ok && p != "" {
			return p
		}
	}
	return defaultDockerSocket
}

// queryDocker asks the daemon listening on the unix socket sock for its
// running containers, within timeout, reading at most limit bytes.
func queryDocker(sock string, timeout time.Duration, limit int64) ([]DockerPort, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/containers/json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("hostports: docker daemon at %s: %w", sock, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("hostports: docker daemon at %s: GET /containers/json: %s", sock, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("hostports: docker daemon at %s: %w", sock, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("hostports: docker daemon at %s: answer larger than %d bytes", sock, limit)
	}
	return ParseDockerContainers(b)
}

// isDockerHolder reports whether pr is Docker's port proxy or the daemon.
func isDockerHolder(pr Process) bool {
	return pr.Program == "docker-proxy" || pr.Program == "dockerd" ||
		(pr.Container.Runtime == "docker" && pr.Container.Target != "")
}

// nameDockerSockets fills the Container of the docker-proxy and dockerd
// processes that hold socks from the published ports dp: its ID and name,
// and Target where the proxy's arguments gave none. A socket that no
// published port matches, or that several containers could match, keeps
// what it had.
func nameDockerSockets(socks []Socket, dp []DockerPort) {
	for i := range socks {
		s := &socks[i]
		c, ok := dockerContainerOf(*s, dp)
		if !ok {
			continue
		}
		for j := range s.Processes {
			pr := &s.Processes[j]
			if !isDockerHolder(*pr) {
				continue
			}
			target := pr.Container.Target
			pr.Container = c
			if target != "" {
				pr.Container.Target = target
			}
		}
	}
}

// dockerContainerOf returns the container that publishes s's port: the
// one on s's address, else the only one on that port.
func dockerContainerOf(s Socket, dp []DockerPort) (Container, bool) {
	addr := s.Local.Addr().Unmap()
	var found Container
	n := 0
	for _, p := range dp {
		if p.Protocol != s.Protocol || p.Port != ports.Port(s.Local.Port()) {
			continue
		}
		if p.Addr == addr {
			return p.Container, true
		}
		if n == 0 || found.ID != p.Container.ID {
			n++
		}
		found = p.Container
	}
	return found, n == 1
}

// hasDockerHolder reports whether a process of socks is docker-proxy or
// dockerd.
func hasDockerHolder(socks []Socket) bool {
	for _, s := range socks {
		for _, pr := range s.Processes {
			if isDockerHolder(pr) {
				return true
			}
		}
	}
	return false
}

// nameDocker names the containers of the Docker-published ports of socks
// from the daemon on sock, when one answers.
func nameDocker(socks []Socket, sock string, timeout time.Duration) {
	if !hasDockerHolder(socks) {
		return
	}
	dp, err := queryDocker(sock, timeout, maxDockerAnswer)
	if err != nil {
		return
	}
	nameDockerSockets(socks, dp)
}
