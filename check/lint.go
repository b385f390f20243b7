package check

// The rules about one declaration: what the platform refuses, what is
// published too widely, and what works on one host and not another.

import (
	"fmt"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

// platform finds what Docker or Kubernetes refuses to run.
func (c *checker) platform(d manifest.Declaration) []Finding {
	var out []Finding
	if d.Kind == manifest.KindCompose {
		if mode, ok := sharedNetwork(d.NetworkMode); ok {
			out = append(out, finding("network-mode-ports", d,
				fmt.Sprintf("%s publishes ports but has network_mode %q, the network of %s: Docker refuses it (conflicting options: port publishing and the container type network mode)", d.Owner(), d.NetworkMode, mode),
				fmt.Sprintf("publish the port on %s instead, whose network %s shares", mode, d.Service)))
		}
	}
	if d.Kind == manifest.KindHostNetwork && d.HostPort != 0 && d.Endpoint.IsValid() && d.HostPort != d.Endpoint.Range().Lo() {
		out = append(out, finding("hostnetwork-port-mismatch", d,
			fmt.Sprintf("hostPort %d differs from containerPort %d of a pod on the host network: the API server refuses it (must match containerPort when hostNetwork is true)", d.HostPort, d.Endpoint.Range().Lo()),
			"drop the hostPort, or make it equal to the containerPort"))
	}
	npr := c.opts.NodePortRange
	if d.Kind == manifest.KindNodePort && d.Endpoint.IsValid() && !npr.ContainsRange(d.Endpoint.Range()) {
		out = append(out, finding("nodeport-range", d,
			fmt.Sprintf("nodePort %s lies outside the cluster's NodePort range %s: the API server refuses it", d.Endpoint.Range(), npr),
			"pick a nodePort inside "+npr.String()+", or leave it out and let the cluster allocate one"))
	}
	return out
}

// sharedNetwork reports whether a compose network_mode gives the service
// another's network ("service:vpn", "container:abc"), and whose.
func sharedNetwork(mode string) (string, bool) {
	for _, p := range []string{"service:", "container:"} {
		if rest, ok := strings.CutPrefix(mode, p); ok {
			return rest, true
		}
	}
	return "", false
}

// registryIndex returns the indices in decls of the registry's
// declarations, by owner.
func registryIndex(decls []manifest.Declaration) map[string][]int {
	idx := make(map[string][]int)
	for i, d := range decls {
		if d.Kind == manifest.KindRegistry && d.Endpoint.IsValid() {
			o := d.Owner()
			idx[o] = append(idx[o], i)
		}
	}
	return idx
}

// security finds ports published wider than they should be. registry
// holds the indices in decls of the registry's declarations, by owner.
func (c *checker) security(d manifest.Declaration, decls []manifest.Declaration, registry map[string][]int) []Finding {
	var out []Finding
	if d.Kind == manifest.KindRegistry {
		return nil
	}
	published := d.Endpoint.IsValid() && d.AllInterfaces() ||
		d.Ephemeral && !d.Addr.IsValid() && d.Kind == manifest.KindCompose
	if published {
		if s, ok := sensitive(d); ok {
			where := "on every interface"
			if d.Ephemeral {
				where = "on a random host port of every interface"
			}
			out = append(out, finding("exposed-"+s.Category().String(), d,
				fmt.Sprintf("%s (%s) is published %s", s.Project(), s.Category(), where),
				exposedFix(d)))
		}
	}
	// A file that publishes a port wider than its registry says: on every
	// interface what the registry keeps internal or to localhost, or on a
	// private address what it keeps to localhost. (Exposures go from the
	// widest, Public, up.)
	if d.Endpoint.IsValid() && d.IsPublished() && d.Exposure != 0 {
		for _, ri := range registry[d.Owner()] {
			r := &decls[ri]
			if r.Endpoint.Protocol() != d.Endpoint.Protocol() || !r.Endpoint.Range().Overlaps(d.Endpoint.Range()) {
				continue
			}
			if r.Exposure > d.Exposure {
				out = append(out, finding("registry-exposure", d,
					fmt.Sprintf("the registry (%s) marks it %s, but %s publishes it on %s", r.Pos, r.Exposure, d.Kind, addrOrAll(d)),
					exposureFix(r.Exposure)))
				break
			}
		}
	}
	return out
}

// portability finds what works on one host and not on another: ports in
// the host's ephemeral range, ports browsers refuse, privileged ports.
func (c *checker) portability(d manifest.Declaration) []Finding {
	if d.Scope != manifest.HostScope() || !d.Endpoint.IsValid() {
		return nil
	}
	l := c.opts.Limits
	var out []Finding
	e := d.Endpoint
	r := e.Range()
	if eph := l.Ephemeral(e.Protocol()); eph.Overlaps(r) {
		what := r.String() + " lies"
		if !eph.ContainsRange(r) {
			in := ports.RangeSetOf(r).Intersect(ports.RangeSetOf(eph))
			what = "part of " + r.String() + ", " + in.String() + ", lies"
		}
		out = append(out, finding("ephemeral", d,
			fmt.Sprintf("%s in the ephemeral range %s of this %s host: an outgoing connection may hold it when the service starts", what, eph, l.GOOS),
			outside(eph)))
	}
	if e.Protocol() == ports.TCP && c.badPorts.Overlaps(r) && !speaksOwnProtocol(d) {
		bad := c.badPorts.Intersect(ports.RangeSetOf(r))
		out = append(out, finding("browser-refused", d,
			fmt.Sprintf("browsers refuse to fetch from port %s (a Fetch standard bad port)", bad),
			"fine for a non-HTTP protocol; pick another port for anything a browser opens"))
	}
	if l.Privileged.Overlaps(r) && c.bindsItself(d) {
		priv := l.Privileged.Intersect(ports.RangeSetOf(r))
		who := "a program run by a user"
		if d.Kind != manifest.KindRegistry {
			who = "rootless Docker or Podman"
		}
		out = append(out, finding("privileged", d,
			fmt.Sprintf("port %s is privileged on %s: %s cannot bind it without CAP_NET_BIND_SERVICE", priv, l.GOOS, who),
			"pick a port of 1024 or more, or lower net.ipv4.ip_unprivileged_port_start"))
	}
	return out
}

// bindsItself reports whether the port of d is bound by something without
// the privilege to bind a privileged port: a program the registry names,
// run on the host, or a compose service under rootless Docker or Podman. A
// root Docker daemon, the kubelet and Kubernetes' proxies bind them for
// the containers.
func (c *checker) bindsItself(d manifest.Declaration) bool {
	switch d.Kind {
	case manifest.KindRegistry:
		return true
	case manifest.KindCompose, manifest.KindComposeExpose:
		return c.opts.Rootless
	case manifest.KindImage:
		return d.Container == "" && c.opts.Rootless // a compose service's
	}
	return false
}

// speaksOwnProtocol reports whether d is known to speak something else than
// HTTP: its image names software whose port there is not a web server's or
// a web UI's, or its port is published on the same number inside (or
// forwards nowhere) and the IANA registry or the de-facto table knows
// that number. Browsers refusing the port is then of no matter.
func speaksOwnProtocol(d manifest.Declaration) bool {
	if s, known := fromImage(d); known {
		switch s.Category() {
		case wellknown.WebServer, wellknown.AdminUI, wellknown.Observability:
			return false
		}
		return s.IsValid()
	}
	p := d.Endpoint.Range().Lo()
	if d.Target.IsValid() && d.Target.Lo() != p {
		return false
	}
	for range wellknown.Lookup(p, d.Endpoint.Protocol()) {
		return true
	}
	return false
}

// outside advises moving a port out of the ephemeral range eph, to the
// side or sides that have ports.
func outside(eph ports.Range) string {
	var ways []string
	if eph.Lo() > 0 {
		ways = append(ways, "below "+eph.Lo().String())
	}
	if eph.Hi() < 65535 {
		ways = append(ways, "above "+eph.Hi().String())
	}
	if len(ways) == 0 {
		return "the host lends out every port; set a narrower ephemeral range"
	}
	return "move it " + strings.Join(ways, " or ")
}
