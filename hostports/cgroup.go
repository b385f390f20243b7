package hostports

import (
	"net/netip"
	"path"
	"strconv"
	"strings"
)

// ParseCgroup parses the contents of the Linux file /proc/PID/cgroup, one
// "HIERARCHY:CONTROLLERS:PATH" line per hierarchy, and returns the
// container the process runs in, as the path names it. It knows the paths
// that these make, with the systemd and the cgroupfs drivers:
//
//	/system.slice/docker-ID.scope, /docker/ID                     docker
//	/system.slice/nerdctl-ID.scope, .../cri-containerd-ID.scope   containerd
//	/machine.slice/libpod-ID.scope, /libpod_parent/libpod-ID      podman
//	.../crio-ID.scope                                             cri-o
//	/lxc.payload.NAME, /lxc/NAME                                  lxc
//	/kubepods.slice/kubepods-besteffort.slice/
//	  kubepods-besteffort-podUID.slice/cri-containerd-ID.scope   a pod's
//	/kubepods/burstable/podUID/ID                                 containers
//
// A container monitor (conmon) is not the container. The zero Container
// means none of these was found, a process of the host. A line without two
// colons is an error that names it.
func ParseCgroup(s string) (Container, error) {
	var found Container
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		_, rest, ok1 := strings.Cut(line, ":")
		_, p, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			return Container{}, &parseError{fn: "ParseCgroup", in: line, line: i + 1, msg: "want HIERARCHY:CONTROLLERS:PATH"}
		}
		if c := containerOfPath(p); !c.IsZero() && found.IsZero() {
			found = c
		}
	}
	return found, nil
}

// containerOfPath reads one cgroup path.
func containerOfPath(p string) Container {
	var c Container
	segs := strings.Split(strings.Trim(p, "/"), "/")
	inPods := false
	for i, seg := range segs {
		next := ""
		if i+1 < len(segs) {
			next = segs[i+1]
		}
		switch {
		case seg == "kubepods" || strings.HasPrefix(seg, "kubepods"):
			inPods = true
			if j := strings.LastIndex(seg, "-pod"); j >= 0 && strings.HasSuffix(seg, ".slice") {
				c.Pod = strings.ReplaceAll(strings.TrimSuffix(seg[j+4:], ".slice"), "_", "-")
			}
		case inPods && strings.HasPrefix(seg, "pod") && len(seg) > 3:
			c.Pod = seg[3:]
		case seg == "docker" && isContainerID(next):
			c.Runtime, c.ID = "docker", next
		case seg == "lxc" && next != "" && c.Runtime == "":
			c.Runtime, c.ID = "lxc", next
		case strings.HasPrefix(seg, "lxc.payload."):
			c.Runtime, c.ID = "lxc", strings.TrimPrefix(seg, "lxc.payload.")
		case inPods && isContainerID(seg) && c.Runtime == "":
			c.Runtime, c.ID = "kubernetes", seg
		default:
			for _, rt := range scopeRuntimes {
				id, ok := strings.CutPrefix(strings.TrimSuffix(seg, ".scope"), rt.prefix)
				if ok && isContainerID(id) {
					c.Runtime, c.ID = rt.runtime, id
				}
			}
		}
	}
	if c.Runtime == "" && c.Pod != "" {
		c.Runtime = "kubernetes"
	}
	if c.Runtime == "" {
		return Container{}
	}
	return c
}

// scopeRuntimes are the prefixes of the cgroups that runtimes make, one
// per container, under the systemd driver (and podman's under cgroupfs).
var scopeRuntimes = []struct{ prefix, runtime string }{
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"nerdctl-", "containerd"},
	{"libpod-", "podman"},
	{"crio-", "cri-o"},
}

// isContainerID reports whether s looks like the ID of a container:
// 64 hex digits (Docker, containerd, podman, CRI-O), or at least 12.
func isContainerID(s string) bool {
	return len(s) >= 12 && isHex(s)
}

// ParseDockerProxyArgs reads the command line of Docker's port proxy
// (docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 5432 -container-ip
// 172.17.0.2 -container-port 5432) and returns the container port it
// forwards to, as a Container of runtime docker whose Target is
// "172.17.0.2:5432/tcp", and true. It returns false for another program,
// or when the arguments name no container address and port. Flags may
// start with one dash or two, and take their value after a space or an
// equals sign.
func ParseDockerProxyArgs(args []string) (Container, bool) {
	if len(args) == 0 || path.Base(args[0]) != "docker-proxy" {
		return Container{}, false
	}
	var proto, ip, port string
	for i := 1; i < len(args); i++ {
		name := strings.TrimLeft(args[i], "-")
		val, hasVal := "", false
		if n, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = n, v, true
		} else if i+1 < len(args) {
			val = args[i+1]
		}
		switch name {
		case "proto", "container-ip", "container-port":
		default:
			continue
		}
		if !hasVal {
			i++
		}
		switch name {
		case "proto":
			proto = val
		case "container-ip":
			ip = val
		case "container-port":
			port = val
		}
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return Container{}, false
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return Container{}, false
	}
	t := netip.AddrPortFrom(addr, uint16(p)).String()
	if proto != "" {
		t += "/" + proto
	}
	return Container{Runtime: "docker", Target: t}, true
}
