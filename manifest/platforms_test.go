package manifest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// The files under examples/platforms reproduce the port tables of the seed
// documents; examples/platforms/README.md lists, per platform, what a
// checker must and must not find. These tests hold the files to the
// documents: which owners the files put on each disputed host port.

const platforms = "../examples/platforms/"

// holders returns the owners of the host-scope declarations of ds whose
// ports hold p on proto, sorted, without repeats.
func holders(ds []Declaration, p ports.Port, proto ports.Protocol) []string {
	var out []string
	for _, d := range ds {
		if d.IsPublished() && !d.Ephemeral && d.Endpoint.Protocol() == proto && d.Endpoint.Range().Contains(p) {
			if !slices.Contains(out, d.Owner()) {
				out = append(out, d.Owner())
			}
		}
	}
	slices.Sort(out)
	return out
}

func load(t *testing.T, l Loader, paths ...string) []Declaration {
	t.Helper()
	var all []Declaration
	for _, p := range paths {
		ds, err := l.Load(platforms + p)
		if err != nil {
			t.Fatalf("Load(%q): %v", p, err)
		}
		all = append(all, ds...)
	}
	return all
}

func TestHopwhistle(t *testing.T) {
	for _, file := range []string{"hopwhistle/docker-compose.yml", "hopwhistle/ports.yaml"} {
		t.Run(file, func(t *testing.T) {
			ds := load(t, Loader{Profiles: []string{"*"}}, file)
			tests := []struct {
				port  ports.Port
				proto ports.Protocol
				want  []string
			}{
				// Seed 002 lines 20, 26: ClickHouse Native and MinIO API
				// both on 9000, unresolved.
				{9000, ports.TCP, []string{"hopwhistle/clickhouse", "hopwhistle/minio"}},
				// Lines 46, 53, 96: Grafana mapped to 3002; Web keeps 3000.
				{3000, ports.TCP, []string{"hopwhistle/web"}},
				{3002, ports.TCP, []string{"hopwhistle/grafana"}},
				{3001, ports.TCP, []string{"hopwhistle/api"}},
				{5060, ports.UDP, []string{"hopwhistle/kamailio"}},
				{15000, ports.UDP, []string{"hopwhistle/rtpengine"}},
				{15000, ports.TCP, nil},
				{9091, ports.TCP, nil}, // worker metrics: not published
			}
			for _, tt := range tests {
				if diff := cmp.Diff(tt.want, holders(ds, tt.port, tt.proto)); diff != "" {
					t.Errorf("holders of %d/%v (-want +got):\n%s", tt.port, tt.proto, diff)
				}
			}
			// Grafana's container port is still 3000.
			for _, d := range ds {
				if d.Service == "grafana" && d.Target != ports.MustParseRange("3000") {
					t.Errorf("grafana: target %v, want 3000", d.Target)
				}
			}
		})
	}

	t.Run("database ports on every interface", func(t *testing.T) {
		// Lines 86-87 publish 5432 and 6379 as "5432:5432"; the security
		// notes (line 101) say never to expose them publicly.
		for _, d := range load(t, Loader{}, "hopwhistle/docker-compose.yml") {
			if d.Service == "postgres" || d.Service == "redis" {
				if !d.AllInterfaces() || d.Exposure != Public {
					t.Errorf("%v: want published on every interface", d)
				}
			}
		}
		for _, d := range load(t, Loader{}, "hopwhistle/ports.yaml") {
			if (d.Service == "postgres" || d.Service == "redis") && d.Exposure != Internal {
				t.Errorf("%v: the registry marks database ports internal", d)
			}
		}
	})

	t.Run("profiles", func(t *testing.T) {
		ds := load(t, Loader{Profiles: []string{}}, "hopwhistle/docker-compose.yml")
		for _, d := range ds {
			switch d.Service {
			case "grafana", "prometheus", "jaeger", "kamailio", "freeswitch", "rtpengine":
				t.Errorf("%v: service of a profile loaded with no profile enabled", d)
			}
		}
		if got := holders(ds, 9000, ports.TCP); len(got) != 2 {
			t.Errorf("holders of 9000 without profiles = %v, want clickhouse and minio", got)
		}
	})

	t.Run("interpolation", func(t *testing.T) {
		ds := load(t, Loader{Env: map[string]string{"API_PORT": "3003"}}, "hopwhistle/docker-compose.yml")
		if diff := cmp.Diff([]string{"hopwhistle/api"}, holders(ds, 3003, ports.TCP)); diff != "" {
			t.Errorf("API_PORT=3003: holders of 3003 (-want +got):\n%s", diff)
		}
		if got := holders(ds, 3001, ports.TCP); got != nil {
			t.Errorf("API_PORT=3003: holders of 3001 = %v, want none", got)
		}
	})
}

