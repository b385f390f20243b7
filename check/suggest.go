package check

// Suggestions: where a member of a collision should move.

import (
	"cmp"
	"errors"
	"slices"
	"strconv"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// suggest finds the nearest free endpoint for every declaration of set that
// must move: in each colliding group (member indices in declaration order)
// the declarations that clash with one declared before them, the pooled
// ones (see pickPorts) taken as declared after the rest; and the fixed
// ports of several replicas (replicated). Every declaration that stays is
// held first, so that no suggestion lands on a port declared later; each
// suggestion is then held too, so that no two collide, and an owner's
// declarations of one endpoint share one. A suggestion has as many ports as
// the declaration, or as its replicas if more: published as a pool
// ("8081-8083:80"), such a run gives each replica a port of its own. The
// result is keyed by index in set.Decls.
func suggest(set auditSet, colliding [][]int, pooled []ports.Endpoint, replicated []int, opts Options) (map[int]ports.Endpoint, error) {
	moving, isReplicated := make(map[int]bool), make(map[int]bool)
	for _, i := range replicated {
		moving[i], isReplicated[i] = true, true
	}
	for _, idx := range colliding {
		// A pool that found no port moves rather than the fixed ports that
		// fill its range: it is kept last.
		idx = slices.Clone(idx)
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(b2i(pooled[a].IsValid()), b2i(pooled[b].IsValid()))
		})
		// The declarations kept, by the blocks of 64 ports they reach
		// into, so that a large group is not compared pair by pair.
		kept := map[int][]int{}
		blocks := func(i int) (int, int) {
			r := set.Decls[i].Endpoint.Range()
			return int(r.Lo()) >> 6, int(r.Hi()) >> 6
		}
		for _, i := range idx {
			if moving[i] {
				continue // the fixed port of several replicas, which moves anyway
			}
			lo, hi := blocks(i)
			clashes := false
			for b := lo; b <= hi && !clashes; b++ {
				clashes = slices.ContainsFunc(kept[b], func(k int) bool { return clash(set.Decls[k].Value, set.Decls[i].Value) })
			}
			if clashes {
				moving[i] = true
				continue
			}
			for b := lo; b <= hi; b++ {
				kept[b] = append(kept[b], i)
			}
		}
	}
	out := make(map[int]ports.Endpoint)
	if len(moving) == 0 {
		return out, nil
	}
	// One allocator per protocol, each avoiding what that protocol should,
	// and one more per protocol for nodePorts, which stay in their range.
	type space struct {
		proto    ports.Protocol
		nodePort bool
	}
	allocs := make(map[space]*allocator.Allocator)
	// What the conventional places must stay off, per protocol, built once.
	kept := make(map[ports.Protocol]ports.RangeSet)
	keptFor := func(proto ports.Protocol) ports.RangeSet {
		k, ok := kept[proto]
		if !ok {
			k = hostports.Avoided(opts.Limits, hostports.AvoidOptions{Protocols: []ports.Protocol{proto}, AllowDeFacto: true})
			kept[proto] = k
		}
		return k
	}
	allocFor := func(d manifest.Declaration) *allocator.Allocator {
		k := space{d.Endpoint.Protocol(), d.Kind == manifest.KindNodePort}
		alloc, ok := allocs[k]
		if !ok {
			var npr ports.Range
			if k.nodePort {
				npr = opts.NodePortRange
			}
			// A suggestion stays off what the host keeps, the ports
			// browsers refuse and every port of widely used software, so
			// that moving a service makes no new collision with something
			// a developer runs.
			alloc = allocator.New(allocator.Policy{Avoid: hostports.Avoided(opts.Limits, hostports.AvoidOptions{Protocols: []ports.Protocol{k.proto}, NodePorts: npr})})
			allocs[k] = alloc
		}
		return alloc
	}
	for i, d := range set.Decls {
		if !moving[i] || isReplicated[i] {
			// Refused only where one owner declares a port twice, or
			// where a declaration that moves held it first: either way
			// the port is held. The first replica of a fixed port holds
			// it too.
			allocFor(d.Value).Reserve(holder(i), d.Endpoint)
		}
	}
	type held struct {
		owner string
		e     ports.Endpoint
	}
	// A declaration moves with earlier ones of its owner and endpoint if it
	// clashes with none of them (a compose mapping and its registry
	// entry); one that clashes needs a place of its own.
	type move struct {
		decls []int
		to    ports.Endpoint
	}
	moved := make(map[held][]*move)
	for i, d := range set.Decls {
		if !moving[i] {
			continue
		}
		k := held{d.Owner, d.Endpoint}
		if j := slices.IndexFunc(moved[k], func(m *move) bool {
			return !slices.ContainsFunc(m.decls, func(o int) bool { return clash(set.Decls[o].Value, d.Value) })
		}); j >= 0 {
			m := moved[k][j]
			m.decls = append(m.decls, i)
			out[i] = m.to
			continue
		}
		if isReplicated[i] && (!d.Endpoint.Range().IsSingle() || !d.Value.Target.IsSingle()) {
			continue // a range of ports to as many: no pool can take it
		}
		alloc := allocFor(d.Value)
		r := d.Endpoint.Range()
		n := max(r.Len(), d.Value.Replicas)
		want, conventional := preferred(d.Value, r, n, opts.NodePortRange)
		to := want
		if e, ok := firstFree(alloc, holder(i), conventional, keptFor(d.Endpoint.Protocol())); ok {
			to = e
		} else if e, err := alloc.Suggest(holder(i), want, n); err != nil || e != want || want == d.Endpoint {
			// Held, or kept out of suggestions: the nearest run that is
			// free, if want is held.
			_, err := alloc.Reserve(holder(i), want)
			var ce *allocator.ConflictError
			switch {
			case errors.As(err, &ce):
				if !ce.Suggestion.IsValid() {
					continue
				}
				to = ce.Suggestion
			case err != nil:
				return nil, err
			case want == d.Endpoint:
				continue // free after all: it stays where it is
			default:
				alloc.Release(want) // free, but kept out of suggestions
				continue
			}
		}
		if _, err := alloc.Reserve(holder(i), to); err != nil {
			return nil, err
		}
		out[i] = to
		moved[k] = append(moved[k], &move{[]int{i}, to})
	}
	return out, nil
}

