package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

func checkCommand() command {
	c := command{
		name:    "check",
		summary: "find collisions and security findings in compose files and manifests",
		usage:   "[--format text|json] [--env] [--profile P]... [--nodeport-range R] [--os OS] FILE...",
	}
	c.run = func(a *app, args []string) int {
		fs := a.flagSet(c, `
Reads docker compose files, Kubernetes manifests and port registry files
(ports.yaml), and reports:

  collisions  two or more services that bind overlapping ports on the same
              protocol and overlapping addresses in one network namespace
              (the host, a pod, a Service's cluster IP, a container), or one
              service that binds them twice (two mappings of a compose
              service to one host port, two containers of a pod on one
              port, a fixed host port in a compose service of more than one
              replica), each member named by file, line and service, with
              the nearest free alternative for every member that clashes
              with one declared before it;
  warnings    host ports in this machine's ephemeral range, ports browsers
              refuse, privileged ports, pools that may take another
              service's port if they start before it;
  security    database, cache, broker and admin ports published on every
              interface; ports that a compose file or manifest publishes
              wider than the registry says (internal or localhost-only on
              every interface, localhost-only on a private address);
              NodePorts outside the cluster's NodePort range.

Compose files interpolate variables from the .env file beside them, as
Docker Compose does (and from the process environment too, with --env). An
override file given after its compose file (compose.override.yaml after
compose.yaml, docker-compose.override.yml after docker-compose.yml) is
merged into it, as Docker Compose merges them; every other file is read on
its own.
All files are taken to run together on one host. A compose file and the
registry that describes it may be checked together: a port that both declare
for one service is one holder, not a collision. A range of host ports mapped
to one container port ("9000-9005:80") is a pool, as Docker takes it: each
container of the service (scale, deploy.replicas) binds one port of the
range, and a pool collides only when the pools cannot all get ports apart
from every other declaration (for pools on addresses that overlap in part,
as 127.0.0.1 and every address, the choices are searched up to 100,000
ports tried, so that only a larger case may be reported where some choice
of ports would fit). Docker gives each container the first free port of
its range when it starts, so a pool whose range holds another service's
port below the highest port the pool gets may take that port if it starts
first: a warning, unless the pool's service depends on that one
(depends_on, links, volumes_from, directly or through others), which
docker compose up then starts first. A restart by the Docker daemon follows
no such order. Pools whose ranges overlap each other's may still
collide in some start orders; those are not reported. A service scaled to
0 binds nothing.

Exit status: 0 when no collision is found, 1 when one is, 2 on bad input.`)
		format := fs.String("format", "text", "output `format`: text or json")
		lf := addLoadFlags(fs)
		nodePorts := fs.String("nodeport-range", wellknown.NodePortRange().String(), "the cluster's NodePort `range`")
		goos := fs.String("os", "", "judge ephemeral and privileged ports by the documented defaults of this `OS` (linux, darwin, freebsd, windows) instead of reading this host")
		if code := a.parseFlags(fs, args); code >= 0 {
			return code
		}
		if *format != "text" && *format != "json" {
			return a.fail("check: --format %q: want text or json", *format)
		}
		if fs.NArg() == 0 {
			return a.fail("check: name at least one file, as in: ports check docker-compose.yml")
		}
		npr, err := ports.ParseRange(*nodePorts)
		if err != nil {
			return a.fail("check: --nodeport-range %s", plain(err))
		}
		limits, err := a.limitsFor(*goos)
		if err != nil {
			return a.fail("check: --os: %v", err)
		}
		in := a.load(lf, fs.Args())
		if err := in.err(); err != nil {
			return a.fail("check: %v", err)
		}
		decls := in.decls
		rep, err := check(decls, limits, npr)
		if err != nil {
			return a.fail("check: %v", err)
		}
		rep.Files = fs.Args()
		if *format == "json" {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return a.fail("check: %v", err)
			}
		} else {
			a.printCheck(rep)
		}
		if len(rep.Collisions) > 0 {
			return exitFindings
		}
		return exitOK
	}
	return c
}

