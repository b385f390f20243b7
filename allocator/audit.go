package allocator

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// Usage is an endpoint that an owner says it uses, as read from a
// compose file, a manifest or a port registry, with a value of the caller's
// (a file and line, a service definition). Usages, unlike reservations,
// may conflict: [Audit] finds where they do. The zero Usage has an
// invalid endpoint, which Audit refuses. A Usage is a plain value.
type Usage[V any] struct {
	Owner    string
	Endpoint ports.Endpoint
	Value    V
}

// ConflictGroup is a set of usages bound together by conflicts: each
// member conflicts, by [ports.Endpoint.Conflicts], with at least one other,
// and any two members are linked by a chain of conflicts. Two members on
// different specific addresses may share ports without conflicting with each
// other, when a third one on every address conflicts with both. The zero
// ConflictGroup has no members; Audit never returns one. A ConflictGroup is a
// plain value; Audit shares nothing with its caller but the Values.
type ConflictGroup[V any] struct {
	// Protocol is the protocol of every member.
	Protocol ports.Protocol
	// Span runs from the lowest port of any member to the highest.
	Span ports.Range
	// Members are the usages of the group, at least two, ordered by
	// endpoint ([ports.Endpoint.Compare]), then owner, then their order in
	// the input.
	Members []Usage[V]
}

// String returns the group in one line, as
// `3000/tcp: "grafana" 0.0.0.0:3000/tcp, "webapp" 3000/tcp`.
func (g ConflictGroup[V]) String() string {
	var b strings.Builder
	b.WriteString(ports.EndpointAnyAddr(g.Protocol, g.Span).String())
	b.WriteString(": ")
	for i, m := range g.Members {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(m.Owner))
		b.WriteByte(' ')
		b.WriteString(m.Endpoint.String())
	}
	return b.String()
}

// Audit finds every conflict among uses and returns the conflict groups:
// the connected components, of two usages or more, of the graph whose
// edges join usages that conflict. Usages that conflict with none
// appear in no group. The groups are ordered by their first member, so the
// result depends only on the usages, not on the order of uses beyond
// ties between equal usages.
//
// An invalid endpoint is an error that names its index and owner, and
// unwraps to [ErrInvalid]. Audit costs
// O(n log n) for n usages and allocates O(n); it does not use an
// [Allocator] and is safe to call concurrently.
func Audit[V any](uses []Usage[V]) ([]ConflictGroup[V], error) {
	for i, d := range uses {
		if !d.Endpoint.IsValid() {
			return nil, invalid("Audit", "usage ", strconv.Itoa(i), " (owner ",
				strconv.Quote(d.Owner), "): invalid endpoint (the zero Endpoint)")
		}
	}
	if len(uses) > 1<<31-1 {
		return nil, invalid("Audit", "too many usages")
	}
	comp := components(uses)
	// Gather the components of two or more.
	size := make([]int32, len(uses))
	for i := range uses {
		size[comp[i]]++
	}
	var idx []int32
	for i := range uses {
		if size[comp[i]] > 1 {
			idx = append(idx, int32(i))
		}
	}
	byDecl := func(i, j int32) int {
		if c := uses[i].Endpoint.Compare(uses[j].Endpoint); c != 0 {
			return c
		}
		if c := strings.Compare(uses[i].Owner, uses[j].Owner); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	}
	slices.SortFunc(idx, byDecl)
	// In that order, each component's first member comes first; number the
	// groups in the order their first members appear.
	group := make(map[int32]int)
	var groups []ConflictGroup[V]
	for _, i := range idx {
		g, ok := group[comp[i]]
		if !ok {
			g = len(groups)
			group[comp[i]] = g
			groups = append(groups, ConflictGroup[V]{
				Protocol: uses[i].Endpoint.Protocol(),
				Members:  make([]Usage[V], 0, size[comp[i]]),
			})
		}
		gr := &groups[g]
		gr.Members = append(gr.Members, uses[i])
		r := uses[i].Endpoint.Range()
		if !gr.Span.IsValid() {
			gr.Span = r
		} else {
			gr.Span = ports.RangeFrom(min(gr.Span.Lo(), r.Lo()), max(gr.Span.Hi(), r.Hi()))
		}
	}
	return groups, nil
}

type auditKey struct {
	key uint64 // proto:3 | group:29 | lo:16 | hi:16
	i   int32
}

