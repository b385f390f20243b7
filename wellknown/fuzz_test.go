package wellknown

import (
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

// FuzzByName checks the case folding of ByName on arbitrary names: it never
// panics, everything it finds has the name (or, for a de-facto entry, an
// alias) asked for, and the name in any case finds the same services.
func FuzzByName(f *testing.F) {
	f.Add("http")                       // registry name on three transports
	f.Add("HTTP")                       // upper case
	f.Add("MobilitySrv")                // mixed case in the registry itself
	f.Add("postgres")                   // de-facto alias
	f.Add("whois++")                    // punctuation
	f.Add("")                           // empty
	f.Add("\xff\xfe")                   // not UTF-8
	f.Add("ß")                          // folds only outside ASCII
	f.Add(strings.Repeat("x", 64))      // longer than any name
	f.Add("angzarr-aggregate-nodeport") // the longest name
	f.Fuzz(func(t *testing.T, name string) {
		lower := strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, name)
		var got []Service
		for s := range ByName(name) {
			got = append(got, s)
			if strings.ToLower(s.Name()) != lower && s.Source() != DeFacto {
				t.Errorf("ByName(%q) found %v", name, s)
			}
		}
		upper := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}, name)
		n := 0
		for range ByName(upper) {
			n++
		}
		if n != len(got) {
			t.Errorf("ByName(%q) found %d services, ByName(%q) %d", name, len(got), upper, n)
		}
		for _, s := range got {
			found := false
			for l := range Lookup(s.Range().Lo(), s.Protocol()) {
				found = found || l == s
			}
			if !found {
				t.Errorf("ByName(%q) found %v, which Lookup(%d, %s) does not", name, s, s.Range().Lo(), s.Protocol())
			}
		}
	})
}

// FuzzLookup checks Lookup on arbitrary ports and protocol values: what it
// finds holds the port and has the protocol asked for.
func FuzzLookup(f *testing.F) {
	f.Add(uint16(80), uint8(1))     // http/tcp
	f.Add(uint16(6010), uint8(2))   // inside x11's range
	f.Add(uint16(0), uint8(0))      // port 0, any protocol
	f.Add(uint16(65535), uint8(4))  // the last port
	f.Add(uint16(3000), uint8(200)) // not a protocol
	f.Fuzz(func(t *testing.T, p uint16, proto uint8) {
		for s := range Lookup(ports.Port(p), ports.Protocol(proto)) {
			if !s.Range().Contains(ports.Port(p)) {
				t.Errorf("Lookup(%d, %d) found %v", p, proto, s)
			}
			if proto != 0 && s.Protocol() != 0 && s.Protocol() != ports.Protocol(proto) {
				t.Errorf("Lookup(%d, %d) found %v", p, proto, s)
			}
		}
	})
}

// FuzzForImage checks ForImage on arbitrary image references: it never
// panics, yields only de-facto entries, and gives the same services for the
// image under a registry host, with a tag and in upper case.
func FuzzForImage(f *testing.F) {
	f.Add("postgres")                                      // official image
	f.Add("docker.io/library/postgres:16")                 // host, library/, tag
	f.Add("docker.elastic.co/elasticsearch/elasticsearch") // host that is part of the pattern
	f.Add("bitnami/kafka@sha256:00")                       // digest
	f.Add("nginx")                                         // unknown
	f.Add("")                                              // empty
	f.Add("\xff/\x00:@")                                   // not a reference
	f.Add(strings.Repeat("a/", 100))                       // long
	f.Fuzz(func(t *testing.T, image string) {
		var got []Service
		for s := range ForImage(image) {
			if s.Source() != DeFacto {
				t.Errorf("ForImage(%q) yields %v, not a de-facto entry", image, s)
			}
			got = append(got, s)
		}
		if strings.ContainsAny(image, "@:") {
			return // a host or tag is already there
		}
		variants := []string{image + ":1.0", strings.ToUpper(image)}
		if first, _, ok := strings.Cut(image, "/"); !ok || !strings.Contains(first, ".") && !strings.EqualFold(first, "localhost") {
			variants = append(variants, "registry.example.com:5000/"+image)
		}
		for _, variant := range variants {
			var again []Service
			for s := range ForImage(variant) {
				again = append(again, s)
			}
			if len(again) != len(got) || (len(got) > 0 && again[0] != got[0]) {
				t.Errorf("ForImage(%q) = %v, but ForImage(%q) = %v", image, got, variant, again)
			}
		}
	})
}

// FuzzEnumUnmarshalText checks the text forms of Source, Status and
// Category: what UnmarshalText accepts marshals back to the same text, and
// what it refuses is an error naming the package.
func FuzzEnumUnmarshalText(f *testing.F) {
	f.Add("admin-ui") // a category
	f.Add("de-facto") // a source
	f.Add("reserved") // a status
	f.Add("none")     // the zero value's String, which is not its text
	f.Fuzz(func(t *testing.T, s string) {
		var src Source
		var st Status
		var c Category
		for _, u := range []interface {
			UnmarshalText([]byte) error
			MarshalText() ([]byte, error)
		}{&src, &st, &c} {
			if err := u.UnmarshalText([]byte(s)); err != nil {
				if !strings.HasPrefix(err.Error(), "wellknown: ") {
					t.Fatalf("UnmarshalText(%q) error %q does not name the package", s, err)
				}
				continue
			}
			if b, err := u.MarshalText(); err != nil || string(b) != s {
				t.Fatalf("UnmarshalText(%q) then MarshalText = %q, %v", s, b, err)
			}
		}
	})
}
