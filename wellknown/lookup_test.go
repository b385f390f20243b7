package wellknown

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// names returns "name/proto" for each service, in order.
func names(seq func(yield func(Service) bool)) []string {
	var out []string
	for s := range seq {
		out = append(out, fmt.Sprintf("%s/%s/%s", s.Name(), s.Protocol(), s.Source()))
	}
	return out
}

func TestLookup(t *testing.T) {
	tests := []struct {
		port  ports.Port
		proto ports.Protocol
		want  []string
	}{
		{80, ports.TCP, []string{"http/tcp/iana", "www/tcp/iana", "www-http/tcp/iana"}},
		{80, ports.SCTP, []string{"http/sctp/iana"}},
		{80, 0, []string{"http/sctp/iana", "http/tcp/iana", "http/udp/iana", "www/tcp/iana", "www/udp/iana", "www-http/tcp/iana", "www-http/udp/iana"}},
		{6010, ports.TCP, []string{"x11/tcp/iana"}},         // inside a range
		{6063, ports.UDP, []string{"x11/udp/iana"}},         // its last port
		{6064, ports.TCP, []string{"ndl-ahp-svc/tcp/iana"}}, // past it
		{81, ports.TCP, []string{"/unspecified/iana"}},      // unassigned, no transport named
		{5432, ports.TCP, []string{"postgresql/tcp/iana", "postgresql/tcp/de-facto"}},
		{5432, ports.UDP, []string{"postgresql/udp/iana"}},
		{3000, ports.TCP, []string{"hbci/tcp/iana", "remoteware-cl/tcp/iana", "gitea/tcp/de-facto", "grafana/tcp/de-facto", "metabase/tcp/de-facto", "nextjs/tcp/de-facto", "rails/tcp/de-facto"}},
		{5173, ports.TCP, []string{"vite/tcp/de-facto", "/unspecified/iana"}},                                     // 5173 before 5173-…
		{15000, ports.UDP, []string{"asterisk-rtp/udp/de-facto", "rtpengine-rtp/udp/de-facto", "hydap/udp/iana"}}, // 10000-… before 15000
		{50500, ports.TCP, []string{"angzarr-business/tcp/de-facto"}},                                             // dynamic port: only the de-facto range
		{50500, ports.UDP, nil},
		{80, ports.Protocol(9), nil}, // not a transport
		{65535, ports.TCP, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.port, tt.proto), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, names(Lookup(tt.port, tt.proto))); diff != "" {
				t.Errorf("Lookup(%d, %s) mismatch (-want +got):\n%s", tt.port, tt.proto, diff)
			}
		})
	}
}

// view is a Service's fields, for comparing with cmp.
type view struct {
	Name, Range, Protocol, Description, Source, Status string
	AliasOf, Project, Category, Reference              string
}

func viewOf(s Service) view {
	return view{s.Name(), s.Range().String(), s.Protocol().String(), s.Description(), s.Source().String(), s.Status().String(),
		s.AliasOf(), s.Project(), s.Category().String(), s.Reference()}
}

