package etcd

// The key layout.
//
// Every reservation is one record key and a few mark keys, all under the
// client's prefix P:
//
//	P r/<proto>/<lo>-<hi>/<addr>            record: value is the owner
//	P m/<proto>/<group>/<node>.<endpoint>   mark: value is the owner
//
// <lo> and <hi> are four hex digits, <addr> the hex of the address's binary
// form ("-" for every address), so that records sort by protocol and range.
//
// Marks decide conflicts. The 65536 ports are the leaves of a binary tree of
// depth 16; a node is the string of the bits that lead to it from the root
// ("" for the root, 16 bits for a single port), so that the keys of a node's
// subtree are exactly the keys that start with its bits: one key range. A
// range of ports is the union of at most 30 disjoint nodes, its canonical
// cover, and two ranges overlap if and only if a node of one cover lies in
// the subtree of a node of the other (nodes of such a tree are nested or
// disjoint). A reservation writes a mark at each node of its cover; a new
// one is free of conflict exactly when, in each group it must check,
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
// 2 groups × (30 + 31) = 122, and its writes at most 3 × 30 marks and the
// record: within etcd's default limit of 128 operations per transaction,
// whatever the length of the range. A single port on every address takes 3
// marks, a record and 17 compares.
//
// Because the compares test existence, not revisions, a transaction fails
// only on a real conflict: reservations of other ports never make it retry,
// however many clients write at once.
//
// The alternatives lose: keys of one port each would need a key per port (a
// range of 1,000 ports exceeds a transaction); a key per block with
// revision compares makes clients that touch one block retry each other.

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
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

// key returns the node's bit string.
func (n node) key() string {
	var b [16]byte
	for i := range int(n.depth) {
		if n.bits&(1<<(15-i)) != 0 {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
	}
	return string(b[:n.depth])
}

// lo and hi return the first and last port of the node.
func (n node) lo() int { return int(n.bits) }
func (n node) hi() int { return int(n.bits) + 1<<(16-n.depth) - 1 }

// cover returns the canonical cover of the ports lo to hi: the largest
// aligned nodes that together hold exactly those ports, in port order.
func cover(lo, hi int) []node {
	var out []node
	for lo <= hi {
		d := 16
		// Grow the node while it stays aligned at lo and within hi.
		for d > 0 {
			size := 1 << (16 - d + 1)
			if lo%size != 0 || lo+size-1 > hi {
				break
			}
			d--
		}
		out = append(out, node{bits: uint16(lo), depth: uint8(d)})
		lo += 1 << (16 - d)
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

func (l layout) records() string { return l.prefix + "r/" }

// recordKey returns the key of the record of e.
func (l layout) recordKey(e ports.Endpoint) string {
	r := e.Range()
	return fmt.Sprintf("%sr/%s/%04x-%04x/%s", l.prefix, e.Protocol(), int(r.Lo()), int(r.Hi()), addrKey(e.Addr()))
}

// parseRecordKey reads an endpoint back from a record key.
func (l layout) parseRecordKey(k string) (ports.Endpoint, error) {
	rest, ok := strings.CutPrefix(k, l.records())
	if !ok {
		return ports.Endpoint{}, fmt.Errorf("key %q is not under %q", k, l.records())
	}
	f := strings.Split(rest, "/")
	if len(f) != 3 {
		return ports.Endpoint{}, fmt.Errorf("key %q: want protocol/lo-hi/address", k)
	}
	proto, err := ports.ParseProtocol(f[0])
	if err != nil {
		return ports.Endpoint{}, fmt.Errorf("key %q: %v", k, err)
	}
	los, his, ok := strings.Cut(f[1], "-")
	lo, err1 := strconv.ParseUint(los, 16, 16)
	hi, err2 := strconv.ParseUint(his, 16, 16)
	if !ok || err1 != nil || err2 != nil || lo > hi {
		return ports.Endpoint{}, fmt.Errorf("key %q: bad range %q", k, f[1])
	}
	var addr netip.Addr
	if f[2] != "-" {
		b, err := hex.DecodeString(f[2])
		if err != nil || addr.UnmarshalBinary(b) != nil || !addr.IsValid() {
			return ports.Endpoint{}, fmt.Errorf("key %q: bad address %q", k, f[2])
		}
	}
	e := ports.EndpointFrom(proto, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
	if !e.IsValid() {
		return ports.Endpoint{}, fmt.Errorf("key %q: not an endpoint", k)
	}
	return e, nil
}

// groupPrefix returns the prefix of the marks of group g of proto.
func (l layout) groupPrefix(proto ports.Protocol, g string) string {
	return l.prefix + "m/" + proto.String() + "/" + g + "/"
}

// markKey returns the key of the mark of e at node n in group g.
func (l layout) markKey(e ports.Endpoint, g string, n node) string {
	return l.groupPrefix(e.Protocol(), g) + n.key() + "." + e.String()
}

// marks returns the keys of every mark of e.
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
			k := p + n.key()
			out = append(out, keyRange{k, prefixEnd(k)})
		}
		for _, n := range anc {
			k := p + n.key() + "."
			out = append(out, keyRange{k, prefixEnd(k)})
		}
	}
	return out
}

// prefixEnd returns the first key after every key that starts with p.
// p is never empty and never ends in 0xff here: it ends in a '/', '.',
// '0' or '1'.
func prefixEnd(p string) string {
	b := []byte(p)
	b[len(b)-1]++
	return string(b)
}

// markEndpoint reads the endpoint back from a mark key: what follows the
// first '.' after the group.
func (l layout) markEndpoint(k string) (ports.Endpoint, bool) {
	rest, ok := strings.CutPrefix(k, l.prefix+"m/")
	if !ok {
		return ports.Endpoint{}, false
	}
	// protocol / group / bits . endpoint
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return ports.Endpoint{}, false
	}
	rest = rest[i+1:]
	if i = strings.IndexByte(rest, '/'); i < 0 {
		return ports.Endpoint{}, false
	}
	rest = rest[i+1:]
	if i = strings.IndexByte(rest, '.'); i < 0 {
		return ports.Endpoint{}, false
	}
	e, err := ports.ParseEndpoint(rest[i+1:])
	return e, err == nil
}
