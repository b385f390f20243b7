package wellknown

import (
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown/internal/tablegen"
	"pgregory.net/rapid"
)

// serviceLines lists "name port/proto" of services, for readable diffs.
func serviceLines(seq func(func(Service) bool)) []string {
	var out []string
	for s := range seq {
		out = append(out, s.Name()+" "+s.Range().String()+"/"+s.Protocol().String())
	}
	return out
}

func TestForImage(t *testing.T) {
	postgres := []string{"postgresql 5432/tcp"}
	tests := []struct {
		image string
		want  []string
	}{
		{"postgres", postgres},
		{"postgres:16-alpine", postgres},
		{"postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", postgres},
		{"postgres:16@sha256:0123456789abcdef", postgres},
		{"library/postgres", postgres},
		{"docker.io/library/postgres:16", postgres},
		{"index.docker.io/library/postgres", postgres},
		{"ghcr.io/library/postgres", postgres},
		{"registry.local:5000/postgres:16", postgres},
		{"localhost:5000/library/postgres", postgres},
		{"localhost/postgres", postgres},
		{"public.ecr.aws/docker/library/postgres:16", postgres},
		{"Postgres:16", postgres},
		{"bitnami/postgresql:17", postgres},
		{"quay.io/bitnami/postgresql", postgres},
		{"mysql:8.4", []string{"mysql 3306/tcp", "mysqlx 33060/tcp"}},
		{"mariadb:11", []string{"mysql 3306/tcp"}},
		{"mongo:8", []string{"mongodb 27017/tcp"}},
		{"redis:7", []string{"redis 6379/tcp", "redis-sentinel 26379/tcp"}},
		{"valkey/valkey:8", []string{"redis 6379/tcp", "redis-sentinel 26379/tcp"}},
		{"docker.elastic.co/elasticsearch/elasticsearch:9.1.0", []string{"elasticsearch 9200/tcp", "elasticsearch-transport 9300/tcp"}},
		{"elasticsearch:8.15.0", []string{"elasticsearch 9200/tcp", "elasticsearch-transport 9300/tcp"}},
		{"rabbitmq:4-management", []string{"epmd 4369/tcp", "rabbitmq-amqps 5671/tcp", "rabbitmq 5672/tcp", "rabbitmq-management 15672/tcp", "rabbitmq-dist 25672/tcp"}},
		{"apache/kafka:3.9.0", []string{"kafka 9092/tcp", "kafka-controller 9093/tcp"}},
		{"bitnami/kafka", []string{"kafka 9092/tcp", "kafka-controller 9093/tcp"}},
		{"confluentinc/cp-kafka:7.7.1", []string{"kafka 9092/tcp", "kafka-controller 9093/tcp", "kafka-jmx 9101/tcp", "kafka-internal 29092/tcp"}},
		{"minio/minio", []string{"minio 9000/tcp", "minio-console 9001/tcp"}},
		{"quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", []string{"minio 9000/tcp", "minio-console 9001/tcp"}},
		{"dpage/pgadmin4:9", []string{"pgadmin 80/tcp"}},
		{"grafana/grafana:11.2.0", []string{"grafana 3000/tcp"}},
		{"prom/prometheus", []string{"prometheus 9090/tcp"}},
		{"clickhouse/clickhouse-server:24.8", []string{"clickhouse-http 8123/tcp", "clickhouse 9000/tcp", "clickhouse-interserver 9009/tcp"}},
		{"memcached:1.6", []string{"memcached 11211/tcp"}},
		{"nats:2.10", []string{"nats 4222/tcp", "nats-cluster 6222/tcp", "nats-monitoring 8222/tcp"}},
		{"consul:1.15", []string{"consul-server 8300/tcp", "consul-serf-lan 8301/tcp", "consul-serf-lan 8301/udp", "consul-serf-wan 8302/tcp", "consul-serf-wan 8302/udp", "consul 8500/tcp", "consul-grpc 8502/tcp", "consul-grpc-tls 8503/tcp", "consul-dns 8600/tcp", "consul-dns 8600/udp"}},
		// Nothing for what the table does not know.
		{"", nil},
		{"nginx", nil},
		{"mypostgres", nil},
		{"postgres-exporter", nil},
		{"bitnami/nginx", nil},
		{"example/postgres", nil},
		{"postgres/", nil},
		{":16", nil},
		{"@sha256:00", nil},
		{"docker.io/", nil},
		{strings.Repeat("a", 200), nil},
	}
	for _, tt := range tests {
		got := serviceLines(ForImage(tt.image))
		if diff := gocmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ForImage(%q) mismatch (-want +got):\n%s", tt.image, diff)
		}
	}
}

// TestForImageCategory checks what a checker relies on: each service of an
// image is a de-facto entry with its category.
func TestForImageCategory(t *testing.T) {
	for image, want := range map[string][]Category{
		"postgres":        {Database},
		"redis":           {Cache, Cache},
		"rabbitmq":        {Infrastructure, MessageBroker, MessageBroker, AdminUI, MessageBroker},
		"dpage/pgadmin4":  {AdminUI},
		"grafana/grafana": {Observability},
	} {
		var got []Category
		for s := range ForImage(image) {
			if s.Source() != DeFacto {
				t.Errorf("ForImage(%q) yields %v, not a de-facto entry", image, s)
			}
			got = append(got, s.Category())
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("ForImage(%q) categories (-want +got):\n%s", image, diff)
		}
	}
}

