package ports

import (
	"bytes"
	"strconv"
	"strings"
)

// The JSON and YAML forms of the value types.
//
// A Port is a number in both, as in the configurations people write
// (Kubernetes' containerPort: 8080, compose's published: 8080), and is read
// from a number or from a string of digits. Range, Endpoint and RangeSet
// write their text form, a string ("8000-8100", "127.0.0.1:53/udp",
// "22,80"), and also read a bare number, which is one port. Protocol and
// Class are strings. JSON's null leaves a value as it is, as encoding/json
// does for every type; YAML's null gives the zero value.
//
// YAML decoders that honour encoding.TextUnmarshaler (go.yaml.in/yaml/v3
// and its forebears) give it the text of any scalar, a number's digits too,
// so reading YAML needs nothing beyond UnmarshalText; writing a Port as a
// number needs MarshalYAML, which such encoders call before MarshalText.
// None of this imports a YAML package.

// jsonText returns the text a JSON value holds for the parsers of this
// package: a string's content or a number's digits, in data itself where
// no escape needs decoding. null reports null; any other JSON value is an
// error naming fn.
func jsonText(fn string, data []byte) (text []byte, null bool, err error) {
	switch {
	case string(data) == "null":
		return nil, true, nil
	case len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"':
		body := data[1 : len(data)-1]
		if bytes.IndexByte(body, '\\') < 0 {
			return body, false, nil
		}
		// JSON's escapes are Go's but for \/; encoding/json has checked
		// the syntax before it calls an unmarshaler.
		u, uerr := strconv.Unquote(`"` + strings.ReplaceAll(string(body), `\/`, `/`) + `"`)
		if uerr != nil {
			return nil, false, &ParseError{Func: fn, Input: string(data), Msg: "bad escape in a JSON string"}
		}
		return []byte(u), false, nil
	case len(data) > 0 && (data[0] == '-' || '0' <= data[0] && data[0] <= '9'):
		return data, false, nil
	}
	return nil, false, &ParseError{Func: fn, Input: string(data), Msg: "want a number or a string"}
}

// MarshalJSON implements [encoding/json.Marshaler]: a Port is a JSON
// number, 8080.
func (p Port) MarshalJSON() ([]byte, error) {
	return p.AppendText(make([]byte, 0, 5))
}

// UnmarshalJSON implements [encoding/json.Unmarshaler]. It accepts a
// number (8080) or a string of digits ("8080") that [ParsePort] accepts; a
// fraction, an exponent or a sign is an error. null leaves p as it is.
func (p *Port) UnmarshalJSON(data []byte) error {
	text, null, err := jsonText("Port.UnmarshalJSON", data)
	if err != nil || null {
		return err
	}
	q, msg := parsePort(string(text))
	if msg != "" {
		return &ParseError{Func: "Port.UnmarshalJSON", Input: string(text), Msg: msg}
	}
	*p = q
	return nil
}

// MarshalYAML returns p as an int, so that YAML encoders write a number
// (containerPort: 8080) rather than the quoted string its MarshalText
// would give them. Reading YAML goes through [Port.UnmarshalText], which
// takes a number's digits.
func (p Port) MarshalYAML() (any, error) {
	return int(p), nil
}

// UnmarshalJSON implements [encoding/json.Unmarshaler]. It accepts what
// [Range.UnmarshalText] accepts, as a string ("8000-8100", "8080"), and a
// number, which is a range of one port (8080). null leaves r as it is.
func (r *Range) UnmarshalJSON(data []byte) error {
	text, null, err := jsonText("Range.UnmarshalJSON", data)
	if err != nil || null {
		return err
	}
	if len(text) == 0 {
		*r = Range{}
		return nil
	}
	q, msg, inner := parseRange(string(text))
	if msg != "" {
		return &ParseError{Func: "Range.UnmarshalJSON", Input: string(text), Msg: msg, Part: inner}
	}
	*r = q
	return nil
}

// UnmarshalJSON implements [encoding/json.Unmarshaler]. It accepts what
// [Endpoint.UnmarshalText] accepts, as a string ("127.0.0.1:53/udp"), and a
// number, which is that port on every address over TCP (8080). null leaves
// e as it is.
func (e *Endpoint) UnmarshalJSON(data []byte) error {
	text, null, err := jsonText("Endpoint.UnmarshalJSON", data)
	if err != nil || null {
		return err
	}
	if len(text) == 0 {
		*e = Endpoint{}
		return nil
	}
	q, msg, inner := parseEndpoint(string(text))
	if msg != "" {
		return &ParseError{Func: "Endpoint.UnmarshalJSON", Input: string(text), Msg: msg, Part: inner}
	}
	*e = q
	return nil
}

// UnmarshalJSON implements [encoding/json.Unmarshaler]. It accepts what
// [RangeSet.UnmarshalText] accepts, as a string ("22,80,8000-8100"), and a
// number, which is a set of one port (22). null leaves s as it is.
func (s *RangeSet) UnmarshalJSON(data []byte) error {
	text, null, err := jsonText("RangeSet.UnmarshalJSON", data)
	if err != nil || null {
		return err
	}
	set, perr := parseRangeSet(string(text))
	if perr != nil {
		perr.Func = "RangeSet.UnmarshalJSON"
		return perr
	}
	*s = set
	return nil
}
