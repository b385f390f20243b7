package manifest

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

const registrySrc = `# a registry
version: 1
project: shop
x-owner: platform team
ports:
  - service: grafana
    port: 3002
    target: 3000
    exposure: internal
    group: Observability
    description: Dashboards
  - service: rtpengine
    port: "10000-20000"
    protocol: udp
    exposure: public
  - service: kamailio
    port: 5060
    protocol: [udp, TCP]
  - service: postgres
    port: 5432
    address: 127.0.0.1
    exposure: localhost
    x-note: bound to loopback only
  - service: worker
    target: 9091
accepted:
  - services: [grafana, shop/worker]
    rules: [collision, pool-order]
    reason: worker runs only in CI
    x-ticket: OPS-12
`

func TestParseRegistry(t *testing.T) {
	reg, err := ParseRegistry("ports.yaml", []byte(registrySrc))
	if err != nil {
		t.Fatal(err)
	}
	src := func(line, col int) Position { return Position{File: "ports.yaml", Line: line, Column: col} }
	want := &Registry{
		Project: "shop",
		File:    "ports.yaml",
		Entries: []Entry{
			{Service: "grafana", Port: ports.MustParseRange("3002"), Target: ports.MustParseRange("3000"),
				Exposure: Internal, Group: "Observability", Description: "Dashboards", Pos: src(7, 11)},
			{Service: "rtpengine", Port: ports.MustParseRange("10000-20000"), Protocols: []ports.Protocol{ports.UDP},
				Exposure: Public, Pos: src(13, 11)},
			{Service: "kamailio", Port: ports.MustParseRange("5060"), Protocols: []ports.Protocol{ports.UDP, ports.TCP},
				Pos: src(17, 11)},
			{Service: "postgres", Port: ports.MustParseRange("5432"), Address: netip.MustParseAddr("127.0.0.1"),
				Exposure: Localhost, Pos: src(20, 11)},
			{Service: "worker", Target: ports.MustParseRange("9091"), Pos: src(25, 13)},
		},
		Accepted: []Accepted{
			{Services: []string{"grafana", "shop/worker"}, Rules: []string{"collision", "pool-order"},
				Reason: "worker runs only in CI", Pos: src(27, 5)},
		},
	}
	if diff := cmp.Diff(want, reg, cmpOpts); diff != "" {
		t.Errorf("ParseRegistry (-want +got):\n%s", diff)
	}

	got := strs(reg.Declarations())
	wantDecls := []string{
		"ports.yaml:7:11: shop/grafana 3002/tcp -> 3000 (registry, host, internal)",
		"ports.yaml:13:11: shop/rtpengine 10000-20000/udp (registry, host, public)",
		"ports.yaml:17:11: shop/kamailio 5060/udp (registry, host)",
		"ports.yaml:17:11: shop/kamailio 5060/tcp (registry, host)",
		"ports.yaml:20:11: shop/postgres 127.0.0.1:5432/tcp (registry, host, localhost)",
		"ports.yaml:25:13: shop/worker 9091/tcp (registry, container shop/worker)",
	}
	if diff := cmp.Diff(wantDecls, got); diff != "" {
		t.Errorf("Registry.Declarations (-want +got):\n%s", diff)
	}
}

func TestRegistryProjectName(t *testing.T) {
	tests := []struct {
		project, file, want string
	}{
		{"shop", "x/ports.yaml", "shop"},
		{"", "examples/platforms/Hop Whistle/ports.yaml", "hopwhistle"},
		{"", "/srv/alpr/ports.yaml", "alpr"},
		{"", "/ports.yaml", "default"},
	}
	for _, tt := range tests {
		r := &Registry{Project: tt.project, File: tt.file}
		if got := r.ProjectName(); got != tt.want {
			t.Errorf("Registry{Project: %q, File: %q}.ProjectName() = %q, want %q", tt.project, tt.file, got, tt.want)
		}
	}
}

