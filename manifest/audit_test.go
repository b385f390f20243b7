package manifest

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
)

func TestAuditInput(t *testing.T) {
	decl := func(scope Scope, service, ep string) Declaration {
		e := ports.MustParseEndpoint(ep)
		return Declaration{Endpoint: e, Protocol: e.Protocol(), Addr: e.Addr(), Scope: scope, Project: "p", Service: service}
	}
	ds := []Declaration{
		decl(ServiceScope("ns", "b"), "b", "80/tcp"),
		decl(HostScope(), "web", "3000/tcp"),
		decl(ServiceScope("ns", "a"), "a", "80/tcp"),
		{Ephemeral: true, Protocol: ports.TCP, Scope: HostScope(), Service: "eph"},
		decl(HostScope(), "grafana", "3000/tcp"),
		{Service: "nothing", Scope: HostScope()},
		decl(ContainerScope("p", "w"), "w", "9091/tcp"),
	}
	got := AuditInput(ds)
	type set struct {
		Scope  Scope
		Owners []string
	}
	var sum []set
	for _, s := range got {
		var owners []string
		for _, d := range s.Decls {
			owners = append(owners, d.Owner)
			if d.Endpoint != d.Value.Endpoint || d.Owner != d.Value.Owner() || d.Value.Scope != s.Scope {
				t.Errorf("AuditInput: %+v does not carry its declaration", d)
			}
		}
		sum = append(sum, set{s.Scope, owners})
	}
	want := []set{
		{HostScope(), []string{"p/web", "p/grafana"}},
		{ServiceScope("ns", "a"), []string{"p/a"}},
		{ServiceScope("ns", "b"), []string{"p/b"}},
		{ContainerScope("p", "w"), []string{"p/w"}},
	}
	if diff := cmp.Diff(want, sum); diff != "" {
		t.Errorf("AuditInput (-want +got):\n%s", diff)
	}
	if got := AuditInput(nil); got != nil {
		t.Errorf("AuditInput(nil) = %v, want nil", got)
	}
}

// collisions runs the allocator's audit on each scope of ds and returns
// the groups with two owners or more, one line each:
// "scope: span: owner (file:line), ...".
func collisions(t *testing.T, ds []Declaration) []string {
	t.Helper()
	var out []string
	for _, set := range AuditInput(ds) {
		groups, err := allocator.Audit(set.Decls)
		if err != nil {
			t.Fatalf("allocator.Audit(%v): %v", set.Scope, err)
		}
		for _, g := range groups {
			var owners, members []string
			for _, m := range g.Members {
				if !slices.Contains(owners, m.Owner) {
					owners = append(owners, m.Owner)
				}
				members = append(members, m.Owner+" "+m.Value.Source.String())
			}
			if len(owners) < 2 {
				continue
			}
			out = append(out, set.Scope.String()+": "+ports.EndpointFrom(g.Protocol, g.Members[0].Endpoint.Addr(), g.Span).String()+
				": "+strings.Join(members, ", "))
		}
	}
	return out
}

// TestPlatformCollisions checks, through the allocator's audit, that the
// files of each platform hold exactly the collisions that
// examples/platforms/README.md lists, and not the resolved ones.
func TestPlatformCollisions(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{
			name:  "hopwhistle compose",
			files: []string{"hopwhistle/docker-compose.yml"},
			want: []string{
				"host: 9000/tcp: hopwhistle/clickhouse ../examples/platforms/hopwhistle/docker-compose.yml:50:9, " +
					"hopwhistle/minio ../examples/platforms/hopwhistle/docker-compose.yml:56:9",
			},
		},
		{
			name:  "hopwhistle registry",
			files: []string{"hopwhistle/ports.yaml"},
			want: []string{
				"host: 9000/tcp: hopwhistle/clickhouse ../examples/platforms/hopwhistle/ports.yaml:47:11, " +
					"hopwhistle/minio ../examples/platforms/hopwhistle/ports.yaml:54:11",
			},
		},
		{
			name:  "hopwhistle compose and registry",
			files: []string{"hopwhistle/docker-compose.yml", "hopwhistle/ports.yaml"},
			want: []string{
				"host: 9000/tcp: hopwhistle/clickhouse ../examples/platforms/hopwhistle/docker-compose.yml:50:9, " +
					"hopwhistle/clickhouse ../examples/platforms/hopwhistle/ports.yaml:47:11, " +
					"hopwhistle/minio ../examples/platforms/hopwhistle/docker-compose.yml:56:9, " +
					"hopwhistle/minio ../examples/platforms/hopwhistle/ports.yaml:54:11",
			},
		},
		{name: "alpr compose", files: []string{"alpr/docker-compose.yml"}},
		{name: "alpr registry", files: []string{"alpr/ports.yaml"}},
		{name: "alpr compose and registry", files: []string{"alpr/docker-compose.yml", "alpr/ports.yaml"}},
		{name: "pms", files: []string{"pms/k8s/backend.yaml", "pms/k8s/frontend.yaml", "pms/k8s/monitoring.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collisions(t, load(t, Loader{}, tt.files...))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("collisions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlatformCollisionsUnresolved checks that the audit does find the
// collisions the documents resolved, once the resolution is undone: the
// files are not silent by accident.
func TestPlatformCollisionsUnresolved(t *testing.T) {
	tests := []struct {
		file, from, to string
		want           []string // the start of the collision, then both owners
	}{
		{"hopwhistle/docker-compose.yml", "'3002:3000'", "'3000:3000'",
			[]string{"host: 3000/tcp: ", "hopwhistle/grafana", "hopwhistle/web"}},
		{"alpr/docker-compose.yml", `published: "8082"`, `published: "8080"`,
			[]string{"host: 8080/tcp: ", "alpr/cadvisor", "alpr/kafka-ui"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ds, err := Load(platforms + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := collisions(t, ds); len(got) > 1 {
				t.Fatalf("before the change: %v", got)
			}
			src := readFile(t, platforms+tt.file)
			if !strings.Contains(src, tt.from) {
				t.Fatalf("%s does not contain %q", tt.file, tt.from)
			}
			ds, err = Loader{Profiles: []string{"*"}}.ReadCompose(platforms+tt.file, strings.NewReader(strings.Replace(src, tt.from, tt.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, c := range collisions(t, ds) {
				found = found || (strings.HasPrefix(c, tt.want[0]) && strings.Contains(c, tt.want[1]) && strings.Contains(c, tt.want[2]))
			}
			if !found {
				t.Errorf("with %s -> %s: collisions %v, want one on %q between %s and %s",
					tt.from, tt.to, collisions(t, ds), tt.want[0], tt.want[1], tt.want[2])
			}
		})
	}
}
