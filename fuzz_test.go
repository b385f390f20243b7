package ports

import (
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