func TestParseRegistryErrors(t *testing.T) {
	entry := func(body string) string { return "version: 1\nports:\n  - " + body + "\n" }
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", `manifest: r.yaml: empty registry; want a mapping with version and ports`},
		{"not a mapping", "- a\n", `manifest: r.yaml:1:1: want a mapping with version and ports, got a list`},
		{"two documents", "version: 1\nports: []\n---\nversion: 1\n", `manifest: r.yaml:4: a registry is one YAML document; found another`},
		{"no version", "ports: []\n", `manifest: r.yaml:1:1: no version; want version: 1`},
		{"wrong version", "version: 2\nports: []\n", `manifest: r.yaml:1:10: version: want 1, got "2"`},
		{"version a string", "version: \"1\"\nports: []\n", `manifest: r.yaml:1:10: version: want 1, got "1"`},
		{"no ports", "version: 1\n", `manifest: r.yaml:1:1: no ports list`},
		{"ports a mapping", "version: 1\nports: {a: 1}\n", `manifest: r.yaml:2:1: ports: want a list of entries, got a mapping`},
		{"unknown top key", "version: 1\nports: []\nservices: {}\n", `manifest: r.yaml:3:1: unknown key "services"; want version, project, ports, accepted or an x- extension`},
		{"bad project", "version: 1\nproject: \" shop\"\nports: []\n", `manifest: r.yaml:2:10: project: " shop" has white space at an end`},
		{"a key twice", entry("service: a\n    port: 80\n    port: 81"), `manifest: r.yaml:5:5: key "port" is given twice in one mapping (first on line 4)`},
		{"entry not a mapping", entry("3000"), `manifest: r.yaml:3:5: ports[0]: want a mapping with service and port, got a number`},
		{"no service", entry("port: 80"), `manifest: r.yaml:3:5: ports[0]: no service`},
		{"empty service", entry("service: \"\"\n    port: 80"), `manifest: r.yaml:3:14: ports[0].service: empty name`},
		{"service a number", entry("service: 42\n    port: 80"), `manifest: r.yaml:3:5: ports[0].service: want a string, got a number`},
		{"service with a line break", entry("service: \"a\\nb\"\n    port: 80"), `manifest: r.yaml:3:14: ports[0].service: "a\nb" has a line break`},
		{"no port and no target", entry("service: web"), `manifest: r.yaml:3:5: ports[0] (service "web"): no port and no target; give the host port, the container port, or both`},
		{"port out of range", entry("service: web\n    port: 70000"), `manifest: r.yaml:4:11: ports[0].port: "70000": out of range; ports go from 0 to 65535`},
		{"port zero", entry("service: web\n    port: 0"), `manifest: r.yaml:4:11: ports[0] (service "web"): port: port 0 is not a port a service can declare`},
		{"port negative", entry("service: web\n    port: -1"), `manifest: r.yaml:4:11: ports[0].port: -1 is not a port; want 1 to 65535 in decimal`},
		{"port hex", entry("service: web\n    port: 0x50"), `manifest: r.yaml:4:11: ports[0].port: 0x50 is not a port; want 1 to 65535 in decimal`},
		{"port a float", entry("service: web\n    port: 80.5"), `manifest: r.yaml:4:11: ports[0].port: 80.5 is not written as a whole number; want a port number (1 to 65535) in decimal, or a range "LO-HI"`},
		{"port a whole float", entry("service: web\n    port: 8080.0"), `manifest: r.yaml:4:11: ports[0].port: 8080.0 is not written as a whole number; want a port number (1 to 65535) in decimal, or a range "LO-HI"`},
		{"port in exponent form", entry("service: web\n    port: 1e3"), `manifest: r.yaml:4:11: ports[0].port: 1e3 is not written as a whole number; want a port number (1 to 65535) in decimal, or a range "LO-HI"`},
		{"version a float", "version: 1.0\nports: []\n", `manifest: r.yaml:1:10: version: want 1, got "1.0"`},
		{"range inverted", entry("service: web\n    port: 9000-8000"), `manifest: r.yaml:4:11: ports[0].port: "9000-8000": low port 9000 is above high port 8000`},
		{"target range too short", entry("service: web\n    port: 8000-8010\n    target: 80-81"),
			`manifest: r.yaml:5:13: ports[0] (service "web"): target 80-81 has 2 ports but port 8000-8010 has 11; a target range must be as long as the port range`},
		{"unknown protocol", entry("service: web\n    port: 80\n    protocol: icmp"), `manifest: r.yaml:5:15: ports[0].protocol: "icmp": want tcp, udp, sctp or dccp`},
		{"mixed-case protocol", entry("service: web\n    port: 80\n    protocol: Tcp"), `manifest: r.yaml:5:15: ports[0].protocol: "Tcp": want tcp, udp, sctp or dccp`},
		{"protocol twice", entry("service: web\n    port: 80\n    protocol: [udp, udp]"), `manifest: r.yaml:5:21: ports[0].protocol: udp listed twice`},
		{"protocol empty list", entry("service: web\n    port: 80\n    protocol: []"), `manifest: r.yaml:5:15: ports[0].protocol: empty list; leave protocol out for tcp`},
		{"address not an IP", entry("service: web\n    port: 80\n    address: localhost"), `manifest: r.yaml:5:14: ports[0].address: "localhost" is not an IPv4 or IPv6 address`},
		{"address with zone", entry("service: web\n    port: 80\n    address: fe80::1%eth0"), `manifest: r.yaml:5:14: ports[0].address: "fe80::1%eth0" is not an IPv4 or IPv6 address`},
		{"address without port", entry("service: web\n    target: 80\n    address: 127.0.0.1"), `manifest: r.yaml:5:14: ports[0] (service "web"): address without port; an address is where the host port is bound`},
		{"localhost exposure on a public address", entry("service: web\n    port: 80\n    address: 0.0.0.0\n    exposure: localhost"),
			`manifest: r.yaml:6:15: ports[0] (service "web"): exposure localhost but address 0.0.0.0 is not a loopback address`},
		{"public exposure on loopback", entry("service: web\n    port: 80\n    address: ::1\n    exposure: public"),
			`manifest: r.yaml:6:15: ports[0] (service "web"): exposure public but address ::1 is a loopback address; use exposure localhost`},
		{"unknown exposure", entry("service: web\n    port: 80\n    exposure: private"), `manifest: r.yaml:5:15: ports[0].exposure: "private": want public, internal or localhost`},
		{"unknown entry key", entry("service: web\n    port: 80\n    proto: tcp"), `manifest: r.yaml:5:5: ports[0]: unknown key "proto"; want service, port, target, protocol, address, exposure, group, description or an x- extension`},
		{"description a list", entry("service: web\n    port: 80\n    description: [a]"), `manifest: r.yaml:5:5: ports[0].description: want a string, got a list`},
		{"accepted a mapping", "version: 1\nports: []\naccepted: {a: 1}\n", `manifest: r.yaml:3:1: accepted: want a list of accepted conflicts, got a mapping`},
		{"accepted one service", "version: 1\nports: []\naccepted:\n  - services: [a]\n    reason: r\n", `manifest: r.yaml:4:15: accepted[0]: name the two or more services whose conflict is accepted (services: [a, b])`},
		{"accepted no services", "version: 1\nports: []\naccepted:\n  - reason: r\n", `manifest: r.yaml:4:5: accepted[0]: name the two or more services whose conflict is accepted (services: [a, b])`},
		{"accepted no reason", "version: 1\nports: []\naccepted:\n  - services: [a, b]\n", `manifest: r.yaml:4:15: accepted[0]: no reason; say why the conflict is accepted`},
		{"accepted blank reason", "version: 1\nports: []\naccepted:\n  - services: [a, b]\n    reason: \" \"\n", `manifest: r.yaml:5:13: accepted[0].reason: empty; say why the conflict is accepted`},
		{"accepted service twice", "version: 1\nports: []\naccepted:\n  - services: [a, a]\n    reason: r\n", `manifest: r.yaml:4:19: accepted[0].services: "a" listed twice`},
		{"accepted empty rules", "version: 1\nports: []\naccepted:\n  - services: [a, b]\n    rules: []\n    reason: r\n", `manifest: r.yaml:5:12: accepted[0].rules: empty list; leave rules out for collision`},
		{"accepted service a number", "version: 1\nports: []\naccepted:\n  - services: [a, 1]\n    reason: r\n", `manifest: r.yaml:4:5: accepted[0].services[1]: want a string, got a number`},
		{"accepted unknown key", "version: 1\nports: []\naccepted:\n  - services: [a, b]\n    because: r\n", `manifest: r.yaml:5:5: accepted[0]: unknown key "because"; want services, rules, reason or an x- extension`},
		{"YAML syntax", "version: 1\nports:\n  - service: web\n    port: [80\n", `manifest: r.yaml:3: invalid YAML: did not find expected ',' or ']'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ParseRegistry("r.yaml", []byte(tt.src))
			checkErr(t, "ParseRegistry", err, tt.want)
			if reg != nil {
				t.Errorf("ParseRegistry returned a registry with an error: %+v", reg)
			}
		})
	}
}

func TestRegistryMarshal(t *testing.T) {
	reg, err := ParseRegistry("ports.yaml", []byte(registrySrc))
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `version: 1
project: shop
ports:
  - service: grafana
    port: 3002
    target: 3000
    exposure: internal
    group: Observability
    description: Dashboards
  - service: rtpengine
    port: 10000-20000
    protocol: udp
    exposure: public
  - service: kamailio
    port: 5060
    protocol: [udp, tcp]
  - service: postgres
    port: 5432
    address: 127.0.0.1
    exposure: localhost
  - service: worker
    target: 9091
accepted:
  - services: [grafana, shop/worker]
    rules: [collision, pool-order]
    reason: worker runs only in CI
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Registry.Marshal (-want +got):\n%s", diff)
	}
	var empty Registry
	got, err = empty.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := "version: 1\nports: []\n"; string(got) != want {
		t.Errorf("Registry{}.Marshal() = %q, want %q", got, want)
	}
}

