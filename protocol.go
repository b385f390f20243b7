package ports

import "strconv"

// Protocol is a transport protocol of the IANA port registry.
//
// The zero value means "unspecified": it is what a declaration that names no
// protocol holds. Its String is "unspecified" and its text form is empty.
type Protocol uint8

// The four transports that the IANA Service Name and Port Number registry
// assigns ports for.
const (
	TCP  Protocol = iota + 1 // Transmission Control Protocol
	UDP                      // User Datagram Protocol
	SCTP                     // Stream Control Transmission Protocol
	DCCP                     // Datagram Congestion Control Protocol
)

// Protocols returns the four protocols in their constant order.
func Protocols() [4]Protocol {
	return [4]Protocol{TCP, UDP, SCTP, DCCP}
}

var protocolNames = [...]string{"", "tcp", "udp", "sctp", "dccp"}

// ParseProtocol parses "tcp", "udp", "sctp" or "dccp", in any case.
func ParseProtocol(s string) (Protocol, error) {
	p, ok := lookupProtocol(s)
	if !ok {
		return 0, &ParseError{Func: "ParseProtocol", Input: s, Msg: protocolMsg(s)}
	}
	return p, nil
}

func protocolMsg(s string) string {
	if s == "" {
		return "empty protocol; want tcp, udp, sctp or dccp"
	}
	return "unknown protocol; want tcp, udp, sctp or dccp"
}

func lookupProtocol(s string) (Protocol, bool) {
	if len(s) < 3 || len(s) > 4 {
		return 0, false
	}
	var buf [4]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	low := string(buf[:len(s)]) // does not escape: compared only
	for i := TCP; i <= DCCP; i++ {
		if protocolNames[i] == low {
			return i, true
		}
	}
	return 0, false
}

// IsValid reports whether p is one of TCP, UDP, SCTP and DCCP.
func (p Protocol) IsValid() bool {
	return p >= TCP && p <= DCCP
}

// String returns "tcp", "udp", "sctp" or "dccp"; "unspecified" for the zero
// value; and "Protocol(N)" for any other value.
func (p Protocol) String() string {
	switch {
	case p == 0:
		return "unspecified"
	case p.IsValid():
		return protocolNames[p]
	}
	return "Protocol(" + strconv.Itoa(int(p)) + ")"
}

// AppendText implements [encoding.TextAppender]. The zero value appends
// nothing; a value that is not a protocol is an error.
func (p Protocol) AppendText(b []byte) ([]byte, error) {
	switch {
	case p == 0:
		return b, nil
	case p.IsValid():
		return append(b, protocolNames[p]...), nil
	}
	return b, &ParseError{Func: "Protocol.MarshalText", Input: p.String(), Msg: "not a protocol"}
}

// MarshalText implements [encoding.TextMarshaler].
func (p Protocol) MarshalText() ([]byte, error) {
	return p.AppendText(nil)
}

// UnmarshalText implements [encoding.TextUnmarshaler]. The empty text gives
// the zero value; anything else must be accepted by [ParseProtocol].
func (p *Protocol) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = 0
		return nil
	}
	q, ok := lookupProtocol(string(text))
	if !ok {
		return &ParseError{Func: "Protocol.UnmarshalText", Input: string(text), Msg: protocolMsg(string(text))}
	}
	*p = q
	return nil
}