// limitsFor returns the documented defaults of goos, or this host's limits
// when goos is empty.
func (a *app) limitsFor(goos string) (hostports.Limits, error) {
	if goos == "" {
		l, err := a.hostLimits()
		if err != nil && l.GOOS == "" {
			return l, err
		}
		return l, nil
	}
	l, ok := hostports.Defaults(goos)
	if !ok {
		return l, fmt.Errorf("%q: no documented defaults for that OS; want linux, darwin, freebsd or windows", goos)
	}
	return l, nil
}

// The report of a check, as JSON writes it.
type (
	checkReport struct {
		Files        []string         `json:"files"`
		Declarations int              `json:"declarations"`
		Collisions   []checkCollision `json:"collisions"`
		Warnings     []checkFinding   `json:"warnings"`
		Security     []checkFinding   `json:"security"`
	}
	checkCollision struct {
		Scope    string        `json:"scope"`
		Protocol string        `json:"protocol"`
		Ports    string        `json:"ports"`
		Reason   string        `json:"reason,omitempty"` // for a collision of one declaration with itself
		Members  []checkMember `json:"members"`
	}
	checkMember struct {
		Source     string `json:"source"`
		Service    string `json:"service"`
		Endpoint   string `json:"endpoint"`
		Kind       string `json:"kind"`
		Pool       string `json:"pool,omitempty"` // the declared range of a pool that Endpoint is a port of
		Suggestion string `json:"suggestion,omitempty"`
	}
	checkFinding struct {
		Code     string `json:"code"`
		Source   string `json:"source"`
		Service  string `json:"service"`
		Endpoint string `json:"endpoint"`
		Message  string `json:"message"`
		Fix      string `json:"fix,omitempty"`
	}
)

func member(d manifest.Declaration) checkMember {
	return checkMember{Source: d.Source.String(), Service: d.Owner(), Endpoint: d.Endpoint.String(), Kind: d.Kind.String()}
}

func finding(code string, d manifest.Declaration, msg, fix string) checkFinding {
	return checkFinding{Code: code, Source: d.Source.String(), Service: d.Owner(), Endpoint: d.Endpoint.String(), Message: msg, Fix: fix}
}

