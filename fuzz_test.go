package ports

import (
	"encoding/json"
	"strings"
	"testing"
)

// The fuzz targets check that every parser either fails with an error that
// names it and quotes the input, or returns a value whose String parses
// back to the same value. None may panic. Seeds live in testdata/fuzz.

func FuzzParsePort(f *testing.F) {
	f.Add("8080")  // a plain port
	f.Add("65536") // one past the top
	f.Add("-1")    // a sign
	f.Add("８０")    // full-width digits
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePort(s)
		if err != nil {
			checkParseError(t, "ParsePort", s, err)
			return
		}
		if q, err := ParsePort(p.String()); err != nil || q != p {
			t.Fatalf("ParsePort(%q) = %v, but ParsePort(%q) = %v, %v", s, p, p.String(), q, err)
		}
	})
}

func FuzzParseProtocol(f *testing.F) {
	f.Add("tcp")  // canonical
	f.Add("SCTP") // upper case
	f.Add("quic") // unknown
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProtocol(s)
		if err != nil {
			checkParseError(t, "ParseProtocol", s, err)
			return
		}
		if !p.IsValid() || !strings.EqualFold(p.String(), s) {
			t.Fatalf("ParseProtocol(%q) = %v", s, p)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("8000-8100") // a range
	f.Add("9-1")       // inverted
	f.Add("1--2")      // doubled hyphen
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			checkParseError(t, "ParseRange", s, err)
			return
		}
		if !r.IsValid() || r.Lo() > r.Hi() {
			t.Fatalf("ParseRange(%q) = %v, not a valid range", s, r)
		}
		if q, err := ParseRange(r.String()); err != nil || q != r {
			t.Fatalf("ParseRange(%q) = %v, but ParseRange(%q) = %v, %v", s, r, r.String(), q, err)
		}
	})
}

func FuzzParseRangeSet(f *testing.F) {
	f.Add("22,80,443,8000-8100") // a typical list
	f.Add("5-1,3")               // a bad element
	f.Add(" 1 , 2 ")             // spaces
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseRangeSet(s)
		if err != nil {
			checkParseError(t, "ParseRangeSet", s, err)
			return
		}
		if q, err := ParseRangeSet(set.String()); err != nil || !q.Equal(set) {
			t.Fatalf("ParseRangeSet(%q) = %v, but ParseRangeSet(%q) = %v, %v", s, set, set.String(), q, err)
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	f.Add("127.0.0.1:8000-8100/udp") // IPv4 with a range
	f.Add("[::1]:53/udp")            // IPv6 in brackets
	f.Add("[fe80::1%eth0]:546/udp")  // a zone
	f.Add("[fe80::1%x]:1]:80")       // a zone holding "]:"
	f.Add("[fe80::1%a/b]:80/udp")    // a zone holding "/"
	f.Add("::1:53")                  // IPv6 without brackets
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint(s)
		if err != nil {
			checkParseError(t, "ParseEndpoint", s, err)
			return
		}
		if !e.IsValid() {
			t.Fatalf("ParseEndpoint(%q) = %v, not valid", s, e)
		}
		if q, err := ParseEndpoint(e.String()); err != nil || q != e {
			t.Fatalf("ParseEndpoint(%q) = %v, but ParseEndpoint(%q) = %v, %v", s, e, e.String(), q, err)
		}
		if !e.Conflicts(e) {
			t.Fatalf("%v does not conflict with itself", e)
		}
	})
}

func checkParseError(t *testing.T, fn, in string, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "ports: "+fn+"(") {
		t.Fatalf("%s(%q) error %q does not name the function", fn, in, msg)
	}
}

// fuzzJSON checks one UnmarshalJSON on arbitrary JSON: it fails with an
// error that names it, or the value it reads marshals to JSON that reads
// back to the same value.
func fuzzJSON[T any, P interface {
	*T
	json.Unmarshaler
}](t *testing.T, fn, in string, equal func(a, b T) bool) {
	if !json.Valid([]byte(in)) {
		return // encoding/json never hands an unmarshaler invalid JSON
	}
	var v T
	if err := P(&v).UnmarshalJSON([]byte(in)); err != nil {
		if !strings.HasPrefix(err.Error(), "ports: "+fn+"(") {
			t.Fatalf("%s(%s) error %q does not name the function", fn, in, err)
		}
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s(%s) = %v, which json.Marshal refuses: %v", fn, in, v, err)
	}
	var w T
	if err := json.Unmarshal(b, &w); err != nil || !equal(v, w) {
		t.Fatalf("%s(%s) = %v, marshalled as %s, read back as %v, %v", fn, in, v, b, w, err)
	}
}

func FuzzPortUnmarshalJSON(f *testing.F) {
	f.Add(`8080`)     // a number
	f.Add(`"8080"`)   // a string
	f.Add(`"\u0038"`) // an escape
	f.Add(`80.5`)     // a fraction
	f.Add(`-1`)       // a sign
	f.Add(`null`)     // null
	f.Add(`{"a": 1}`) // an object
	f.Fuzz(func(t *testing.T, in string) {
		fuzzJSON[Port](t, "Port.UnmarshalJSON", in, func(a, b Port) bool { return a == b })
	})
}

func FuzzRangeUnmarshalJSON(f *testing.F) {
	f.Add(`8080`)        // a bare number: one port
	f.Add(`"8000-8100"`) // the text form
	f.Add(`""`)          // empty: the zero Range
	f.Add(`1e9`)         // an exponent
	f.Fuzz(func(t *testing.T, in string) {
		fuzzJSON[Range](t, "Range.UnmarshalJSON", in, func(a, b Range) bool { return a == b })
	})
}

func FuzzEndpointUnmarshalJSON(f *testing.F) {
	f.Add(`8080`)                 // a bare number: TCP on every address
	f.Add(`"[::1]:53/udp"`)       // the text form
	f.Add(`"127.0.0.1:1-2\/tcp"`) // an escaped slash
	f.Fuzz(func(t *testing.T, in string) {
		fuzzJSON[Endpoint](t, "Endpoint.UnmarshalJSON", in, func(a, b Endpoint) bool { return a == b })
	})
}

func FuzzRangeSetUnmarshalJSON(f *testing.F) {
	f.Add(`22`)            // a bare number: one port
	f.Add(`"22,80,90-99"`) // the text form
	f.Add(`"9-8"`)         // inverted
	f.Fuzz(func(t *testing.T, in string) {
		fuzzJSON[RangeSet](t, "RangeSet.UnmarshalJSON", in, func(a, b RangeSet) bool { return a.Equal(b) })
	})
}

func FuzzClassUnmarshalText(f *testing.F) {
	f.Add("system")  // a class
	f.Add("DYNAMIC") // upper case
	f.Add("private") // unknown
	f.Fuzz(func(t *testing.T, s string) {
		var c Class
		if err := c.UnmarshalText([]byte(s)); err != nil {
			checkParseError(t, "Class.UnmarshalText", s, err)
			return
		}
		b, err := c.MarshalText()
		if err != nil || !strings.EqualFold(string(b), s) {
			t.Fatalf("Class.UnmarshalText(%q) = %v, which marshals as %q, %v", s, c, b, err)
		}
	})
}
