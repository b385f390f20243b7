package etcd

// The key layout.
//
// Every reservation is a few mark keys under the client's prefix P, one per
// node of its cover (below) in each group of addresses it falls in (further
// below); the value of each is the owner:
//
//	P a/<proto>/<node>.<lo>-<hi>/<addr>           mark in group "all"
//	P m/<proto>/<group>/<node>.<lo>-<hi>/<addr>   mark in another group
//
// <lo> and <hi> are the reservation's first and last port in four hex
// digits, <addr> the hex of its address's binary form, which holds the zone
// ("-" for every address). Every reservation has marks in "all", and its
// mark there at the first node of its cover is its record: the mirrors
// watch P a/ and take a reservation from that mark, ignoring the others. A
// single port on every address, the common case, is thus three keys.
//
// Marks decide conflicts. The 65536 ports are the leaves of a binary tree of
// depth 16; a node is written as its first port in four hex digits and its
// depth as one letter, 'a' (the root) to 'q' (a single port). Nodes sort by
// first port, then depth, so that the nodes of a node's subtree, itself
// included, are exactly those from its own key to its last port followed
// by 'r': one key range. A range of ports is the union of at most 30
// disjoint nodes, its canonical cover, and two ranges overlap if and only
// if a node of one cover lies in the subtree of a node of the other (nodes
// of such a tree are nested or disjoint). A reservation writes a mark at
// each node of its cover; a new one is free of conflict exactly when, in
// each group it must check,
//
//   - no mark lies in the subtree of any node of its cover (one range compare
//     per node: "create revision = 0" over the range holds when it is empty),
//     and
//   - no mark sits on a strict ancestor of a node of its cover (one compare
//     per ancestor, over the keys of that node alone; the ancestors lie on
//     at most two paths from the root, at most 32 nodes).
//
// Addresses split the marks into groups, so that each compare reads only
// marks whose addresses conflict (ports.AddrsOverlap):
//
//	class of the address        writes marks in    checks groups
//	every address, ::           all, w, wf         all
//	0.0.0.0                     all, v4, wf        wf, v4
//	an IPv4 address x           all, v4, 4x        wf, 4x
//	an IPv6 address y           all, 6y            w, 6y
//
// "all" holds every reservation, "w" the wide ones (every address, ::),
// "wf" the wide ones and 0.0.0.0, "v4" 0.0.0.0 and the IPv4 addresses, "4x"
// and "6y" one address each. A reservation on 0.0.0.0 conflicts with the wide
// ones and every IPv4 one: wf ∪ v4. One on x conflicts with the wide ones,
// 0.0.0.0 and x: wf ∪ 4x. The compares of one reservation are thus at most
// 2 groups × (30 + 31) = 122, and its writes at most 3 × 30 marks: within
// etcd's default limit of 128 operations per transaction, whatever the
// length of the range. A single port on every address takes 3 marks and
// 17 compares; its release deletes the 3 marks.
//
// Because the compares test existence, not revisions, a transaction fails
// only on a real conflict: reservations of other ports never make it retry,
// however many clients write at once.
//
// The alternatives lose: keys of one port each would need a key per port (a
// range of 1,000 ports exceeds a transaction); a key per block with
// revision compares makes clients that touch one block retry each other.
// A record key apart from the marks, as this layout first had, cost etcd a
// put and a delete more per reservation; nodes written as their strings of
// bits made every compare up to 22 bytes longer. With both, and JSON
// values, etcd's WAL took 1,712 bytes per allocation and release of one
// port in the benchmark; it takes 1,282 now. (etcd's CPU per allocation
// hardly follows the bytes: it goes to the messages themselves, see
// README.md.)

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/portalloc/ports"
)

// addrClass is the class of an address under the conflict rule.
type addrClass uint8

const (
	classWide  addrClass = iota // every address, or ::
	classAny4                   // 0.0.0.0
	classHost4                  // one IPv4 address
	classHost6                  // one IPv6 address (with its zone)
)

func classOf(a netip.Addr) addrClass {
	if !a.IsValid() {
		return classWide
	}
	a = a.Unmap()
	switch {
	case a.Is6() && a.IsUnspecified():
		return classWide
	case a.Is4() && a.IsUnspecified():
		return classAny4
	case a.Is4():
		return classHost4
	default:
		return classHost6
	}
}

// addrKey is the key form of an address: "-" for every address, otherwise
// the hex of its binary form (which holds the zone), terminated by nothing
// that hex can contain.
func addrKey(a netip.Addr) string {
	if !a.IsValid() {
		return "-"
	}
	b, _ := a.Unmap().MarshalBinary()
	return hex.EncodeToString(b)
}

