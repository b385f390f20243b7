// Package tablegen reads the IANA Service Name and Transport Protocol Port
// Number Registry (its XML form), the curated table of de-facto ports and
// the table of the container images that run their software, and writes
// the packed Go tables of package wellknown.
//
// It is used by the generator (wellknown/internal/gen, run by go generate)
// and by the tests of package wellknown, which check the generated tables
// against the registry they came from.
package tablegen

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/portalloc/ports"
)

// Status is the registration status of an IANA record, as package wellknown
// numbers it.
type Status uint8

// The statuses of an IANA record.
const (
	Assigned   Status = 1 // the record names a service
	Reserved   Status = 2 // no service name; description "Reserved…" or "any private …"
	Unassigned Status = 3 // no service name; anything else (unassigned, de-registered, removed…)
)

// Record is one record of the IANA registry, reduced to what package
// wellknown keeps.
type Record struct {
	Name        string         // service name, "" if none
	Protocol    ports.Protocol // 0 when the record names no transport
	Range       ports.Range    // invalid when the record has no number
	Description string         // white space collapsed
	Status      Status
	AliasOf     string // the service this one is an alias or duplicate of, from the notes
}

// HasNumber reports whether the record carries a port number or range.
func (r Record) HasNumber() bool { return r.Range.IsValid() }

// Registry is what ParseRegistry reads.
type Registry struct {
	Updated string   // the registry's <updated> date, "2026-08-17"
	Records []Record // every record, in file order, with or without a number
}

// xmlRecord is a <record> element as encoding/xml decodes it.
type xmlRecord struct {
	Name        string    `xml:"name"`
	Protocol    string    `xml:"protocol"`
	Number      string    `xml:"number"`
	Description string    `xml:"description"`
	Notes       []xmlNote `xml:"note"`
}

type xmlNote struct {
	Text string `xml:",chardata"`
}

// ParseRegistry reads the registry's XML from r. Every <record> element is
// returned, in file order; a record that cannot be represented (an unknown
// transport, a malformed number) is an error naming the record.
func ParseRegistry(r io.Reader) (*Registry, error) {
	d := xml.NewDecoder(r)
	reg := &Registry{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tablegen: reading registry XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "record":
				var x xmlRecord
				if err := d.DecodeElement(&x, &t); err != nil {
					return nil, fmt.Errorf("tablegen: record %d: %w", len(reg.Records)+1, err)
				}
				rec, err := ParseRecord(x.Name, x.Protocol, x.Number, x.Description, noteTexts(x.Notes))
				if err != nil {
					return nil, fmt.Errorf("tablegen: record %d: %w", len(reg.Records)+1, err)
				}
				reg.Records = append(reg.Records, rec)
			case t.Name.Local == "updated" && depth == 1:
				var s string
				if err := d.DecodeElement(&s, &t); err != nil {
					return nil, fmt.Errorf("tablegen: registry <updated>: %w", err)
				}
				reg.Updated = strings.TrimSpace(s)
			default:
				depth++
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(reg.Records) == 0 {
		return nil, errors.New("tablegen: no <record> element in the registry XML")
	}
	return reg, nil
}

func noteTexts(ns []xmlNote) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text
	}
	return out
}

// The registry says "This entry is an alias to "whoispp"." or "This is a
// duplicate of the "http" service".
var aliasRE = regexp.MustCompile(`(?:alias to|duplicate of the) "([^"]+)"`)

// ParseRecord turns the text of one registry record into a Record. number is
// "" (no number), "80" or "6000-6063"; protocol is "" (none) or one of tcp,
// udp, sctp and dccp in any case.
func ParseRecord(name, protocol, number, description string, notes []string) (Record, error) {
	rec := Record{
		Name:        strings.TrimSpace(name),
		Description: collapse(description),
	}
	label := rec.Name
	if label == "" {
		label = rec.Description
	}
	if p := strings.TrimSpace(protocol); p != "" {
		proto, err := ports.ParseProtocol(p)
		if err != nil {
			return Record{}, fmt.Errorf("%q: unknown transport protocol %q; want tcp, udp, sctp or dccp", label, p)
		}
		rec.Protocol = proto
	}
	if n := strings.TrimSpace(number); n != "" {
		r, err := ports.ParseRange(n)
		if err != nil {
			return Record{}, fmt.Errorf("%q: bad number: %w", label, err)
		}
		rec.Range = r
	}
	for _, c := range rec.Name {
		if c <= ' ' || c > '~' {
			return Record{}, fmt.Errorf("%q: service name has a character that is not printable ASCII", label)
		}
	}
	rec.Status = statusOf(rec.Name, rec.Description)
	for _, n := range notes {
		if m := aliasRE.FindStringSubmatch(n); m != nil {
			rec.AliasOf = m[1]
			break
		}
	}
	return rec, nil
}

func statusOf(name, desc string) Status {
	if name != "" {
		return Assigned
	}
	low := strings.ToLower(desc)
	if strings.HasPrefix(low, "reserved") || strings.HasPrefix(low, "any private") {
		return Reserved
	}
	return Unassigned
}

// collapse replaces every run of white space in s by one space and trims the
// ends: the registry wraps long descriptions over several lines.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
