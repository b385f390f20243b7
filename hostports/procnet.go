package hostports

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/portalloc/ports"
)

// ParseLinuxProcNet parses the contents of the Linux files /proc/net/tcp,
// tcp6, udp or udp6 (the protocol is proto; the family is read from the
// width of each address) into sockets, in the order of the file:
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//	 0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 48861 1 ...
//
// The kernel writes each 32-bit word of an address in the host's byte
// order; ParseLinuxProcNet reads them as a little-endian host (x86, ARM,
// RISC-V) writes them. The files do not say whether an IPv6 socket is
// IPv6-only, so V6Only is unknown. The header line and blank lines are
// skipped; a line with too few fields or a malformed one is an error that
// names its number.
func ParseLinuxProcNet(s string, proto ports.Protocol) ([]Socket, error) {
	return parseProcNet(s, proto, binary.LittleEndian)
}

func parseProcNet(s string, proto ports.Protocol, order binary.ByteOrder) ([]Socket, error) {
	const fn = "ParseLinuxProcNet"
	var out []Socket
	lineNo := 0
	for len(s) > 0 {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		lineNo++
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "sl" {
			continue
		}
		bad := func(msg string) error {
			return &parseError{fn: fn, in: strings.TrimSpace(line), line: lineNo, msg: msg}
		}
		if len(f) < 10 {
			return nil, bad("want at least 10 fields: sl, local and remote address, st, queues, timer, retransmits, uid, timeout, inode")
		}
		local, err := parseProcAddr(f[1], order)
		if err != nil {
			return nil, bad("local address: " + err.Error())
		}
		remote, err := parseProcAddr(f[2], order)
		if err != nil {
			return nil, bad("remote address: " + err.Error())
		}
		if local.Addr().Is4() != remote.Addr().Is4() {
			return nil, bad("local and remote addresses are of different families")
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return nil, bad("state " + strconv.Quote(f[3]) + ": want two hex digits")
		}
		timer, when, ok := strings.Cut(f[5], ":")
		if !ok {
			return nil, bad("timer " + strconv.Quote(f[5]) + ": want TIMER:WHEN")
		}
		uid, err := strconv.ParseUint(f[7], 10, 32)
		if err != nil {
			return nil, bad("uid " + strconv.Quote(f[7]) + ": want a decimal number")
		}
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, bad("inode " + strconv.Quote(f[9]) + ": want a decimal number")
		}
		sock := Socket{Protocol: proto, Local: local, State: linuxState(uint8(st)), UID: int(uid), Inode: inode}
		if remote.Port() != 0 || !remote.Addr().IsUnspecified() {
			sock.Remote = remote
		}
		if proto == ports.UDP {
			sock.State = udpState(sock.State)
		}
		if timer == "03" || sock.State == StateTimeWait {
			// WHEN is in clock ticks, which Linux fixes at 100 a second
			// for user space (USER_HZ).
			ticks, err := strconv.ParseUint(when, 16, 32)
			if err != nil {
				return nil, bad("timer " + strconv.Quote(f[5]) + ": want hex digits after the colon")
			}
			sock.Expires = time.Duration(ticks) * 10 * time.Millisecond
			sock.UID = -1
		}
		out = append(out, sock)
	}
	return out, nil
}

type procAddrError string

func (e procAddrError) Error() string { return string(e) }

// parseProcAddr parses "0100007F:1538" or the 32-digit IPv6 form.
func parseProcAddr(s string, order binary.ByteOrder) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	if !ok || len(hexPort) != 4 {
		return netip.AddrPort{}, procAddrError(strconv.Quote(s) + ": want HEXADDR:HEXPORT")
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, procAddrError(strconv.Quote(s) + ": port is not 4 hex digits")
	}
	var raw [16]byte
	switch len(hexAddr) {
	case 8, 32:
	default:
		return netip.AddrPort{}, procAddrError(strconv.Quote(s) + ": want 8 or 32 hex digits before the colon")
	}
	for i := 0; i < len(hexAddr); i += 8 {
		w, err := strconv.ParseUint(hexAddr[i:i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, procAddrError(strconv.Quote(s) + ": address is not hex")
		}
		order.PutUint32(raw[i/2:], uint32(w))
	}
	if len(hexAddr) == 8 {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(raw[:4])), uint16(port)), nil
	}
	return netip.AddrPortFrom(netip.AddrFrom16(raw), uint16(port)), nil
}