// groups returns the groups that a reservation on a writes its marks to and
// those that a reservation on a checks.
func groups(a netip.Addr) (write, check []string) {
	switch classOf(a) {
	case classWide:
		return []string{"all", "w", "wf"}, []string{"all"}
	case classAny4:
		return []string{"all", "v4", "wf"}, []string{"wf", "v4"}
	case classHost4:
		g := "4" + addrKey(a)
		return []string{"all", "v4", g}, []string{"wf", g}
	default:
		g := "6" + addrKey(a)
		return []string{"all", g}, []string{"w", g}
	}
}

// node is a node of the binary tree over the ports: the top depth bits of
// its ports are bits.
type node struct {
	bits  uint16
	depth uint8 // 0 (the root) to 16 (one port)
}

// key returns the node's key: its first port in four hex digits and its
// depth as a letter from 'a'.
func (n node) key() string {
	b := hex4(nil, int(n.bits))
	return string(append(b, 'a'+n.depth))
}

// subtreeEnd is the letter after every depth's: the first port of a node
// followed by it sorts after every node that starts there.
const subtreeEnd = 'a' + 17

func hex4(b []byte, v int) []byte {
	const digits = "0123456789abcdef"
	return append(b, digits[v>>12&15], digits[v>>8&15], digits[v>>4&15], digits[v&15])
}

// lo and hi return the first and last port of the node.
func (n node) lo() int { return int(n.bits) }
func (n node) hi() int { return int(n.bits) + 1<<(16-n.depth) - 1 }

// first returns the first node of the canonical cover of lo to hi.
func first(lo, hi int) node {
	d := 16
	for d > 0 {
		size := 1 << (16 - d + 1)
		if lo%size != 0 || lo+size-1 > hi {
			break
		}
		d--
	}
	return node{bits: uint16(lo), depth: uint8(d)}
}

// cover returns the canonical cover of the ports lo to hi: the largest
// aligned nodes that together hold exactly those ports, in port order.
func cover(lo, hi int) []node {
	var out []node
	for lo <= hi {
		// The largest node aligned at lo and within hi.
		n := first(lo, hi)
		out = append(out, n)
		lo = n.hi() + 1
	}
	return out
}

