package check

// Pools: a range of host ports mapped to one container port ("9000-9005:80")
// gives each container of the service one port of the range, the first free
// one when it starts. pickPorts finds whether every pool can get its ports
// apart from every fixed port and from each other, startOrder warns of a
// pool that may take a port another service binds, and replicatedFixed
// finds fixed host ports that several replicas would each bind.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/manifest"
)

// startOrder returns the warnings of pools of given that may take a port
// another owner binds. Docker gives a pool the first port of its range
// that is free when its container starts; pickPorts gave it the ports
// left over by the others (out, pooled, from). A port that another owner
// binds, in the pool's range and below the highest port the pool was
// given, is one the pool would take were that owner not up yet, and the
// owner would then fail to start. Docker Compose starts a service after
// those it depends on ([manifest.Declaration.DependsOn]), so a pool whose
// service depends on a compose service of its project is safe from it; and
// one that such a service depends on starts first, and takes the port for
// sure. A pool that found too few ports is a collision already and is left
// out. Each pool is warned of once, for the lowest such port; pools that
// may take one port of one holder, for one reason, are one warning (see
// startOrderFinding), so that forty pools on one range are not forty
// warnings.
func startOrder(given, out auditSet, pooled []ports.Endpoint, from []int) []Finding {
	sibling := func(a, b manifest.Declaration) bool { // two compose services of one project
		isCompose := func(k manifest.Kind) bool { return k == manifest.KindCompose || k == manifest.KindComposeExpose }
		return isCompose(a.Kind) && isCompose(b.Kind) && a.Project == b.Project
	}
	startsAfter := func(a, b manifest.Declaration) bool {
		return sibling(a, b) && slices.Contains(a.DependsOn, b.Service)
	}
	var groups []*startOrderGroup
	at := map[startOrderKey]*startOrderGroup{}
	for i, d := range given.Decls {
		pool := d.Value
		if !pool.PicksOne() {
			continue
		}
		// The highest port the pool was given, if it found one for each
		// replica: its copies hold single ports, and one more holds the
		// whole range if some found none.
		hi, short := ports.Port(0), false
		for j, o := range out.Decls {
			if from[j] != i {
				continue
			}
			if r := o.Endpoint.Range(); r.Len() == 1 && o.Endpoint != d.Endpoint {
				hi = max(hi, r.Lo())
			} else {
				short = true
			}
		}
		if short || hi == 0 {
			continue
		}
		lo := d.Endpoint.Range().Lo()
		var holder manifest.Declaration
		port := ports.Port(0)
		for j, o := range given.Decls {
			h := o.Value
			if pooled[j].IsValid() || h.Owner() == pool.Owner() || !clash(h, pool) || startsAfter(pool, h) {
				continue
			}
			r := h.Endpoint.Range()
			if p := max(r.Lo(), lo); p <= hi && r.Hi() >= lo && (port == 0 || p < port) {
				holder, port = h, p
			}
		}
		if port == 0 {
			continue
		}
		why := mayTake
		switch {
		case startsAfter(holder, pool):
			why = takes
		case !sibling(pool, holder):
			why = mayTakeUnordered
		}
		k := startOrderKey{holder.Owner(), holder.Endpoint, port, why}
		g := at[k]
		if g == nil {
			g = &startOrderGroup{holder: holder, port: port, why: why}
			at[k] = g
			groups = append(groups, g)
		}
		g.pools = append(g.pools, pool)
	}
	warns := make([]Finding, 0, len(groups))
	for _, g := range groups {
		warns = append(warns, g.finding())
	}
	return warns
}

// Why a pool is warned of: it may take the holder's port if it starts
// first, and depends_on can order it (mayTake) or cannot, the two being
// of different projects or formats (mayTakeUnordered); or it takes the
// port for sure, the holder depending on it (takes).
const (
	mayTake = iota
	mayTakeUnordered
	takes
)

// startOrderKey is what the pools of one warning share: the holder (its
// owner and endpoint), the port and why.
type startOrderKey struct {
	holder string
	bound  ports.Endpoint
	port   ports.Port
	why    int
}

// startOrderGroup is the pools that share a startOrderKey, in the order
// of the declarations.
type startOrderGroup struct {
	holder manifest.Declaration
	port   ports.Port
	why    int
	pools  []manifest.Declaration
}

