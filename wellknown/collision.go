package wellknown

import (
	"iter"
	"strings"

	"github.com/portalloc/ports"
)

// Collision is a run of ports where two or more widely used projects of the
// de-facto table meet on one transport: Grafana, Next.js and Ruby on Rails on
// 3000/tcp; MinIO, ClickHouse, PHP-FPM, SonarQube and Portainer on 9000/tcp.
//
// Collisions are not written down anywhere: the generator derives them from
// the de-facto table, so a new entry that lands on a busy port makes a new
// collision by itself. Several entries of one project on one port (Kafka's
// controller and SSL listeners) are not a collision.
//
// Collision is a small value type, comparable with ==. The zero value is no
// collision: its Range is invalid and it holds no service.
type Collision struct {
	// Range is a maximal run of ports where the same entries meet; most
	// collisions are one port.
	Range ports.Range
	// Protocol is the transport they meet on.
	Protocol ports.Protocol
	idx      uint16 // 1 + index into collisions; 0 for the zero value
}

// Services returns an iterator over the de-facto services that meet in c,
// in the order of [All], each with c's Protocol.
func (c Collision) Services() iter.Seq[Service] {
	return func(yield func(Service) bool) {
		if c.idx == 0 {
			return
		}
		k := &collisions[c.idx-1]
		for _, i := range collisionRecords[k.first : k.first+uint16(k.n)] {
			if !yield(service(int(i), k.proto)) {
				return
			}
		}
	}
}

// String returns the ports, the transport and the projects that meet:
// "3000/tcp: Gitea, Grafana, Metabase, Next.js, Ruby on Rails". The zero Collision gives
// "invalid Collision".
func (c Collision) String() string {
	if c.idx == 0 {
		return "invalid Collision"
	}
	var b strings.Builder
	b.WriteString(c.Range.String())
	b.WriteByte('/')
	b.WriteString(c.Protocol.String())
	b.WriteString(":")
	last := ""
	for s := range c.Services() {
		if s.Project() == last {
			continue
		}
		if last != "" {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(s.Project())
		last = s.Project()
	}
	return b.String()
}

func collisionAt(i int) Collision {
	k := &collisions[i]
	return Collision{
		Range:    ports.RangeFrom(ports.Port(k.lo), ports.Port(k.hi)),
		Protocol: k.proto,
		idx:      uint16(i + 1),
	}
}

// Collisions returns an iterator over every collision, by low port, then
// protocol.
func Collisions() iter.Seq[Collision] {
	return func(yield func(Collision) bool) {
		for i := range collisions {
			if !yield(collisionAt(i)) {
				return
			}
		}
	}
}

// CollisionAt returns the collision at port p on transport proto, and whether
// there is one. A proto of zero matches any transport, TCP first. It costs
// O(c) for the few dozen collisions and allocates nothing.
func CollisionAt(p ports.Port, proto ports.Protocol) (Collision, bool) {
	port := uint16(p)
	for i := range collisions {
		k := &collisions[i]
		if k.lo <= port && port <= k.hi && (proto == 0 || proto == k.proto) {
			return collisionAt(i), true
		}
	}
	return Collision{}, false
}