// ancestors returns the strict ancestors of the nodes, each once, in no
// particular order; none of them is one of the nodes (the nodes of a cover
// are disjoint).
func ancestors(nodes []node) []node {
	seen := make(map[node]bool)
	var out []node
	for _, n := range nodes {
		for d := int(n.depth) - 1; d >= 0; d-- {
			a := node{bits: n.bits & ^uint16(0xffff>>d), depth: uint8(d)}
			if seen[a] {
				break // its ancestors are in too
			}
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// layout builds the keys of one client's prefix.
type layout struct{ prefix string }

// records returns the prefix of the marks of group "all", among which are
// the records.
func (l layout) records() string { return l.prefix + "a/" }

// groupPrefix returns the prefix of the marks of group g of proto.
func (l layout) groupPrefix(proto ports.Protocol, g string) string {
	if g == "all" {
		return l.prefix + "a/" + proto.String() + "/"
	}
	return l.prefix + "m/" + proto.String() + "/" + g + "/"
}

// markKey returns the key of the mark of e at node n in group g.
func (l layout) markKey(e ports.Endpoint, g string, n node) string {
	r := e.Range()
	b := make([]byte, 0, len(l.prefix)+32)
	b = append(b, l.groupPrefix(e.Protocol(), g)...)
	b = append(b, n.key()...)
	b = append(b, '.')
	b = hex4(b, int(r.Lo()))
	b = append(b, '-')
	b = hex4(b, int(r.Hi()))
	b = append(b, '/')
	b = append(b, addrKey(e.Addr())...)
	return string(b)
}

// recordKey returns the key of the record of e: its mark in group "all" at
// the first node of its cover.
func (l layout) recordKey(e ports.Endpoint) string {
	r := e.Range()
	return l.markKey(e, "all", first(int(r.Lo()), int(r.Hi())))
}

// marks returns the keys of every mark of e, its record first.
func (l layout) marks(e ports.Endpoint) []string {
	write, _ := groups(e.Addr())
	c := cover(int(e.Range().Lo()), int(e.Range().Hi()))
	out := make([]string, 0, len(write)*len(c))
	for _, g := range write {
		for _, n := range c {
			out = append(out, l.markKey(e, g, n))
		}
	}
	return out
}

// keyRange is the keys from Start up to, not including, End.
type keyRange struct{ Start, End string }

// checks returns the key ranges that must hold no key for e to be free:
// the subtree of each node of its cover and each strict ancestor alone, in
// each group that e checks.
func (l layout) checks(e ports.Endpoint) []keyRange {
	_, check := groups(e.Addr())
	c := cover(int(e.Range().Lo()), int(e.Range().Hi()))
	anc := ancestors(c)
	out := make([]keyRange, 0, len(check)*(len(c)+len(anc)))
	for _, g := range check {
		p := l.groupPrefix(e.Protocol(), g)
		for _, n := range c {
			out = append(out, keyRange{p + n.key(), string(append(hex4([]byte(p), n.hi()), subtreeEnd))})
		}
		for _, n := range anc {
			k := p + n.key()
			out = append(out, keyRange{k + ".", k + "/"})
		}
	}
	return out
}

// parseMark reads a mark key back: its group, its node and the endpoint of
// its reservation.
func (l layout) parseMark(k string) (group string, n node, e ports.Endpoint, err error) {
	bad := func(what string) error { return fmt.Errorf("key %q: %s", k, what) }
	rest, ok := strings.CutPrefix(k, l.prefix)
	if !ok {
		return "", node{}, ports.Endpoint{}, fmt.Errorf("key %q is not under %q", k, l.prefix)
	}
	var protos string
	switch {
	case strings.HasPrefix(rest, "a/"):
		group = "all"
		protos, rest, ok = strings.Cut(rest[2:], "/")
	case strings.HasPrefix(rest, "m/"):
		protos, rest, ok = strings.Cut(rest[2:], "/")
		if ok {
			group, rest, ok = strings.Cut(rest, "/")
			ok = ok && group != "all"
		}
	}
	if !ok {
		return "", node{}, ports.Endpoint{}, bad("want a/protocol/ or m/protocol/group/")
	}
	proto, err := ports.ParseProtocol(protos)
	if err != nil || proto.String() != protos {
		return "", node{}, ports.Endpoint{}, bad(fmt.Sprintf("bad protocol %q", protos))
	}
	// node . lo - hi / addr
	if len(rest) < 16 || rest[5] != '.' || rest[10] != '-' || rest[15] != '/' {
		return "", node{}, ports.Endpoint{}, bad("want node.lo-hi/address after the group")
	}
	nlo, err1 := parseHex4(rest[0:4])
	lo, err2 := parseHex4(rest[6:10])
	hi, err3 := parseHex4(rest[11:15])
	depth := int(rest[4]) - 'a'
	if errors.Join(err1, err2, err3) != nil || depth < 0 || depth > 16 || lo > hi {
		return "", node{}, ports.Endpoint{}, bad("bad node or range")
	}
	n = node{bits: uint16(nlo), depth: uint8(depth)}
	if n.lo()%(1<<(16-depth)) != 0 || n.lo() < lo || n.hi() > hi {
		return "", node{}, ports.Endpoint{}, bad("node outside the range")
	}
	var addr netip.Addr
	if a := rest[16:]; a != "-" {
		b, err := hex.DecodeString(a)
		if err != nil || strings.ToLower(a) != a || addr.UnmarshalBinary(b) != nil || !addr.IsValid() || addr.Is4In6() {
			return "", node{}, ports.Endpoint{}, bad(fmt.Sprintf("bad address %q", a))
		}
	}
	e = ports.EndpointFrom(proto, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
	if !e.IsValid() {
		return "", node{}, ports.Endpoint{}, bad("not an endpoint")
	}
	if group != "all" {
		if write, _ := groups(addr); !slices.Contains(write, group) {
			return "", node{}, ports.Endpoint{}, bad(fmt.Sprintf("address %v has no marks in group %q", addr, group))
		}
	}
	return group, n, e, nil
}

// parseHex4 reads four lowercase hex digits.
func parseHex4(s string) (int, error) {
	v := 0
	for i := range 4 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | int(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		default:
			return 0, fmt.Errorf("%q is not four lowercase hex digits", s)
		}
	}
	return v, nil
}

// parseRecord reads the mark of a reservation in group "all": its endpoint,
// and whether the mark is the record (the others are to be ignored).
func (l layout) parseRecord(k string) (e ports.Endpoint, record bool, err error) {
	g, n, e, err := l.parseMark(k)
	if err != nil {
		return ports.Endpoint{}, false, err
	}
	if g != "all" {
		return ports.Endpoint{}, false, fmt.Errorf("key %q is not under %q", k, l.records())
	}
	r := e.Range()
	return e, n == first(int(r.Lo()), int(r.Hi())), nil
}

// markEndpoint reads the endpoint back from a mark key.
func (l layout) markEndpoint(k string) (ports.Endpoint, bool) {
	_, _, e, err := l.parseMark(k)
	return e, err == nil
}
