package hostports

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portalloc/ports"
)

// ReasonKind names one reason a bind of a port can fail, or a risk to a
// server that binds it.
type ReasonKind uint8

// The kinds of [Reason].
const (
	// ReasonHeld: a socket of the port on an overlapping address holds it
	// (a listener, a bound socket, a UDP socket).
	ReasonHeld ReasonKind = iota + 1
	// ReasonDualStack: a socket on :: that is not IPv6-only holds the port
	// for IPv4 too.
	ReasonDualStack
	// ReasonTimeWait: a connection of the port is in TIME_WAIT; a server
	// that does not set SO_REUSEADDR cannot bind until it clears.
	ReasonTimeWait
	// ReasonConnected: connections use the port as their local port.
	ReasonConnected
	// ReasonUnseen: the OS refused the bind as in use, and the socket table
	// shows no socket that explains it.
	ReasonUnseen
	// ReasonExcluded: the port is in a Windows excluded port range.
	ReasonExcluded
	// ReasonPrivileged: the port is privileged and this process may not
	// bind it.
	ReasonPrivileged
	// ReasonReserved: Linux reserves the port (ip_local_reserved_ports);
	// an explicit bind still succeeds.
	ReasonReserved
	// ReasonEphemeral: the port is in the ephemeral range, from which the
	// OS may give it to an outgoing connection at any moment.
	ReasonEphemeral
)

var reasonKindNames = [...]string{
	ReasonHeld:       "held",
	ReasonDualStack:  "dual-stack",
	ReasonTimeWait:   "time-wait",
	ReasonConnected:  "connected",
	ReasonUnseen:     "in-use",
	ReasonExcluded:   "excluded",
	ReasonPrivileged: "privileged",
	ReasonReserved:   "reserved",
	ReasonEphemeral:  "ephemeral",
}

