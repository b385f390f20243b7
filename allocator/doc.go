// Package allocator holds reservations of ports and hands out free ones:
// an in-memory allocator whose conflicts name every holder and suggest the
// nearest free alternative.
//
//	a := allocator.New(allocator.Policy{Avoid: avoid})
//	_, err := a.Reserve("grafana", ports.MustParseEndpoint("0.0.0.0:3000/tcp"))
//	r, err := a.Allocate("api", ports.TCP, ports.MustParseRange("8000-8999"), 16)
//
// The package is pure: it reads no files, no clock and no environment.
// What it knows of the host (the ephemeral range, excluded ports) is passed
// in as the policy's [ports.RangeSet], and its randomness too.
//
// # Reservations and conflicts
//
// A [Reservation] is an endpoint (a protocol, an inclusive range of ports
// and, optionally, an address) held by an owner, a name and nothing more.
// [Allocator.Reserve] holds exactly the endpoint asked for, or refuses it
// when it conflicts with one held ([ports.Endpoint.Conflicts]) with a
// *[ConflictError] that lists every holder and suggests the nearest free
// endpoint of the same size. [Allocator.Release] gives one up;
// [Allocator.Lookup], [Allocator.Holders] and [Allocator.Overlapping] read
// them.
//
// # Allocation
//
// [Allocator.Allocate] finds a free run of k ports within a range and
// reserves it; [Allocator.Ensure] returns the owner's run there if it holds
// one, so that a program run again gets the same ports; [Allocator.Suggest]
// finds a run without reserving it. The [Policy] says which ports are
// avoided and, by its [Order], which free run is taken: [StableByKey]
// hashes the owner's name, so that a service keeps its port whatever the
// order of the others. When nothing fits, the error is an
// *[ExhaustedError]; bad input is an error that unwraps to [ErrInvalid],
// never a panic, and changes nothing.
//
// [Allocator.Snapshot] writes the reservations as versioned JSON and
// [Allocator.Restore] reads them back, exactly. [Audit] lists the conflict
// groups among usages (endpoints that owners say they use) without an
// Allocator.
//
// # Costs
//
// For n reservations of a protocol: Lookup costs O(log n), Reserve,
// Release and the queries O(log n + k) for the k reservations they meet,
// and an allocation O(log U) in the U = 65536 ports, plus O(n) the first
// time it looks on one particular address. The hot paths allocate nothing.
// An allocator holds the reservations of at most 16,777,215 owners at
// once, and 4 GiB of their names.
//
// The zero [Allocator] is ready to use, with the zero [Policy]. It is safe
// for concurrent use; its iterators yield in batches with the lock released.
package allocator
