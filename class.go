package ports

import (
	"strconv"
	"strings"
)

// Class is one of the three port-number ranges of RFC 6335, section 6.
// Every port belongs to exactly one class.
//
// The zero value is not a class; its String is "invalid Class".
type Class uint8

const (
	// System ports, 0-1023, also called well-known ports: assigned by IANA
	// through IETF Review or IESG Approval.
	System Class = iota + 1
	// User ports, 1024-49151, also called registered ports: assigned by
	// IANA through IETF Review, IESG Approval or Expert Review.
	User
	// Dynamic ports, 49152-65535, also called private or ephemeral ports:
	// never assigned, left to local use and to the OS for outgoing
	// connections (though most OSes pick their ephemeral ports elsewhere;
	// see package hostports).
	Dynamic
)

// Classes returns the three classes in port order.
func Classes() [3]Class {
	return [3]Class{System, User, Dynamic}
}

// Range returns the ports of c, or the zero Range if c is not a class.
func (c Class) Range() Range {
	switch c {
	case System:
		return Range{lo: 0, hi: 1023, ok: true}
	case User:
		return Range{lo: 1024, hi: 49151, ok: true}
	case Dynamic:
		return Range{lo: 49152, hi: 65535, ok: true}
	}
	return Range{}
}

// String returns "system", "user" or "dynamic".
func (c Class) String() string {
	switch c {
	case System:
		return "system"
	case User:
		return "user"
	case Dynamic:
		return "dynamic"
	}
	return "invalid Class"
}

// Title returns the name RFC 6335 gives the class: "System Ports",
// "User Ports" or "Dynamic and/or Private Ports".
func (c Class) Title() string {
	switch c {
	case System:
		return "System Ports"
	case User:
		return "User Ports"
	case Dynamic:
		return "Dynamic and/or Private Ports"
	}
	return "invalid Class"
}

// AppendText implements [encoding.TextAppender]: the class's String,
// "system", "user" or "dynamic". The zero value appends nothing; a value
// that is not a class is an error.
func (c Class) AppendText(b []byte) ([]byte, error) {
	switch c {
	case 0:
		return b, nil
	case System, User, Dynamic:
		return append(b, c.String()...), nil
	}
	return b, &ParseError{Func: "Class.MarshalText", Input: "Class(" + strconv.Itoa(int(c)) + ")", Msg: "not a class"}
}

// MarshalText implements [encoding.TextMarshaler]; JSON and YAML write a
// Class as its name.
func (c Class) MarshalText() ([]byte, error) {
	return c.AppendText(nil)
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts "system",
// "user" and "dynamic" in any case; the empty text gives the zero value.
func (c *Class) UnmarshalText(text []byte) error {
	for _, k := range Classes() {
		if strings.EqualFold(string(text), k.String()) {
			*c = k
			return nil
		}
	}
	if len(text) == 0 {
		*c = 0
		return nil
	}
	return &ParseError{Func: "Class.UnmarshalText", Input: string(text), Msg: "unknown class; want system, user or dynamic"}
}
