package wellknown

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

func defactoNames(p ports.Port, proto ports.Protocol) []string {
	var out []string
	for s := range Lookup(p, proto) {
		if s.Source() == DeFacto {
			out = append(out, s.Name())
		}
	}
	return out
}

// TestIssuePorts checks the ports the issue names, and which entry has them.
func TestIssuePorts(t *testing.T) {
	tests := []struct {
		port  ports.Port
		proto ports.Protocol
		name  string
	}{
		{3000, ports.TCP, "grafana"},
		{3000, ports.TCP, "nextjs"},
		{9090, ports.TCP, "prometheus"},
		{9091, ports.TCP, "pushgateway"},
		{9093, ports.TCP, "alertmanager"},
		{9100, ports.TCP, "node-exporter"},
		{9000, ports.TCP, "minio"},
		{9001, ports.TCP, "minio-console"},
		{9092, ports.TCP, "kafka"},
		{29092, ports.TCP, "kafka-internal"},
		{8081, ports.TCP, "schema-registry"},
		{8080, ports.TCP, "kafka-ui"},
		{8080, ports.TCP, "cadvisor"},
		{8123, ports.TCP, "clickhouse-http"},
		{9000, ports.TCP, "clickhouse"},
		{16686, ports.TCP, "jaeger-ui"},
		{14268, ports.TCP, "jaeger-collector"},
		{6831, ports.UDP, "jaeger-agent-compact"},
		{6832, ports.UDP, "jaeger-agent-binary"},
		{3100, ports.TCP, "loki"},
		{9080, ports.TCP, "promtail"},
		{2181, ports.TCP, "zookeeper"},
		{5060, ports.UDP, "kamailio"},
		{5060, ports.TCP, "freeswitch"},
		{22222, ports.UDP, "rtpengine"},
		{10000, ports.UDP, "rtpengine-rtp"},
		{20000, ports.UDP, "rtpengine-rtp"},
		{5173, ports.TCP, "vite"},
		{8500, ports.TCP, "consul"},
		{8200, ports.TCP, "vault"},
		{9200, ports.TCP, "elasticsearch"},
		{9300, ports.TCP, "elasticsearch-transport"},
		{5672, ports.TCP, "rabbitmq"},
		{15672, ports.TCP, "rabbitmq-management"},
		{6443, ports.TCP, "kube-apiserver"},
		{10250, ports.TCP, "kubelet"},
		{4317, ports.TCP, "otlp-grpc"},
		{4318, ports.TCP, "otlp-http"},
		{9000, ports.TCP, "php-fpm"},
		{5000, ports.TCP, "airplay"},
		{7000, ports.TCP, "airplay-control"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s@%d", tt.name, tt.port), func(t *testing.T) {
			if got := defactoNames(tt.port, tt.proto); !slices.Contains(got, tt.name) {
				t.Errorf("Lookup(%d, %s) de-facto names = %v, want %q among them", tt.port, tt.proto, got, tt.name)
			}
		})
	}
}

// seedPorts are the ports named in the seed documents (the field notes in
// the project's shared seeds), with the transport they use there.
var seedPorts = []struct {
	r     string
	proto ports.Protocol
}{
	// 000: a portfolio platform's services and their neighbours.
	{"8088", ports.TCP}, {"8081", ports.TCP}, {"8095", ports.TCP}, {"8090", ports.TCP}, {"8085", ports.TCP},
	{"8080", ports.TCP}, {"8075", ports.TCP}, {"8070", ports.TCP}, {"8065", ports.TCP}, {"8060", ports.TCP},
	{"80", ports.TCP}, {"443", ports.TCP}, {"5432", ports.TCP}, {"6379", ports.TCP}, {"9092", ports.TCP},
	{"9093", ports.TCP}, {"22", ports.TCP}, {"9090", ports.TCP}, {"3000", ports.TCP}, {"16686", ports.TCP},
	// 001: the well-known ports of a networking course.
	{"20", ports.TCP}, {"21", ports.TCP}, {"23", ports.TCP}, {"25", ports.TCP}, {"53", ports.TCP},
	{"53", ports.UDP}, {"110", ports.TCP}, {"143", ports.TCP}, {"465", ports.TCP}, {"587", ports.TCP},
	{"993", ports.TCP}, {"1433", ports.TCP}, {"3306", ports.TCP}, {"3389", ports.TCP}, {"5672", ports.TCP},
	{"8443", ports.TCP}, {"27017", ports.TCP},
	// 002: a voice platform.
	{"3001", ports.TCP}, {"9091", ports.TCP}, {"8123", ports.TCP}, {"9000", ports.TCP}, {"9001", ports.TCP},
	{"5060", ports.UDP}, {"5060", ports.TCP}, {"5061", ports.TCP}, {"5080", ports.UDP}, {"5081", ports.TCP},
	{"8021", ports.TCP}, {"22222", ports.UDP}, {"10000-20000", ports.UDP}, {"14268", ports.TCP},
	{"6831", ports.UDP}, {"6832", ports.UDP},
	// 003: a plate-recognition pipeline.
	{"2181", ports.TCP}, {"29092", ports.TCP}, {"9101", ports.TCP}, {"8000", ports.TCP}, {"8001", ports.TCP},
	{"8002", ports.TCP}, {"3100", ports.TCP}, {"9080", ports.TCP}, {"8082", ports.TCP},
	// 004: Angzarr's port conventions.
	{"1310", ports.TCP}, {"1340", ports.TCP}, {"31310", ports.TCP}, {"31340", ports.TCP}, {"9099", ports.TCP},
	{"50050-50999", ports.TCP},
}

