package manifest

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

func TestDeclarationString(t *testing.T) {
	tests := []struct {
		d    Declaration
		want string
	}{
		{Declaration{}, "invalid Declaration"},
		{
			Declaration{Endpoint: ports.MustParseEndpoint("8082/tcp"), Protocol: ports.TCP, Target: ports.MustParseRange("8080"),
				Scope: HostScope(), Kind: KindCompose, Exposure: Public, Project: "alpr", Service: "cadvisor",
				Pos: Position{File: "compose.yaml", Line: 12, Column: 9}},
			"compose.yaml:12:9: alpr/cadvisor 8082/tcp -> 8080 (compose, host, public)",
		},
		{
			Declaration{Ephemeral: true, Protocol: ports.UDP, Addr: netip.MustParseAddr("::1"), Target: ports.MustParseRange("53"),
				Scope: HostScope(), Kind: KindCompose, Exposure: Localhost, Service: "dns"},
			"dns [::1]:*/udp -> 53 (compose, host, localhost)",
		},
		{
			Declaration{Ephemeral: true, Protocol: ports.TCP, Addr: netip.MustParseAddr("127.0.0.1"), Target: ports.MustParseRange("80"),
				Scope: HostScope(), Kind: KindCompose, Service: "web", Pos: Position{File: "c.yaml"}},
			"c.yaml: web 127.0.0.1:*/tcp -> 80 (compose, host)",
		},
		{
			Declaration{Endpoint: ports.MustParseEndpoint("80/tcp"), Protocol: ports.TCP, TargetName: "http",
				Scope: ServiceScope("ns", "web"), Kind: KindService, Exposure: Internal, Project: "ns", Service: "web", Container: "",
				Pos: Position{File: "k.yaml", Line: 3}},
			"k.yaml:3: ns/web 80/tcp -> http (Service, service ns/web, internal)",
		},
		{
			Declaration{Endpoint: ports.MustParseEndpoint("9100/tcp"), Protocol: ports.TCP, Scope: PodScope("ns", "p"),
				Kind: KindContainerPort, Exposure: Internal, Project: "ns", Service: "p", Container: "c"},
			"ns/p[c] 9100/tcp (containerPort, pod ns/p, internal)",
		},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("Declaration.String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDeclarationAllInterfaces(t *testing.T) {
	host := func(e string) Declaration {
		ep := ports.MustParseEndpoint(e)
		return Declaration{Endpoint: ep, Protocol: ep.Protocol(), Addr: ep.Addr(), Scope: HostScope()}
	}
	eph := func(addr string) Declaration {
		d := Declaration{Ephemeral: true, Protocol: ports.TCP, Scope: HostScope()}
		if addr != "" {
			d.Addr = netip.MustParseAddr(addr)
		}
		return d
	}
	tests := []struct {
		name string
		d    Declaration
		want bool
	}{
		{"no address", host("5432/tcp"), true},
		{"0.0.0.0", host("0.0.0.0:5432/tcp"), true},
		{"::", host("[::]:5432/tcp"), true},
		{"loopback", host("127.0.0.1:5432/tcp"), false},
		{"private", host("10.0.0.1:5432/tcp"), false},
		{"ephemeral, no address", eph(""), true},
		{"ephemeral, loopback", eph("127.0.0.1"), false},
		{"not published", Declaration{Endpoint: ports.MustParseEndpoint("5432"), Scope: ContainerScope("p", "db")}, false},
		{"service port", Declaration{Endpoint: ports.MustParseEndpoint("5432"), Scope: ServiceScope("ns", "db")}, false},
	}
	for _, tt := range tests {
		if got := tt.d.AllInterfaces(); got != tt.want {
			t.Errorf("%s: AllInterfaces() = %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.d.IsPublished(); got != (tt.d.Scope.Kind == ScopeHost) {
			t.Errorf("%s: IsPublished() = %v", tt.name, got)
		}
	}
}

func TestDeclarationOwner(t *testing.T) {
	for _, tt := range []struct {
		project, service, want string
	}{
		{"alpr", "minio", "alpr/minio"},
		{"", "minio", "minio"},
	} {
		d := Declaration{Project: tt.project, Service: tt.service}
		if got := d.Owner(); got != tt.want {
			t.Errorf("Declaration{Project: %q, Service: %q}.Owner() = %q, want %q", tt.project, tt.service, got, tt.want)
		}
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		s    Position
		want string
	}{
		{Position{}, ""},
		{Position{File: "a.yaml"}, "a.yaml"},
		{Position{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{Position{File: "a.yaml", Line: 3, Column: 7, Doc: 2}, "a.yaml:3:7"},
		{Position{File: "a.yaml", Column: 7}, "a.yaml"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
	sorted := []Position{
		{},
		{File: "a.yaml", Line: 1},
		{File: "a.yaml", Line: 2, Column: 1},
		{File: "a.yaml", Line: 2, Column: 5},
		{File: "a.yaml", Line: 2, Column: 5, Doc: 1},
		{File: "b.yaml"},
	}
	for i := range sorted {
		for j := range sorted {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = +1
			}
			if got := sorted[i].Compare(sorted[j]); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
	if !slices.IsSortedFunc(sorted, Position.Compare) {
		t.Error("Position.Compare does not order the sorted list")
	}
}

func TestEnumStrings(t *testing.T) {
	kinds := map[Kind]string{
		KindCompose: "compose", KindComposeExpose: "compose expose", KindService: "Service", KindNodePort: "NodePort",
		KindHostPort: "hostPort", KindHostNetwork: "hostNetwork", KindContainerPort: "containerPort", KindRegistry: "registry",
		KindImage: "image default", 0: "Kind(0)", 99: "Kind(99)",
	}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
	if got := len(Kinds()); got != 9 {
		t.Errorf("len(Kinds()) = %d, want 9", got)
	}
	for _, k := range Kinds() {
		if _, ok := kinds[k]; !ok {
			t.Errorf("Kinds() holds %v, which has no String test", k)
		}
	}
	formats := map[Format]string{0: "unknown", FormatCompose: "compose", FormatKubernetes: "kubernetes", FormatRegistry: "registry", 7: "Format(7)"}
	for f, want := range formats {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", f, got, want)
		}
	}
	exposures := map[Exposure]string{0: "unspecified", Public: "public", Internal: "internal", Localhost: "localhost", 9: "Exposure(9)"}
	for e, want := range exposures {
		if got := e.String(); got != want {
			t.Errorf("Exposure(%d).String() = %q, want %q", e, got, want)
		}
	}
	scopes := map[Scope]string{
		{}:                         "invalid Scope",
		HostScope():                "host",
		ServiceScope("ns", "web"):  "service ns/web",
		PodScope("ns", "web"):      "pod ns/web",
		ContainerScope("p", "web"): "container p/web",
		{Kind: 9, Name: "x"}:       "Scope(9)",
	}
	for s, want := range scopes {
		if got := s.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", s, got, want)
		}
		if got, wantValid := s.IsValid(), s.Kind >= ScopeHost && s.Kind <= ScopeContainer; got != wantValid {
			t.Errorf("%#v.IsValid() = %v, want %v", s, got, wantValid)
		}
	}
}

func TestExposureOfAddr(t *testing.T) {
	tests := []struct {
		addr string
		want Exposure
	}{
		{"", Public},
		{"0.0.0.0", Public},
		{"::", Public},
		{"127.0.0.1", Localhost},
		{"::1", Localhost},
		{"10.1.2.3", Internal},
		{"192.168.1.10", Internal},
		{"fd00::1", Internal},
		{"fe80::1", Internal},
		{"203.0.113.7", Public},
	}
	for _, tt := range tests {
		var a netip.Addr
		if tt.addr != "" {
			a = netip.MustParseAddr(tt.addr)
		}
		if got := exposureOfAddr(a); got != tt.want {
			t.Errorf("exposureOfAddr(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

// TestPicksOne reads compose mappings of each shape and checks which bind
// one port of their host range: a range to a single container port does;
// a range to a range of the same length, a single port, an expose entry and
// a Kubernetes port do not. It checks Replicas, from scale and
// deploy.replicas, too (an exposed port on the host network has them; a
// service scaled to 0 declares nothing).
func TestPicksOne(t *testing.T) {
	ds, err := Loader{}.ReadCompose("compose.yaml", strings.NewReader(`
name: p
services:
  pool:
    image: x
    ports:
      - "9000-9005:81"
      - "9100-9101:8100-8101"
      - "9200:92"
      - "127.0.0.1:9300-9302:93/udp"
      - target: 94
        published: "9400-9401"
    expose:
      - "9500-9501"
  scaled:
    image: x
    scale: 2
    ports:
      - "9600-9601:96"
  replicated:
    image: x
    deploy:
      replicas: 3
    ports:
      - "9700:97"
  off:
    image: x
    scale: 0
    ports:
      - "9800:98"
  hostnet:
    image: x
    network_mode: host
    scale: 2
    expose:
      - "9900"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"9000-9005/tcp":           true,
		"9100-9101/tcp":           false,
		"9200/tcp":                false,
		"127.0.0.1:9300-9302/udp": true,
		"9400-9401/tcp":           true,
		"9500-9501/tcp":           false,
		"9600-9601/tcp":           true,
		"9700/tcp":                false,
		"9900/tcp":                false,
	}
	replicas := map[string]int{"9600-9601/tcp": 2, "9700/tcp": 3, "9900/tcp": 2}
	for _, d := range ds {
		e := d.Endpoint.String()
		w, ok := want[e]
		if !ok {
			t.Errorf("unexpected declaration %v", d)
			continue
		}
		delete(want, e)
		if got := d.PicksOne(); got != w {
			t.Errorf("%v: PicksOne() = %v, want %v", d, got, w)
		}
		if d.Replicas != replicas[e] {
			t.Errorf("%v: Replicas = %d, want %d", d, d.Replicas, replicas[e])
		}
	}
	if len(want) > 0 {
		t.Errorf("missing declarations %v", want)
	}
	k := Declaration{Endpoint: ports.MustParseEndpoint("30000-30001"), Target: ports.MustParseRange("80"), Kind: KindNodePort}
	if k.PicksOne() {
		t.Errorf("%v: PicksOne() = true, want false", k)
	}
}
