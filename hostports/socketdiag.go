// Linux's sock_diag netlink messages, built and decoded without system
// calls so that the decoder builds, runs and is fuzzed on every OS. The
// layouts are those of <linux/inet_diag.h>: a request is an nlmsghdr, an
// inet_diag_req_v2 (or, for TCP, the older inet_diag_req, which asks for
// both families at once) and an optional INET_DIAG_REQ_BYTECODE attribute,
// with the port in the socket ID too where the kernel filters on it; each
// answer is an nlmsghdr, an inet_diag_msg and attributes, of which only
// INET_DIAG_SKV6ONLY is read. Netlink headers are in the host's byte order,
// ports and addresses in network order.

package hostports

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/portalloc/ports"
)

const (
	nlmsgHdrLen      = 16
	nlmsgError       = 2
	nlmsgDone        = 3
	nlmFRequest      = 0x1
	nlmFDump         = 0x300
	sockDiagByFamily = 20
	inetDiagReqLen   = 56 // inet_diag_req_v2
	inetDiagReqV1Len = 60 // inet_diag_req, of TCPDIAG_GETSOCK
	tcpDiagGetSock   = 18 // TCPDIAG_GETSOCK
	inetDiagMsgLen   = 72
	inetDiagBytecode = 1  // INET_DIAG_REQ_BYTECODE
	inetDiagV6Only   = 11 // INET_DIAG_SKV6ONLY
	inetDiagBcSGE    = 2  // INET_DIAG_BC_S_GE
	inetDiagBcSLE    = 3  // INET_DIAG_BC_S_LE
	afInet           = 2
	afInet6          = 10
	ipprotoTCP       = 6
	ipprotoUDP       = 17
	tcpTimerTimeWait = 3 // idiag_timer of a TIME_WAIT socket
)

// The idiag_states masks of a request: a bit for each kernel state
// (include/net/tcp_states.h). Asked for TCP listeners alone, the kernel
// walks its listening hash only (16,384 buckets on a host with a few GiB),
// and skips both its bind hash, where it finds the sockets bound but not
// listening, and its established hash, which holds the connections and
// the TIME_WAIT sockets: that walk of 262,144 buckets, whatever the
// filter, is most of what a dump of one port costs (tcp_diag_dump, Linux
// 6.5 and later; inet_diag_dump_icsk before). An unconnected UDP socket is
// in TCP_CLOSE.
const (
	diagAllStates    = 0xffffffff
	diagListenStates = 1 << 10 // TCPF_LISTEN
	diagUDPUnconnect = 1 << 7  // TCPF_CLOSE
)

// diagRequest returns a dump request for the sockets of family and
// protocol in the states of the mask states, or only those on local port p
// when p is not 0.
func diagRequest(family, protocol uint8, p ports.Port, states uint32, seq uint32) []byte {
	b := diagHeader(sockDiagByFamily, inetDiagReqLen, p, seq)
	r := b[nlmsgHdrLen:]
	r[0], r[1] = family, protocol
	binary.NativeEndian.PutUint32(r[4:], states)
	if p != 0 && protocol == ipprotoTCP {
		// The kernel skips a listener or connection of another port
		// before it runs the bytecode; it compares in network order. (The
		// UDP dump compares in host order on some kernels: the bytecode
		// alone filters there.)
		binary.BigEndian.PutUint16(r[8:], uint16(p))
	}
	return b
}

// diagRequestTCP returns the older TCPDIAG_GETSOCK dump request, whose
// inet_diag_req names no family: the kernel walks its TCP tables once for
// IPv4 and IPv6 together, where two SOCK_DIAG_BY_FAMILY requests walk
// them twice (each walk of a table of 262,144 buckets takes about a
// millisecond, whatever the filter, unless states asks for listeners
// alone). Its answers carry its message type.
func diagRequestTCP(p ports.Port, states uint32, seq uint32) []byte {
	b := diagHeader(tcpDiagGetSock, inetDiagReqV1Len, p, seq)
	r := b[nlmsgHdrLen:]
	if p != 0 {
		binary.BigEndian.PutUint16(r[4:], uint16(p)) // id.idiag_sport
	}
	binary.NativeEndian.PutUint32(r[52:], states)
	return b
}

// diagHeader returns a dump request of type typ whose body, of reqLen
// bytes, is left to the caller, followed by an INET_DIAG_REQ_BYTECODE
// attribute that keeps local port p alone when p is not 0.
func diagHeader(typ uint16, reqLen int, p ports.Port, seq uint32) []byte {
	n := nlmsgHdrLen + reqLen
	if p != 0 {
		n += 4 + 16
	}
	b := make([]byte, n)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(n))
	ne.PutUint16(b[4:], typ)
	ne.PutUint16(b[6:], nlmFRequest|nlmFDump)
	ne.PutUint32(b[8:], seq)
	if p != 0 {
		a := b[nlmsgHdrLen+reqLen:]
		ne.PutUint16(a[0:], 4+16)
		ne.PutUint16(a[2:], inetDiagBytecode)
		// sport >= p, else reject (jump past the end); sport <= p, else
		// reject; falling off the end accepts.
		bc := a[4:]
		bc[0], bc[1] = inetDiagBcSGE, 8
		ne.PutUint16(bc[2:], 16+4)
		ne.PutUint16(bc[6:], uint16(p))
		bc[8], bc[9] = inetDiagBcSLE, 8
		ne.PutUint16(bc[10:], 8+4)
		ne.PutUint16(bc[14:], uint16(p))
	}
	return b
}

