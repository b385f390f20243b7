package wellknown_test

import (
	"fmt"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown"
)

// Every service on a port, from both tables.
func ExampleLookup() {
	for s := range wellknown.Lookup(9000, ports.TCP) {
		fmt.Printf("%-8s %-19s %s\n", s.Source(), s.Name(), s.Description())
	}
	// Output:
	// iana     cslistener          CSlistener
	// de-facto clickhouse          ClickHouse native protocol
	// de-facto gatsby-serve        Preview of the production build (gatsby serve)
	// de-facto keycloak-management Management interface (/health and /metrics, when enabled)
	// de-facto minio               S3-compatible object storage API
	// de-facto php-fpm             FastCGI listener of the default pool configuration
	// de-facto portainer-http      Portainer UI over HTTP (legacy, optional)
	// de-facto sentry              Web UI and API of self-hosted Sentry
	// de-facto sonarqube           SonarQube web server (sonar.web.port)
}

// A range matches every port inside it.
func ExampleLookup_range() {
	for s := range wellknown.Lookup(6010, ports.UDP) {
		fmt.Println(s.Name(), s.Range(), s.Description())
	}
	// Output:
	// x11 6000-6063 X Window System
}

// Only what the registry assigns.
func ExampleLookup_assigned() {
	for s := range wellknown.Lookup(443, 0) {
		if s.Status() == wellknown.Assigned {
			fmt.Println(s)
		}
	}
	// Output:
	// https 443/sctp (IANA)
	// https 443/tcp (IANA)
	// https 443/udp (IANA)
}

// Names are found without regard to case, aliases included.
func ExampleByName() {
	for s := range wellknown.ByName("Postgres") {
		fmt.Println(s.Name(), s.Range(), s.Protocol(), s.Category(), s.Reference())
	}
	// Output:
	// postgresql 5432 tcp database https://www.postgresql.org/docs/current/runtime-config-connection.html
}

// The registry's own aliases are records of their own.
func ExampleByName_alias() {
	for s := range wellknown.ByName("www") {
		fmt.Println(s, "is an alias of", s.AliasOf())
	}
	// Output:
	// www 80/tcp (IANA) is an alias of http
	// www 80/udp (IANA) is an alias of http
}

func ExampleAll() {
	n := map[wellknown.Source]int{}
	for s := range wellknown.All() {
		n[s.Source()]++
	}
	fmt.Println(n[wellknown.IANA], "IANA services from the registry of", wellknown.RegistryUpdated)
	fmt.Println(n[wellknown.DeFacto] >= 60, "de-facto")
	// Output:
	// 13463 IANA services from the registry of 2026-08-17
	// true de-facto
}

func ExampleCollisions() {
	for c := range wellknown.Collisions() {
		if c.Range.Lo() >= 9000 && c.Range.Lo() < 9200 {
			fmt.Println(c)
		}
	}
	// Output:
	// 9000/tcp: ClickHouse, Gatsby, Keycloak, MinIO, PHP-FPM, Portainer, Sentry, SonarQube
	// 9092/tcp: H2 Database, Apache Kafka, Redpanda
	// 9093/tcp: Prometheus Alertmanager, Apache Kafka
	// 9099/tcp: Angzarr, Project Calico
	// 9100/tcp: HP JetDirect, Prometheus node_exporter
}

func ExampleCollisionAt() {
	c, ok := wellknown.CollisionAt(3000, ports.TCP)
	fmt.Println(ok, c.Range, c.Protocol)
	for s := range c.Services() {
		fmt.Println(" ", s.Project(), "-", s.Category())
	}
	_, ok = wellknown.CollisionAt(5432, ports.TCP)
	fmt.Println(ok)
	// Output:
	// true 3000 tcp
	//   Gitea - infrastructure
	//   Grafana - observability
	//   Metabase - admin-ui
	//   Next.js - web-server
	//   Ruby on Rails - web-server
	// false
}

func ExampleCollision_Services() {
	c, _ := wellknown.CollisionAt(8081, ports.TCP)
	for s := range c.Services() {
		fmt.Println(s.Name(), s.Category())
	}
	// Output:
	// flink admin-ui
	// nexus infrastructure
	// schema-registry message-broker
}

func ExampleBadPorts() {
	bad := wellknown.BadPorts()
	fmt.Println(bad.Contains(6000), bad.Contains(8080), bad.Len())
	// Output:
	// true false 83
}

func ExampleNodePortRange() {
	r := wellknown.NodePortRange()
	fmt.Println(r, r.Len(), r.Contains(31310))
	// Output:
	// 30000-32767 2768 true
}

func ExampleSystemPorts() {
	fmt.Println(wellknown.SystemPorts())
	// Output:
	// 0-1023
}

// Choosing test ports away from everything a developer may be running.
func ExampleDeFactoPorts() {
	avoid := wellknown.DeFactoPorts(ports.TCP).Union(wellknown.BadPorts())
	p, _ := avoid.NextAbsent(3000)
	fmt.Println(avoid.Contains(5173), p)
	fmt.Println(wellknown.DeFactoPorts(ports.UDP))
	// Output:
	// true 3002
	// 53,3389,4648,5060,5080,5353,5355,6831-6832,8125,8301-8302,8555,8600,9094,10000-32768
}

func ExampleService_String() {
	for s := range wellknown.ByName("grafana") {
		fmt.Println(s)
	}
	// Output:
	// grafana 3000/tcp (Grafana)
}

func ExampleCategory_String() {
	for _, c := range wellknown.Categories() {
		fmt.Print(c, " ")
	}
	fmt.Println()
	// Output:
	// database cache message-broker observability web-server admin-ui infrastructure media
}

// The software a container image runs, and every port it listens on,
// whatever the registry, tag or digest.
func ExampleForImage() {
	for s := range wellknown.ForImage("docker.io/bitnami/postgresql:17") {
		fmt.Println(s, s.Category())
	}
	for s := range wellknown.ForImage("quay.io/minio/minio:latest") {
		fmt.Println(s, s.Category())
	}
	for s := range wellknown.ForImage("dpage/pgadmin4") {
		fmt.Println(s, s.Category(), s.ImageOnly())
	}
	// Output:
	// postgresql 5432/tcp (PostgreSQL) database
	// minio 9000/tcp (MinIO) infrastructure
	// minio-console 9001/tcp (MinIO) admin-ui
	// pgadmin 80/tcp (pgAdmin) admin-ui true
}

// A service's endpoint, as a server binds it.
func ExampleService_Endpoint() {
	for s := range wellknown.ByName("postgres") {
		fmt.Println(s.Endpoint())
	}
	// Output:
	// 5432/tcp
}

// The ports to keep clear of, in one set.
func ExampleNodePortRange_set() {
	avoid := wellknown.BadPorts().Union(wellknown.NodePortRange().Set())
	fmt.Println(avoid.Contains(6000), avoid.Contains(31000), avoid.Contains(8080))
	// Output:
	// true true false
}
