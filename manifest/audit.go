package manifest

import (
	"cmp"
	"slices"

	"github.com/portalloc/ports/allocator"
)

// AuditSet is the input of [allocator.Audit] for one scope: the
// declarations bound in Scope, each held by its [Declaration.Owner] and
// carrying the whole Declaration as its value, so that a conflict group
// names the file, line and service of every member.
//
// The zero AuditSet is an empty set in the zero (invalid) Scope.
type AuditSet struct {
	Scope Scope
	Decls []allocator.Declaration[Declaration]
}

// AuditInput turns ds into the input of the allocator's audit: one
// [AuditSet] per scope, since declarations in two scopes never collide
// (see [Scope]), ordered by scope kind and then name, each with its
// declarations in the order of ds.
//
// Declarations without a fixed port ([Declaration.Ephemeral]) and those
// without a valid Endpoint are left out: the runtime picks a free port for
// them, so they cannot collide.
//
// [allocator.Audit] groups every pair of conflicting endpoints, whoever
// holds them. A group whose members all have one owner is most often one
// program declared twice (the registry and the compose file naming the same
// service, a host-network service's published and exposed port), not a
// collision: a check should report a group with two owners or more, and a
// group of one owner only where two declarations of one [Kind] bind
// differently (two mappings of a compose service to one host port, two
// containers of a pod on one port), as the ports command does.
func AuditInput(ds []Declaration) []AuditSet {
	idx := map[Scope]int{}
	var sets []AuditSet
	for _, d := range ds {
		if d.Ephemeral || !d.Endpoint.IsValid() {
			continue
		}
		i, ok := idx[d.Scope]
		if !ok {
			i = len(sets)
			idx[d.Scope] = i
			sets = append(sets, AuditSet{Scope: d.Scope})
		}
		sets[i].Decls = append(sets[i].Decls, allocator.Declaration[Declaration]{
			Owner:    d.Owner(),
			Endpoint: d.Endpoint,
			Value:    d,
		})
	}
	slices.SortFunc(sets, func(a, b AuditSet) int {
		return cmp.Or(cmp.Compare(a.Scope.Kind, b.Scope.Kind), cmp.Compare(a.Scope.Name, b.Scope.Name))
	})
	return sets
}