func TestRegistryMarshalInvalid(t *testing.T) {
	tests := []struct {
		name string
		reg  Registry
		want string
	}{
		{"no service", Registry{Entries: []Entry{{Port: ports.MustParseRange("80")}}},
			`manifest: Marshal: ports[0]: service: empty name`},
		{"no port", Registry{Entries: []Entry{{Service: "a"}}},
			`manifest: Marshal: ports[0]: no port and no target; give the host port, the container port, or both`},
		{"bad protocol", Registry{Entries: []Entry{{Service: "a", Port: ports.MustParseRange("80"), Protocols: []ports.Protocol{0}}}},
			`manifest: Marshal: ports[0]: protocol: unspecified is not a protocol`},
		{"bad exposure", Registry{Entries: []Entry{{Service: "a", Port: ports.MustParseRange("80"), Exposure: 9}}},
			`manifest: Marshal: ports[0]: exposure: Exposure(9) is not an exposure`},
		{"bad project", Registry{Project: "a\nb"}, `manifest: Marshal: project: "a\nb" has a line break`},
		{"accepted one service", Registry{Accepted: []Accepted{{Services: []string{"a"}, Reason: "r"}}},
			`manifest: Marshal: accepted[0]: name the two or more services whose conflict is accepted (services: [a, b])`},
		{"accepted no reason", Registry{Accepted: []Accepted{{Services: []string{"a", "b"}}}},
			`manifest: Marshal: accepted[0]: no reason; say why the conflict is accepted`},
		{"accepted rule twice", Registry{Accepted: []Accepted{{Services: []string{"a", "b"}, Rules: []string{"x", "x"}, Reason: "r"}}},
			`manifest: Marshal: accepted[0]: "x" listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.reg.Marshal()
			checkErr(t, "Marshal", err, tt.want)
		})
	}
}

// genEntry generates a valid registry entry.
func genEntry(t *rapid.T) Entry {
	name := rapid.StringMatching(`[a-z][a-z0-9 _.-]{0,12}[a-z0-9]`)
	text := rapid.StringMatching(`[ -~]{0,30}|[a-zA-Z0-9 :#'"\n-]{0,30}`)
	genRange := func(label string) ports.Range {
		lo := rapid.Uint16Range(1, 65535).Draw(t, label+".lo")
		if rapid.Bool().Draw(t, label+".single") {
			return ports.Port(lo).Range()
		}
		hi := rapid.Uint16Range(lo, 65535).Draw(t, label+".hi")
		return ports.RangeFrom(ports.Port(lo), ports.Port(hi))
	}
	var e Entry
	e.Service = name.Draw(t, "service")
	switch rapid.IntRange(0, 2).Draw(t, "shape") {
	case 0:
		e.Port = genRange("port")
	case 1:
		e.Target = genRange("target")
	case 2:
		e.Port = genRange("port")
		if rapid.Bool().Draw(t, "singleTarget") || e.Port.Len() == 1 {
			e.Target = ports.Port(rapid.Uint16Range(1, 65535).Draw(t, "target")).Range()
		} else {
			lo := rapid.Uint16Range(1, uint16(65536-e.Port.Len())).Draw(t, "target.lo")
			e.Target = ports.RangeFrom(ports.Port(lo), ports.Port(int(lo)+e.Port.Len()-1))
		}
	}
	protos := rapid.SliceOfNDistinct(rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP, ports.SCTP, ports.DCCP}), 0, 4, func(p ports.Protocol) ports.Protocol { return p }).Draw(t, "protocols")
	if len(protos) > 0 {
		e.Protocols = protos
	}
	e.Exposure = Exposure(rapid.IntRange(0, 3).Draw(t, "exposure"))
	if e.Port.IsValid() && rapid.Bool().Draw(t, "hasAddr") {
		switch e.Exposure {
		case Localhost:
			e.Address = rapid.SampledFrom([]netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.53")}).Draw(t, "addr")
		default:
			e.Address = rapid.SampledFrom([]netip.Addr{netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::"), netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:db8::5")}).Draw(t, "addr")
		}
	}
	e.Group = text.Draw(t, "group")
	e.Description = text.Draw(t, "description")
	return e
}

// TestRegistryRoundTrip checks that any valid registry survives Marshal and
// ParseRegistry unchanged, and that Marshal is stable.
func TestRegistryRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		reg := Registry{
			Project: rapid.SampledFrom([]string{"", "shop", "Hop Whistle", "9000"}).Draw(t, "project"),
			Entries: rapid.SliceOfN(rapid.Custom(genEntry), 0, 8).Draw(t, "entries"),
			Accepted: rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Accepted {
				name := rapid.StringMatching(`[a-z][a-z0-9 _./-]{0,12}[a-z0-9]`)
				id := func(s string) string { return s }
				return Accepted{
					Services: rapid.SliceOfNDistinct(name, 2, 4, id).Draw(t, "services"),
					Rules:    rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"collision", "pool-order", "exposed-database"}), 0, 3, id).Draw(t, "rules"),
					Reason:   rapid.StringMatching(`[!-~][ -~]{0,30}|[a-zA-Z0-9 :#'"\n-]{0,30}[a-z]`).Draw(t, "reason"),
				}
			}), 0, 3).Draw(t, "accepted"),
		}
		data, err := reg.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := ParseRegistry("ports.yaml", data)
		if err != nil {
			t.Fatalf("ParseRegistry(Marshal(r)): %v\n%s", err, data)
		}
		if diff := cmp.Diff(reg, *back, cmpOpts, cmpopts.EquateEmpty(),
			cmpopts.IgnoreFields(Registry{}, "File"), cmpopts.IgnoreFields(Entry{}, "Pos"), cmpopts.IgnoreFields(Accepted{}, "Pos")); diff != "" {
			t.Fatalf("ParseRegistry(Marshal(r)) (-want +got):\n%s\n%s", diff, data)
		}
		again, err := back.Marshal()
		if err != nil {
			t.Fatalf("Marshal again: %v", err)
		}
		if string(again) != string(data) {
			t.Fatalf("Marshal not stable:\n%s\nthen\n%s", data, again)
		}
	})
}