// seedOnlyIANA are the seed ports that no widely used software listens on by
// default: an in-house service of seed 000 (its RTTM service on 8070), which
// the registry alone describes.
var seedOnlyIANA = map[string]bool{"8070": true}

// TestSeedPorts checks that every port of the seeds is known: each port of
// each seed range has a de-facto entry, except the System ports, which the
// registry names the way everyone does (ssh, http, https…), and the ports of
// seedOnlyIANA.
func TestSeedPorts(t *testing.T) {
	for _, sp := range seedPorts {
		r := ports.MustParseRange(sp.r)
		for p := range r.All() {
			var defacto, assigned bool
			for s := range Lookup(p, sp.proto) {
				defacto = defacto || s.Source() == DeFacto
				assigned = assigned || (s.Source() == IANA && s.Status() == Assigned)
			}
			switch {
			case (seedOnlyIANA[sp.r] || p < 1024) && !assigned:
				t.Errorf("seed port %d/%s: no assigned IANA record", p, sp.proto)
			case !seedOnlyIANA[sp.r] && p >= 1024 && !defacto:
				t.Errorf("seed port %d/%s: no de-facto entry", p, sp.proto)
			}
		}
	}
}

// compareCollision orders collisions as Collisions does.
func compareCollision(a, b Collision) int {
	return cmp.Or(cmp.Compare(a.Range.Lo(), b.Range.Lo()), cmp.Compare(a.Protocol, b.Protocol))
}

// collisionsRef derives the collisions from All, the slow way: for each
// protocol and port, the de-facto services there, kept where two or more
// projects meet, in runs of ports with the same services.
func collisionsRef(all []Service) []string {
	var out []string
	for _, proto := range ports.Protocols() {
		var runLo, runHi int = -1, -1
		var runKey string
		flush := func() {
			if runKey != "" {
				out = append(out, fmt.Sprintf("%v/%s: %s", ports.RangeFrom(ports.Port(runLo), ports.Port(runHi)), proto, runKey))
			}
		}
		for p := 0; p <= 65535; p++ {
			var here []Service
			projects := map[string]bool{}
			for _, s := range all {
				if s.Source() == DeFacto && !s.ImageOnly() && s.Protocol() == proto && s.Range().Contains(ports.Port(p)) {
					here = append(here, s)
					projects[s.Project()] = true
				}
			}
			key := ""
			if len(projects) >= 2 {
				key = fmt.Sprint(here)
			}
			if key == runKey && key != "" && runHi == p-1 {
				runHi = p
				continue
			}
			flush()
			runLo, runHi, runKey = p, p, key
		}
		flush()
	}
	return out
}