// preferred returns where the search for a new place for d, of n ports
// from r, starts, and the conventional places to try before it: a port of
// the system class moves to the user-class port that people use for it
// when they cannot have the system one (25 to 2525, 22 to 2222, 80 to
// 8080, 443 to 8443), and a nodePort stays in the cluster's NodePort range.
func preferred(d manifest.Declaration, r ports.Range, n int, nodePorts ports.Range) (ports.Endpoint, []ports.Endpoint) {
	lo := min(int(r.Lo()), int(ports.MaxPort)-n+1)
	if d.Kind == manifest.KindNodePort && nodePorts.IsValid() && !nodePorts.Contains(ports.Port(lo)) {
		lo = min(max(lo, int(nodePorts.Lo())), int(nodePorts.Hi())-n+1)
	}
	at := func(lo int) ports.Endpoint {
		return d.Endpoint.WithRange(ports.RangeFrom(ports.Port(lo), ports.Port(lo+n-1)))
	}
	if lo <= 0 || lo >= 1024 || d.Kind == manifest.KindNodePort {
		return at(max(lo, 1)), nil
	}
	var conv []ports.Endpoint
	for _, c := range conventionalPorts(lo) {
		if c+n-1 <= int(ports.MaxPort) {
			conv = append(conv, at(c))
		}
	}
	if len(conv) == 0 {
		return at(1024), nil
	}
	return conv[0], conv
}

// conventionalPorts returns the user-class ports people move system port p
// to, most usual first: p written twice (25 to 2525, 80 to 8080, 22 to
// 2222), then p + 8000 (443 to 8443, 143 to 8143), then p + 1000·k.
func conventionalPorts(p int) []int {
	var out []int
	add := func(c int) {
		if c >= 1024 && c <= int(ports.MaxPort) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if p >= 10 {
		twice := p
		for m := p; m > 0; m /= 10 {
			twice *= 10
		}
		add(twice + p)
	}
	add(p + 8000)
	for k := 1; k <= 9; k++ {
		add(p + 1000*k)
	}
	return out
}

// firstFree returns the first of cands that no declaration holds in alloc
// and that overlaps nothing of keep: what the host keeps for itself (its
// ephemeral, reserved, excluded and privileged ports), the System ports
// and the ports browsers refuse, built once per protocol by suggest. Ports
// of widely used software are not kept out here: the conventional places
// are theirs by convention (8080, 8443).
func firstFree(alloc *allocator.Allocator, owner string, cands []ports.Endpoint, keep ports.RangeSet) (ports.Endpoint, bool) {
	for _, c := range cands {
		if keep.Overlaps(c.Range()) {
			continue
		}
		if _, err := alloc.Reserve(owner, c); err == nil {
			alloc.Release(c)
			return c, true
		}
	}
	return ports.Endpoint{}, false
}

// b2i returns 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// holder names declaration i in the allocators of suggest: each its own
// holder, so that two declarations of one owner on one endpoint (two
// mappings of a service to one host port) hold it against each other, as
// they do on the host, rather than one being the other's reservation.
func holder(i int) string { return strconv.Itoa(i) }
