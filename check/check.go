package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

// auditSet is the input of [allocator.Audit] for one scope: the
// declarations bound in Scope, each held by its owner and carrying the
// whole declaration as its value.
type auditSet struct {
	Scope manifest.Scope
	Decls []allocator.Usage[manifest.Declaration]
}

// auditInput gives one auditSet per scope, since declarations in two
// scopes never collide, ordered by scope kind and then name, each with its
// declarations in the order of ds. Declarations without a fixed port are
// left out: the runtime picks a free port for them.
func auditInput(ds []manifest.Declaration) []auditSet {
	idx := map[manifest.Scope]int{}
	var sets []auditSet
	var sizes []int
	for _, d := range ds {
		if d.Ephemeral || !d.Endpoint.IsValid() {
			continue
		}
		i, ok := idx[d.Scope]
		if !ok {
			i = len(sets)
			idx[d.Scope] = i
			sets, sizes = append(sets, auditSet{Scope: d.Scope}), append(sizes, 0)
		}
		sizes[i]++
	}
	for i := range sets {
		sets[i].Decls = make([]allocator.Usage[manifest.Declaration], 0, sizes[i])
	}
	for _, d := range ds {
		if d.Ephemeral || !d.Endpoint.IsValid() {
			continue
		}
		i := idx[d.Scope]
		sets[i].Decls = append(sets[i].Decls, allocator.Usage[manifest.Declaration]{
			Owner: d.Owner(), Endpoint: d.Endpoint, Value: d,
		})
	}
	slices.SortFunc(sets, func(a, b auditSet) int {
		return cmp.Or(cmp.Compare(a.Scope.Kind, b.Scope.Kind), cmp.Compare(a.Scope.Name, b.Scope.Name))
	})
	return sets
}

// finding returns a finding of rule about d alone.
func finding(rule string, d manifest.Declaration, msg, fix string) Finding {
	return Finding{Rule: rule, Message: msg, Fix: fix, Members: []Member{{Declaration: d, Endpoint: d.Endpoint}}}
}

