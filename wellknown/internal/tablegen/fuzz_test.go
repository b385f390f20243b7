package tablegen

import (
	"github.com/portalloc/ports/wellknown/internal/packed"
	"os"
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

// FuzzParseRegistry feeds arbitrary bytes to the registry parser: it must
// return records or an error, never panic, and every record it returns must
// be representable.
func FuzzParseRegistry(f *testing.F) {
	fixture, err := os.ReadFile("testdata/fixture.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(fixture)) // the hand-made fixture: every kind of record
	const open = `<registry xmlns="http://www.iana.org/assignments"><updated>2026-08-17</updated>`
	f.Add(open + `<record><name>x11</name><protocol>tcp</protocol><description>X</description><number>6000-6063</number></record></registry>`) // a range
	f.Add(open + `<record><name>argus</name><description>ARGUS</description></record></registry>`)                                             // no number
	f.Add(open + `<record><protocol>udp</protocol><description>Reserved</description><number>0</number></record></registry>`)                  // reserved
	f.Add(open + `<record><name>d</name><protocol>DCCP</protocol><description>d</description><number>1</number></record></registry>`)          // unusual transport, upper case
	f.Add(open + `<record><name>d</name><protocol>ddp</protocol><description>d</description><number>1</number></record></registry>`)           // unknown transport
	f.Add(open + `<record><number>65535-0</number></record></registry>`)                                                                       // inverted range
	f.Add(open + `<record><number>-1</number><note>alias to "</note></record></registry>`)                                                     // bad number, broken note
	f.Add(`<registry><record>`)                                                                                                                // truncated
	f.Add(``)                                                                                                                                  // empty
	f.Fuzz(func(t *testing.T, in string) {
		reg, err := ParseRegistry(strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tablegen: ") {
				t.Errorf("ParseRegistry error %q does not start with the package name", err)
			}
			return
		}
		for _, r := range reg.Records {
			if r.Protocol != 0 && !r.Protocol.IsValid() {
				t.Errorf("record %+v: invalid protocol", r)
			}
			if r.Status < Assigned || r.Status > Unassigned {
				t.Errorf("record %+v: status %d", r, r.Status)
			}
			if (r.Name != "") != (r.Status == Assigned) {
				t.Errorf("record %+v: name and status disagree", r)
			}
		}
		if _, err := Build(reg, nil); err != nil && len(reg.Records) < 1<<16 {
			t.Errorf("Build of %d parsed records: %v", len(reg.Records), err)
		}
	})
}

// FuzzParseRecord checks the record parser on arbitrary fields.
func FuzzParseRecord(f *testing.F) {
	f.Add("http", "tcp", "80", "World Wide Web HTTP", "")                  // plain
	f.Add("x11", "udp", "6000-6063", "X Window\n   System", "")            // range, wrapped description
	f.Add("", "", "81", "Unassigned", "")                                  // no name, no transport
	f.Add("www", "TCP", "080", "dup", `a duplicate of the "http" service`) // alias note, leading zero
	f.Add("z", "icmp", "1", "z", "")                                       // unknown transport
	f.Add("z", "tcp", "1-", "z", "")                                       // half a range
	f.Fuzz(func(t *testing.T, name, proto, number, desc, note string) {
		r, err := ParseRecord(name, proto, number, desc, []string{note})
		if err != nil {
			return
		}
		if number == "" && r.HasNumber() {
			t.Errorf("ParseRecord(number %q) has a number %v", number, r.Range)
		}
		if r.HasNumber() {
			want, err := ports.ParseRange(strings.TrimSpace(number))
			if err != nil || want != r.Range {
				t.Errorf("ParseRecord(number %q).Range = %v, want %v (%v)", number, r.Range, want, err)
			}
		}
		if strings.Join(strings.Fields(r.Description), " ") != r.Description {
			t.Errorf("ParseRecord(description %q).Description = %q, not collapsed", desc, r.Description)
		}
	})
}

// FuzzParseDeFacto checks the de-facto table parser on arbitrary text.
func FuzzParseDeFacto(f *testing.F) {
	f.Add("grafana | 3000/tcp | observability | Grafana | UI | https://grafana.com/docs/\n") // one entry
	f.Add("# c\n\nk,k2 | 5060/tcp,udp | media | Kamailio | SIP | https://kamailio.org/\n")   // comment, aliases, two transports
	f.Add("r | 10000-20000/udp | media | A | RTP | https://a.org/\n")                        // range
	f.Add("a | 1/tcp | nope | P | d | https://x\n")                                          // bad category
	f.Add("a | 1/tcp | cache | P | d | https://x | extra\n")                                 // seven fields
	f.Add("A | 99999/tcp | cache | P | d | ftp://x\n")                                       // everything wrong
	f.Fuzz(func(t *testing.T, in string) {
		es, err := ParseDeFacto(strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tablegen: ") {
				t.Errorf("ParseDeFacto error %q does not start with the package name", err)
			}
			return
		}
		for _, e := range es {
			if len(e.Names) == 0 || len(e.Protocols) == 0 || !e.Range.IsValid() {
				t.Errorf("entry %+v: missing names, protocols or range", e)
			}
			if e.Category < 1 || e.Category > len(CategoryNames) {
				t.Errorf("entry %+v: category %d", e, e.Category)
			}
			for _, n := range e.Names {
				if n != lowerASCII(n) {
					t.Errorf("entry %+v: name %q not lower case", e, n)
				}
			}
		}
	})
}

// FuzzParseImages checks the image table parser on arbitrary text: it
// fails with an error that names the package, or every image it records is
// a valid key that ImageKey leaves as it is.
func FuzzParseImages(f *testing.F) {
	f.Add("postgres, bitnami/postgresql | postgresql\n")                 // two images
	f.Add("# c\n\ndocker.elastic.co/elasticsearch/elasticsearch | es\n") // comment, registry host
	f.Add("mysql | postgresql, es\n")                                    // two entries
	f.Add("a:1 | es\n")                                                  // tag
	f.Add("x | y | z\n")                                                 // three fields
	f.Add("postgres | postgresql\ndocker.io/library/postgres | es\n")    // one image twice
	f.Fuzz(func(t *testing.T, in string) {
		df := []DeFacto{{Names: []string{"postgresql"}}, {Names: []string{"es"}}}
		if err := ParseImages(strings.NewReader(in), df); err != nil {
			if !strings.HasPrefix(err.Error(), "tablegen: ") {
				t.Errorf("ParseImages error %q does not start with the package name", err)
			}
			return
		}
		for _, e := range df {
			for _, k := range e.Images {
				if k == "" || packed.ImageKey(k) != k || k != lowerASCII(k) {
					t.Errorf("entry %v: image key %q is not a key", e.Names, k)
				}
			}
		}
	})
}
