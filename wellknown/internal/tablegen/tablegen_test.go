package tablegen

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture_gen.go.golden")

func rng(s string) ports.Range { return ports.MustParseRange(s) }

func readFixture(t *testing.T) *Registry {
	t.Helper()
	reg, err := ReadRegistryFile("testdata/fixture.xml")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestParseRegistryFixture(t *testing.T) {
	reg := readFixture(t)
	if reg.Updated != "2026-01-02" {
		t.Errorf("Updated = %q, want 2026-01-02", reg.Updated)
	}
	want := []Record{
		{Protocol: ports.TCP, Range: rng("0"), Description: "Reserved", Status: Reserved},
		{Name: "http", Protocol: ports.TCP, Range: rng("80"), Description: "World Wide Web HTTP", Status: Assigned},
		{Name: "http", Protocol: ports.UDP, Range: rng("80"), Description: "World Wide Web HTTP", Status: Assigned},
		{Name: "www", Protocol: ports.TCP, Range: rng("80"), Description: "World Wide Web HTTP", Status: Assigned, AliasOf: "http"},
		{Name: "http", Protocol: ports.SCTP, Range: rng("80"), Description: "HTTP", Status: Assigned},
		{Range: rng("81"), Description: "Unassigned", Status: Unassigned},
		{Name: "whois++", Protocol: ports.TCP, Range: rng("63"), Description: "whois++", Status: Assigned, AliasOf: "whoispp"},
		{Name: "x11", Protocol: ports.TCP, Range: rng("6000-6063"), Description: "X Window System", Status: Assigned},
		{Name: "argus", Description: "ARGUS Protocol", Status: Assigned},
		{Name: "dccp-demo", Protocol: ports.DCCP, Range: rng("1021"), Description: "A service on DCCP", Status: Assigned},
		{Protocol: ports.UDP, Range: rng("24"), Description: "any private mail system", Status: Reserved},
		{Range: rng("585"), Description: "De-registered", Status: Unassigned},
		{Protocol: ports.TCP, Range: rng("359"), Description: "Reserved", Status: Reserved},
	}
	if diff := cmp.Diff(want, reg.Records, cmp.Comparer(func(a, b ports.Range) bool { return a == b })); diff != "" {
		t.Errorf("ParseRegistry(fixture) records mismatch (-want +got):\n%s", diff)
	}
}

func TestBuildFixture(t *testing.T) {
	reg := readFixture(t)
	tab, err := Build(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1 (argus has no number)", tab.Skipped)
	}
	type short struct {
		Lo, Hi uint16
		Name   string
		Protos uint8
	}
	var got []short
	for _, it := range tab.Items {
		got = append(got, short{it.Lo, it.Hi, it.Name, it.Protos})
	}
	want := []short{
		{0, 0, "", 1 << ports.TCP},
		{24, 24, "", 1 << ports.UDP},
		{63, 63, "whois++", 1 << ports.TCP},
		{80, 80, "http", 1 << ports.SCTP},             // its own description: not merged
		{80, 80, "http", 1<<ports.TCP | 1<<ports.UDP}, // tcp and udp merged
		{80, 80, "www", 1 << ports.TCP},
		{81, 81, "", 1}, // no transport named
		{359, 359, "", 1 << ports.TCP},
		{585, 585, "", 1},
		{1021, 1021, "dccp-demo", 1 << ports.DCCP},
		{6000, 6063, "x11", 1 << ports.TCP},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Build(fixture) items mismatch (-want +got):\n%s", diff)
	}
}

// TestBuildKeepsDuplicates checks that two identical records are both kept:
// merging by transport must not swallow a repeated record.
func TestBuildKeepsDuplicates(t *testing.T) {
	r := Record{Name: "a", Protocol: ports.TCP, Range: rng("5"), Description: "A", Status: Assigned}
	u := r
	u.Protocol = ports.UDP
	tab, err := Build(&Registry{Records: []Record{r, r, u}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n [5]int
	for _, it := range tab.Items {
		for p := range 5 {
			if it.Protos&(1<<p) != 0 {
				n[p]++
			}
		}
	}
	if n[ports.TCP] != 2 || n[ports.UDP] != 1 {
		t.Errorf("Build(a/tcp, a/tcp, a/udp): %d tcp and %d udp services, want 2 and 1", n[ports.TCP], n[ports.UDP])
	}
}

// TestGenerateFixture compares the generated source with a golden file and
// checks that generating twice gives the same bytes.
func TestGenerateFixture(t *testing.T) {
	reg := readFixture(t)
	df, err := ParseDeFacto(strings.NewReader(`
grafana | 3000/tcp | observability | Grafana | Grafana UI | https://grafana.com/docs/
nextjs,next | 3000/tcp | web-server | Next.js | dev server | https://nextjs.org/docs/
rtp | 6010-6020/udp,tcp | media | Some SIP server | RTP | https://example.org/rtp
ui | 80/tcp image-only | admin-ui | Some UI | web UI of its image | https://example.org/ui
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ParseImages(strings.NewReader(`
grafana/grafana, docker.io/library/grafana-oss | grafana
example/sip | rtp, ui
`), df); err != nil {
		t.Fatal(err)
	}
	tab, err := Build(reg, df)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Collision{{Lo: 3000, Hi: 3000, Proto: ports.TCP, Items: []int{11, 12}}}, tab.Collisions); diff != "" {
		t.Errorf("collisions mismatch (-want +got):\n%s", diff)
	}
	src, err := tab.Generate("gen fixture")
	if err != nil {
		t.Fatal(err)
	}
	again, err := tab.Generate("gen fixture")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, again) {
		t.Error("Generate is not deterministic: two runs differ")
	}
	const golden = "testdata/fixture_gen.go.golden"
	if *update {
		if err := os.WriteFile(golden, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(src)); diff != "" {
		t.Errorf("generated source mismatch (-want +got):\n%s\n(run go test -update after checking the change)", diff)
	}
}

func TestParseRegistryErrors(t *testing.T) {
	rec := func(inner string) string {
		return `<registry xmlns="http://www.iana.org/assignments"><record>` + inner + `</record></registry>`
	}
	tests := []struct {
		name, in, want string
	}{
		{"unknown protocol", rec(`<name>ddp-svc</name><protocol>ddp</protocol><description>x</description><number>5</number>`),
			`tablegen: record 1: "ddp-svc": unknown transport protocol "ddp"; want tcp, udp, sctp or dccp`},
		{"number too big", rec(`<name>big</name><protocol>tcp</protocol><description>x</description><number>70000</number>`),
			`tablegen: record 1: "big": bad number: ports: ParseRange("70000"): out of range; ports go from 0 to 65535`},
		{"inverted range", rec(`<name>inv</name><protocol>tcp</protocol><description>x</description><number>90-80</number>`),
			`tablegen: record 1: "inv": bad number: ports: ParseRange("90-80"): low port 90 is above high port 80`},
		{"name with space", rec(`<name>a b</name><protocol>tcp</protocol><description>x</description><number>9</number>`),
			`tablegen: record 1: "a b": service name has a character that is not printable ASCII`},
		{"no records", `<registry xmlns="http://www.iana.org/assignments"></registry>`,
			`tablegen: no <record> element in the registry XML`},
		{"broken XML", `<registry><record><name>x</record></registry>`,
			`tablegen: record 1: XML syntax error on line 1: element <name> closed by </record>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := ParseRegistry(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ParseRegistry(%q) = %v, want error %q", tt.in, reg, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseRegistry(%q) error = %q, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseDeFacto(t *testing.T) {
	got, err := ParseDeFacto(strings.NewReader(`# comment

grafana | 3000/tcp | observability | Grafana | Grafana UI | https://grafana.com/docs/
kamailio,kamailio-sip | 5060/tcp,UDP | media | Kamailio | SIP | https://www.kamailio.org/
rtp | 10000-20000/udp | media | Asterisk | RTP | https://example.org/
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []DeFacto{
		{Names: []string{"grafana"}, Range: rng("3000"), Protocols: []ports.Protocol{ports.TCP}, Category: 4,
			Project: "Grafana", Description: "Grafana UI", Reference: "https://grafana.com/docs/", Line: 3},
		{Names: []string{"kamailio", "kamailio-sip"}, Range: rng("5060"), Protocols: []ports.Protocol{ports.TCP, ports.UDP}, Category: 8,
			Project: "Kamailio", Description: "SIP", Reference: "https://www.kamailio.org/", Line: 4},
		{Names: []string{"rtp"}, Range: rng("10000-20000"), Protocols: []ports.Protocol{ports.UDP}, Category: 8,
			Project: "Asterisk", Description: "RTP", Reference: "https://example.org/", Line: 5},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b ports.Range) bool { return a == b })); diff != "" {
		t.Errorf("ParseDeFacto mismatch (-want +got):\n%s", diff)
	}
}

func TestParseDeFactoErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a | 1/tcp | cache | P | d", `tablegen: de-facto table line 1: 5 fields, want 6 (names | ports/protocols | category | project | description | reference)`},
		{"Grafana | 3000/tcp | observability | G | d | https://x", `tablegen: de-facto table line 1: service name "Grafana": character 'G' not allowed; want a-z, 0-9, '-', '_', '.', '+'`},
		{"a,,b | 1/tcp | cache | P | d | https://x", `tablegen: de-facto table line 1: empty service name`},
		{"a | 3000 | cache | P | d | https://x", `tablegen: de-facto table line 1: ports "3000": want PORTS/PROTOCOLS, such as 3000/tcp`},
		{"a | 3000-1/tcp | cache | P | d | https://x", `tablegen: de-facto table line 1: ports "3000-1/tcp": ports: ParseRange("3000-1"): low port 3000 is above high port 1`},
		{"a | 3000/tcp,tcp | cache | P | d | https://x", `tablegen: de-facto table line 1: ports "3000/tcp,tcp": protocol tcp repeated`},
		{"a | 3000/icmp | cache | P | d | https://x", `tablegen: de-facto table line 1: ports "3000/icmp": ports: ParseProtocol("icmp"): unknown protocol; want tcp, udp, sctp or dccp`},
		{"a | 3000/tcp | queue | P | d | https://x", `tablegen: de-facto table line 1: unknown category "queue"; want one of database, cache, message-broker, observability, web-server, admin-ui, infrastructure, media`},
		{"a | 3000/tcp | cache |  | d | https://x", `tablegen: de-facto table line 1: empty project`},
		{"a | 3000/tcp | cache | P |  | https://x", `tablegen: de-facto table line 1: empty description`},
		{"a | 3000/tcp | cache | P | d | http://x", `tablegen: de-facto table line 1: reference "http://x": want an https URL`},
		{"a | 3000/tcp | cache | P | d | https://", `tablegen: de-facto table line 1: reference "https://": want an https URL`},
		{"a,b | 1/tcp | cache | P | d | https://x\n\nc,b | 2/tcp | cache | Q | e | https://y", `tablegen: de-facto table line 3: service name "b" is already the name or an alias of line 1`},
		{"a,a | 1/tcp | cache | P | d | https://x", `tablegen: de-facto table line 1: service name "a" is already the name or an alias of line 1`},
	}
	for _, tt := range tests {
		got, err := ParseDeFacto(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("ParseDeFacto(%q) = %v, want error %q", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseDeFacto(%q) error = %q, want %q", tt.in, err, tt.want)
		}
	}
}

// TestParseImages checks that the image table puts each image's key on the
// entries it names, and that entries known by image only take no part in
// collisions.
func TestParseImages(t *testing.T) {
	df, err := ParseDeFacto(strings.NewReader(`
pgadmin | 80/tcp image-only | admin-ui | pgAdmin | UI | https://example.org/a
phpmyadmin | 80/tcp image-only | admin-ui | phpMyAdmin | UI | https://example.org/b
mysql,mariadb | 3306/tcp | database | MySQL | server | https://example.org/c
mysqlx | 33060/tcp | database | MySQL | X | https://example.org/d
`))
	if err != nil {
		t.Fatal(err)
	}
	err = ParseImages(strings.NewReader(`# comment

mysql, docker.io/bitnami/mysql | mysql, mysqlx
MariaDB | mysql
dpage/pgadmin4 | pgadmin
registry.example.com:5000/library/phpmyadmin | phpmyadmin
`), df)
	if err == nil || err.Error() != `tablegen: image table line 4: image "MariaDB": character 'M' not allowed in a repository; want a-z, 0-9, '.', '_', '-'` {
		t.Fatalf("ParseImages with an upper-case image: error %v", err)
	}
	for i := range df {
		df[i].Images = nil
	}
	if err := ParseImages(strings.NewReader(`mysql, docker.io/bitnami/mysql | mysql, mysqlx
mariadb | mysql
dpage/pgadmin4 | pgadmin
registry.example.com:5000/library/phpmyadmin | phpmyadmin
`), df); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range df {
		got[e.Names[0]] = e.Images
	}
	want := map[string][]string{
		"pgadmin":    {"dpage/pgadmin4"},
		"phpmyadmin": {"phpmyadmin"},
		"mysql":      {"mysql", "bitnami/mysql", "mariadb"},
		"mysqlx":     {"mysql", "bitnami/mysql"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseImages: images of the entries (-want +got):\n%s", diff)
	}
	tab, err := Build(&Registry{}, df)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Collisions) != 0 {
		t.Errorf("Build: collisions %v, want none (pgAdmin and phpMyAdmin on 80 are known by image only)", tab.Collisions)
	}
}

func TestParseImagesErrors(t *testing.T) {
	df, err := ParseDeFacto(strings.NewReader("a | 1/tcp | cache | P | d | https://x\nb | 2/tcp | cache | Q | e | https://y\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"x/a", `tablegen: image table line 1: 1 fields, want 2 (images | names)`},
		{"x/a | a | b", `tablegen: image table line 1: 3 fields, want 2 (images | names)`},
		{"x/a | c", `tablegen: image table line 1: no de-facto entry is named "c"`},
		{"x/a | a, a", `tablegen: image table line 1: entry "a" named twice`},
		{" | a", `tablegen: image table line 1: empty image`},
		{"x/a:1.0 | a", `tablegen: image table line 1: image "x/a:1.0": want a repository without tag or digest, such as bitnami/postgresql`},
		{"x/a@sha256:00 | a", `tablegen: image table line 1: image "x/a@sha256:00": want a repository without tag or digest, such as bitnami/postgresql`},
		{"docker.io/ | a", `tablegen: image table line 1: image "docker.io/": want a repository without tag or digest, such as bitnami/postgresql`},
		{"x//a | a", `tablegen: image table line 1: image "x//a": empty path component`},
		{"x/a b | a", `tablegen: image table line 1: image "x/a b": character ' ' not allowed in a repository; want a-z, 0-9, '.', '_', '-'`},
		{"x/a | a\n# c\ndocker.io/library/x/a | b", `tablegen: image table line 3: image "docker.io/library/x/a": "x/a" is already on line 1`},
		{strings.Repeat("a", 128) + " | a", `tablegen: image table line 1: image "` + strings.Repeat("a", 128) + `" longer than 127 bytes`},
	}
	for _, tt := range tests {
		err := ParseImages(strings.NewReader(tt.in), slices.Clone(df))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseImages(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}