// finding returns the group's warning. One pool is named as it always
// was. Several are one finding with a member for each, sorted by owner and
// position, the first being where it is reported; its message gives their
// count and names them, the first two and the last when there are more
// than four.
func (g *startOrderGroup) finding() Finding {
	h, port := g.holder.Owner(), g.port
	if len(g.pools) == 1 {
		pool := g.pools[0]
		msg := fmt.Sprintf("if it starts before %s, Docker may give it %d, which %s binds, and %s then fails to start", h, port, h, h)
		fix := fmt.Sprintf("start %s after %s (depends_on), or keep the pool off %d", pool.Service, g.holder.Service, port)
		switch g.why {
		case takes:
			msg = fmt.Sprintf("%s depends on it, so it starts first, and Docker gives it %d, which %s binds: %s fails to start", h, port, h, h)
			fix = fmt.Sprintf("keep the pool off %d", port)
		case mayTakeUnordered:
			fix = fmt.Sprintf("keep the pool off %d (depends_on cannot order %s after %s)", port, pool.Owner(), h)
		}
		return finding("pool-start-order", pool, msg, fix)
	}
	pools := slices.Clone(g.pools)
	slices.SortStableFunc(pools, func(a, b manifest.Declaration) int {
		return cmp.Or(cmp.Compare(a.Owner(), b.Owner()), a.Pos.Compare(b.Pos))
	})
	names := make([]string, len(pools))
	for i, p := range pools {
		names[i] = p.Owner()
	}
	if len(names) > 4 {
		names = []string{names[0], names[1], "…", names[len(names)-1]}
	}
	n, list := len(pools), strings.Join(names, ", ")
	msg := fmt.Sprintf("%d pools (%s): if one starts before %s, Docker may give it %d, which %s binds, and %s then fails to start", n, list, h, port, h, h)
	fix := fmt.Sprintf("start the %d pools after %s (depends_on), or keep them off %d", n, g.holder.Service, port)
	switch g.why {
	case takes:
		msg = fmt.Sprintf("%d pools (%s): %s depends on them, so they start first, and Docker gives one of them %d, which %s binds: %s fails to start", n, list, h, port, h, h)
		fix = fmt.Sprintf("keep the pools off %d", port)
	case mayTakeUnordered:
		fix = fmt.Sprintf("keep the pools off %d (depends_on cannot order them after %s)", port, h)
	}
	f := Finding{Rule: "pool-start-order", Message: msg, Fix: fix}
	for _, p := range pools {
		f.Members = append(f.Members, Member{Declaration: p, Endpoint: p.Endpoint})
	}
	return f
}

