package check

// The host as it is now: a port that a file declares and that a socket of
// this host already holds, so that "docker compose up" or the program
// would fail to bind it.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// liveIndex holds the sockets of a table that stop a server's bind, by
// protocol and port.
type liveIndex map[ports.Protocol]map[ports.Port][]hostports.Socket

func indexTable(t *hostports.Table) liveIndex {
	idx := liveIndex{}
	for _, s := range t.Sockets {
		if s.Protocol == ports.TCP && s.State != hostports.StateListen && s.State != hostports.StateBound {
			continue // a connection does not stop a server's bind (SO_REUSEADDR)
		}
		m := idx[s.Protocol]
		if m == nil {
			m = map[ports.Port][]hostports.Socket{}
			idx[s.Protocol] = m
		}
		m[s.Port()] = append(m[s.Port()], s)
	}
	return idx
}

// holding returns the sockets of idx that stop a bind of d's endpoint on
// its address (every address, for an endpoint without one).
func (idx liveIndex) holding(e ports.Endpoint) []hostports.Socket {
	m := idx[e.Protocol()]
	var out []hostports.Socket
	add := func(p ports.Port, ss []hostports.Socket) {
		for _, s := range ss {
			if !e.Addr().IsValid() || s.Holds(e.Protocol(), e.Addr(), p) {
				out = append(out, s)
			}
		}
	}
	// The ports of the range, or the table's, whichever are fewer.
	if r := e.Range(); r.Len() <= len(m) {
		for p := range r.All() {
			add(p, m[p])
		}
	} else {
		for p, ss := range m {
			if r.Contains(p) {
				add(p, ss)
			}
		}
	}
	slices.SortFunc(out, func(a, b hostports.Socket) int { return int(a.Port()) - int(b.Port()) })
	return out
}

// live finds the host ports of d that a socket of the host holds now.
func (c *checker) live(d manifest.Declaration) []Finding {
	if c.liveIdx == nil || d.Scope != manifest.HostScope() || !d.Endpoint.IsValid() ||
		d.Kind == manifest.KindNodePort || d.Kind == manifest.KindComposeExpose || d.Kind == manifest.KindImage {
		return nil
	}
	var held []hostports.Socket
	for _, s := range c.liveIdx.holding(d.Endpoint) {
		if !ownContainer(d, s) {
			held = append(held, s)
		}
	}
	if len(held) == 0 {
		return nil
	}
	var who []string
	for _, s := range held {
		w := holderText(s)
		if !slices.Contains(who, w) {
			who = append(who, w)
		}
	}
	return []Finding{finding("port-in-use", d,
		fmt.Sprintf("%s is held on this host now by %s: the service cannot bind it", d.Endpoint, strings.Join(who, "; ")),
		"stop what holds it, or move the service to another port")}
}

// ownContainer reports whether s is the declaring compose service's own
// container, already running: a Docker port proxy that forwards this host
// port to the declaration's container port. The proxy does not name the
// container's service, so one forwarding to the same container port is
// taken for it.
func ownContainer(d manifest.Declaration, s hostports.Socket) bool {
	if d.Kind != manifest.KindCompose || !d.Target.IsValid() {
		return false
	}
	for _, p := range s.Processes {
		t := p.Container.Target
		if t == "" {
			continue
		}
		hostPort, proto, _ := strings.Cut(t[strings.LastIndexByte(t, ':')+1:], "/")
		want := d.Target.Lo() + (s.Port() - d.Endpoint.Range().Lo())
		if hostPort == want.String() && (proto == "" || proto == d.Endpoint.Protocol().String()) {
			return true
		}
	}
	return false
}

// holderText says who holds s: "PID program (container)", or why it
// cannot be named.
func holderText(s hostports.Socket) string {
	where := s.Local.String()
	switch s.Owner {
	case hostports.OwnerHidden:
		return fmt.Sprintf("a process of uid %d on %s (run as root to name it)", s.UID, where)
	case hostports.OwnerKernel:
		return "the kernel, closing a connection on " + where
	}
	if len(s.Processes) == 0 {
		return "an unknown process on " + where
	}
	var ps []string
	for _, p := range s.Processes {
		t := fmt.Sprintf("%d %s", p.PID, p.Program)
		if !p.Container.IsZero() {
			t += " (" + p.Container.String() + ")"
		}
		ps = append(ps, t)
	}
	return strings.Join(ps, ", ") + " on " + where
}
