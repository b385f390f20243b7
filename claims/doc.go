// Package claims gives names stable dev ports on this machine: the same
// name gets the same port (or run of ports) on every call, until it is
// unclaimed, so that a developer's services keep their ports between runs
// and two services never get one port.
//
//	st, err := claims.Open("")                   // the user's store
//	c, err := st.Claim(claims.Request{Name: "api"})
//	fmt.Println(c.Ports)                         // 23847, today and tomorrow
//
// # Choice
//
// A new claim's first choice is derived from its name: a hash of the name
// picks a start among the candidates, the ports of the request's range
// outside hostports.Avoided. From there the search goes up to the first run
// that no other claim holds and that can be bound now ([Bindable]). So a
// name's port depends only on the name, the candidates and the claims made
// before it; the first claim of a name is remembered, and later calls
// return it whatever has changed.
//
// # Worktrees
//
// A claim may be scoped to a git worktree ([Request].Worktree, found with
// [Worktree]): "api" in two checkouts of one repository is two claims, with
// two ports, each stable in its own checkout.
//
// # The store
//
// Claims live in a JSON file in a directory that only the user may enter
// ([DefaultDir]), read and written under a file lock, so that concurrent
// callers, in one process or many, see one consistent set of claims.
// A Store is safe for concurrent use. Each call reads and, when it
// changes something, rewrites the file: O(c) for c claims, plus the binds
// of the runs a new claim tries.
package claims
