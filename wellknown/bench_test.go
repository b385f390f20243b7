package wellknown

import (
	"context"
	"net"
	"testing"

	"github.com/portalloc/ports"
)

var sink int

// BenchmarkLookup ranges over every service on a port: a plain registered
// port, a port in a range, the busiest port of the de-facto table, and a
// port with only a de-facto range.
func BenchmarkLookup(b *testing.B) {
	for _, bc := range []struct {
		name  string
		port  ports.Port
		proto ports.Protocol
	}{
		{"port=80/tcp", 80, ports.TCP},
		{"port=6010/tcp", 6010, ports.TCP},
		{"port=8080/tcp", 8080, ports.TCP},
		{"port=9000/any", 9000, 0},
		{"port=50500/tcp", 50500, ports.TCP},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for s := range Lookup(bc.port, bc.proto) {
					sink += int(s.Range().Lo())
				}
			}
		})
	}
}

// portNames are names that both the registry and /etc/services know.
var portNames = []string{"ssh", "http", "postgresql", "IMAPS"}

// BenchmarkPortOfName answers "which TCP port does this service use?" with
// ByName and, side by side, with the standard library's net.LookupPort
// (impl=net: the default resolver, which asks the C library when cgo is
// available; impl=netgo: the pure Go resolver, which reads /etc/services
// once into a map).
func BenchmarkPortOfName(b *testing.B) {
	goResolver := &net.Resolver{PreferGo: true}
	ctx := context.Background()
	for _, name := range portNames {
		b.Run("impl=wellknown/name="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for s := range ByName(name) {
					if s.Protocol() == ports.TCP {
						sink += int(s.Range().Lo())
						break
					}
				}
			}
		})
		b.Run("impl=net/name="+name, func(b *testing.B) {
			if _, err := net.LookupPort("tcp", name); err != nil {
				b.Skipf("net.LookupPort(tcp, %q): %v", name, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p, _ := net.LookupPort("tcp", name)
				sink += p
			}
		})
		b.Run("impl=netgo/name="+name, func(b *testing.B) {
			if _, err := goResolver.LookupPort(ctx, "tcp", name); err != nil {
				b.Skipf("Resolver{PreferGo}.LookupPort(tcp, %q): %v", name, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p, _ := goResolver.LookupPort(ctx, "tcp", name)
				sink += p
			}
		})
	}
}

func BenchmarkByName(b *testing.B) {
	for _, name := range []string{"http", "PostgreSQL", "postgres", "no-such-service"} {
		b.Run("name="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for s := range ByName(name) {
					sink += int(s.Range().Lo())
				}
			}
		})
	}
}

func BenchmarkCollisionAt(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if c, ok := CollisionAt(9100, ports.TCP); ok {
			sink += int(c.Range.Lo())
		}
	}
}

func BenchmarkForImage(b *testing.B) {
	for _, im := range []string{"postgres", "docker.io/library/rabbitmq:4-management", "docker.elastic.co/elasticsearch/elasticsearch:9.1.0", "nginx:1.27"} {
		b.Run("image="+im, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for s := range ForImage(im) {
					sink += int(s.Range().Lo())
				}
			}
		})
	}
}