// readImageTable reads the image table with the generator's parser: for each
// image key, the names of the entries it names.
func readImageTable(t testing.TB) map[string][]string {
	t.Helper()
	df, err := tablegen.ReadDeFactoFile(defactoPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := tablegen.ReadImagesFile(imagesPath, df); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range df {
		for _, k := range e.Images {
			out[k] = append(out[k], e.Names[0])
		}
	}
	return out
}

// forImageRef is ForImage the slow way: the de-facto services of All whose
// names the image table lists for key.
func forImageRef(all []Service, entries []string) []Service {
	var out []Service
	for _, s := range all {
		if s.Source() == DeFacto && slices.Contains(entries, s.Name()) {
			out = append(out, s)
		}
	}
	return out
}

// TestForImageMatchesTable checks ForImage on every image of the table,
// written as users write it (registry host, library/, tag, digest, case),
// against the table read by the generator's parser.
func TestForImageMatchesTable(t *testing.T) {
	all := allServices()
	table := readImageTable(t)
	if len(table) < 100 {
		t.Fatalf("image table holds %d images, want over 100", len(table))
	}
	decorate := rapid.Custom(func(t *rapid.T) string {
		keys := make([]string, 0, len(table))
		for k := range table {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		k := rapid.SampledFrom(keys).Draw(t, "key")
		host := rapid.SampledFrom([]string{"", "docker.io/", "ghcr.io/", "quay.io/", "registry.example.com:5000/", "localhost/", "mirror.gcr.io/"}).Draw(t, "host")
		lib := ""
		if !strings.Contains(k, "/") && rapid.Bool().Draw(t, "library") {
			lib = "library/"
		}
		tag := rapid.SampledFrom([]string{"", ":latest", ":16-alpine", ":1.2.3"}).Draw(t, "tag")
		digest := rapid.SampledFrom([]string{"", "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}).Draw(t, "digest")
		im := host + lib + k + tag + digest
		if rapid.Bool().Draw(t, "upper") {
			im = strings.ToUpper(im)
		}
		return im
	})
	rapid.Check(t, func(rt *rapid.T) {
		im := decorate.Draw(rt, "image")
		key := imageKeyOf(strings.ToLower(im))
		want := forImageRef(all, table[key])
		got := slices.Collect(ForImage(im))
		if len(want) == 0 || !slices.Equal(want, got) {
			rt.Fatalf("ForImage(%q) = %v, want %v (entries %v)", im, got, want, table[key])
		}
	})
	// And every image as the table writes it.
	for k, entries := range table {
		want := forImageRef(all, entries)
		found := map[string]bool{}
		for _, s := range want {
			found[s.Name()] = true
		}
		if got := slices.Collect(ForImage(k)); len(found) != len(entries) || !slices.Equal(want, got) {
			t.Errorf("ForImage(%q) = %v, want %v (entries %v)", k, got, want, entries)
		}
	}
}

// imageKeyOf is the rule of ForImage's doc, written the slow way.
func imageKeyOf(im string) string {
	im, _, _ = strings.Cut(im, "@")
	if i := strings.LastIndex(im, ":"); i > strings.LastIndex(im, "/") {
		im = im[:i]
	}
	parts := strings.Split(im, "/")
	if len(parts) > 1 && (parts[0] == "localhost" || strings.ContainsAny(parts[0], ".:")) {
		parts = parts[1:]
	}
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "library" {
			parts = parts[i+1:]
			break
		}
	}
	return strings.Join(parts, "/")
}

// TestForImageOnly checks the entries known by image only: ForImage and
// ByName find them, Lookup does not.
func TestForImageOnly(t *testing.T) {
	var only []Service
	for s := range All() {
		if s.ImageOnly() {
			only = append(only, s)
		}
	}
	want := []string{"caddy-http 80/tcp", "pgadmin 80/tcp", "phpmyadmin 80/tcp", "pihole-web 80/tcp", "traefik-web 80/tcp",
		"caddy-https 443/tcp", "caddy-https 443/udp", "traefik-websecure 443/tcp", "adguardhome-setup 3000/tcp", "frigate-internal 5000/tcp", "zigbee2mqtt 8080/tcp"}
	if diff := gocmp.Diff(want, serviceLines(slices.Values(only))); diff != "" {
		t.Errorf("entries known by image only (-want +got):\n%s", diff)
	}
	for _, s := range only {
		if slices.Contains(slices.Collect(Lookup(s.Range().Lo(), 0)), s) {
			t.Errorf("Lookup(%d, 0) finds %v, known by image only", s.Range().Lo(), s)
		}
		if !slices.Contains(slices.Collect(ByName(s.Name())), s) {
			t.Errorf("ByName(%q) does not find %v", s.Name(), s)
		}
		// Its port may be another entry's too (AdGuard Home's setup is on
		// Grafana's 3000).
		p := s.Range().Lo()
		other := slices.ContainsFunc(slices.Collect(Lookup(p, 0)), func(o Service) bool { return o.Source() == DeFacto })
		if DeFactoPorts(0).Contains(p) != other {
			t.Errorf("DeFactoPorts(0).Contains(%d) = %v, the port of %v, which another entry takes: %v", p, !other, s, other)
		}
	}
	if _, ok := CollisionAt(80, ports.TCP); ok {
		t.Error("CollisionAt(80, tcp) found a collision of entries known by image only")
	}
}

func TestForImageAllocs(t *testing.T) {
	n := 0
	for _, im := range []string{"docker.io/library/postgres:16", "RABBITMQ:4", "nginx"} {
		a := testing.AllocsPerRun(100, func() {
			for s := range ForImage(im) {
				n += len(s.Name())
			}
		})
		if a != 0 {
			t.Errorf("ForImage(%q): %v allocations per run, want 0", im, a)
		}
	}
}
