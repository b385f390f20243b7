// The buffers of Windows's IP Helper calls GetExtendedTcpTable (class
// TCP_TABLE_OWNER_PID_ALL) and GetExtendedUdpTable (UDP_TABLE_OWNER_PID),
// decoded without build tags so that every OS tests the decoder; the calls
// themselves are in table_windows.go.
//
// Each buffer is a table as Microsoft documents it in iprtrmib.h /
// tcpmib.h / udpmib.h: a DWORD dwNumEntries, then that many rows, each
// made of DWORDs (little-endian on every Windows architecture) and, for
// IPv6, 16-byte addresses, so rows follow one another with no padding:
//
//	MIB_TCPROW_OWNER_PID   (24 bytes) dwState, dwLocalAddr, dwLocalPort,
//	                       dwRemoteAddr, dwRemotePort, dwOwningPid
//	MIB_TCP6ROW_OWNER_PID  (56 bytes) ucLocalAddr[16], dwLocalScopeId,
//	                       dwLocalPort, ucRemoteAddr[16], dwRemoteScopeId,
//	                       dwRemotePort, dwState, dwOwningPid
//	MIB_UDPROW_OWNER_PID   (12 bytes) dwLocalAddr, dwLocalPort, dwOwningPid
//	MIB_UDP6ROW_OWNER_PID  (28 bytes) ucLocalAddr[16], dwLocalScopeId,
//	                       dwLocalPort, dwOwningPid
//
// An IPv4 address is in network byte order, so its four bytes in memory are
// those of the address in order. A port is in network byte order in the
// low 16 bits of its DWORD: the first two bytes in memory, high byte
// first; the upper 16 bits are to be ignored. States are MIB_TCP_STATE_*:
// 1 CLOSED, 2 LISTEN, 3 SYN_SENT, 4 SYN_RCVD, 5 ESTAB, 6 FIN_WAIT1,
// 7 FIN_WAIT2, 8 CLOSE_WAIT, 9 CLOSING, 10 LAST_ACK, 11 TIME_WAIT,
// 12 DELETE_TCB. The remote end of a listening TCP socket has no meaning.
// The buffer may be longer than its rows (the caller's allocation); the
// bytes after them are ignored.

package hostports

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/portalloc/ports"
)

// ipHelperTable names one of the four tables.
type ipHelperTable struct {
	name    string // the table's C type, for errors
	proto   ports.Protocol
	v6      bool
	rowSize int
}

var (
	tcp4Table = ipHelperTable{"MIB_TCPTABLE_OWNER_PID", ports.TCP, false, 24}
	tcp6Table = ipHelperTable{"MIB_TCP6TABLE_OWNER_PID", ports.TCP, true, 56}
	udp4Table = ipHelperTable{"MIB_UDPTABLE_OWNER_PID", ports.UDP, false, 12}
	udp6Table = ipHelperTable{"MIB_UDP6TABLE_OWNER_PID", ports.UDP, true, 28}
)

// windowsStates maps MIB_TCP_STATE_* (the index) to the package's states.
// DELETE_TCB, a connection being torn down, is taken as closed.
var windowsStates = [...]SocketState{
	1:  StateClosed,
	2:  StateListen,
	3:  StateSynSent,
	4:  StateSynReceived,
	5:  StateEstablished,
	6:  StateFinWait1,
	7:  StateFinWait2,
	8:  StateCloseWait,
	9:  StateClosing,
	10: StateLastAck,
	11: StateTimeWait,
	12: StateClosed,
}

// parseIPHelperTable decodes one of the four tables from buf. A buffer too
// short for dwNumEntries or for the rows it announces is an error that
// says so, with the sizes; an unknown state is StateUnknown.
func parseIPHelperTable(buf []byte, tab ipHelperTable) ([]Socket, error) {
	bad := func(msg string) error {
		return &parseError{fn: tab.name, in: strconv.Itoa(len(buf)) + " bytes", msg: msg}
	}
	if len(buf) < 4 {
		return nil, bad("too short for dwNumEntries (4 bytes)")
	}
	n := uint64(binary.LittleEndian.Uint32(buf))
	if have := uint64(len(buf)-4) / uint64(tab.rowSize); n > have {
		return nil, bad("dwNumEntries is " + strconv.FormatUint(n, 10) + " but the buffer holds " +
			strconv.FormatUint(have, 10) + " rows of " + strconv.Itoa(tab.rowSize) + " bytes")
	}
	out := make([]Socket, 0, n)
	for i := range int(n) {
		row := buf[4+i*tab.rowSize : 4+(i+1)*tab.rowSize]
		out = append(out, decodeIPHelperRow(row, tab))
	}
	return out, nil
}

// decodeIPHelperRow decodes one row of tab's size.
func decodeIPHelperRow(row []byte, tab ipHelperTable) Socket {
	dword := func(off int) uint32 { return binary.LittleEndian.Uint32(row[off:]) }
	port := func(off int) uint16 { return binary.BigEndian.Uint16(row[off:]) }
	v4 := func(off int) netip.Addr { return netip.AddrFrom4([4]byte(row[off : off+4])) }
	v6 := func(off, scopeOff int) netip.Addr {
		a := netip.AddrFrom16([16]byte(row[off : off+16]))
		if scope := dword(scopeOff); scope != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(scope), 10))
		}
		return a
	}
	s := Socket{Protocol: tab.proto, UID: -1}
	var state, pid uint32
	switch tab {
	case tcp4Table:
		state, pid = dword(0), dword(20)
		s.Local = netip.AddrPortFrom(v4(4), port(8))
		s.Remote = netip.AddrPortFrom(v4(12), port(16))
	case tcp6Table:
		s.Local = netip.AddrPortFrom(v6(0, 16), port(20))
		s.Remote = netip.AddrPortFrom(v6(24, 40), port(44))
		state, pid = dword(48), dword(52)
	case udp4Table:
		s.Local = netip.AddrPortFrom(v4(0), port(4))
		pid = dword(8)
	case udp6Table:
		s.Local = netip.AddrPortFrom(v6(0, 16), port(20))
		pid = dword(24)
	}
	if tab.proto == ports.TCP {
		if int(state) < len(windowsStates) {
			s.State = windowsStates[state]
		}
		if s.State == StateListen || (s.Remote.Port() == 0 && s.Remote.Addr().IsUnspecified()) {
			s.Remote = netip.AddrPort{} // no peer, so that finishState takes CLOSED as bound
		}
	} else {
		s.Remote = netip.AddrPort{}
	}
	finishState(&s)
	switch {
	case pid == 0 && (s.State == StateListen || s.State == StateBound):
		// A socket waiting for peers is always some process's; the table
		// does not say whose (Wine gives PID 0 for its server's and the
		// host's sockets).
		s.Owner = OwnerUnknown
	case pid == 0:
		s.Owner = OwnerKernel // the System Idle Process: TIME_WAIT connections
	default:
		s.Owner = OwnerFound
		s.Processes = []Process{{PID: int(pid), UID: -1}}
	}
	return s
}