func TestCollisionsDerived(t *testing.T) {
	var defacto []Service
	for s := range All() {
		if s.Source() == DeFacto {
			defacto = append(defacto, s)
		}
	}
	want := collisionsRef(defacto)
	var cs []Collision
	var got []string
	for c := range Collisions() {
		cs = append(cs, c)
		got = append(got, fmt.Sprintf("%v/%s: %v", c.Range, c.Protocol, slices.Collect(c.Services())))
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("Collisions against a derivation from All (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(cs, compareCollision) {
		t.Errorf("Collisions not sorted by port, then protocol: %v", cs)
	}
}

func TestCollisionsOfIssue(t *testing.T) {
	for _, p := range []ports.Port{3000, 8080, 9000, 9092, 9093, 9100, 5000, 7000} {
		c, ok := CollisionAt(p, ports.TCP)
		if !ok {
			t.Errorf("CollisionAt(%d, tcp) = _, false, want a collision", p)
			continue
		}
		if !c.Range.Contains(p) || c.Protocol != ports.TCP {
			t.Errorf("CollisionAt(%d, tcp) = %v", p, c)
		}
	}
	tests := []struct {
		p     ports.Port
		proto ports.Protocol
		want  string
	}{
		{3000, ports.TCP, "3000/tcp: Gitea, Grafana, Metabase, Next.js, Ruby on Rails"},
		{3000, 0, "3000/tcp: Gitea, Grafana, Metabase, Next.js, Ruby on Rails"},
		{9100, ports.TCP, "9100/tcp: HP JetDirect, Prometheus node_exporter"},
		{12345, ports.UDP, "10000-16383/udp: Asterisk, RTPEngine"},
		{5060, ports.UDP, "5060/udp: FreeSWITCH, Kamailio"},
	}
	for _, tt := range tests {
		c, ok := CollisionAt(tt.p, tt.proto)
		if !ok || c.String() != tt.want {
			t.Errorf("CollisionAt(%d, %s) = %q, %v, want %q, true", tt.p, tt.proto, c, ok, tt.want)
		}
	}
	for _, tt := range []struct {
		p     ports.Port
		proto ports.Protocol
	}{{3000, ports.UDP}, {9090, ports.TCP}, {443, 0}} {
		if c, ok := CollisionAt(tt.p, tt.proto); ok {
			t.Errorf("CollisionAt(%d, %s) = %v, true, want none", tt.p, tt.proto, c)
		}
	}
	var zero Collision
	if zero.String() != "invalid Collision" || len(slices.Collect(zero.Services())) != 0 {
		t.Errorf("zero Collision: %q, %v", zero, slices.Collect(zero.Services()))
	}
}

// TestCollisionAtProperty: CollisionAt finds a collision exactly where
// Collisions has one holding the port.
func TestCollisionAtProperty(t *testing.T) {
	cs := slices.Collect(Collisions())
	rapid.Check(t, func(t *rapid.T) {
		p := ports.Port(rapid.IntRange(0, 65535).Draw(t, "port"))
		if rapid.Bool().Draw(t, "near") {
			p = rapid.SampledFrom(cs).Draw(t, "collision").Range.Lo() + ports.Port(rapid.IntRange(0, 2).Draw(t, "delta"))
		}
		protos := ports.Protocols()
		proto := rapid.SampledFrom(protos[:]).Draw(t, "proto")
		var want *Collision
		for i := range cs {
			if cs[i].Range.Contains(p) && cs[i].Protocol == proto {
				want = &cs[i]
				break
			}
		}
		got, ok := CollisionAt(p, proto)
		if (want != nil) != ok || (ok && got != *want) {
			t.Fatalf("CollisionAt(%d, %s) = %v, %v; Collisions has %v", p, proto, got, ok, want)
		}
	})
}

func TestDeFactoPorts(t *testing.T) {
	tcp := DeFactoPorts(ports.TCP)
	udp := DeFactoPorts(ports.UDP)
	all := DeFactoPorts(0)
	for s := range All() {
		if s.Source() != DeFacto || s.ImageOnly() {
			continue
		}
		set := map[ports.Protocol]ports.RangeSet{ports.TCP: tcp, ports.UDP: udp}[s.Protocol()]
		if !set.ContainsRange(s.Range()) || !all.ContainsRange(s.Range()) {
			t.Errorf("DeFactoPorts(%s) misses %v", s.Protocol(), s)
		}
	}
	// Nothing else is in them.
	for p := range tcp.All() {
		if len(defactoNames(p, ports.TCP)) == 0 {
			t.Errorf("DeFactoPorts(tcp) holds %d, where no de-facto entry is", p)
		}
	}
	if !all.Equal(tcp.Union(udp)) {
		t.Errorf("DeFactoPorts(0) = %v, want tcp ∪ udp = %v", all, tcp.Union(udp))
	}
	if !DeFactoPorts(ports.SCTP).IsEmpty() || !DeFactoPorts(ports.Protocol(7)).IsEmpty() {
		t.Errorf("DeFactoPorts(sctp) or DeFactoPorts(7) not empty")
	}
}