// String returns the kind's name: "held", "dual-stack", "time-wait",
// "connected", "in-use", "excluded", "privileged", "reserved" or
// "ephemeral".
func (k ReasonKind) String() string {
	if int(k) < len(reasonKindNames) && reasonKindNames[k] != "" {
		return reasonKindNames[k]
	}
	return "ReasonKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText returns [ReasonKind.String].
func (k ReasonKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Reason is one reason a port cannot be bound, or one risk to the server
// that binds it, with its evidence and what to do.
type Reason struct {
	Kind     ReasonKind     `json:"kind"`
	Protocol ports.Protocol `json:"protocol,omitzero"`
	// Blocks reports whether the reason stops a bind now; a reason that
	// does not (a reserved or ephemeral port, a TIME_WAIT) is a risk.
	Blocks bool `json:"blocks"`
	// Addrs are the addresses asked about that the reason concerns.
	Addrs []netip.Addr `json:"addrs,omitempty"`
	// Sockets are the sockets that are the evidence, for the reasons that
	// come from the socket table.
	Sockets []Socket `json:"sockets,omitempty"`
	// Evidence says what was found, in a sentence.
	Evidence string `json:"evidence"`
	// Fix says what to do, in a sentence.
	Fix string `json:"fix"`
	// Exclusion, for a reason of kind [ReasonExcluded], says who likely
	// made the range.
	Exclusion *ExclusionCause `json:"exclusion,omitempty"`
}

// makerWords names each maker of an excluded range in a sentence.
var makerWords = [...]string{
	MakerAdministrator: "an administrator",
	MakerWinNAT:        "WinNAT",
	MakerService:       "a service of Windows",
}

// Diagnosis answers "why can't I bind this port?": the outcome of binding
// it now on each protocol and address asked, and every reason found, those
// that stop the bind first.
type Diagnosis struct {
	Port    ports.Port `json:"port"`
	Checks  []Check    `json:"-"`
	Reasons []Reason   `json:"reasons"`
}

// Bindable reports whether the port could be bound on every protocol and
// address asked (checks skipped for want of IPv6 do not count against it).
func (d Diagnosis) Bindable() bool { return Report{Port: d.Port, Checks: d.Checks}.Bindable() }

// WhyInput is what [Diagnose] reads: the outcome of the binds and what the
// host says. [Why] gathers one from the running host.
type WhyInput struct {
	Port   ports.Port
	Checks []Check // from Prober.Probe
	Table  Table   // the sockets of the port; others are ignored
	Limits Limits
	// CanBindPrivileged reports whether this process may bind privileged
	// ports (root, or CAP_NET_BIND_SERVICE on Linux).
	CanBindPrivileged bool
}

// Diagnose explains the outcome of binding in.Port: it is the pure part of
// [Why], which tests and other hosts' captured readings can call. Reasons
// come in this order: held, dual-stack, in-use (unexplained), excluded,
// privileged, then the risks: time-wait, connected, reserved, ephemeral.
func Diagnose(in WhyInput) Diagnosis {
	d := Diagnosis{Port: in.Port, Checks: in.Checks}
	p := in.Port
	for _, proto := range checkedProtocols(in.Checks) {
		var inUse, asked []netip.Addr   // addresses whose bind failed as in use; all
		failed := map[netip.Addr]bool{} // addresses whose bind failed
		for _, c := range in.Checks {
			if c.Protocol != proto {
				continue
			}
			asked = append(asked, c.Addr)
			failed[c.Addr] = c.Failed()
			if errors.Is(c.Err, ErrInUse) {
				inUse = append(inUse, c.Addr)
			}
		}
		socks := in.Table.OnPort(proto, p)
		explained := map[netip.Addr]bool{}
		var held, timeWait, conns []Socket
		for _, s := range socks {
			switch {
			case !slices.ContainsFunc(asked, func(a netip.Addr) bool { return addrsCollide(s.Local.Addr(), s.V6Only, a) }):
				// A socket on another address: the kernel's bind
				// conflicts are between overlapping addresses alone.
			case s.State == StateTimeWait:
				timeWait = append(timeWait, s)
			case proto == ports.TCP && s.State != StateListen && s.State != StateBound:
				conns = append(conns, s)
			default:
				held = append(held, s)
			}
		}
		// Held: one reason per holding socket, naming the addresses it
		// stops; a dual-stack socket that stops IPv4 addresses is said so.
		// The binds are the truth: a socket blocks only where a bind
		// failed (the table is read after them, and SO_REUSEPORT lets
		// sockets share a port).
		for _, s := range held {
			var direct, viaV6 []netip.Addr
			blocksDirect, blocksV6 := false, false
			for _, a := range asked {
				if !addrsCollide(s.Local.Addr(), s.V6Only, a) {
					continue
				}
				explained[a] = true
				if a.Is4() && s.Local.Addr().Is6() && s.Local.Addr().IsUnspecified() {
					viaV6 = append(viaV6, a)
					blocksV6 = blocksV6 || failed[a]
				} else {
					direct = append(direct, a)
					blocksDirect = blocksDirect || failed[a]
				}
			}
			if len(direct) == 0 && len(viaV6) == 0 {
				continue
			}
			if len(direct) > 0 {
				d.Reasons = append(d.Reasons, Reason{
					Kind: ReasonHeld, Protocol: proto, Blocks: blocksDirect, Addrs: direct, Sockets: []Socket{s},
					Evidence: fmt.Sprintf("%s %s is %s by %s", proto, sockAddr(s.Local), stateWord(s), holderText(s)),
					Fix:      holderFix(s),
				})
			}
			if len(viaV6) > 0 {
				d.Reasons = append(d.Reasons, Reason{
					Kind: ReasonDualStack, Protocol: proto, Blocks: blocksV6, Addrs: viaV6, Sockets: []Socket{s},
					Evidence: fmt.Sprintf("%s %s (held by %s) takes IPv4 traffic too: IPV6_V6ONLY is %s on it, so it covers %s",
						proto, sockAddr(s.Local), holderText(s), v6onlyWord(s.V6Only), addrList(viaV6)),
					Fix: "have that program bind its IPv6 socket with IPV6_V6ONLY set (ipv6only=on, or net.ipv6.bindv6only=1 before it starts), or bind IPv4 on another port",
				})
			}
		}
		var unseen []netip.Addr
		for _, a := range inUse {
			if !explained[a] {
				unseen = append(unseen, a)
			}
		}
		if len(unseen) > 0 {
			why := "no socket of this network namespace that this process can see holds it"
			if len(conns) > 0 || len(timeWait) > 0 {
				why = "only connections use it: a program binding without SO_REUSEADDR cannot share the port with them"
			}
			d.Reasons = append(d.Reasons, Reason{
				Kind: ReasonUnseen, Protocol: proto, Blocks: true, Addrs: unseen,
				Evidence: fmt.Sprintf("the OS refuses %s %s on %s as in use; %s", proto, p, addrList(unseen), why),
				Fix:      "run as root to see every process's sockets, or look in other network namespaces (containers); bind with SO_REUSEADDR if only connections remain",
			})
		}
		if c, ok := ExplainExclusion(in.Limits, proto, p); ok {
			what := "which no program can bind"
			if !c.Blocks {
				what = "which a program may bind"
			}
			d.Reasons = append(d.Reasons, Reason{
				Kind: ReasonExcluded, Protocol: proto, Addrs: asked, Exclusion: &c,
				Blocks:   c.Blocks && slices.ContainsFunc(asked, func(a netip.Addr) bool { return failed[a] }),
				Evidence: fmt.Sprintf("%s %s is in the Windows excluded port range %s, %s, likely made by %s: %s", proto, p, c.Exclusion.Range, what, makerWords[c.Maker], c.Evidence),
				Fix:      c.Fix,
			})
		}
		if len(timeWait) > 0 {
			longest := time.Duration(0)
			for _, s := range timeWait {
				longest = max(longest, s.Expires)
			}
			clears := "soon"
			if longest > 0 {
				clears = "in about " + strconv.Itoa(int((longest+time.Second-1)/time.Second)) + " s"
			}
			d.Reasons = append(d.Reasons, Reason{
				Kind: ReasonTimeWait, Protocol: proto, Addrs: nil, Sockets: timeWait,
				Evidence: fmt.Sprintf("%d %s connection(s) of port %s are in TIME_WAIT, the last clearing %s", len(timeWait), proto, p, clears),
				Fix:      "a server that sets SO_REUSEADDR (Go, nginx, most servers do) binds anyway; otherwise wait until it clears",
			})
		}
		if len(conns) > 0 {
			d.Reasons = append(d.Reasons, Reason{
				Kind: ReasonConnected, Protocol: proto, Sockets: conns,
				Evidence: fmt.Sprintf("%d %s connection(s) use port %s as their local port (the first: %s -> %s, %s by %s)",
					len(conns), proto, p, sockAddr(conns[0].Local), sockAddr(conns[0].Remote), conns[0].State, holderText(conns[0])),
				Fix: "a server that sets SO_REUSEADDR binds anyway; otherwise close them",
			})
		}
	}
	protos := checkedProtocols(in.Checks)
	if in.Limits.Privileged.Contains(p) {
		start := "1024"
		if np, ok := in.Limits.Privileged.NextAbsent(p); ok {
			start = np.String()
		}
		anyFailed := slices.ContainsFunc(in.Checks, Check.Failed)
		r := Reason{Kind: ReasonPrivileged, Blocks: !in.CanBindPrivileged && anyFailed}
		if in.CanBindPrivileged {
			r.Evidence = fmt.Sprintf("port %s is privileged (below %s), and this process may bind it (root or CAP_NET_BIND_SERVICE)", p, start)
			r.Fix = "a server run as another user needs CAP_NET_BIND_SERVICE too"
		} else {
			r.Evidence = fmt.Sprintf("port %s is privileged (below %s) and this process has neither root nor CAP_NET_BIND_SERVICE", p, start)
			r.Fix = "give the program the capability (setcap cap_net_bind_service=+ep PROGRAM, or AmbientCapabilities=CAP_NET_BIND_SERVICE in its systemd unit), lower net.ipv4.ip_unprivileged_port_start, or use a port from " + start + " up"
		}
		if in.Limits.GOOS != "linux" {
			r.Fix = strings.Replace(r.Fix, ", lower net.ipv4.ip_unprivileged_port_start", "", 1)
		}
		d.Reasons = append(d.Reasons, r)
	}
	if in.Limits.Reserved.Contains(p) {
		d.Reasons = append(d.Reasons, Reason{
			Kind:     ReasonReserved,
			Evidence: fmt.Sprintf("port %s is in net.ipv4.ip_local_reserved_ports (%s): the kernel never hands it out as an ephemeral port, and an explicit bind succeeds", p, in.Limits.Reserved),
			Fix:      "nothing to do: a reserved port is kept for servers such as this one",
		})
	}
	for _, proto := range protos {
		if e := in.Limits.Ephemeral(proto); e.Contains(p) {
			d.Reasons = append(d.Reasons, Reason{
				Kind: ReasonEphemeral, Protocol: proto,
				Evidence: fmt.Sprintf("%s %s is in the ephemeral range %s of this %s host: an outgoing connection may take it at any moment", proto, p, e, in.Limits.GOOS),
				Fix:      ephemeralFix(in.Limits.GOOS, p, e),
			})
		}
	}
	slices.SortStableFunc(d.Reasons, func(a, b Reason) int {
		switch {
		case a.Blocks && !b.Blocks:
			return -1
		case !a.Blocks && b.Blocks:
			return 1
		}
		return 0
	})
	return d
}

func ephemeralFix(goos string, p ports.Port, e ports.Range) string {
	switch goos {
	case "linux":
		return "add it to net.ipv4.ip_local_reserved_ports (sysctl -w net.ipv4.ip_local_reserved_ports=" + p.String() + "), or pick a port outside " + e.String()
	case "windows":
		return "reserve it with netsh int ipv4 add excludedportrange, or pick a port outside " + e.String()
	}
	return "pick a port outside " + e.String()
}

// checkedProtocols returns the protocols of checks, in their first order.
func checkedProtocols(checks []Check) []ports.Protocol {
	var out []ports.Protocol
	for _, c := range checks {
		if !slices.Contains(out, c.Protocol) {
			out = append(out, c.Protocol)
		}
	}
	return out
}

func rangeOf(set ports.RangeSet, p ports.Port) ports.Range {
	for r := range set.Ranges() {
		if r.Contains(p) {
			return r
		}
	}
	return p.Range()
}

func sockAddr(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "*"
	}
	return ap.String()
}

func addrList(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func stateWord(s Socket) string {
	switch {
	case s.State == StateListen:
		return "listened on"
	case s.Protocol == ports.UDP && s.State == StateBound:
		return "bound"
	case s.State == StateBound:
		return "bound (not listening)"
	}
	return "held (" + s.State.String() + ")"
}

func v6onlyWord(v V6Only) string {
	if v == V6OnlyUnknown {
		return "not known to be set (the Linux default is off)"
	}
	return v.String()
}

// holderText names who holds s: "postgres (pid 812, user postgres,
// docker 3f2a9c1b7e4d)", or why that cannot be said.
func holderText(s Socket) string {
	switch s.Owner {
	case OwnerKernel:
		return "the kernel (no process holds it any more)"
	case OwnerHidden:
		who := "another user"
		if s.UID >= 0 {
			who = "user " + userName(s.UID)
		}
		return "a process of " + who + " that this process may not inspect (run as root to name it)"
	case OwnerUnknown:
		return "a process that could not be found (it may run in another PID namespace, or have just exited)"
	}
	var parts []string
	for _, pr := range s.Processes {
		t := fmt.Sprintf("%s (pid %d", pr.Program, pr.PID)
		if pr.User != "" {
			t += ", user " + pr.User
		}
		if !pr.Container.IsZero() {
			t += ", " + pr.Container.String()
		}
		parts = append(parts, t+")")
	}
	return strings.Join(parts, " and ")
}

func holderFix(s Socket) string {
	switch s.Owner {
	case OwnerHidden:
		return "run as root to name the process; or choose another port"
	case OwnerFound:
	default:
		return "choose another port"
	}
	pr := s.Processes[0]
	if pr.Container.Target != "" && pr.Container.Name != "" {
		return "it is a published port of Docker container " + pr.Container.Name + " (" + pr.Container.Target + "): stop it (docker stop " + pr.Container.Name + "), or publish your service on another port"
	}
	if pr.Container.Target != "" {
		return "it is a published port of a Docker container (" + pr.Container.Target + "): stop that container (docker ps --filter publish=" + strconv.Itoa(int(s.Local.Port())) + "), or publish your service on another port"
	}
	if !pr.Container.IsZero() {
		return "stop that container (" + pr.Container.String() + "), or choose another port"
	}
	return fmt.Sprintf("stop that process (kill %d), or choose another port", pr.PID)
}

// WhyOptions says what [Why] asks about. The zero value asks about TCP and
// UDP on the four [DefaultAddrs].
type WhyOptions struct {
	// Protocols and Addrs are those of the [Prober] that tries the bind.
	Protocols []ports.Protocol
	Addrs     []netip.Addr
	// Limits, when not nil, is used instead of reading the host's.
	Limits *Limits
}

// Why explains whether and why port p cannot be bound now on this host:
// it binds p on each protocol and address asked ([Prober.Probe]), reads
// the sockets of the port with their owners ([ReadTable] with Port and
// FirstOwner) and the host's limits ([Read]), and returns what [Diagnose]
// makes of them. The
// [Diagnosis] is [Diagnosis.Bindable] when every bind succeeded; its
// reasons say what stopped the others and what may stop a server later.
//
// On Linux, Why reads the listening sockets of the port first
// (TableOptions.Listening), which the kernel finds without walking its
// table of connections, and reads the rest of the port's sockets only
// where they can matter: where a bind refused as in use has no listener
// on an overlapping address to explain it, or where an address that bound
// refuses a bind without SO_REUSEADDR (a connection, a TIME_WAIT or a
// bound socket is there, a risk to a server that does not set it). A
// port that listeners hold wherever a bind failed is explained by its
// listeners alone: the connections they accepted, which change nothing
// for a server that cannot bind, are not listed.
//
// An error reading the limits is returned together with a diagnosis made
// with the OS's defaults; one reading the socket table, with a diagnosis
// made without it.
func Why(p ports.Port, opts WhyOptions) (Diagnosis, error) {
	if p == 0 {
		return Diagnosis{}, errors.New("hostports: Why: port 0 asks the OS for any free port; it cannot be explained")
	}
	pr := Prober{Protocols: opts.Protocols, Addrs: opts.Addrs}
	in := WhyInput{Port: p, Checks: pr.Probe(p).Checks, CanBindPrivileged: canBindPrivileged()}
	var errs []error
	if opts.Limits != nil {
		in.Limits = *opts.Limits
	} else {
		var err error
		if in.Limits, err = Read(); err != nil {
			errs = append(errs, err)
		}
	}
	t, err := whyTable(p, in.Checks)
	if err != nil && !errors.Is(err, ErrNoSocketTable) {
		errs = append(errs, err)
	}
	in.Table = t
	return Diagnose(in), errors.Join(errs...)
}

// whyTable reads the sockets of port p that Diagnose needs to explain
// checks, listeners first where the OS makes that cheaper (see [Why]).
func whyTable(p ports.Port, checks []Check) (Table, error) {
	if listenersFirst {
		t, err := ReadTable(TableOptions{Port: p, FirstOwner: true, Listening: true})
		if err != nil || !needAllSockets(p, checks, t, bindStrict) {
			return t, err
		}
	}
	return ReadTable(TableOptions{Port: p, FirstOwner: true})
}

// needAllSockets reports whether the listening sockets of port p, in
// listeners, leave something of checks that the other sockets of the port
// may explain: a bind refused as in use without a listener on an
// overlapping address, or a TCP address that bound but that strict (a bind
// without SO_REUSEADDR, which every socket of the port on an overlapping
// address refuses) does not bind. A UDP bind is strict already.
func needAllSockets(p ports.Port, checks []Check, listeners Table, strict func(ports.Protocol, netip.Addr, ports.Port) error) bool {
	for _, c := range checks {
		switch {
		case errors.Is(c.Err, ErrInUse):
			explained := slices.ContainsFunc(listeners.OnPort(c.Protocol, p), func(s Socket) bool {
				return addrsCollide(s.Local.Addr(), s.V6Only, c.Addr)
			})
			if !explained {
				return true
			}
		case c.OK() && c.Protocol == ports.TCP:
			if strict(c.Protocol, c.Addr, p) != nil {
				return true
			}
		}
	}
	return false
}