// check finds the collisions, warnings and security findings of decls.
func check(decls []manifest.Declaration, limits hostports.Limits, nodePorts ports.Range) (checkReport, error) {
	rep := checkReport{
		Declarations: len(decls),
		Collisions:   []checkCollision{},
		Warnings:     []checkFinding{},
		Security:     []checkFinding{},
	}
	var poolWarnings []checkFinding
	for _, set := range manifest.AuditInput(decls) {
		given := set
		set, pooled, from := pickPorts(set)
		poolWarnings = append(poolWarnings, startOrder(given, set, pooled, from)...)
		// Audit the set by index, so that each member of a group is known
		// as one declaration even where several share a source position
		// (an extended service, a YAML merge key, a registry entry of two
		// protocols).
		in := make([]allocator.Declaration[int], len(set.Decls))
		for i, d := range set.Decls {
			in[i] = allocator.Declaration[int]{Owner: d.Owner, Endpoint: d.Endpoint, Value: i}
		}
		groups, err := allocator.Audit(in)
		if err != nil {
			return rep, err
		}
		// The colliding groups, each as its members' indices in
		// declaration order, and what they span.
		var colliding [][]int
		var spans []allocator.ConflictGroup[int]
		for _, g := range groups {
			idx := make([]int, len(g.Members))
			for j, m := range g.Members {
				idx[j] = m.Value
			}
			slices.Sort(idx)
			if collides(set, idx) {
				colliding, spans = append(colliding, idx), append(spans, g)
			}
		}
		replicated := replicatedFixed(set, pooled)
		suggestions, err := suggest(set, colliding, pooled, replicated, limits)
		if err != nil {
			return rep, err
		}
		memberAt := func(i int) checkMember {
			m := member(set.Decls[i].Value)
			if p := pooled[i]; p.IsValid() {
				m.Pool = p.String()
			}
			if e, ok := suggestions[i]; ok {
				m.Suggestion = e.String()
			}
			return m
		}
		for k, idx := range colliding {
			g := spans[k]
			c := checkCollision{Scope: set.Scope.String(), Protocol: g.Protocol.String(), Ports: g.Span.String()}
			members := slices.Clone(idx)
			slices.SortStableFunc(members, func(i, j int) int {
				return set.Decls[i].Value.Source.Compare(set.Decls[j].Value.Source)
			})
			for _, i := range members {
				c.Members = append(c.Members, memberAt(i))
			}
			rep.Collisions = append(rep.Collisions, c)
		}
		for _, i := range replicated {
			v := set.Decls[i].Value
			rep.Collisions = append(rep.Collisions, checkCollision{
				Scope: set.Scope.String(), Protocol: v.Endpoint.Protocol().String(), Ports: v.Endpoint.Range().String(),
				Reason:  fmt.Sprintf("%d replicas of %s each bind it, and only one can", v.Replicas, v.Owner()),
				Members: []checkMember{memberAt(i)},
			})
		}
	}
	// A finding about a port that several files declare for one owner
	// (a compose file and its registry) is said once, at its first source.
	type said struct{ code, owner, endpoint string }
	seen := make(map[said]bool)
	once := func(fs []checkFinding) []checkFinding {
		var out []checkFinding
		for _, f := range fs {
			k := said{f.Code, f.Service, f.Endpoint}
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
		return out
	}
	for _, d := range decls {
		rep.Warnings = append(rep.Warnings, once(warnings(d, limits))...)
		rep.Security = append(rep.Security, once(securityFindings(d, decls, nodePorts))...)
	}
	rep.Warnings = append(rep.Warnings, once(poolWarnings)...)
	return rep, nil
}

// startOrder returns a warning for each pool of given that may take a port
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
// out. Each pool gets one warning, of the lowest such port.
func startOrder(given, out manifest.AuditSet, pooled []ports.Endpoint, from []int) []checkFinding {
	sibling := func(a, b manifest.Declaration) bool { // two compose services of one project
		isCompose := func(k manifest.Kind) bool { return k == manifest.KindCompose || k == manifest.KindComposeExpose }
		return isCompose(a.Kind) && isCompose(b.Kind) && a.Project == b.Project
	}
	startsAfter := func(a, b manifest.Declaration) bool {
		return sibling(a, b) && slices.Contains(strings.Split(a.DependsOn, ","), b.Service)
	}
	var warns []checkFinding
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
		msg := fmt.Sprintf("if it starts before %s, Docker may give it %d, which %s binds, and %s then fails to start", holder.Owner(), port, holder.Owner(), holder.Owner())
		fix := fmt.Sprintf("start %s after %s (depends_on), or keep the pool off %d", pool.Service, holder.Service, port)
		switch {
		case startsAfter(holder, pool):
			msg = fmt.Sprintf("%s depends on it, so it starts first, and Docker gives it %d, which %s binds: %s fails to start", holder.Owner(), port, holder.Owner(), holder.Owner())
			fix = fmt.Sprintf("keep the pool off %d", port)
		case !sibling(pool, holder):
			fix = fmt.Sprintf("keep the pool off %d (depends_on cannot order %s after %s)", port, pool.Owner(), holder.Owner())
		}
		warns = append(warns, finding("pool-start-order", pool, msg, fix))
	}
	return warns
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
func pickPorts(set manifest.AuditSet) (_ manifest.AuditSet, pooled []ports.Endpoint, from []int) {
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
		documents[j] = slices.IndexFunc(set.Decls, func(p allocator.Declaration[manifest.Declaration]) bool {
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
	out := manifest.AuditSet{Scope: set.Scope, Decls: slices.Clone(set.Decls)}
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
// deploy.replicas), published or, on the host network, exposed. The first container to start takes the ports, and
// Docker fails to start the others.
func replicatedFixed(set manifest.AuditSet, pooled []ports.Endpoint) []int {
	var out []int
	for i, d := range set.Decls {
		v := d.Value
		hostCompose := v.Kind == manifest.KindCompose || v.Kind == manifest.KindComposeExpose && v.Scope == manifest.HostScope()
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
func collides(set manifest.AuditSet, idx []int) bool {
	for j, a := range idx {
		for _, b := range idx[j+1:] {
			if clash(set.Decls[a].Value, set.Decls[b].Value) {
				return true
			}
		}
	}
	return false
}

// suggestionAvoid is what a suggested alternative stays out of: what the
// host keeps (ephemeral, reserved, excluded and privileged ports), the ports
// browsers refuse, and every port of widely used software, so that moving a
// service does not make a new collision with something a developer runs.
func suggestionAvoid(limits hostports.Limits, proto ports.Protocol) ports.RangeSet {
	var b ports.RangeSetBuilder
	b.AddSet(limits.Avoid(proto))
	b.AddSet(wellknown.BadPorts())
	b.AddSet(wellknown.DeFactoPorts(proto))
	return b.RangeSet()
}

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
func suggest(set manifest.AuditSet, colliding [][]int, pooled []ports.Endpoint, replicated []int, limits hostports.Limits) (map[int]ports.Endpoint, error) {
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
	// One allocator per protocol, each avoiding what that protocol should.
	allocs := make(map[ports.Protocol]*allocator.Allocator)
	allocFor := func(proto ports.Protocol) *allocator.Allocator {
		alloc, ok := allocs[proto]
		if !ok {
			alloc = allocator.New(allocator.Policy{Avoid: suggestionAvoid(limits, proto)})
			allocs[proto] = alloc
		}
		return alloc
	}
	for i, d := range set.Decls {
		if !moving[i] || isReplicated[i] {
			// Refused only where one owner declares a port twice, or
			// where a declaration that moves held it first: either way
			// the port is held. The first replica of a fixed port holds
			// it too.
			allocFor(d.Endpoint.Protocol()).Reserve(d.Owner, d.Endpoint)
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
		alloc := allocFor(d.Endpoint.Protocol())
		r := d.Endpoint.Range()
		n := max(r.Len(), d.Value.Replicas)
		lo := min(int(r.Lo()), int(ports.MaxPort)-n+1)
		want := d.Endpoint.WithRange(ports.RangeFrom(ports.Port(lo), ports.Port(lo+n-1)))
		to := want
		if e, err := alloc.Suggest(d.Owner, want, n); err != nil || e != want || want == d.Endpoint {
			// Held, or kept out of suggestions: the nearest run that is
			// free, if want is held.
			_, err := alloc.Reserve(d.Owner, want)
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
		if _, err := alloc.Reserve(d.Owner, to); err != nil {
			return nil, err
		}
		out[i] = to
		moved[k] = append(moved[k], &move{[]int{i}, to})
	}
	return out, nil
}

// outside advises moving a port out of the ephemeral range eph, to the
// side or sides that have ports.
func outside(eph ports.Range) string {
	var ways []string
	if eph.Lo() > 0 {
		ways = append(ways, "below "+eph.Lo().String())
	}
	if eph.Hi() < 65535 {
		ways = append(ways, "above "+eph.Hi().String())
	}
	if len(ways) == 0 {
		return "the host lends out every port; set a narrower ephemeral range"
	}
	return "move it " + strings.Join(ways, " or ")
}

// warnings says what is risky about a port published on the host.
func warnings(d manifest.Declaration, l hostports.Limits) []checkFinding {
	if d.Scope != manifest.HostScope() || !d.Endpoint.IsValid() {
		return nil
	}
	var out []checkFinding
	e := d.Endpoint
	r := e.Range()
	if eph := l.Ephemeral(e.Protocol()); eph.Overlaps(r) {
		what := r.String() + " lies"
		if !eph.ContainsRange(r) {
			in := ports.RangeSetOf(r).Intersect(ports.RangeSetOf(eph))
			what = "part of " + r.String() + ", " + in.String() + ", lies"
		}
		out = append(out, finding("ephemeral", d,
			fmt.Sprintf("%s in the ephemeral range %s of this %s host: an outgoing connection may hold it when the service starts", what, eph, l.GOOS),
			outside(eph)))
	}
	if bad := wellknown.BadPorts().Intersect(ports.RangeSetOf(r)); !bad.IsEmpty() && e.Protocol() == ports.TCP {
		out = append(out, finding("browser-refused", d,
			fmt.Sprintf("browsers refuse to fetch from port %s (a Fetch standard bad port)", bad),
			"fine for a non-HTTP protocol; pick another port for anything a browser opens"))
	}
	if priv := l.Privileged.Intersect(ports.RangeSetOf(r)); !priv.IsEmpty() {
		out = append(out, finding("privileged", d,
			fmt.Sprintf("port %s is privileged on %s: binding it needs root or CAP_NET_BIND_SERVICE", priv, l.GOOS), ""))
	}
	return out
}

// sensitive reports whether d serves a database, cache, message broker or
// admin UI, judged by the de-facto table at the port the service listens on
// (its target, else its own port): when every entry there is of such a
// category, or when one is and its name or project matches the service.
func sensitive(d manifest.Declaration) (wellknown.Service, bool) {
	p := d.Endpoint.Range().Lo()
	if d.Target.IsValid() {
		p = d.Target.Lo()
	}
	svc := strings.ToLower(d.Service)
	var first, named wellknown.Service
	all := true
	for s := range wellknown.Lookup(p, d.Endpoint.Protocol()) {
		if s.Source() != wellknown.DeFacto {
			continue
		}
		switch s.Category() {
		case wellknown.Database, wellknown.Cache, wellknown.MessageBroker, wellknown.AdminUI:
		default:
			all = false
			continue
		}
		if !first.IsValid() {
			first = s
		}
		if !named.IsValid() && mentions(svc, s) {
			named = s
		}
	}
	switch {
	case named.IsValid():
		return named, true
	case first.IsValid() && all:
		return first, true
	}
	return wellknown.Service{}, false
}

// mentions reports whether the service name svc (lower case) names the
// software of s: it holds the software's name ("clickhouse-server" holds
// "clickhouse"), or is the start of its project's name, three letters or
// more ("postgres" of PostgreSQL, "mongo" of MongoDB; not "b" of
// CockroachDB).
func mentions(svc string, s wellknown.Service) bool {
	if svc == "" {
		return false
	}
	project := strings.ToLower(s.Project())
	return strings.Contains(svc, strings.ToLower(s.Name())) ||
		len(svc) >= 3 && strings.HasPrefix(strings.ReplaceAll(project, " ", ""), svc)
}

// securityFindings lints one declaration against the others.
func securityFindings(d manifest.Declaration, all []manifest.Declaration, nodePorts ports.Range) []checkFinding {
	var out []checkFinding
	if !d.Endpoint.IsValid() {
		return nil
	}
	if d.Kind != manifest.KindRegistry && d.AllInterfaces() {
		if s, ok := sensitive(d); ok {
			out = append(out, finding("exposed-"+s.Category().String(), d,
				fmt.Sprintf("%s (%s) is published on every interface", s.Project(), s.Category()),
				exposedFix(d)))
		}
	}
	// A file that publishes a port wider than its registry says: on every
	// interface what the registry keeps internal or to localhost, or on a
	// private address what it keeps to localhost. (Exposures go from the
	// widest, Public, up.)
	if d.Kind != manifest.KindRegistry && d.IsPublished() && d.Exposure != 0 {
		for _, r := range all {
			if r.Kind != manifest.KindRegistry || r.Owner() != d.Owner() || !r.Endpoint.IsValid() ||
				r.Endpoint.Protocol() != d.Endpoint.Protocol() || !r.Endpoint.Range().Overlaps(d.Endpoint.Range()) {
				continue
			}
			if r.Exposure > d.Exposure {
				out = append(out, finding("registry-exposure", d,
					fmt.Sprintf("the registry (%s) marks it %s, but %s publishes it on %s", r.Source, r.Exposure, d.Kind, addrOrAll(d)),
					exposureFix(r.Exposure)))
				break
			}
		}
	}
	if d.Kind == manifest.KindNodePort && !nodePorts.ContainsRange(d.Endpoint.Range()) {
		out = append(out, finding("nodeport-range", d,
			fmt.Sprintf("nodePort %s lies outside the cluster's NodePort range %s: the API server refuses it", d.Endpoint.Range(), nodePorts),
			"pick a nodePort inside "+nodePorts.String()+", or leave it out and let the cluster allocate one"))
	}
	return out
}

// exposedFix says how to stop publishing d on every interface, in the terms
// of the construct that publishes it.
func exposedFix(d manifest.Declaration) string {
	switch d.Kind {
	case manifest.KindCompose:
		if !d.Target.IsValid() { // network_mode: host, where the mapping means nothing
			return "have it listen on 127.0.0.1, or give it a network of its own and publish the port on 127.0.0.1"
		}
		return fmt.Sprintf("bind it to 127.0.0.1 (\"127.0.0.1:%s:%s\"), or drop the host port and reach it over the service network", d.Endpoint.Range(), targetOr(d))
	case manifest.KindHostPort:
		return "set hostIP: 127.0.0.1, or drop the hostPort and reach it through a Service"
	case manifest.KindNodePort:
		return "make the Service type ClusterIP and reach it from inside the cluster, or limit who may reach the nodes' port"
	case manifest.KindHostNetwork:
		return "drop hostNetwork and reach it through a Service, or have it listen on 127.0.0.1"
	}
	return "have it listen on 127.0.0.1, or stop publishing it on the host"
}

func targetOr(d manifest.Declaration) string {
	if d.Target.IsValid() {
		return d.Target.String()
	}
	return d.Endpoint.Range().String()
}

func addrOrAll(d manifest.Declaration) string {
	if d.AllInterfaces() {
		return "every interface"
	}
	return d.Endpoint.Addr().String()
}

func exposureFix(e manifest.Exposure) string {
	if e == manifest.Localhost {
		return "bind it to 127.0.0.1, or correct the registry"
	}
	return "bind it to an internal address or drop the host port, or correct the registry"
}

func (a *app) printCheck(rep checkReport) {
	w := a.stdout
	for _, c := range rep.Collisions {
		fmt.Fprintf(w, "%s %s/%s in %s scope\n", a.paint(styleRed+styleBold, "collision"), c.Ports, c.Protocol, c.Scope)
		if c.Reason != "" {
			fmt.Fprintf(w, "  %s\n", c.Reason)
		}
		for _, m := range c.Members {
			if m.Pool != "" && m.Pool != m.Endpoint {
				fmt.Fprintf(w, "  %s: %s %s (%s, a port of the pool %s)\n", m.Source, m.Service, m.Endpoint, m.Kind, m.Pool)
			} else {
				fmt.Fprintf(w, "  %s: %s %s (%s)\n", m.Source, m.Service, m.Endpoint, m.Kind)
			}
			if m.Suggestion != "" {
				fmt.Fprintf(w, "    %s move %s to %s, the nearest free alternative\n", a.paint(styleGreen, "suggestion:"), m.Service, m.Suggestion)
			}
		}
	}
	for _, f := range rep.Security {
		a.printFinding("security", styleRed, f)
	}
	for _, f := range rep.Warnings {
		a.printFinding("warning", styleYellow, f)
	}
	fmt.Fprintf(w, "%d %s, %d security %s, %d %s in %d declarations from %d %s\n",
		len(rep.Collisions), plural(len(rep.Collisions), "collision", "collisions"),
		len(rep.Security), plural(len(rep.Security), "finding", "findings"),
		len(rep.Warnings), plural(len(rep.Warnings), "warning", "warnings"),
		rep.Declarations, len(rep.Files), plural(len(rep.Files), "file", "files"))
}

func (a *app) printFinding(label, style string, f checkFinding) {
	fmt.Fprintf(a.stdout, "%s %s: %s %s [%s]: %s\n", a.paint(style, label), f.Source, f.Service, f.Endpoint, f.Code, f.Message)
	if f.Fix != "" {
		fmt.Fprintf(a.stdout, "  fix: %s\n", f.Fix)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// b2i returns 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
