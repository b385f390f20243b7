// The socket tables of macOS (lsof -F), FreeBSD (sockstat) and Windows
// (netstat -ano, with tasklist for the programs' names), each read by a
// pure function.

package hostports

import (
	"encoding/csv"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// parseEnd parses one end of a socket as the BSD tools and netstat write
// it: "127.0.0.1:5432", "[::1]:5432", "[fe80::1%7]:1900", "*:5432" (the
// unspecified address of the family v6 says), "*:*" or "[::]:0" (no
// peer). It returns the zero AddrPort for no peer.
func parseEnd(s string, v6 bool) (netip.AddrPort, error) {
	if s == "*:*" || s == "*.*" {
		return netip.AddrPort{}, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, errors.New(strconv.Quote(s) + ": want ADDRESS:PORT")
	}
	host, portText := s[:i], s[i+1:]
	port := uint64(0)
	if portText != "*" {
		var err error
		port, err = strconv.ParseUint(portText, 10, 16)
		if err != nil {
			return netip.AddrPort{}, errors.New(strconv.Quote(s) + ": port " + strconv.Quote(portText) + " is not a number from 0 to 65535")
		}
	}
	var addr netip.Addr
	switch {
	case host == "*" && v6:
		addr = netip.IPv6Unspecified()
	case host == "*":
		addr = netip.IPv4Unspecified()
	default:
		var err error
		addr, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if err != nil {
			return netip.AddrPort{}, errors.New(strconv.Quote(s) + ": " + strconv.Quote(host) + " is not an IP address")
		}
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// bsdStates maps the TCP state names of lsof, sockstat and netstat
// (Windows writes LISTENING, macOS SYN_RCVD).
var bsdStates = map[string]SocketState{
	"LISTEN": StateListen, "LISTENING": StateListen,
	"ESTABLISHED":  StateEstablished,
	"SYN_SENT":     StateSynSent,
	"SYN_RECEIVED": StateSynReceived, "SYN_RCVD": StateSynReceived,
	"FIN_WAIT_1": StateFinWait1, "FIN_WAIT_2": StateFinWait2,
	"TIME_WAIT":  StateTimeWait,
	"CLOSED":     StateClosed,
	"CLOSE_WAIT": StateCloseWait,
	"LAST_ACK":   StateLastAck,
	"CLOSING":    StateClosing,
	"BOUND":      StateBound,
}

// finishState settles the state of a socket whose tool wrote none or
// CLOSED: a UDP socket is bound or connected, and a TCP socket with a
// local port and no peer that is CLOSED is bound.
func finishState(s *Socket) {
	switch {
	case s.Protocol == ports.UDP && s.Remote.IsValid() && s.Remote.Port() != 0:
		s.State = StateEstablished
	case s.Protocol == ports.UDP:
		s.State = StateBound
	case s.State == StateClosed && !s.Remote.IsValid():
		s.State = StateBound
	}
	if s.Remote.IsValid() && s.Remote.Port() == 0 && s.Remote.Addr().IsUnspecified() {
		s.Remote = netip.AddrPort{}
	}
}

// ParseLsof parses the output of
//
//	lsof -nP -iTCP -iUDP -FpcuLftPnT
//
// (macOS, and any system with lsof): one field a line, its letter first.
// A process set (p PID, c command, u UID, L login) is followed by its
// files (f descriptor, t IPv4 or IPv6, P TCP or UDP, n the ends, as
// "127.0.0.1:5432" or "127.0.0.1:49152->127.0.0.1:5432", and T lines of
// which TST= gives the TCP state). Each socket is owned by the process set
// it follows; a socket two processes share comes once per process, and
// the two are merged. Unknown field letters are ignored; a malformed
// field is an error that names its line.
func ParseLsof(s string) ([]Socket, error) {
	const fn = "ParseLsof"
	var (
		out      []Socket
		proc     Process
		cur      *Socket
		v6       bool
		name     string
		nameLine int
	)
	index := map[string]int{} // merged sockets: proto, ends -> index
	flush := func() error {
		if cur == nil {
			return nil
		}
		defer func() { cur = nil }()
		if name == "" {
			return nil // not an internet socket
		}
		local, remote, _ := strings.Cut(name, "->")
		var err error
		if cur.Local, err = parseEnd(local, v6); err != nil {
			return &parseError{fn: fn, in: "n" + name, line: nameLine, msg: err.Error()}
		}
		if remote != "" {
			if cur.Remote, err = parseEnd(remote, v6); err != nil {
				return &parseError{fn: fn, in: "n" + name, line: nameLine, msg: err.Error()}
			}
		}
		finishState(cur)
		key := cur.Protocol.String() + " " + cur.Local.String() + " " + cur.Remote.String() + " " + cur.State.String()
		if i, ok := index[key]; ok && cur.State != StateTimeWait {
			out[i].Processes = append(out[i].Processes, cur.Processes...)
			return nil
		}
		index[key] = len(out)
		out = append(out, *cur)
		return nil
	}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		bad := func(msg string) error { return &parseError{fn: fn, in: line, line: i + 1, msg: msg} }
		val := line[1:]
		switch line[0] {
		case 'p':
			if err := flush(); err != nil {
				return nil, err
			}
			pid, err := strconv.Atoi(val)
			if err != nil || pid < 0 {
				return nil, bad("want p and a process ID")
			}
			proc = Process{PID: pid, UID: -1}
		case 'c':
			proc.Program = val
		case 'u':
			uid, err := strconv.Atoi(val)
			if err != nil {
				return nil, bad("want u and a user ID")
			}
			proc.UID = uid
		case 'L':
			proc.User = val
		case 'f':
			if err := flush(); err != nil {
				return nil, err
			}
			if proc.PID == 0 {
				return nil, bad("a file before any process (p line)")
			}
			pr := proc
			if pr.User == "" && pr.UID >= 0 {
				pr.User = strconv.Itoa(pr.UID)
			}
			cur = &Socket{UID: pr.UID, Owner: OwnerFound, Processes: []Process{pr}}
			v6, name = false, ""
		case 't':
			if cur != nil {
				v6 = val == "IPv6"
			}
		case 'P':
			if cur == nil {
				return nil, bad("a protocol before any file (f line)")
			}
			switch val {
			case "TCP":
				cur.Protocol = ports.TCP
			case "UDP":
				cur.Protocol = ports.UDP
			default:
				return nil, bad("protocol " + strconv.Quote(val) + ": want TCP or UDP")
			}
		case 'n':
			if cur == nil {
				return nil, bad("a name before any file (f line)")
			}
			name, nameLine = val, i+1
		case 'T':
			if cur != nil && strings.HasPrefix(val, "ST=") {
				st, ok := bsdStates[val[3:]]
				if !ok {
					return nil, bad("unknown TCP state " + strconv.Quote(val[3:]))
				}
				cur.State = st
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Protocol == 0 {
			return nil, &parseError{fn: fn, in: s, msg: "a socket without a P (protocol) line"}
		}
	}
	return out, nil
}

// ParseSockstat parses the output of FreeBSD's
//
//	sockstat -46s
//
// (or of sockstat -46, without the state column):
//
//	USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS   FOREIGN ADDRESS  STATE
//	www      nginx      900   6   tcp4   127.0.0.1:8080  *:*              LISTEN
//	root     sshd       812   4   tcp46  *:22            *:*              LISTEN
//	?        ?          ?     ?   tcp4   127.0.0.1:41456 127.0.0.1:8080   TIME_WAIT
//
// PROTO tcp6 or udp6 is an IPv6-only socket, tcp46 or udp46 a dual-stack
// one; other protocols (sctp, unix) are skipped. A row whose PID is "?"
// has no process: the kernel's, for TIME_WAIT, and unknown otherwise. A
// row a process shares with another comes once per process and is merged.
// The header line is skipped; a row with too few columns is an error.
func ParseSockstat(s string) ([]Socket, error) {
	const fn = "ParseSockstat"
	var out []Socket
	index := map[string]int{}
	for i, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "USER" {
			continue
		}
		bad := func(msg string) error { return &parseError{fn: fn, in: strings.TrimSpace(line), line: i + 1, msg: msg} }
		if len(f) < 7 {
			return nil, bad("want USER COMMAND PID FD PROTO LOCAL FOREIGN [STATE]")
		}
		var sock Socket
		proto := f[4]
		switch strings.TrimRight(proto, "46") {
		case "tcp":
			sock.Protocol = ports.TCP
		case "udp":
			sock.Protocol = ports.UDP
		default:
			continue
		}
		v6 := strings.HasSuffix(proto, "6")
		switch {
		case strings.HasSuffix(proto, "46"):
			sock.V6Only = V6OnlyOff
		case v6:
			sock.V6Only = V6OnlyOn
		}
		var err error
		if sock.Local, err = parseEnd(f[5], v6); err != nil {
			return nil, bad("local address " + err.Error())
		}
		if sock.Remote, err = parseEnd(f[6], v6); err != nil {
			return nil, bad("foreign address " + err.Error())
		}
		if len(f) > 7 {
			st, ok := bsdStates[f[7]]
			if !ok && sock.Protocol == ports.TCP {
				return nil, bad("unknown TCP state " + strconv.Quote(f[7]))
			}
			sock.State = st
		}
		if sock.Protocol == ports.TCP && sock.State == StateUnknown && !sock.Remote.IsValid() {
			sock.State = StateListen // sockstat without -s: a TCP socket without a peer listens
		}
		finishState(&sock)
		sock.UID = -1
		switch {
		case f[2] == "?" && sock.State == StateTimeWait:
			sock.Owner = OwnerKernel
		case f[2] == "?":
			sock.Owner = OwnerUnknown
		default:
			pid, err := strconv.Atoi(f[2])
			if err != nil || pid < 0 {
				return nil, bad("PID " + strconv.Quote(f[2]) + ": want a number or ?")
			}
			sock.Owner = OwnerFound
			sock.Processes = []Process{{PID: pid, Program: f[1], User: f[0], UID: -1}}
		}
		key := strings.Join(f[4:], " ")
		if j, ok := index[key]; ok && sock.Owner == OwnerFound && out[j].Owner == OwnerFound {
			out[j].Processes = append(out[j].Processes, sock.Processes...)
			continue
		}
		index[key] = len(out)
		out = append(out, sock)
	}
	return out, nil
}

// ParseNetstat parses the output of Windows's
//
//	netstat -ano
//
// whose rows are
//
//	TCP    127.0.0.1:5432   0.0.0.0:0        LISTENING    4120
//	UDP    [::]:5353        *:*                           2400
//
// Windows translates the headers and, in some languages, the state names:
// a row is a line whose first field is TCP or UDP, and a state it does not
// know is StateUnknown. PID 0 (the System Idle Process) holds TIME_WAIT
// connections: the kernel's. Programs are not named; see [ParseTasklist].
// A row with too few fields, or a malformed address or PID, is an error.
func ParseNetstat(s string) ([]Socket, error) {
	const fn = "ParseNetstat"
	var out []Socket
	for i, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || (f[0] != "TCP" && f[0] != "UDP") {
			continue
		}
		bad := func(msg string) error { return &parseError{fn: fn, in: strings.TrimSpace(line), line: i + 1, msg: msg} }
		sock := Socket{Protocol: ports.TCP, UID: -1}
		want := 5
		if f[0] == "UDP" {
			sock.Protocol, want = ports.UDP, 4
		}
		if len(f) < want {
			return nil, bad("want PROTO LOCAL FOREIGN STATE PID (UDP: no STATE)")
		}
		v6 := strings.HasPrefix(f[1], "[")
		var err error
		if sock.Local, err = parseEnd(f[1], v6); err != nil {
			return nil, bad("local address " + err.Error())
		}
		if sock.Remote, err = parseEnd(f[2], v6); err != nil {
			return nil, bad("foreign address " + err.Error())
		}
		if sock.Protocol == ports.TCP {
			sock.State = bsdStates[strings.Join(f[3:len(f)-1], " ")]
		}
		finishState(&sock)
		pid, err := strconv.Atoi(f[len(f)-1])
		if err != nil || pid < 0 {
			return nil, bad("PID " + strconv.Quote(f[len(f)-1]) + ": want a number")
		}
		switch {
		case pid == 0:
			sock.Owner = OwnerKernel
		default:
			sock.Owner = OwnerFound
			sock.Processes = []Process{{PID: pid, UID: -1}}
		}
		out = append(out, sock)
	}
	return out, nil
}

// ParseTasklist parses the output of Windows's
//
//	tasklist /fo csv /nh
//
// ("postgres.exe","4120","Services","0","12,345 K" a line) into a map
// from PID to image name. A line that is not CSV of at least two fields
// with a numeric PID is an error that names it.
func ParseTasklist(s string) (map[int]string, error) {
	const fn = "ParseTasklist"
	out := map[int]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil || len(rec) < 2 {
			return nil, &parseError{fn: fn, in: line, line: i + 1, msg: "want \"IMAGE\",\"PID\",... as CSV"}
		}
		pid, err := strconv.Atoi(rec[1])
		if err != nil || pid < 0 {
			return nil, &parseError{fn: fn, in: line, line: i + 1, msg: "PID " + strconv.Quote(rec[1]) + ": want a number"}
		}
		out[pid] = rec[0]
	}
	return out, nil
}