func TestALPR(t *testing.T) {
	for _, file := range []string{"alpr/docker-compose.yml", "alpr/ports.yaml"} {
		t.Run(file, func(t *testing.T) {
			ds := load(t, Loader{}, file)
			tests := []struct {
				port ports.Port
				want []string
			}{
				// Seed 003 lines 28, 65, 247-249: cAdvisor moved to 8082,
				// Kafka UI keeps 8080.
				{8080, []string{"alpr/kafka-ui"}},
				{8082, []string{"alpr/cadvisor"}},
				// Lines 19-20: one service on 8000, twice in the table.
				{8000, []string{"alpr/query-api"}},
				// Line 11: Kafka published on 9092, 29092 inside.
				{9092, []string{"alpr/kafka"}},
				{29092, nil},
				// Lines 21, 27: internal only.
				{8002, nil},
				{9080, nil},
				{3000, []string{"alpr/grafana"}},
				{9000, []string{"alpr/minio"}},
			}
			for _, tt := range tests {
				if diff := cmp.Diff(tt.want, holders(ds, tt.port, ports.TCP)); diff != "" {
					t.Errorf("holders of %d/tcp (-want +got):\n%s", tt.port, diff)
				}
			}
			for _, d := range ds {
				if d.Service == "cadvisor" && d.Target != ports.MustParseRange("8080") {
					t.Errorf("cadvisor: target %v, want 8080", d.Target)
				}
			}
		})
	}

	t.Run("container ports in their own scopes", func(t *testing.T) {
		var scopes []Scope
		for _, d := range load(t, Loader{}, "alpr/docker-compose.yml") {
			if !d.IsPublished() {
				scopes = append(scopes, d.Scope)
			}
		}
		want := []Scope{ContainerScope("alpr", "kafka"), ContainerScope("alpr", "kafka-consumer"), ContainerScope("alpr", "promtail")}
		if diff := cmp.Diff(want, scopes); diff != "" {
			t.Errorf("unpublished scopes (-want +got):\n%s", diff)
		}
	})
}

func TestPMS(t *testing.T) {
	ds := load(t, Loader{}, "pms/k8s/backend.yaml", "pms/k8s/frontend.yaml", "pms/k8s/monitoring.yaml")
	// Seed 000 lines 19-33 and 299-304: eleven services and three
	// monitoring tools, each Service on its own cluster IP.
	services := map[Scope][]string{}
	var published []string
	for _, d := range ds {
		switch d.Kind {
		case KindService:
			services[d.Scope] = append(services[d.Scope], d.Endpoint.String())
		case KindNodePort, KindHostPort, KindHostNetwork:
			published = append(published, d.String())
		}
	}
	if got := len(services); got != 15 {
		t.Errorf("%d Services, want 15 (11 services, the NLB, 3 monitoring)", got)
	}
	for s, eps := range services {
		if len(eps) != 1 {
			t.Errorf("%v: ports %v, want one", s, eps)
		}
	}
	// Line 41: the NLB, 80 -> 8088; its node port is allocated by the
	// cluster, so nothing is fixed on the nodes.
	want := []string{"../examples/platforms/pms/k8s/frontend.yaml:64:13: pms-prod/apigateway-nlb */tcp -> 8088 (NodePort, host, public)"}
	if diff := cmp.Diff(want, published); diff != "" {
		t.Errorf("node-level declarations (-want +got):\n%s", diff)
	}
	// Lines 33, 39-41: the frontend's 80 and the NLB's 80 are on two
	// Services, not one.
	var on80 []Scope
	for _, d := range ds {
		if d.Kind == KindService && d.Endpoint.Range().Contains(80) {
			on80 = append(on80, d.Scope)
		}
	}
	if diff := cmp.Diff([]Scope{ServiceScope("pms-prod", "frontend"), ServiceScope("pms-prod", "apigateway-nlb")}, on80); diff != "" {
		t.Errorf("Services on port 80 (-want +got):\n%s", diff)
	}
}
