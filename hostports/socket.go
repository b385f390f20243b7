// The socket table: what each OS says of its TCP and UDP sockets, in one
// model. The readers live in socket_linux.go (sock_diag netlink, or
// /proc/net), table_windows.go (GetExtendedTcpTable and
// GetExtendedUdpTable, decoded in iphelper.go, or netstat), socket_other.go
// (lsof, sockstat, netstat through os/exec);
// every text they read is parsed by an exported pure function in
// socketparse*.go, so that any OS's output is tested on every OS.

package hostports

import (
	"cmp"
	"errors"
	"net/netip"
	"os/user"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/portalloc/ports"
)

// SocketState is the state of a socket as the kernel reports it. The TCP
// states are those of RFC 793; [StateBound] is a socket that has a local
// port and neither listens nor is connected (a TCP socket after bind and
// before listen or connect, or an unconnected UDP socket).
type SocketState uint8

// The socket states. The zero value, StateUnknown, is a state the reader
// could not name.
const (
	StateUnknown SocketState = iota
	StateListen
	StateEstablished
	StateSynSent
	StateSynReceived
	StateFinWait1
	StateFinWait2
	StateTimeWait
	StateClosed
	StateCloseWait
	StateLastAck
	StateClosing
	StateBound
)

var stateNames = [...]string{
	StateUnknown:     "UNKNOWN",
	StateListen:      "LISTEN",
	StateEstablished: "ESTABLISHED",
	StateSynSent:     "SYN_SENT",
	StateSynReceived: "SYN_RECEIVED",
	StateFinWait1:    "FIN_WAIT_1",
	StateFinWait2:    "FIN_WAIT_2",
	StateTimeWait:    "TIME_WAIT",
	StateClosed:      "CLOSED",
	StateCloseWait:   "CLOSE_WAIT",
	StateLastAck:     "LAST_ACK",
	StateClosing:     "CLOSING",
	StateBound:       "BOUND",
}