// components returns, for each declaration, a representative of its
// connected component in the conflict graph.
//
// By [ports.AddrsOverlap], usages on every address or on :: conflict
// with every usage whose ports they overlap; those on 0.0.0.0 with
// those and with every IPv4 one; those on a specific address with the same
// address and with the former that cover its family. So: one sweep joins the
// overlapping usages on every address, :: and 0.0.0.0 (the hubs); one
// sweep per specific address joins its own; and the runs of each specific
// address are joined to the hub runs they overlap, of every hub for an IPv4
// address, of every address and :: for an IPv6 one.
func components[V any](uses []Usage[V]) []int32 {
	n := len(uses)
	d := newDSU(n)
	// Group 0 holds the usages on every address or ::, group 1 those
	// on 0.0.0.0, groups 2 and up one specific address each.
	addrGroup := make(map[netip.Addr]uint64)
	keys := make([]auditKey, n)
	v4leaf := make([]bool, 0, 8) // by group-2: whether the address is IPv4
	for i, dc := range uses {
		e := dc.Endpoint
		a := e.Addr()
		var g uint64
		switch {
		case seesAll(a):
			g = 0
		case a == netip.IPv4Unspecified():
			g = 1
		default:
			var ok bool
			if g, ok = addrGroup[a]; !ok {
				g = uint64(len(addrGroup)) + 2
				addrGroup[a] = g
				v4leaf = append(v4leaf, a.Is4())
			}
		}
		r := e.Range()
		keys[i] = auditKey{
			key: uint64(e.Protocol())<<61 | g<<32 | uint64(r.Lo())<<16 | uint64(r.Hi()),
			i:   int32(i),
		}
	}
	sortKeys(keys)

	var runs6, runs4 []run // hub runs seen by IPv6 addresses (group 0), by IPv4 ones (groups 0 and 1)
	for start := 0; start < n; {
		proto := keys[start].key >> 61
		end := start
		for end < n && keys[end].key>>61 == proto {
			end++
		}
		ks := keys[start:end]
		start = end
		// Split the protocol's keys into groups.
		gEnd := func(from int) int {
			g := ks[from].key >> 32 & (1<<29 - 1)
			j := from
			for j < len(ks) && ks[j].key>>32&(1<<29-1) == g {
				j++
			}
			return j
		}
		var g0, g1 []auditKey
		j := 0
		if j < len(ks) && ks[j].key>>32&(1<<29-1) == 0 {
			e := gEnd(j)
			g0, j = ks[j:e], e
		}
		if j < len(ks) && ks[j].key>>32&(1<<29-1) == 1 {
			e := gEnd(j)
			g1, j = ks[j:e], e
		}
		runs6 = sweep(d, runs6[:0], g0, nil)
		runs4 = sweep(d, runs4[:0], g0, g1)
		links4 := newBridges(len(runs4))
		links6 := newBridges(len(runs6))
		var leafRuns []run
		for j < len(ks) {
			e := gEnd(j)
			g := ks[j].key >> 32 & (1<<29 - 1)
			leafRuns = sweep(d, leafRuns[:0], ks[j:e], nil)
			if v4leaf[g-2] {
				connect(d, leafRuns, runs4, links4)
			} else {
				connect(d, leafRuns, runs6, links6)
			}
			j = e
		}
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = d.find(int32(i))
	}
	return out
}

func sortKeys(keys []auditKey) {
	slices.SortFunc(keys, func(a, b auditKey) int { return cmp.Compare(a.key, b.key) })
}

// run is a maximal stretch of ports covered by usages of one sweep
// that overlap in a chain; all of them are in one component, of which rep is
// a member.
type run struct {
	lo, hi uint16
	rep    int32
}

// sweep joins the usages of a and b (two lists sorted by port, whose
// addresses all overlap one another) that overlap, and appends their runs.
func sweep(d *dsu, runs []run, a, b []auditKey) []run {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var k auditKey
		if j == len(b) || (i < len(a) && uint32(a[i].key) <= uint32(b[j].key)) {
			k, i = a[i], i+1
		} else {
			k, j = b[j], j+1
		}
		lo, hi := uint16(k.key>>16), uint16(k.key)
		if last := len(runs) - 1; last >= 0 && lo <= runs[last].hi {
			d.union(runs[last].rep, k.i)
			runs[last].hi = max(runs[last].hi, hi)
			continue
		}
		runs = append(runs, run{lo: lo, hi: hi, rep: k.i})
	}
	return runs
}

// connect joins each run of leaves to every hub run it overlaps. Hub runs
// i and i+1 that one leaf run spans are joined once, and bridges remembers
// it, so that the work stays O((n+m) log m) however wide the leaf runs are.
func connect(d *dsu, leaves, hubs []run, br *bridges) {
	for _, l := range leaves {
		i, _ := slices.BinarySearchFunc(hubs, l.lo, func(r run, p uint16) int {
			if r.hi < p {
				return -1
			}
			return +1
		})
		if i == len(hubs) || hubs[i].lo > l.hi {
			continue
		}
		d.union(l.rep, hubs[i].rep)
		for j := br.next(i); j+1 < len(hubs) && hubs[j+1].lo <= l.hi; j = br.next(j + 1) {
			d.union(hubs[j].rep, hubs[j+1].rep)
			br.link(j)
		}
	}
}

// bridges records which neighbouring runs are known to be joined: next(i) is
// the first j >= i such that runs j and j+1 are not.
type bridges struct{ up []int32 }

func newBridges(n int) *bridges {
	b := &bridges{up: make([]int32, n+1)}
	for i := range b.up {
		b.up[i] = int32(i)
	}
	return b
}

func (b *bridges) next(i int) int {
	for int(b.up[i]) != i {
		b.up[i] = b.up[b.up[i]]
		i = int(b.up[i])
	}
	return i
}

func (b *bridges) link(i int) { b.up[i] = int32(i + 1) }

// dsu is a disjoint-set forest with union by size and path halving.
type dsu struct {
	parent []int32
	size   []int32
}

func newDSU(n int) *dsu {
	d := &dsu{parent: make([]int32, n), size: make([]int32, n)}
	for i := range d.parent {
		d.parent[i] = int32(i)
		d.size[i] = 1
	}
	return d
}

func (d *dsu) find(x int32) int32 {
	for d.parent[x] != x {
		d.parent[x] = d.parent[d.parent[x]]
		x = d.parent[x]
	}
	return x
}

func (d *dsu) union(a, b int32) {
	a, b = d.find(a), d.find(b)
	if a == b {
		return
	}
	if d.size[a] < d.size[b] {
		a, b = b, a
	}
	d.parent[b] = a
	d.size[a] += d.size[b]
}