// errDiagDone is returned by decodeDiag at the end of a dump.
var errDiagDone = errors.New("end of dump")

// linuxStates maps the kernel's TCP states (include/net/tcp_states.h) to
// SocketState; TCP_CLOSE and TCP_BOUND_INACTIVE are StateBound (a socket
// with a local port, neither listening nor connected), and TCP_NEW_SYN_RECV
// a half-open connection.
var linuxStates = [...]SocketState{
	1:  StateEstablished,
	2:  StateSynSent,
	3:  StateSynReceived,
	4:  StateFinWait1,
	5:  StateFinWait2,
	6:  StateTimeWait,
	7:  StateBound,
	8:  StateCloseWait,
	9:  StateLastAck,
	10: StateListen,
	11: StateClosing,
	12: StateSynReceived,
	13: StateBound, // TCP_BOUND_INACTIVE, Linux 6.5 and later
}

func linuxState(st uint8) SocketState {
	if int(st) < len(linuxStates) {
		return linuxStates[st]
	}
	return StateUnknown
}

// decodeDiag decodes the netlink messages of one read from a sock_diag
// socket, appending a Socket of proto for each answer. It returns
// errDiagDone at NLMSG_DONE, the kernel's error at NLMSG_ERROR, and an
// error naming the offset for a message that does not fit.
func decodeDiag(buf []byte, proto ports.Protocol, out []Socket) ([]Socket, error) {
	ne := binary.NativeEndian
	for off := 0; off < len(buf); {
		b := buf[off:]
		if len(b) < nlmsgHdrLen {
			return out, fmt.Errorf("sock_diag: %d bytes at offset %d, too short for a netlink header", len(b), off)
		}
		n := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if n < nlmsgHdrLen || n > len(b) {
			return out, fmt.Errorf("sock_diag: message at offset %d says it has %d bytes, of %d", off, n, len(b))
		}
		body := b[nlmsgHdrLen:n]
		switch typ {
		case nlmsgDone:
			return out, errDiagDone
		case nlmsgError:
			if len(body) < 4 {
				return out, fmt.Errorf("sock_diag: short error message at offset %d", off)
			}
			errno := -int32(ne.Uint32(body))
			if errno == 0 {
				return out, errDiagDone
			}
			return out, errnoError(errno)
		case sockDiagByFamily, tcpDiagGetSock:
			s, err := decodeDiagMsg(body, proto)
			if err != nil {
				return out, fmt.Errorf("sock_diag: message at offset %d: %w", off, err)
			}
			out = append(out, s)
		}
		off += (n + 3) &^ 3
	}
	return out, nil
}

// decodeDiagMsg decodes one inet_diag_msg and its attributes.
func decodeDiagMsg(b []byte, proto ports.Protocol) (Socket, error) {
	if len(b) < inetDiagMsgLen {
		return Socket{}, fmt.Errorf("%d bytes, want at least %d for inet_diag_msg", len(b), inetDiagMsgLen)
	}
	ne := binary.NativeEndian
	family, state, timer := b[0], b[1], b[2]
	id := b[4:52]
	sport := binary.BigEndian.Uint16(id[0:])
	dport := binary.BigEndian.Uint16(id[2:])
	var local, remote netip.Addr
	switch family {
	case afInet:
		local = netip.AddrFrom4([4]byte(id[4:8]))
		remote = netip.AddrFrom4([4]byte(id[20:24]))
	case afInet6:
		local = netip.AddrFrom16([16]byte(id[4:20]))
		remote = netip.AddrFrom16([16]byte(id[20:36]))
	default:
		return Socket{}, fmt.Errorf("address family %d, want %d or %d", family, afInet, afInet6)
	}
	s := Socket{
		Protocol: proto,
		Local:    netip.AddrPortFrom(local, sport),
		State:    linuxState(state),
		UID:      int(ne.Uint32(b[64:])),
		Inode:    uint64(ne.Uint32(b[68:])),
	}
	if dport != 0 || !remote.IsUnspecified() {
		s.Remote = netip.AddrPortFrom(remote, dport)
	}
	if proto == ports.UDP {
		s.State = udpState(s.State)
	}
	if s.State == StateTimeWait || timer == tcpTimerTimeWait {
		s.Expires = time.Duration(ne.Uint32(b[52:])) * time.Millisecond
		// The kernel reports no user for a TIME_WAIT socket.
		s.UID = -1
	}
	for a := b[inetDiagMsgLen:]; len(a) >= 4; {
		n := int(ne.Uint16(a[0:]))
		if n < 4 || n > len(a) {
			return Socket{}, fmt.Errorf("attribute of %d bytes, of %d left", n, len(a))
		}
		if ne.Uint16(a[2:]) == inetDiagV6Only && n >= 5 && family == afInet6 {
			if a[4] != 0 {
				s.V6Only = V6OnlyOn
			} else {
				s.V6Only = V6OnlyOff
			}
		}
		a = a[min((n+3)&^3, len(a)):]
	}
	return s, nil
}

// udpState maps the TCP state numbers the kernel reuses for UDP: an
// unconnected socket is TCP_CLOSE, a connected one TCP_ESTABLISHED.
func udpState(s SocketState) SocketState {
	if s == StateEstablished {
		return s
	}
	return StateBound
}