// Run checks decls as declarations of services that run together: on one
// host for compose files and registries, in one cluster for Kubernetes
// manifests. It returns an error only for bad options (a severity of a
// rule that does not exist); what it finds in decls is in the report.
func Run(decls []manifest.Declaration, opts Options) (*Report, error) {
	sev := make(map[string]Severity, len(rules))
	for _, r := range rules {
		sev[r.ID] = r.Severity
	}
	for id, s := range opts.Severities {
		if _, ok := sev[id]; !ok {
			return nil, fmt.Errorf("check: no rule %q; the rules are %s", id, ruleIDs())
		}
		if s > Error {
			return nil, fmt.Errorf("check: rule %q: %v is not a severity", id, s)
		}
		sev[id] = s
	}
	if !opts.NodePortRange.IsValid() {
		opts.NodePortRange = wellknown.NodePortRange()
	}
	c := &checker{opts: opts, sev: sev, badPorts: wellknown.BadPorts()}
	if opts.Live != nil {
		c.liveIdx = indexTable(opts.Live)
	}
	rep := &Report{Declarations: len(decls)}
	decls, duplicates := onePerObject(decls)
	collisions, poolWarnings, imageWarnings, err := c.collisions(decls)
	if err != nil {
		return nil, err
	}
	rep.Findings = append(rep.Findings, collisions...)

	// A finding about a port that several files declare for one owner
	// (a compose file and its registry) is said once, at its first source.
	type said struct {
		rule, owner string
		endpoint    ports.Endpoint
	}
	seen := make(map[said]bool)
	byCategory := make(map[Category][]Finding)
	add := func(fs []Finding) {
		for _, f := range fs {
			d := f.Members[0].Declaration
			k := said{f.Rule, d.Owner(), d.Endpoint}
			if d.Ephemeral {
				k.endpoint = ports.Endpoint{}
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			r, _ := RuleByID(f.Rule)
			byCategory[r.Category] = append(byCategory[r.Category], f)
		}
	}
	registry := registryIndex(decls)
	for _, d := range decls {
		add(c.platform(d))
		add(c.live(d))
		add(c.security(d, decls, registry))
		add(c.portability(d))
	}
	add(poolWarnings)
	add(duplicates)
	byCategory[Portability] = append(byCategory[Portability], imageWarnings...)
	for _, cat := range []Category{Platform, Security, Portability} {
		rep.Findings = append(rep.Findings, byCategory[cat]...)
	}
	// Rules turned off find nothing; the others take their severity.
	rep.Findings = slices.DeleteFunc(rep.Findings, func(f Finding) bool { return sev[f.Rule] == Off })
	for i := range rep.Findings {
		rep.Findings[i].Severity = sev[rep.Findings[i].Rule]
	}
	return rep, nil
}

// checker holds what one run of the rules needs.
type checker struct {
	opts     Options
	sev      map[string]Severity
	badPorts ports.RangeSet // wellknown.BadPorts, built once
	liveIdx  liveIndex      // Options.Live, indexed; nil without it
}

// collisions finds the collisions of decls, and the warnings of pools that
// may take another's port.
func (c *checker) collisions(decls []manifest.Declaration) (collisions, poolWarnings, imageWarnings []Finding, err error) {
	for _, set := range auditInput(decls) {
		given := set
		set, pooled, from := pickPorts(set)
		poolWarnings = append(poolWarnings, startOrder(given, set, pooled, from)...)
		// Audit the set by index, so that each member of a group is known
		// as one declaration even where several share a source position
		// (an extended service, a YAML merge key, a registry entry of two
		// protocols).
		in := make([]allocator.Usage[int], len(set.Decls))
		for i, d := range set.Decls {
			in[i] = allocator.Usage[int]{Owner: d.Owner, Endpoint: d.Endpoint, Value: i}
		}
		groups, err := allocator.Audit(in)
		if err != nil {
			return nil, nil, nil, err
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
		suggestions, err := suggest(set, colliding, pooled, replicated, c.opts)
		if err != nil {
			return nil, nil, nil, err
		}
		memberAt := func(i int) Member {
			d := set.Decls[i]
			m := Member{Declaration: given.Decls[from[i]].Value, Endpoint: d.Endpoint}
			if p := pooled[i]; p.IsValid() {
				m.Pool = p
			}
			if e, ok := suggestions[i]; ok {
				m.Suggestion = e
			}
			return m
		}
		for k, idx := range colliding {
			g := spans[k]
			f := Finding{Rule: "collision", Scope: set.Scope, Protocol: g.Protocol, Ports: g.Span}
			members := slices.Clone(idx)
			slices.SortStableFunc(members, func(i, j int) int {
				return set.Decls[i].Value.Pos.Compare(set.Decls[j].Value.Pos)
			})
			for _, i := range members {
				f.Members = append(f.Members, memberAt(i))
			}
			if imageCollision(&f) {
				imageWarnings = append(imageWarnings, f)
				continue
			}
			f.Message = collisionMessage(f)
			collisions = append(collisions, f)
		}
		for _, i := range replicated {
			v := set.Decls[i].Value
			f := Finding{
				Rule: "collision", Scope: set.Scope, Protocol: v.Endpoint.Protocol(), Ports: v.Endpoint.Range(),
				Message: fmt.Sprintf("%d replicas of %s each bind it, and only one can", v.Replicas, v.Owner()),
				Members: []Member{memberAt(i)},
			}
			if v.Kind == manifest.KindImage {
				f.Rule = "image-port-collision"
				f.Message = fmt.Sprintf("%d replicas of it each bind it on the host network, where its image listens by default, and only one can", v.Replicas)
				f.Fix = "run one replica, or give it a network of its own and publish the port as a pool"
				imageWarnings = append(imageWarnings, f)
				continue
			}
			collisions = append(collisions, f)
		}
	}
	return collisions, poolWarnings, imageWarnings, nil
}

// imageCollision turns a collision f that a port of an image's default
// ([manifest.KindImage]) takes part in into a finding of the rule
// image-port-collision, reported at that port's service, and reports
// whether it did. The image's default is a guess where the service's own
// configuration may say otherwise, so such a collision warns only.
func imageCollision(f *Finding) bool {
	at := slices.IndexFunc(f.Members, func(m Member) bool { return m.Declaration.Kind == manifest.KindImage })
	if at < 0 {
		return false
	}
	first := f.Members[at]
	owner := first.Declaration.Owner()
	f.Members = slices.Insert(slices.Delete(f.Members, at, at+1), 0, first)
	var others, moves []string
	own := "" // where the service of the image's port should move, if it should
	for _, m := range f.Members {
		o := m.Declaration.Owner()
		if o != owner && !slices.Contains(others, o) {
			others = append(others, o)
		}
		switch {
		case !m.Suggestion.IsValid():
		case m.Declaration.Kind == manifest.KindImage && o == owner:
			own = m.Suggestion.String()
		default:
			if mv := "move " + o + " to " + m.Suggestion.String(); !slices.Contains(moves, mv) {
				moves = append(moves, mv)
			}
		}
	}
	f.Rule = "image-port-collision"
	who := "another of its bindings"
	if len(others) > 0 {
		who = strings.Join(others, ", ")
	}
	f.Message = fmt.Sprintf("its image (%s) listens on %s/%s by default, on the host network, and %s binds it too", first.Declaration.Image, f.Ports, f.Protocol, who)
	// Declaring a port replaces the image's default: an expose entry of
	// the compose service, a port of the Kubernetes container.
	where := "expose"
	if first.Declaration.Container != "" {
		where = "the container's ports"
	}
	switch {
	case own != "":
		f.Fix = fmt.Sprintf("configure %s for %s and declare that port (%s), or declare the port it is configured for", owner, own, where)
	default:
		f.Fix = fmt.Sprintf("if %s is configured for another port, declare that port (%s)", owner, where)
	}
	if len(moves) > 0 {
		f.Fix += "; else " + strings.Join(moves, "; ")
	}
	return true
}

// collisionMessage says who contends for the ports of a collision.
func collisionMessage(f Finding) string {
	var owners []string
	for _, m := range f.Members {
		if o := m.Declaration.Owner(); !slices.Contains(owners, o) {
			owners = append(owners, o)
		}
	}
	what := fmt.Sprintf("%s/%s", f.Ports, f.Protocol)
	switch len(owners) {
	case 1:
		return fmt.Sprintf("%s binds %s %d times", owners[0], what, len(f.Members))
	case 2:
		return fmt.Sprintf("%s and %s both bind %s", owners[0], owners[1], what)
	}
	return fmt.Sprintf("%d services bind %s: %s and %s", len(owners), what, joinComma(owners[:len(owners)-1]), owners[len(owners)-1])
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// onePerObject keeps, of the declarations of each Kubernetes object
// ([manifest.Declaration.Object]) written in several places (files, or
// documents of one file), those of the first place only: the cluster holds
// one object, whichever copy is applied last, so the copies are never
// merged into one pod. A copy whose content differs from the first's
// (another ObjectDigest) gets a duplicate-object warning that names both.
func onePerObject(decls []manifest.Declaration) ([]manifest.Declaration, []Finding) {
	type place struct {
		file string
		doc  int
	}
	type copyOf struct {
		at     place
		digest string
		first  manifest.Declaration
	}
	if !slices.ContainsFunc(decls, func(d manifest.Declaration) bool { return d.Object != "" }) {
		return decls, nil
	}
	kept := make(map[string]copyOf)
	warned := make(map[[2]place]bool)
	out := make([]manifest.Declaration, 0, len(decls))
	var dups []Finding
	for _, d := range decls {
		if d.Object == "" {
			out = append(out, d)
			continue
		}
		at := place{d.Pos.File, d.Pos.Doc}
		k, ok := kept[d.Object]
		switch {
		case !ok:
			kept[d.Object] = copyOf{at, d.ObjectDigest, d}
			fallthrough
		case k.at == at:
			out = append(out, d)
			continue
		}
		if k.digest == d.ObjectDigest || warned[[2]place{k.at, at}] {
			continue
		}
		warned[[2]place{k.at, at}] = true
		f := finding("duplicate-object", d,
			fmt.Sprintf("%s is also written at %s, with other content: the cluster keeps whichever copy is applied last, and only the first is checked", d.Object, k.first.Pos),
			"keep one copy of the object, or make the copies the same")
		f.Members = append(f.Members, Member{Declaration: k.first, Endpoint: k.first.Endpoint})
		dups = append(dups, f)
	}
	return out, dups
}
