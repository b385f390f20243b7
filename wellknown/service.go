package wellknown

import (
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// Service is one entry of the tables: a service name bound to a port or a
// range of ports on one transport, from the IANA registry or from the
// de-facto table.
//
// A registry record that names several transports is several Services, one
// for each. A registry record that names no transport (most Reserved and
// Unassigned ranges) is one Service whose Protocol is zero; it applies to
// every transport, and the lookups return it whatever protocol they are
// asked for.
//
// Service is a small value type (four bytes), comparable with == and usable
// as a map key, in the manner of net/netip: it points into the package's
// constant tables, and its accessors read them. Passing a Service around
// costs nothing and its strings are never copied. The zero Service is no
// service: [Service.IsValid] reports false, its accessors return zero
// values, and its String is "invalid Service".
type Service struct {
	rec   uint16 // 1 + index into records; 0 for the zero Service
	proto ports.Protocol
}

// noRecord and noExtra stand in for the zero Service's record and for the
// extra of a record that has none, so that the accessors never allocate.
var (
	noRecord = record{}
	noExtra  = extra{}
)

func (s Service) record() *record {
	if s.rec == 0 {
		return &noRecord
	}
	return &records[s.rec-1]
}

func (s Service) extra() *extra {
	if r := s.record(); r.extra != 0 {
		return &extras[r.extra-1]
	}
	return &noExtra
}

// IsValid reports whether s is a service of the tables; only the zero
// Service is not.
func (s Service) IsValid() bool { return s.rec != 0 }

// Name returns the service name: the registry's, with its case ("http",
// "MobilitySrv"), or the de-facto table's, lower case ("grafana"). Some
// registry records (Reserved and Unassigned ports) have no name: "".
func (s Service) Name() string { return s.record().name.String() }

// Range returns the ports of the service: a single port for most, a range
// for some (x11 is 6000-6063). The zero Service has the zero Range.
func (s Service) Range() ports.Range {
	if s.rec == 0 {
		return ports.Range{}
	}
	r := s.record()
	return ports.RangeFrom(ports.Port(r.lo), ports.Port(r.hi))
}

// Endpoint returns the endpoint of s on every address: its range on its
// transport, as a server of that service binds it ("5432/tcp" for
// postgresql). A registry record that names no transport, and the zero
// Service, give the zero Endpoint.
func (s Service) Endpoint() ports.Endpoint {
	return ports.EndpointAnyAddr(s.proto, s.Range())
}

// Protocol returns the transport, or zero when the registry names none.
func (s Service) Protocol() ports.Protocol { return s.proto }

// Description returns the registry's description, white space collapsed,
// or the de-facto table's.
func (s Service) Description() string { return s.record().desc.String() }

// Source returns the table the service comes from; zero for the zero
// Service.
func (s Service) Source() Source {
	switch {
	case s.rec == 0:
		return 0
	case s.record().flags&flagDeFacto != 0:
		return DeFacto
	}
	return IANA
}

// ImageOnly reports whether s is a de-facto entry known by its container
// image only: its port is the one the image listens on inside its container
// and says nothing by itself (pgAdmin's image listens on 80). [ForImage]
// and [ByName] find such entries; [Lookup], [DeFactoPorts] and
// [Collisions] leave them out.
func (s Service) ImageOnly() bool { return s.record().flags&flagImageOnly != 0 }

// Status returns the registration status of an IANA record; zero for a
// de-facto entry.
func (s Service) Status() Status { return Status(s.record().flags & statusMask) }

// AliasOf returns, for an IANA record that the registry's notes call an
// alias or a duplicate, the name of the service it stands for ("www" is a
// duplicate of "http"); "" otherwise.
func (s Service) AliasOf() string { return s.extra().aliasOf.String() }

// Project returns, for a de-facto entry, the software that uses the port
// ("Grafana"); "" for IANA records.
func (s Service) Project() string { return s.extra().project.String() }

// Category returns, for a de-facto entry, what kind of software it is; zero
// for IANA records.
func (s Service) Category() Category { return s.extra().category }

// Reference returns, for a de-facto entry, the URL of the project's
// documentation of the port; "" for IANA records.
func (s Service) Reference() string { return s.extra().reference.String() }

// Compare returns an integer comparing s and o in the order of [All]: by
// range, IANA before de-facto, by name, then by transport. The zero Service
// sorts first.
func (s Service) Compare(o Service) int {
	switch {
	case s.rec != o.rec:
		return cmp.Compare(s.rec, o.rec)
	}
	return cmp.Compare(s.proto, o.proto)
}

// String returns a short form for humans: "http 80/tcp (IANA)",
// "grafana 3000/tcp (Grafana)", "unassigned 81 (IANA)" for a record without
// a name. The zero Service gives "invalid Service".
func (s Service) String() string {
	if s.rec == 0 {
		return "invalid Service"
	}
	b := make([]byte, 0, 64)
	if name := s.Name(); name != "" {
		b = append(b, name...)
	} else {
		b = append(b, s.Status().String()...)
	}
	b = append(b, ' ')
	b, _ = s.Range().AppendText(b)
	if s.proto != 0 {
		b = append(b, '/')
		b = append(b, s.proto.String()...)
	}
	b = append(b, " ("...)
	if s.Source() == DeFacto {
		b = append(b, s.Project()...)
	} else {
		b = append(b, "IANA"...)
	}
	return string(append(b, ')'))
}

// Source says which table a [Service] comes from.
//
// The zero value is no source: it is the Source of the zero Service.
type Source uint8

// The two tables.
const (
	// IANA is the IANA Service Name and Transport Protocol Port Number
	// Registry.
	IANA Source = iota + 1
	// DeFacto is the curated table of ports that widely used software
	// listens on by default, which the registry does not know or knows by
	// another name.
	DeFacto
)

// String returns "iana" or "de-facto"; "Source(N)" for any other value.
func (s Source) String() string {
	if s != 0 && int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// Status is the registration status of an IANA record.
//
// The zero value is no status: it is the Status of every de-facto entry,
// which the registry does not record.
type Status uint8

// The statuses of the registry's records. The registry has no status field:
// the generator derives it from the record, and keeps the description
// verbatim so that nothing is lost.
const (
	// Assigned: the record names a service.
	Assigned Status = iota + 1
	// Reserved: the record names no service and its description starts
	// with "Reserved", or it is one of the "any private …" ports.
	Reserved
	// Unassigned: the record names no service otherwise ("Unassigned",
	// "De-registered", "Removed", "Deprecated"…).
	Unassigned
)

// String returns "assigned", "reserved", "unassigned"; "none" for the zero
// value and "Status(N)" for any other.
func (s Status) String() string {
	switch {
	case s == 0:
		return "none"
	case int(s) < len(statusNames):
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Category says what kind of software a de-facto entry is, for tooling:
// a lint may warn when a Database or an AdminUI port is exposed to the
// world.
//
// The zero value is no category: it is the Category of every IANA record.
type Category uint8

// The categories of the de-facto table.
const (
	Database       Category = iota + 1 // databases and search engines
	Cache                              // caches and in-memory stores
	MessageBroker                      // message brokers and their registries
	Observability                      // metrics, logs, traces, dashboards
	WebServer                          // web servers, application and development servers
	AdminUI                            // administration consoles and web UIs
	Infrastructure                     // orchestration, service discovery, storage, CI, mail catchers
	Media                              // voice, video and streaming
)

var categoryNames = [...]string{
	Database:       "database",
	Cache:          "cache",
	MessageBroker:  "message-broker",
	Observability:  "observability",
	WebServer:      "web-server",
	AdminUI:        "admin-ui",
	Infrastructure: "infrastructure",
	Media:          "media",
}

// Categories returns the categories in constant order.
func Categories() []Category {
	return []Category{Database, Cache, MessageBroker, Observability, WebServer, AdminUI, Infrastructure, Media}
}

// String returns the category's name as the de-facto table writes it:
// "database", "cache", "message-broker", "observability", "web-server",
// "admin-ui", "infrastructure" or "media"; "none" for the zero value and
// "Category(N)" for any other.
func (c Category) String() string {
	switch {
	case c == 0:
		return "none"
	case int(c) < len(categoryNames):
		return categoryNames[c]
	}
	return "Category(" + strconv.Itoa(int(c)) + ")"
}

// textOf and parseText give the enumerations of this file their text
// forms: names[v] for each valid v (names[0] is the zero value's, written
// as nothing).
func textOf(b []byte, what string, v int, names []string) ([]byte, error) {
	switch {
	case v == 0:
		return b, nil
	case v < len(names):
		return append(b, names[v]...), nil
	}
	return b, errors.New("wellknown: " + what + "(" + strconv.Itoa(v) + ") has no name")
}

func parseText(text []byte, what string, names []string) (int, error) {
	if len(text) == 0 {
		return 0, nil
	}
	for i := 1; i < len(names); i++ {
		if string(text) == names[i] {
			return i, nil
		}
	}
	return 0, errors.New("wellknown: unknown " + what + " " + strconv.Quote(string(text)) + "; want " + strings.Join(names[1:], ", "))
}

var (
	sourceNames = []string{"", "iana", "de-facto"}
	statusNames = []string{"", "assigned", "reserved", "unassigned"}
)

// AppendText implements [encoding.TextAppender]: the String of a source,
// nothing for the zero value.
func (s Source) AppendText(b []byte) ([]byte, error) {
	return textOf(b, "Source", int(s), sourceNames)
}

// MarshalText implements [encoding.TextMarshaler]; JSON and YAML write a
// Source as its name.
func (s Source) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText implements [encoding.TextUnmarshaler]: "iana", "de-facto",
// or the empty text for the zero value.
func (s *Source) UnmarshalText(text []byte) error {
	x, err := parseText(text, "source", sourceNames)
	if err == nil {
		*s = Source(x)
	}
	return err
}

// AppendText implements [encoding.TextAppender]: the String of a status,
// nothing for the zero value.
func (s Status) AppendText(b []byte) ([]byte, error) {
	return textOf(b, "Status", int(s), statusNames)
}

// MarshalText implements [encoding.TextMarshaler]; JSON and YAML write a
// Status as its name.
func (s Status) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText implements [encoding.TextUnmarshaler]: "assigned",
// "reserved", "unassigned", or the empty text for the zero value.
func (s *Status) UnmarshalText(text []byte) error {
	x, err := parseText(text, "status", statusNames)
	if err == nil {
		*s = Status(x)
	}
	return err
}

// AppendText implements [encoding.TextAppender]: the String of a category,
// nothing for the zero value.
func (c Category) AppendText(b []byte) ([]byte, error) {
	return textOf(b, "Category", int(c), categoryNames[:])
}

// MarshalText implements [encoding.TextMarshaler]; JSON and YAML write a
// Category as its name ("admin-ui").
func (c Category) MarshalText() ([]byte, error) { return c.AppendText(nil) }

// UnmarshalText implements [encoding.TextUnmarshaler]: a name of
// [Category.String], or the empty text for the zero value.
func (c *Category) UnmarshalText(text []byte) error {
	x, err := parseText(text, "category", categoryNames[:])
	if err == nil {
		*c = Category(x)
	}
	return err
}