// String returns the state's name as netstat writes it ("LISTEN",
// "TIME_WAIT"), and "BOUND" for [StateBound].
func (s SocketState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "SocketState(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns the state's name.
func (s SocketState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText sets s to the state named by text.
func (s *SocketState) UnmarshalText(text []byte) error {
	v, ok := ParseSocketState(string(text))
	if !ok {
		return errors.New("hostports: unknown socket state " + strconv.Quote(string(text)))
	}
	*s = v
	return nil
}

// ParseSocketState returns the state named s, as [SocketState.String]
// writes it, and whether it knows the name.
func ParseSocketState(s string) (SocketState, bool) {
	for i, n := range stateNames {
		if n == s {
			return SocketState(i), true
		}
	}
	return StateUnknown, false
}

// V6Only says whether an IPv6 socket takes IPv4 traffic too. The zero value,
// V6OnlyUnknown, is for IPv4 sockets and for readers that cannot tell
// (Linux's /proc/net, lsof, sockstat, netstat).
type V6Only uint8

// The values of [V6Only].
const (
	V6OnlyUnknown V6Only = iota
	V6OnlyOn             // IPV6_V6ONLY set: IPv6 traffic only
	V6OnlyOff            // dual-stack: on ::, IPv4 traffic too
)

// String returns "unknown", "on" or "off".
func (v V6Only) String() string {
	switch v {
	case V6OnlyOn:
		return "on"
	case V6OnlyOff:
		return "off"
	}
	return "unknown"
}

// MarshalText returns [V6Only.String].
func (v V6Only) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText sets v from "unknown", "on" or "off".
func (v *V6Only) UnmarshalText(text []byte) error {
	for _, x := range []V6Only{V6OnlyUnknown, V6OnlyOn, V6OnlyOff} {
		if x.String() == string(text) {
			*v = x
			return nil
		}
	}
	return errors.New("hostports: V6Only " + strconv.Quote(string(text)) + ": want unknown, on or off")
}

// Container names the container a process runs in, as far as the host can
// tell without asking a container engine. The zero value is "no container".
type Container struct {
	// Runtime is "docker", "containerd", "podman", "cri-o", "kubernetes"
	// (a pod's container whose runtime the cgroup does not name) or
	// "lxc".
	Runtime string `json:"runtime"`
	// ID is the container's ID, as the runtime writes it (64 hex digits
	// for Docker), or its name where the cgroup gives only that (LXC).
	ID string `json:"id,omitempty"`
	// Pod is the UID of the Kubernetes pod, or "".
	Pod string `json:"pod,omitempty"`
	// Name is the container's name ("web-1"), where the Docker Engine API
	// said it (see [ReadTable]), or "".
	Name string `json:"name,omitempty"`
	// Target is where a Docker port proxy forwards to
	// ("172.17.0.2:5432/tcp"), read from docker-proxy's arguments, or the
	// container's port ("5432/tcp") where only the Docker Engine API
	// names it: the published port of a container. "" for other
	// processes.
	Target string `json:"target,omitempty"`
}

// IsZero reports whether c names no container.
func (c Container) IsZero() bool { return c == Container{} }

// String returns a short form: "docker 3f2a9c1b7e4d" (the ID cut to 12
// characters, as docker ps does), or "docker web-1 (3f2a9c1b7e4d)" where
// the name is known, with "pod UID" and "-> TARGET" where known, or ""
// for no container.
func (c Container) String() string {
	if c.IsZero() {
		return ""
	}
	s := c.Runtime
	id := c.ID
	if len(id) > 12 && isHex(id) {
		id = id[:12]
	}
	switch {
	case c.Name != "" && id != "":
		s += " " + c.Name + " (" + id + ")"
	case c.Name != "":
		s += " " + c.Name
	case id != "":
		s += " " + id
	}
	if c.Pod != "" {
		s += " pod " + c.Pod
	}
	if c.Target != "" {
		s += " -> " + c.Target
	}
	return s
}

// Process is a process that holds a socket.
type Process struct {
	PID int `json:"pid"`
	// Program is the program's name as the kernel keeps it (Linux's comm,
	// at most 15 bytes), or as the OS tool prints it.
	Program string `json:"program"`
	// Cmdline is the command line, argument by argument, or nil where it
	// could not be read.
	Cmdline []string `json:"cmdline,omitempty"`
	// UID is the process's real user ID, or -1 where unknown (Windows).
	UID int `json:"uid"`
	// User is the name of UID, or the user name the OS tool printed, or
	// UID in decimal where it has no name.
	User string `json:"user,omitempty"`
	// Container is the container the process runs in, if any.
	Container Container `json:"container,omitzero"`
}

// Owner says who holds a socket.
type Owner uint8

// The values of [Owner].
const (
	// OwnerUnknown: the reader cannot say (the OS tool printed no
	// process, or the owning process ended while the table was read).
	OwnerUnknown Owner = iota
	// OwnerFound: Socket.Processes names every process that holds it.
	OwnerFound
	// OwnerHidden: the socket belongs to a process of another user that
	// this process may not inspect; run as root to name it.
	OwnerHidden
	// OwnerKernel: no process holds it; the kernel keeps it for a while
	// after its owner closed it (TIME_WAIT, and other closing states of
	// an orphaned connection).
	OwnerKernel
)

// String returns "unknown", "found", "hidden" or "kernel".
func (o Owner) String() string {
	switch o {
	case OwnerFound:
		return "found"
	case OwnerHidden:
		return "hidden"
	case OwnerKernel:
		return "kernel"
	}
	return "unknown"
}

// MarshalText returns [Owner.String].
func (o Owner) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText sets o from its name, as [Owner.String] writes it.
func (o *Owner) UnmarshalText(text []byte) error {
	for _, x := range []Owner{OwnerUnknown, OwnerFound, OwnerHidden, OwnerKernel} {
		if x.String() == string(text) {
			*o = x
			return nil
		}
	}
	return errors.New("hostports: owner " + strconv.Quote(string(text)) + ": want unknown, found, hidden or kernel")
}

// Socket is one TCP or UDP socket of the host, with what is known of its
// owners. The zero value is an unknown socket of the zero Protocol.
type Socket struct {
	Protocol ports.Protocol `json:"protocol"`
	// Local is the address and port the socket is bound to; an
	// unspecified address (0.0.0.0, ::) stands for every address of its
	// family. IPv4-mapped IPv6 addresses are kept as the OS reports them.
	Local netip.AddrPort `json:"local"`
	// Remote is the peer of a connected socket, or the zero AddrPort.
	Remote netip.AddrPort `json:"remote,omitzero"`
	State  SocketState    `json:"state"`
	// V6Only says whether an IPv6 socket refuses IPv4 traffic, where the
	// OS says (Linux's sock_diag does).
	V6Only V6Only `json:"v6only,omitzero"`
	// UID is the user ID the kernel holds the socket for, or -1 where
	// unknown.
	UID int `json:"uid"`
	// Inode is the socket's inode number on Linux, 0 elsewhere and for
	// sockets no process holds.
	Inode uint64 `json:"inode,omitempty"`
	// Expires is how long the kernel will keep a TIME_WAIT socket, from
	// the time of reading, or 0 where unknown.
	Expires time.Duration `json:"expires,omitempty"`
	// Owner says whether Processes names the holders.
	Owner Owner `json:"owner"`
	// Processes holds each process that has the socket open (several
	// after a fork), by PID; empty unless Owner is OwnerFound.
	Processes []Process `json:"processes,omitempty"`
}

// Endpoint returns the socket's local end as a [ports.Endpoint] of one
// port. A socket on :: that is not IPv6-only stands for :: alone all the
// same; [ports.Endpoint.Conflicts] reads :: as covering IPv4.
func (s Socket) Endpoint() ports.Endpoint {
	p := ports.Port(s.Local.Port())
	return ports.EndpointFrom(s.Protocol, s.Local.Addr(), ports.RangeFrom(p, p))
}

// Port returns the socket's local port.
func (s Socket) Port() ports.Port { return ports.Port(s.Local.Port()) }

// Listening reports whether s waits for peers: a TCP listener, or a UDP
// socket that is not connected.
func (s Socket) Listening() bool {
	return s.State == StateListen || s.Protocol == ports.UDP && s.State == StateBound
}

// Holds reports whether s stops a bind of proto on addr and port p, as a
// server binds it (for TCP with SO_REUSEADDR, as Go and most servers do,
// so that a TIME_WAIT socket or an outgoing connection from another
// address does not stop it). A socket on :: stops a bind on an IPv4
// address unless it is IPv6-only; one whose V6Only is unknown is taken to
// be dual-stack, the Linux default.
func (s Socket) Holds(proto ports.Protocol, addr netip.Addr, p ports.Port) bool {
	if s.Protocol != proto || s.Port() != p {
		return false
	}
	if proto == ports.TCP && s.State != StateListen && s.State != StateBound {
		// With SO_REUSEADDR, Linux refuses a bind only where a listener or
		// a bound socket (not a connection) sits on an overlapping
		// address; BSDs and Windows refuse less still.
		return false
	}
	return addrsCollide(s.Local.Addr(), s.V6Only, addr)
}

// Blocks reports whether s stops a bind of proto on addr and port p by a
// program that does not set SO_REUSEADDR: any socket of the port on an
// overlapping address, connections and TIME_WAIT included.
func (s Socket) Blocks(proto ports.Protocol, addr netip.Addr, p ports.Port) bool {
	return s.Protocol == proto && s.Port() == p && addrsCollide(s.Local.Addr(), s.V6Only, addr)
}

// addrsCollide reports whether a socket bound to held (with the given
// V6Only) shares traffic with a bind on addr.
func addrsCollide(held netip.Addr, v6only V6Only, addr netip.Addr) bool {
	held, addr = held.Unmap(), addr.Unmap()
	switch {
	case held == addr:
		return true
	case held.IsUnspecified() && held.Is6():
		return addr.Is6() || v6only != V6OnlyOn
	case addr.IsUnspecified() && addr.Is6():
		// A dual-stack bind on :: collides with every address; the
		// caller asking for :: means dual-stack.
		return true
	case held.IsUnspecified():
		return addr.Is4()
	case addr.IsUnspecified():
		return held.Is4() == addr.Is4()
	}
	return false
}

// Table is the socket table of a host, or of one network namespace.
// It is a plain value.
type Table struct {
	// Sockets holds every socket read, ordered by protocol, local port,
	// local address, remote end and inode.
	Sockets []Socket `json:"sockets"`
	// Source says where the sockets were read from: "sock_diag",
	// "/proc/net", "lsof", "sockstat", "GetExtendedTcpTable" (with
	// GetExtendedUdpTable), or "netstat (why the calls failed)".
	Source string `json:"source"`
	// Hidden counts the processes whose sockets could not be read (those
	// of other users, for a process that is not root).
	Hidden int `json:"hidden_processes,omitempty"`
}

// Holding returns the sockets of t that stop a server's bind of proto on
// addr and port p (see [Socket.Holds]), in the order of t.
func (t Table) Holding(proto ports.Protocol, addr netip.Addr, p ports.Port) []Socket {
	var out []Socket
	for _, s := range t.Sockets {
		if s.Holds(proto, addr, p) {
			out = append(out, s)
		}
	}
	return out
}

// OnPort returns every socket of t on local port p and protocol proto
// (the zero Protocol: any), in the order of t.
func (t Table) OnPort(proto ports.Protocol, p ports.Port) []Socket {
	var out []Socket
	for _, s := range t.Sockets {
		if s.Port() == p && (proto == 0 || s.Protocol == proto) {
			out = append(out, s)
		}
	}
	return out
}

// TableOptions says what [ReadTable] reads. The zero value reads every TCP
// and UDP socket of the process's own network namespace, with owners.
type TableOptions struct {
	// Netns names a Linux network namespace to read instead of the
	// process's own: /proc/PID/ns/net or /run/netns/NAME. Joining one
	// needs CAP_SYS_ADMIN. Other systems refuse a non-empty Netns.
	Netns string
	// Port, when not 0, keeps only the sockets whose local port it is.
	// On Linux the kernel filters them, and only their owners are looked
	// for.
	Port ports.Port
	// NoOwners leaves Owner unknown and Processes empty, which saves
	// reading every process's open files, and asking the Docker daemon
	// for the containers of the ports docker-proxy or dockerd holds (see
	// [ReadTable]).
	NoOwners bool
	// Listening keeps only the sockets that wait for peers (see
	// [Socket.Listening]). On Linux the kernel then walks its hash of
	// listeners instead of its tables of connections and of bound
	// sockets, which on a host with many connections makes a read of one
	// port several times cheaper.
	Listening bool
	// FirstOwner, on Linux, stops the search for owners as soon as every
	// socket has one, trying first the processes whose other sockets are
	// nearest in inode number (those made at the same time), so that a
	// read of one port costs about what the kernel's filter costs
	// instead of a pass over every process's open files. A socket that
	// several processes share (after a fork) then names those found by
	// the time the search stopped, often one; Hidden counts the processes
	// met that could not be read. The readers of other systems name
	// owners as their tool prints them, and ignore it.
	FirstOwner bool
}

// ErrNoSocketTable reports that the socket table cannot be read on this
// system.
var ErrNoSocketTable = errors.New("hostports: no socket table on this system")

// ReadTable reads the socket table of this host:
//
//   - Linux: the kernel's table through sock_diag netlink, as ss(8) does,
//     or /proc/net/{tcp,tcp6,udp,udp6} where netlink is refused; the
//     owners through /proc/PID/fd, read once per call, with each process's
//     name, command line, user and container (from /proc/PID/cgroup);
//   - macOS: lsof -nP -F (see [ParseLsof]);
//   - FreeBSD: sockstat -46 (see [ParseSockstat]);
//   - Windows: netstat -ano (see [ParseNetstat]).
//
// A socket held by a process that cannot be inspected (another user's,
// for a process that is not root) has Owner [OwnerHidden]; it is never
// guessed.
//
// With owners, a socket held by docker-proxy or dockerd (a port Docker
// publishes) names its container (Container's ID and Name) as the Docker
// Engine API answers GET /containers/json on the daemon's unix socket
// ([ReadRuntime]'s, else /var/run/docker.sock), within 300 ms; where the
// daemon does not answer in time, or may not be asked, the container is
// named by docker-proxy's arguments alone, and that is no error. The
// daemon is asked only when such a socket is in the table.
func ReadTable(opts TableOptions) (Table, error) {
	t, err := readTable(opts)
	if err != nil {
		return t, err
	}
	if opts.Listening {
		t.Sockets = slices.DeleteFunc(t.Sockets, func(s Socket) bool { return !s.Listening() })
	}
	if !opts.NoOwners && hasDockerHolder(t.Sockets) {
		nameDocker(t.Sockets, dockerSocketPath(ReadRuntime()), dockerTimeout)
	}
	sortSockets(t.Sockets)
	return t, nil
}

// Holders returns the sockets of this host that stop a server from binding
// e's protocol on e's ports and address (the zero Addr: any address; see
// [Socket.Holds]), with their owners: for an endpoint of one port, those
// found first (see TableOptions.FirstOwner). It is what a preflight check
// asks: who holds this endpoint now.
func Holders(e ports.Endpoint) ([]Socket, error) {
	opts := TableOptions{}
	r := e.Range()
	if r.Len() == 1 {
		opts.Port, opts.FirstOwner = r.Lo(), true
	}
	t, err := ReadTable(opts)
	if err != nil {
		return nil, err
	}
	var out []Socket
	for _, s := range t.Sockets {
		if !r.Contains(s.Port()) {
			continue
		}
		if !e.Addr().IsValid() {
			if s.Protocol == e.Protocol() && (s.Protocol != ports.TCP || s.State == StateListen || s.State == StateBound) {
				out = append(out, s)
			}
			continue
		}
		if s.Holds(e.Protocol(), e.Addr(), s.Port()) {
			out = append(out, s)
		}
	}
	return out, nil
}

func sortSockets(ss []Socket) {
	slices.SortFunc(ss, compareSockets)
}

func compareSockets(a, b Socket) int {
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Local.Port(), b.Local.Port()); c != 0 {
		return c
	}
	if c := a.Local.Addr().Compare(b.Local.Addr()); c != 0 {
		return c
	}
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c
	}
	return cmp.Compare(a.Inode, b.Inode)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

var userNames sync.Map // int -> string

// userName returns the name of uid, or uid in decimal.
func userName(uid int) string {
	if v, ok := userNames.Load(uid); ok {
		return v.(string)
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	userNames.Store(uid, name)
	return name
}