// TestRegistryDeclarationsProperty checks that every entry gives one
// declaration per protocol, published on the host exactly when it has a
// port.
func TestRegistryDeclarationsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		reg := Registry{Project: "p", Entries: rapid.SliceOfN(rapid.Custom(genEntry), 0, 8).Draw(t, "entries")}
		ds := reg.Declarations()
		i := 0
		for _, e := range reg.Entries {
			n := max(1, len(e.Protocols))
			for j := 0; j < n; j++ {
				if i >= len(ds) {
					t.Fatalf("Declarations: %d declarations, want more", len(ds))
				}
				d := ds[i]
				i++
				if d.IsPublished() != e.Port.IsValid() {
					t.Fatalf("entry %+v: IsPublished = %v", e, d.IsPublished())
				}
				wantRange := e.Port
				if !e.Port.IsValid() {
					wantRange = e.Target
				}
				if d.Endpoint.Range() != wantRange || d.Service != e.Service || d.Kind != KindRegistry || d.Exposure != e.Exposure {
					t.Fatalf("entry %+v gave %v", e, d)
				}
			}
		}
		if i != len(ds) {
			t.Fatalf("Declarations: %d declarations, want %d", len(ds), i)
		}
	})
}

func TestParseExposure(t *testing.T) {
	tests := []struct {
		in   string
		want Exposure
		ok   bool
	}{
		{"public", Public, true},
		{"internal", Internal, true},
		{"localhost", Localhost, true},
		{"localhost-only", Localhost, true},
		{"Public", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseExposure(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseExposure(%q) = %v, %v, want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := ParseExposure("dmz"); err == nil || !strings.Contains(err.Error(), `"dmz"`) {
		t.Errorf("ParseExposure(%q) error = %v, want one quoting the input", "dmz", err)
	}
}

// TestRegistryDateIsText checks that an unquoted date in a text field is
// read as its text, as YAML 1.2 and JSON Schema validators take it, not
// refused as a YAML 1.1 timestamp.
func TestRegistryDateIsText(t *testing.T) {
	src := "version: 1\nports:\n  - service: web\n    port: 80\n    group: 2024-01-01\n    description: 2024-01-01T10:00:00Z\n"
	reg, err := ParseRegistry("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if e := reg.Entries[0]; e.Group != "2024-01-01" || e.Description != "2024-01-01T10:00:00Z" {
		t.Errorf("group %q, description %q; want the dates as written", e.Group, e.Description)
	}
}

// TestRegistryMergeKeyAsText checks that << as a value is text, read plain
// or quoted, and that Marshal writes it so that it reads back as text.
func TestRegistryMergeKeyAsText(t *testing.T) {
	reg, err := ParseRegistry("r.yaml", []byte("version: 1\nports:\n  - service: web\n    port: 80\n    description: <<\n"))
	if err != nil || reg.Entries[0].Description != "<<" {
		t.Fatalf("ParseRegistry(description: <<) = %v, %v", reg, err)
	}
	b, err := reg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseRegistry("r.yaml", b)
	if err != nil || back.Entries[0].Description != "<<" {
		t.Fatalf("ParseRegistry(Marshal()) = %v, %v\n%s", back, err, b)
	}
	if !strings.Contains(string(b), `description: "<<"`) {
		t.Errorf("Marshal wrote << unquoted:\n%s", b)
	}
}