// pickPorts returns set with its pools ([manifest.Declaration.PicksOne])
// bound to ports, and, for each declaration of the result that is pooled
// (a pool, a port one took, a registry entry that documents one), the
// pool's declared endpoint; the zero Endpoint for the others.
//
// Each replica of a pool takes one port of the pool's range that clashes
// with no other declaration of set and no port taken before. The replicas
// take their ports in the order of their ranges' high ends (and
// low ends), each the lowest it can: for pools on one address, the greedy
// order that finds ports for all of them whenever some choice of ports
// does, whatever order they are declared in. Across addresses that overlap
// in part (127.0.0.1 and every address) it may miss a choice that fits, so
// when some replica finds no port, exactPorts searches every choice, up to
// maxPoolTries ports, and its answer is taken if it finds one.
// A pool's first replica is its declaration; each further one that finds a
// port is added to the end of the set, a copy bound to its port, and if
// some find none, one more copy keeps the whole range (or the declaration
// does, if none found a port), so that it collides with the holders of the
// range. A registry entry that documents a pool (its owner and endpoint)
// takes the port of the pool's first replica. set itself is left as it was.
//
// Docker gives each container the first free port of the range when it
// starts, so pools that fit may still collide in some start orders: check
// reports pools that cannot all fit, and startOrder warns of those that
// may take another's port.
//
// from gives, for each declaration of the result, the index in set of the
// declaration it is, or is a copy of.
func pickPorts(set auditSet) (_ auditSet, pooled []ports.Endpoint, from []int) {
	pooled = make([]ports.Endpoint, len(set.Decls))
	from = make([]int, len(set.Decls))
	for i := range from {
		from[i] = i
	}
	type slot struct {
		i    int // the pool's declaration
		port ports.Port
		ok   bool
	}
	var slots []slot
	for i, d := range set.Decls {
		if d.Value.PicksOne() {
			pooled[i] = d.Endpoint
			for range max(d.Value.Replicas, 1) {
				slots = append(slots, slot{i: i})
			}
		}
	}
	if len(slots) == 0 {
		return set, pooled, from
	}
	// documents[j] is the pool that registry entry j documents, or -1.
	documents := make([]int, len(set.Decls))
	for j, d := range set.Decls {
		documents[j] = -1
		if d.Value.Kind != manifest.KindRegistry {
			continue
		}
		documents[j] = slices.IndexFunc(set.Decls, func(p allocator.Usage[manifest.Declaration]) bool {
			return p.Value.PicksOne() && p.Owner == d.Owner && p.Endpoint == d.Endpoint
		})
		if documents[j] >= 0 {
			pooled[j] = d.Endpoint
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int {
		ra, rb := set.Decls[a.i].Endpoint.Range(), set.Decls[b.i].Endpoint.Range()
		return cmp.Or(cmp.Compare(ra.Hi(), rb.Hi()), cmp.Compare(ra.Lo(), rb.Lo()), cmp.Compare(a.i, b.i))
	})
	// Each replica of a pool takes the lowest port of the pool that no
	// fixed port and no replica placed before it holds. The replicas of a
	// pool are next to each other in slots, so the pool's free ports are
	// found once, and its replicas take them in order.
	// fixedFree[i] is the ports of pool i that no fixed port holds.
	fixedFree := map[int]ports.RangeSet{}
	someShort := false
	for k := 0; k < len(slots); {
		i, end := slots[k].i, k
		for end < len(slots) && slots[end].i == i {
			end++
		}
		d := set.Decls[i].Value
		var taken ports.RangeSetBuilder
		for j, o := range set.Decls {
			if !pooled[j].IsValid() && clash(o.Value, d) {
				taken.Add(o.Endpoint.Range())
			}
		}
		fixedFree[i] = ports.RangeSetOf(d.Endpoint.Range()).Difference(taken.RangeSet())
		taken = ports.RangeSetBuilder{}
		for _, t := range slots[:k] {
			if t.ok && clash(set.Decls[t.i].Value, d) {
				taken.AddPort(t.port)
			}
		}
		free := fixedFree[i].Difference(taken.RangeSet())
	fill:
		for f := range free.Ranges() {
			for p := int(f.Lo()); p <= int(f.Hi()); p++ {
				if k == end {
					break fill
				}
				slots[k].port, slots[k].ok = ports.Port(p), true
				k++
			}
		}
		someShort = someShort || k < end
		k = end
	}
	// The greedy order is exact for pools on one address, but pools on
	// addresses that overlap in part (127.0.0.1, 10.0.0.1 and every
	// address) can defeat it. Before a pool is called short, a search of
	// every choice, bounded, looks for ports for all of them.
	if someShort {
		pools := make([]int, len(slots))
		for k, t := range slots {
			pools[k] = t.i
		}
		got, ok := exactPorts(pools, fixedFree, func(a, b int) bool {
			return a == b || clash(set.Decls[a].Value, set.Decls[b].Value)
		})
		if ok {
			for k := range slots {
				slots[k].port, slots[k].ok = got[k], true
			}
		}
	}
	out := auditSet{Scope: set.Scope, Decls: slices.Clone(set.Decls)}
	bind := func(i int, p ports.Port) {
		e := out.Decls[i].Endpoint.WithRange(p.Range())
		out.Decls[i].Endpoint, out.Decls[i].Value.Endpoint = e, e
	}
	// The replicas of each pool are next to each other in slots.
	for k := 0; k < len(slots); {
		i, end := slots[k].i, k
		for end < len(slots) && slots[end].i == i {
			end++
		}
		placed, short := 0, false
		for _, t := range slots[k:end] {
			switch {
			case !t.ok:
				short = true
			case placed == 0:
				bind(i, t.port)
				placed++
			default:
				out.Decls = append(out.Decls, set.Decls[i])
				pooled, from = append(pooled, set.Decls[i].Endpoint), append(from, i)
				bind(len(out.Decls)-1, t.port)
				placed++
			}
		}
		if short && placed > 0 {
			out.Decls = append(out.Decls, set.Decls[i]) // the whole range
			pooled, from = append(pooled, set.Decls[i].Endpoint), append(from, i)
		}
		k = end
	}
	for j, p := range documents {
		if p >= 0 {
			out.Decls[j].Endpoint, out.Decls[j].Value.Endpoint = out.Decls[p].Endpoint, out.Decls[p].Endpoint
		}
	}
	return out, pooled, from
}

// maxPoolTries bounds the ports that exactPorts tries before it gives up.
const maxPoolTries = 100_000

// exactPorts looks for a port for every replica of pools: replica k, of
// pool pools[k], takes a port of free[pools[k]] that no replica before it
// holds if the two share ports (shares: the same pool, or pools that
// clash). Replicas of one pool are next to each other and take rising
// ports, since they are alike. It tries the lowest ports first and goes
// back when it is stuck, and gives up, reporting false, after
// maxPoolTries ports or when no choice fits.
func exactPorts(pools []int, free map[int]ports.RangeSet, shares func(a, b int) bool) ([]ports.Port, bool) {
	got := make([]ports.Port, len(pools))
	at := map[int][]int{} // port -> the pools of the replicas placed on it
	tries := 0
	var place func(k int) bool
	place = func(k int) bool {
		if k == len(pools) {
			return true
		}
		from := 0
		if k > 0 && pools[k-1] == pools[k] {
			from = int(got[k-1]) + 1
		}
		for f := range free[pools[k]].Ranges() {
			for p := max(int(f.Lo()), from); p <= int(f.Hi()); p++ {
				if tries++; tries > maxPoolTries {
					return false
				}
				if slices.ContainsFunc(at[p], func(j int) bool { return shares(j, pools[k]) }) {
					continue
				}
				got[k] = ports.Port(p)
				at[p] = append(at[p], pools[k])
				if place(k + 1) {
					return true
				}
				at[p] = at[p][:len(at[p])-1]
				if tries > maxPoolTries {
					return false
				}
			}
		}
		return false
	}
	return got, place(0)
}

// replicatedFixed returns the indices of the declarations of set, other than
// those pooled (see pickPorts), that several containers bind: fixed host
// ports of a compose service of more than one replica (scale,
// deploy.replicas), published or, on the host network, exposed or an
// image's default. The first container to start takes the ports, and
// Docker fails to start the others.
func replicatedFixed(set auditSet, pooled []ports.Endpoint) []int {
	var out []int
	for i, d := range set.Decls {
		v := d.Value
		hostCompose := v.Kind == manifest.KindCompose || v.Kind == manifest.KindImage && v.Container == "" ||
			v.Kind == manifest.KindComposeExpose && v.Scope == manifest.HostScope()
		if hostCompose && v.Replicas > 1 && !pooled[i].IsValid() && d.Endpoint.IsValid() {
			out = append(out, i)
		}
	}
	return out
}

// clash reports whether two declarations of one conflict group collide:
// their endpoints conflict (a group joins declarations that conflict with a
// third, too), and they are two owners' or, of one owner, two different
// bindings of one kind. One owner's declarations of two kinds describe one
// socket (a registry entry and the compose mapping it documents, a
// host-network service's published and exposed port); but two mappings of
// a compose service to one host port, or two containers of a pod on one
// port, collide. An expose entry binds nothing, so two of one service do
// not; nor do the ports of an init container, which runs alone, to
// completion, before the pod's other containers start (the cluster checks
// its hostPorts apart from theirs, too).
func clash(a, b manifest.Declaration) bool {
	switch {
	case !a.Endpoint.Conflicts(b.Endpoint):
		return false
	case a.Owner() != b.Owner():
		return true
	case a.Kind != b.Kind || a.Kind == manifest.KindComposeExpose || a.InitContainer || b.InitContainer:
		return false
	}
	return a.Endpoint != b.Endpoint || a.Target != b.Target || a.Container != b.Container
}

// collides reports whether some two of the declarations idx of set clash.
// Declarations alike in all that clash compares (one owner's copies of one
// binding: a registry entry written many times through YAML aliases) never
// clash with each other, so each is compared once: a group of n copies
// costs O(n), not O(n²).
func collides(set auditSet, idx []int) bool {
	type binding struct {
		owner     string
		kind      manifest.Kind
		endpoint  ports.Endpoint
		target    ports.Range
		container string
		init      bool
	}
	seen := make(map[binding]bool, len(idx))
	var distinct []int
	for _, i := range idx {
		d := set.Decls[i]
		b := binding{d.Owner, d.Value.Kind, d.Endpoint, d.Value.Target, d.Value.Container, d.Value.InitContainer}
		if !seen[b] {
			seen[b] = true
			distinct = append(distinct, i)
		}
	}
	for j, a := range distinct {
		for _, b := range distinct[j+1:] {
			if clash(set.Decls[a].Value, set.Decls[b].Value) {
				return true
			}
		}
	}
	return false
}
