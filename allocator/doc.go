// Package allocator holds reservations of ports and hands out free ones:
// an in-memory allocator with conflict detection that names every holder and
// suggests the nearest free alternative.
//
//	a := allocator.New(allocator.Policy{Avoid: avoid})
//	_, err := a.Reserve("grafana", ports.MustParseEndpoint("0.0.0.0:3000/tcp"))
//	r, err := a.Allocate("api", ports.TCP, ports.MustParseRange("8000-8999"), 16)
//
// The package is pure: it reads no files, no clock and no environment, and
// its randomness comes from the policy. Everything it knows of the host (the
// ephemeral range, excluded ports) is passed in as a [ports.RangeSet].
//
// # Reservations and conflicts
//
// A [Reservation] is an endpoint (a protocol, an inclusive range of ports
// and, optionally, an address) held by an owner, named by a string.
// [Allocator.Reserve] holds exactly the endpoint asked for, or refuses it if
// it conflicts with one held, by [ports.Endpoint.Conflicts]: same protocol,
// overlapping ports, overlapping addresses. A refusal is a *[ConflictError]
// that unwraps to [ErrConflict], lists every holder and suggests the nearest
// free endpoint of the same size.
//
// [Allocator.Release] and [Allocator.ReleaseOwner] give reservations up;
// [Allocator.Lookup], [Allocator.Holders], [Allocator.Overlapping],
// [Allocator.All] and [Allocator.AppendOwned] read them; [Allocator.NumUsed]
// and [Allocator.NumFree] count ports. The iterators yield in batches with
// the lock released; the Append forms read every result under one hold of
// the lock into a slice the caller may reuse. An owner is a name and nothing
// more: what a caller knows beyond it belongs in its own map, keyed by the
// owner or by the endpoint.
//
// # Allocation
//
// [Allocator.Allocate] and [Allocator.AllocateIn] find a free run of k
// ports within a range and reserve it; [Allocator.Ensure] returns the
// owner's run there if it holds one, so that a program run again gets the
// same ports; [Allocator.Suggest] finds a run without reserving it. All take
// the owner, where to look and how many ports, in that order. A port is free
// on an address when no reservation on an overlapping address holds it and
// the [Policy] does not avoid it (port 0 it always avoids). The policy's
// [Order] is [FirstFit], [NextFit], [Random] or [StableByKey], where a hash
// of the owner's name picks the port, so that a service keeps its port
// whatever the order of the others; its bands leave the bottom of a range
// for explicit reservations, as Kubernetes' NodePort allocator does.
//
// When nothing fits, the error is an *[ExhaustedError] that unwraps to
// [ErrExhausted]. Bad input (an invalid endpoint or range, an unknown
// protocol, an empty owner, k out of range) is an error that unwraps to
// [ErrInvalid], never a panic, and changes nothing.
//
// # Audit and snapshots
//
// [Audit] lists every conflict group among declarations read from compose
// files and manifests, with all its members, without an Allocator.
// [Allocator.Snapshot] writes the reservations as versioned JSON and
// [Allocator.Restore] reads them back, exactly; a corrupt or inconsistent
// snapshot is refused with an error that says what is wrong, and the
// allocator is left as it was.
//
// # Costs
//
// The reservations of each protocol are kept in an augmented B+ tree, so
// that the k reservations overlapping a range are found in O(log n + k);
// free runs are found in an occupancy bitmap of the 65536 ports under a
// tree of run summaries, in O(log U). The occupancy seen from an address
// other than every address is built in O(n) on the first allocation there,
// and kept for up to 64 addresses per protocol. Each method's documentation
// gives its cost; the hot paths (reserve, release, allocate, the queries)
// allocate nothing, and a reservation takes about 62 bytes beyond its
// owner's name. An allocator keeps at most 16,777,215 owners holding
// reservations at once, and 4 GiB of their names.
//
// An [Allocator] is safe for concurrent use: a read-write lock guards it,
// and its iterators take the lock for each batch of results and yield with
// it released.
package allocator
