package ports

import (
	"strconv"
)

// Port is a transport-layer port number. Every value of the type, 0 included,
// is a port: out-of-range input is caught by [ParsePort], never by a panic.
//
// The zero value is port 0, which RFC 6335 reserves; it is a valid Port
// (it is what a program binds to ask the OS for any free port).
type Port uint16

// MaxPort is the largest port number.
const MaxPort Port = 65535

// ParsePort parses s as a decimal port number, 0 to 65535.
//
// Only ASCII digits are accepted: no sign, no white space, no base prefix,
// no digits of other scripts. Leading zeros are accepted ("080" is 80), since
// configuration files write them; [Port.String] never produces them.
func ParsePort(s string) (Port, error) {
	p, msg := parsePort(s)
	if msg != "" {
		return 0, &ParseError{Func: "ParsePort", Input: s, Msg: msg}
	}
	return p, nil
}

// MustParsePort is like [ParsePort] but panics on error. It is meant for
// tests and for package-level values built from constants.
func MustParsePort(s string) Port {
	p, err := ParsePort(s)
	if err != nil {
		panic(err)
	}
	return p
}

// parsePort returns the port and "" or, on failure, a message that says what
// is wrong with s.
func parsePort(s string) (Port, string) {
	if s == "" {
		return 0, "empty port number"
	}
	var n uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			switch {
			case i == 0 && (c == '-' || c == '+'):
				return 0, "sign not allowed; want a decimal number from 0 to 65535"
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				return 0, "white space not allowed"
			case c >= 0x80:
				return 0, "non-ASCII character; want ASCII digits 0-9"
			default:
				return 0, "unexpected character " + strconv.QuoteRune(rune(c)) + "; want a decimal number from 0 to 65535"
			}
		}
		n = n*10 + uint32(c-'0')
		if n > uint32(MaxPort) {
			return 0, "out of range; ports go from 0 to 65535"
		}
	}
	return Port(n), ""
}

// String returns the decimal form of p.
func (p Port) String() string {
	return strconv.Itoa(int(p))
}

// AppendText implements [encoding.TextAppender]: it appends the decimal form
// of p to b.
func (p Port) AppendText(b []byte) ([]byte, error) {
	return strconv.AppendUint(b, uint64(p), 10), nil
}

// MarshalText implements [encoding.TextMarshaler].
func (p Port) MarshalText() ([]byte, error) {
	return p.AppendText(make([]byte, 0, 5))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts what
// [ParsePort] accepts.
func (p *Port) UnmarshalText(text []byte) error {
	q, msg := parsePort(string(text))
	if msg != "" {
		return &ParseError{Func: "Port.UnmarshalText", Input: string(text), Msg: msg}
	}
	*p = q
	return nil
}

// Compare returns -1, 0 or +1 as p is less than, equal to or greater than q.
func (p Port) Compare(q Port) int {
	switch {
	case p < q:
		return -1
	case p > q:
		return +1
	}
	return 0
}

// Class returns the RFC 6335 class of p: [System], [User] or [Dynamic].
func (p Port) Class() Class {
	switch {
	case p <= 1023:
		return System
	case p <= 49151:
		return User
	}
	return Dynamic
}

// IsReserved reports whether RFC 6335 (section 6) reserves p: 0, 1023, 1024
// and 49151, the port below each class and the edges between classes. IANA
// lists them as Reserved; they are never assigned and a scheme should not
// use them.
func (p Port) IsReserved() bool {
	return p == 0 || p == 1023 || p == 1024 || p == 49151
}

// IsPrivileged reports whether p lies below 1024, the ports that Unix-like
// systems by default let only a privileged process bind. Linux makes the
// bound configurable (net.ipv4.ip_unprivileged_port_start); package hostports
// reads the value in force.
func (p Port) IsPrivileged() bool {
	return p < 1024
}

// Range returns the range holding p alone.
func (p Port) Range() Range {
	return Range{lo: p, hi: p, ok: true}
}