func TestLookupService(t *testing.T) {
	var got []view
	for s := range Lookup(9000, ports.TCP) {
		if s.Name() == "clickhouse" || s.Name() == "cslistener" {
			got = append(got, viewOf(s))
		}
	}
	want := []view{{
		Name: "cslistener", Range: "9000", Protocol: "tcp", Description: "CSlistener", Source: "iana", Status: "assigned",
		Category: "none",
	}, {
		Name: "clickhouse", Range: "9000", Protocol: "tcp", Description: "ClickHouse native protocol", Source: "de-facto", Status: "none",
		Project: "ClickHouse", Category: "database", Reference: "https://clickhouse.com/docs/en/guides/sre/network-ports",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lookup(9000, tcp) mismatch (-want +got):\n%s", diff)
	}
	for s := range ByName("www") {
		if v := viewOf(s); v.AliasOf != "http" || v.Status != "assigned" {
			t.Errorf("ByName(www): %+v, want an assigned alias of http", v)
		}
	}
}

func TestZeroService(t *testing.T) {
	var s Service
	want := view{Range: "invalid Range", Protocol: "unspecified", Source: "Source(0)", Status: "none", Category: "none"}
	if diff := cmp.Diff(want, viewOf(s)); diff != "" {
		t.Errorf("zero Service mismatch (-want +got):\n%s", diff)
	}
	if s.IsValid() || s.String() != "invalid Service" {
		t.Errorf("zero Service: IsValid %v, String %q", s.IsValid(), s)
	}
	if first(All()).Compare(s) <= 0 || s.Compare(s) != 0 {
		t.Error("the zero Service does not sort first")
	}
}

func TestByName(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"http", []string{"http/sctp/iana", "http/tcp/iana", "http/udp/iana"}},
		{"HTTP", []string{"http/sctp/iana", "http/tcp/iana", "http/udp/iana"}},
		{"www", []string{"www/tcp/iana", "www/udp/iana"}},
		{"mobilitysrv", []string{"MobilitySrv/tcp/iana", "MobilitySrv/udp/iana"}},
		{"x11", []string{"x11/tcp/iana", "x11/udp/iana"}},
		{"postgres", []string{"postgresql/tcp/de-facto"}},    // a de-facto alias
		{"TimescaleDB", []string{"postgresql/tcp/de-facto"}}, // case folded
		{"postgresql", []string{"postgresql/tcp/iana", "postgresql/udp/iana", "postgresql/tcp/de-facto"}},
		{"kamailio", []string{"kamailio/tcp/de-facto", "kamailio/udp/de-facto"}},
		{"whois++", []string{"whois++/tcp/iana", "whois++/udp/iana"}},
		{"no-such-service", nil},
		{"", nil},
		{strings.Repeat("a", 200), nil},
		{"http\x00", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, names(ByName(tt.name))); diff != "" {
				t.Errorf("ByName(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestAliasOf(t *testing.T) {
	for s := range ByName("www") {
		if s.AliasOf() != "http" {
			t.Errorf("ByName(www): %v AliasOf = %q, want http", s, s.AliasOf())
		}
	}
	for s := range ByName("sql*net") {
		if s.AliasOf() != "sql-net" {
			t.Errorf("ByName(sql*net): %v AliasOf = %q, want sql-net", s, s.AliasOf())
		}
	}
}

// lookupRef is the slow, obviously right Lookup.
func lookupRef(all []Service, p ports.Port, proto ports.Protocol) []Service {
	var out []Service
	if proto > ports.DCCP {
		return nil
	}
	for _, s := range all {
		if !s.ImageOnly() && s.Range().Contains(p) && (proto == 0 || s.Protocol() == proto || s.Protocol() == 0) {
			out = append(out, s)
		}
	}
	return out
}

// TestLookupAgainstReference checks Lookup against a scan of All, on random
// ports and protocols.
func TestLookupAgainstReference(t *testing.T) {
	all := allServices()
	rapid.Check(t, func(t *rapid.T) {
		var p ports.Port
		if rapid.Bool().Draw(t, "edge") {
			// The ends of a service's range, and their neighbours.
			s := rapid.SampledFrom(all).Draw(t, "service")
			p = ports.Port(int(rapid.SampledFrom([]ports.Port{s.Range().Lo(), s.Range().Hi()}).Draw(t, "end")) + rapid.IntRange(-1, 1).Draw(t, "delta"))
		} else {
			p = ports.Port(rapid.IntRange(0, 65535).Draw(t, "port"))
		}
		proto := ports.Protocol(rapid.IntRange(0, 5).Draw(t, "proto"))
		want := lookupRef(all, p, proto)
		got := slices.Collect(Lookup(p, proto))
		if !slices.Equal(want, got) {
			t.Fatalf("Lookup(%d, %s) = %v, want %v", p, proto, got, want)
		}
	})
}

// TestLookupEveryPort checks Lookup on every port and protocol against the
// services of All spread over their ranges: every block of the indexes, and
// every edge between blocks, is visited.
func TestLookupEveryPort(t *testing.T) {
	perPort := make([][]Service, 1<<16)
	for s := range All() {
		if s.ImageOnly() {
			continue
		}
		r := s.Range()
		for p := int(r.Lo()); p <= int(r.Hi()); p++ {
			perPort[p] = append(perPort[p], s)
		}
	}
	var want []Service
	for p := range perPort {
		for proto := ports.Protocol(0); proto <= ports.DCCP+1; proto++ {
			want = want[:0]
			for _, s := range perPort[p] {
				if proto <= ports.DCCP && (proto == 0 || s.Protocol() == proto || s.Protocol() == 0) {
					want = append(want, s)
				}
			}
			got := slices.Collect(Lookup(ports.Port(p), proto))
			if !slices.Equal(want, got) {
				t.Fatalf("Lookup(%d, %s) = %v, want %v", p, proto, got, want)
			}
		}
	}
}

// TestNameRoundTrip is the property of the issue: for every name, looking it
// up by name and then by its port finds the service again (but for the
// entries known by image only, which the lookup by port leaves out).
func TestNameRoundTrip(t *testing.T) {
	all := allServices()
	check := func(t interface{ Fatalf(string, ...any) }, s Service, name string) {
		if !slices.Contains(slices.Collect(ByName(name)), s) {
			t.Fatalf("ByName(%q) does not find %v", name, s)
		}
		for _, p := range []ports.Port{s.Range().Lo(), s.Range().Hi()} {
			if found := slices.Contains(slices.Collect(Lookup(p, s.Protocol())), s); found == s.ImageOnly() {
				t.Fatalf("Lookup(%d, %s) finds %v: %t, want %t (ByName(%q) finds it; ImageOnly %t)", p, s.Protocol(), s, found, !s.ImageOnly(), name, s.ImageOnly())
			}
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.SampledFrom(all).Filter(func(s Service) bool { return s.Name() != "" }).Draw(t, "service")
		name := s.Name()
		if rapid.Bool().Draw(t, "upper") {
			name = strings.ToUpper(name)
		}
		check(t, s, name)
	})
	// And, since there are few of them, every name exhaustively.
	for _, s := range all {
		if s.Name() != "" {
			check(t, s, s.Name())
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	n := 0
	tests := map[string]func(){
		"Lookup(80, tcp)": func() {
			for s := range Lookup(80, ports.TCP) {
				n += len(s.Name())
			}
		},
		"Lookup(6010, 0)": func() {
			for s := range Lookup(6010, 0) {
				n += len(s.Name())
			}
		},
		"ByName(PostgreSQL)": func() {
			for s := range ByName("PostgreSQL") {
				n += len(s.Name())
			}
		},
		"ByName(http)": func() {
			for s := range ByName("http") {
				n += len(s.Name())
			}
		},
		"CollisionAt(8080, tcp)": func() {
			c, _ := CollisionAt(8080, ports.TCP)
			for s := range c.Services() {
				n += len(s.Name())
			}
		},
	}
	for name, f := range tests {
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, a)
		}
	}
}

func TestServiceString(t *testing.T) {
	tests := []struct {
		s    Service
		want string
	}{
		{Service{}, "invalid Service"},
		{first(Lookup(80, ports.TCP)), "http 80/tcp (IANA)"},
		{first(Lookup(81, ports.TCP)), "unassigned 81 (IANA)"},
		{first(ByName("grafana")), "grafana 3000/tcp (Grafana)"},
		{first(ByName("x11")), "x11 6000-6063/tcp (IANA)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func first(seq func(yield func(Service) bool)) Service {
	for s := range seq {
		return s
	}
	return Service{}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct {
		v    fmt.Stringer
		want string
	}{
		{Source(0), "Source(0)"},
		{IANA, "iana"},
		{DeFacto, "de-facto"},
		{Source(3), "Source(3)"},
		{Status(0), "none"},
		{Assigned, "assigned"},
		{Reserved, "reserved"},
		{Unassigned, "unassigned"},
		{Status(4), "Status(4)"},
		{Category(0), "none"},
		{Database, "database"},
		{Cache, "cache"},
		{MessageBroker, "message-broker"},
		{Observability, "observability"},
		{WebServer, "web-server"},
		{AdminUI, "admin-ui"},
		{Infrastructure, "infrastructure"},
		{Media, "media"},
		{Category(9), "Category(9)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%T(%d).String() = %q, want %q", tt.v, tt.v, got, tt.want)
		}
	}
}

// TestDeFactoTable checks the de-facto table as a whole: its size, and that
// every entry has what the issue asks of it.
func TestDeFactoTable(t *testing.T) {
	var n int
	perCategory := map[Category]int{}
	for s := range All() {
		if s.Source() != DeFacto {
			continue
		}
		n++
		perCategory[s.Category()]++
		if s.Project() == "" || s.Reference() == "" || s.Description() == "" || s.Category() == 0 || s.Status() != 0 || s.Protocol() == 0 {
			t.Errorf("de-facto %v: missing project, reference, description or category", s)
		}
		if !strings.HasPrefix(s.Reference(), "https://") {
			t.Errorf("de-facto %v: reference %q is not an https URL", s, s.Reference())
		}
	}
	if n < 60 {
		t.Errorf("de-facto table has %d services, want at least 60", n)
	}
	for _, c := range Categories() {
		if perCategory[c] == 0 {
			t.Errorf("no de-facto entry of category %s", c)
		}
	}
}

func TestAccessorsAllocs(t *testing.T) {
	var zero Service
	s := first(ByName("grafana"))
	n := 0
	for _, v := range []Service{zero, s} {
		a := testing.AllocsPerRun(100, func() {
			n += len(v.Name()) + len(v.Description()) + len(v.Project()) + len(v.Reference()) + len(v.AliasOf())
			n += int(v.Range().Lo()) + int(v.Protocol()) + int(v.Source()) + int(v.Status()) + int(v.Category())
		})
		if a != 0 {
			t.Errorf("accessors of %v: %v allocations per run, want 0", v, a)
		}
	}
}

func TestServiceEndpoint(t *testing.T) {
	for s := range All() {
		e := s.Endpoint()
		if s.Protocol() == 0 {
			if e.IsValid() {
				t.Fatalf("%v.Endpoint() = %v, want the zero Endpoint (no transport)", s, e)
			}
			continue
		}
		if e.Protocol() != s.Protocol() || e.Range() != s.Range() || e.Addr().IsValid() {
			t.Fatalf("%v.Endpoint() = %v", s, e)
		}
	}
	if e := (Service{}).Endpoint(); e.IsValid() {
		t.Errorf("Service{}.Endpoint() = %v, want the zero Endpoint", e)
	}
}
