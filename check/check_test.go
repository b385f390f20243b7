package check

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// decl returns a declaration of kind k binding host (an endpoint's text)
// in the host scope, forwarded to target (0: none), at line of f.yaml.
func decl(k manifest.Kind, service, host string, target ports.Port, line int) manifest.Declaration {
	e := ports.MustParseEndpoint(host)
	d := manifest.Declaration{
		Endpoint: e, Protocol: e.Protocol(), Scope: manifest.HostScope(), Kind: k,
		Exposure: manifest.Public, Project: "p", Service: service,
		Pos: manifest.Position{File: "f.yaml", Line: line, Column: 9},
	}
	if target != 0 {
		d.Target = target.Range()
	}
	return d
}

// rules returns the rule of each finding of rep, in order.
func ruleList(rep *Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func run(t *testing.T, decls []manifest.Declaration, opts Options) *Report {
	t.Helper()
	if opts.Limits.GOOS == "" {
		opts.Limits, _ = hostports.Defaults("linux")
	}
	rep, err := Run(decls, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// suggestions returns the suggestion of each member that has one, by owner.
func suggestions(rep *Report) map[string]string {
	out := map[string]string{}
	for _, f := range rep.Findings {
		for _, m := range f.Members {
			if m.Suggestion.IsValid() {
				out[m.Declaration.Owner()] = m.Suggestion.String()
			}
		}
	}
	return out
}

func TestConventionalSuggestions(t *testing.T) {
	for _, tt := range []struct {
		port, want string
	}{
		{"25/tcp", "2525/tcp"},
		{"80/tcp", "8080/tcp"},
		{"443/tcp", "8443/tcp"},
		{"22/tcp", "2222/tcp"},
		{"143/tcp", "8143/tcp"},
	} {
		decls := []manifest.Declaration{
			decl(manifest.KindCompose, "a", tt.port, 80, 1),
			decl(manifest.KindCompose, "b", tt.port, 80, 2),
		}
		got := suggestions(run(t, decls, Options{}))
		if diff := cmp.Diff(map[string]string{"p/b": tt.want}, got); diff != "" {
			t.Errorf("two services on %s: suggestions (-want +got):\n%s", tt.port, diff)
		}
	}
}

// TestConventionalTaken checks that a conventional place already held is
// passed over for the next one.
func TestConventionalTaken(t *testing.T) {
	decls := []manifest.Declaration{
		decl(manifest.KindCompose, "a", "80/tcp", 80, 1),
		decl(manifest.KindCompose, "b", "80/tcp", 80, 2),
		decl(manifest.KindCompose, "c", "8080/tcp", 80, 3),
	}
	got := suggestions(run(t, decls, Options{}))
	if s := got["p/b"]; s == "8080/tcp" || s == "" || ports.MustParseEndpoint(s).Range().Lo() < 1024 {
		t.Errorf("suggestion for b = %q, want a user port other than the held 8080", s)
	}
}

func TestNodePortSuggestionInRange(t *testing.T) {
	decls := []manifest.Declaration{
		decl(manifest.KindNodePort, "a", "8080/tcp", 80, 1),
		decl(manifest.KindNodePort, "b", "8080/tcp", 80, 2),
	}
	rep := run(t, decls, Options{})
	s, ok := suggestions(rep)["p/b"]
	if !ok {
		t.Fatalf("no suggestion: %+v", rep.Findings)
	}
	if p := ports.MustParseEndpoint(s).Range().Lo(); p < 30000 || p > 32767 {
		t.Errorf("suggestion for a nodePort = %s, want one in 30000-32767", s)
	}
}

func TestNetworkModePorts(t *testing.T) {
	d := decl(manifest.KindCompose, "app", "8080/tcp", 80, 1)
	d.NetworkMode = "service:vpn"
	rep := run(t, []manifest.Declaration{d}, Options{})
	if diff := cmp.Diff([]string{"network-mode-ports"}, ruleList(rep)); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if !rep.Failed() {
		t.Error("a configuration Docker refuses does not fail the check")
	}
	d.NetworkMode = "bridge"
	if rep := run(t, []manifest.Declaration{d}, Options{}); len(rep.Findings) != 0 {
		t.Errorf("network_mode bridge: %v", ruleList(rep))
	}
}

func TestPrivileged(t *testing.T) {
	compose := decl(manifest.KindCompose, "web", "80/tcp", 80, 1)
	hostPort := decl(manifest.KindHostPort, "web", "81/tcp", 81, 2)
	registry := decl(manifest.KindRegistry, "dns", "53/udp", 0, 3)
	for _, tt := range []struct {
		rootless bool
		want     []string // owners with a privileged finding
	}{
		{false, []string{"p/dns"}},
		{true, []string{"p/web", "p/dns"}},
	} {
		rep := run(t, []manifest.Declaration{compose, hostPort, registry}, Options{Rootless: tt.rootless})
		var got []string
		for _, f := range rep.Findings {
			if f.Rule == "privileged" {
				got = append(got, f.Members[0].Declaration.Owner())
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("rootless %v: privileged findings (-want +got):\n%s", tt.rootless, diff)
		}
	}
}

func TestBrowserRefused(t *testing.T) {
	imap := decl(manifest.KindCompose, "mail", "143/tcp", 143, 1)
	web := decl(manifest.KindCompose, "web", "6000/tcp", 80, 2)
	rep := run(t, []manifest.Declaration{imap, web}, Options{})
	var got []string
	for _, f := range rep.Findings {
		if f.Rule == "browser-refused" {
			got = append(got, f.Members[0].Declaration.Owner())
		}
	}
	if diff := cmp.Diff([]string{"p/web"}, got); diff != "" {
		t.Errorf("browser-refused findings (-want +got):\n%s", diff)
	}
}

func TestExposedRandomPort(t *testing.T) {
	d := manifest.Declaration{
		Ephemeral: true, Protocol: ports.TCP, Target: ports.Port(5432).Range(),
		Scope: manifest.HostScope(), Kind: manifest.KindCompose, Project: "p", Service: "postgres",
	}
	rep := run(t, []manifest.Declaration{d}, Options{})
	if diff := cmp.Diff([]string{"exposed-database"}, ruleList(rep)); diff != "" {
		t.Errorf("a database on a random host port: rules (-want +got):\n%s", diff)
	}
	// The fix keeps the host port random, on 127.0.0.1.
	if want := `bind it to 127.0.0.1 ("127.0.0.1::5432"), or drop the host port and reach it over the service network`; len(rep.Findings) > 0 && rep.Findings[0].Fix != want {
		t.Errorf("a database on a random host port: fix %q, want %q", rep.Findings[0].Fix, want)
	}
	d.Addr = netip.MustParseAddr("127.0.0.1")
	if rep := run(t, []manifest.Declaration{d}, Options{}); len(rep.Findings) != 0 {
		t.Errorf("on 127.0.0.1: %v", ruleList(rep))
	}
}

func TestSeverities(t *testing.T) {
	decls := []manifest.Declaration{
		decl(manifest.KindCompose, "a", "3000/tcp", 80, 1),
		decl(manifest.KindCompose, "b", "3000/tcp", 80, 2),
	}
	rep := run(t, decls, Options{Severities: map[string]Severity{"collision": Warning}})
	if rep.Failed() || rep.Count(Warning) != 1 {
		t.Errorf("collision as a warning: failed %v, %d warnings", rep.Failed(), rep.Count(Warning))
	}
	rep = run(t, decls, Options{Severities: map[string]Severity{"collision": Off}})
	if len(rep.Findings) != 0 {
		t.Errorf("collision off: %v", ruleList(rep))
	}
	if _, err := Run(decls, Options{Severities: map[string]Severity{"colision": Off}}); err == nil {
		t.Error("Run with an unknown rule: no error")
	}
}

// TestSaidOnce checks that a finding about a port that a compose file and
// its registry both declare for one owner is said once.
func TestSaidOnce(t *testing.T) {
	a := decl(manifest.KindCompose, "db", "5432/tcp", 5432, 1)
	b := decl(manifest.KindCompose, "db", "5432/tcp", 5432, 7)
	b.Pos.File = "g.yaml"
	rep := run(t, []manifest.Declaration{a, b}, Options{})
	if diff := cmp.Diff([]string{"exposed-database"}, ruleList(rep)); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("rule %q listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Help == "" || r.Category == 0 || r.Severity == Off {
			t.Errorf("rule %q is incomplete: %+v", r.ID, r)
		}
		if got, ok := RuleByID(r.ID); !ok || got.ID != r.ID {
			t.Errorf("RuleByID(%q) = %v, %v", r.ID, got, ok)
		}
	}
	for _, s := range []Severity{Off, Warning, Error} {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
}

// BenchmarkRun shows how a check grows with the declarations: compose
// services on distinct ports, with a registry entry for each, so that the
// registry-exposure rule has something to compare. The ports lie in
// 10000-29999, TCP and UDP in turn, below every ephemeral range, so that
// each size asks the same work of each declaration.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{1000, 10000, 40000} {
		decls := make([]manifest.Declaration, 0, 2*n)
		for i := range n {
			port := fmt.Sprintf("%d/%s", 10000+i/2, [2]string{"tcp", "udp"}[i%2])
			d := decl(manifest.KindCompose, fmt.Sprint("s", i), port, 80, i)
			r := decl(manifest.KindRegistry, fmt.Sprint("s", i), port, 0, i)
			r.Exposure = manifest.Internal
			decls = append(decls, d, r)
		}
		limits, _ := hostports.Defaults("linux")
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(decls, Options{Limits: limits}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestIdentifiedByImage checks that the software of a port is taken from
// its image where the image says: a database on a random host port, pgAdmin
// on 5050:80, and a known or unknown image on a port that another
// program's entry claims.
func TestIdentifiedByImage(t *testing.T) {
	random := func(image string, target ports.Port) manifest.Declaration {
		return manifest.Declaration{
			Ephemeral: true, Protocol: ports.TCP, Target: target.Range(), Image: image,
			Scope: manifest.HostScope(), Kind: manifest.KindCompose, Project: "p", Service: "svc",
		}
	}
	mapped := func(image, host string, target ports.Port) manifest.Declaration {
		d := decl(manifest.KindCompose, "svc", host, target, 1)
		d.Image = image
		return d
	}
	for _, tt := range []struct {
		name string
		d    manifest.Declaration
		want []string
	}{
		{"postgres on a random port", random("postgres:16", 5432), []string{"exposed-database"}},
		{"bitnami postgresql", mapped("docker.io/bitnami/postgresql:16", "5433/tcp", 5432), []string{"exposed-database"}},
		{"pgadmin on 5050:80", mapped("dpage/pgadmin4", "5050/tcp", 80), []string{"exposed-admin-ui"}},
		{"redis by image, odd name", mapped("redis:7-alpine", "6380/tcp", 6379), []string{"exposed-cache"}},
		{"an unknown image on Kong's port", mapped("temporalio/server:1.24", "8002/tcp", 8002), nil},
		{"a known web image on a database port", mapped("nginx:1.27", "5432/tcp", 5432), nil},
		{"caddy's web server on 80", mapped("caddy:2", "80/tcp", 80), nil},
		{"caddy's web server on 443", mapped("caddy:2-alpine", "443/tcp", 443), nil},
		{"traefik's entry point on 80", mapped("traefik:v3.1", "80/tcp", 80), nil},
		{"caddy's admin API", mapped("caddy:2", "2019/tcp", 2019), []string{"exposed-admin-ui"}},
		{"traefik's dashboard", mapped("traefik:v3.1", "8080/tcp", 8080), []string{"exposed-admin-ui"}},
	} {
		rep := run(t, []manifest.Declaration{tt.d}, Options{})
		var got []string
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Rule, "exposed-") {
				got = append(got, f.Rule)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestOneObjectInTwoFiles checks that a Kubernetes object written in two
// files is one object: identical copies are counted once, and copies that
// differ get a warning instead of becoming one pod of two containers.
func TestOneObjectInTwoFiles(t *testing.T) {
	container := func(file, container, digest string) manifest.Declaration {
		return manifest.Declaration{
			Endpoint: ports.MustParseEndpoint("6379/tcp"), Protocol: ports.TCP, Target: ports.Port(6379).Range(),
			Scope: manifest.PodScope("default", "redis"), Kind: manifest.KindContainerPort,
			Project: "default", Service: "redis", Container: container,
			Object: "apps/Deployment/default/redis", ObjectDigest: digest,
			Pos: manifest.Position{File: file, Line: 20, Column: 9},
		}
	}
	same := run(t, []manifest.Declaration{container("redis.yaml", "master", "sha256:a"), container("all-in-one.yaml", "master", "sha256:a")}, Options{})
	if len(same.Findings) != 0 {
		t.Errorf("identical copies: %v", ruleList(same))
	}
	differ := run(t, []manifest.Declaration{container("redis.yaml", "master", "sha256:a"), container("all-in-one.yaml", "redis", "sha256:b")}, Options{})
	if diff := cmp.Diff([]string{"duplicate-object"}, ruleList(differ)); diff != "" {
		t.Fatalf("differing copies: rules (-want +got):\n%s", diff)
	}
	f := differ.Findings[0]
	if len(f.Members) != 2 || f.Members[0].Declaration.Pos.File != "all-in-one.yaml" || f.Members[1].Declaration.Pos.File != "redis.yaml" {
		t.Errorf("the warning names %+v, want both files", f.Members)
	}
	if differ.Failed() {
		t.Error("differing copies fail the check")
	}
}

func TestHostNetworkMismatch(t *testing.T) {
	d := decl(manifest.KindHostNetwork, "agent", "9100/tcp", 0, 1)
	d.HostPort = 9101
	rep := run(t, []manifest.Declaration{d}, Options{})
	if diff := cmp.Diff([]string{"hostnetwork-port-mismatch"}, ruleList(rep)); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	d.HostPort = 9100
	if rep := run(t, []manifest.Declaration{d}, Options{}); len(rep.Findings) != 0 {
		t.Errorf("hostPort equal to containerPort: %v", ruleList(rep))
	}
}

// BenchmarkAliasedRegistry checks a registry whose one entry is repeated
// through YAML aliases: n declarations of one owner and one port, which
// form one conflict group that must not be compared pair by pair.
func BenchmarkAliasedRegistry(b *testing.B) {
	for _, n := range []int{1000, 10000, 40000} {
		d := decl(manifest.KindRegistry, "api", "8080/tcp", 0, 1)
		decls := make([]manifest.Declaration, n)
		for i := range decls {
			decls[i] = d
		}
		limits, _ := hostports.Defaults("linux")
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(decls, Options{Limits: limits}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestImagePortCollision checks that a collision with a port that only an
// image's default gives (a host-network service that declares none) warns
// under its own rule, reported at that service with the other's move, and
// does not fail the check; that several replicas of such a service warn
// the same way; and that the same ports declared in the file collide.
func TestImagePortCollision(t *testing.T) {
	ha := decl(manifest.KindImage, "ha", "8123/tcp", 0, 2)
	ha.Image, ha.NetworkMode = "homeassistant/home-assistant", "host"
	ch := decl(manifest.KindCompose, "clickhouse", "8123/tcp", 8123, 9)
	// ClickHouse's HTTP port is a database's: that finding is not this test's.
	opts := Options{Severities: map[string]Severity{"exposed-database": Off}}
	rep := run(t, []manifest.Declaration{ch, ha}, opts)
	if diff := cmp.Diff([]string{"image-port-collision"}, ruleList(rep)); diff != "" {
		t.Fatalf("rules (-want +got):\n%s", diff)
	}
	f := rep.Findings[0]
	if rep.Failed() || f.Severity != Warning {
		t.Errorf("Failed() = %v, severity %v; want a warning that does not fail", rep.Failed(), f.Severity)
	}
	if got := f.Members[0].Declaration.Owner(); got != "p/ha" {
		t.Errorf("reported at %s, want p/ha", got)
	}
	const wantMsg = "its image (homeassistant/home-assistant) listens on 8123/tcp by default, on the host network, and p/clickhouse binds it too"
	const wantFix = "configure p/ha for 8122/tcp and declare that port (expose), or declare the port it is configured for"
	if f.Message != wantMsg || f.Fix != wantFix {
		t.Errorf("message %q, fix %q\nwant %q, %q", f.Message, f.Fix, wantMsg, wantFix)
	}

	ha.Replicas = 3
	rep = run(t, []manifest.Declaration{ha}, opts)
	if diff := cmp.Diff([]string{"image-port-collision"}, ruleList(rep)); diff != "" {
		t.Fatalf("3 replicas: rules (-want +got):\n%s", diff)
	}
	if f := rep.Findings[0]; rep.Failed() || !strings.HasPrefix(f.Message, "3 replicas of it each bind it") {
		t.Errorf("3 replicas: Failed() = %v, message %q", rep.Failed(), f.Message)
	}

	// A Kubernetes container: its ports are where a port is declared.
	kube := ha
	kube.Container, kube.Replicas = "ha", 0
	rep = run(t, []manifest.Declaration{ch, kube}, opts)
	const wantKubeFix = "configure p/ha for 8122/tcp and declare that port (the container's ports), or declare the port it is configured for"
	if len(rep.Findings) != 1 || rep.Findings[0].Fix != wantKubeFix {
		t.Errorf("a Kubernetes container: findings %v, want one whose fix is %q", rep.Findings, wantKubeFix)
	}

	declared := ha
	declared.Kind, declared.Replicas = manifest.KindComposeExpose, 0
	rep = run(t, []manifest.Declaration{ch, declared}, opts)
	if diff := cmp.Diff([]string{"collision"}, ruleList(rep)); diff != "" || !rep.Failed() {
		t.Errorf("a declared port: rules (-want +got):\n%s\nFailed() = %v", diff, rep.Failed())
	}
}
