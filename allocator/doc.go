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
// A [Reservation] is an endpoint — a protocol, an inclusive range of ports
// and, optionally, an address — held by an owner, named by a string.
// [Allocator.Reserve] holds exactly the endpoint asked for, or refuses it if
// it conflicts with one already held, by [ports.Endpoint.Conflicts], the one
// conflict rule of the library: same protocol, overlapping ports,
// overlapping addresses ([ports.AddrsOverlap]). Reservations on different
// specific addresses may therefore share ports, while one on every address,
// or on ::, shares ports with no one. A refusal is a *[ConflictError] that
// unwraps to [ErrConflict], lists every holder it conflicts with, and
// suggests the nearest free endpoint of the same size, on the same address,
// outside the policy's avoid set.
//
// [Allocator.Release] gives up one reservation by its endpoint,
// [Allocator.ReleaseOwner] all of an owner's. [Allocator.Lookup],
// [Allocator.Holders], [Allocator.Overlapping] and [Allocator.All] read them,
// and [Allocator.AppendOwned] lists an owner's; [Allocator.NumUsed] and
// [Allocator.NumFree] count ports. The iterators yield in batches with the
// lock released, so a loop may call the allocator; [Allocator.AppendHolders]
// and [Allocator.AppendOverlapping] read every result under one hold of the
// lock into a slice the caller may reuse, one consistent answer and the
// fastest way to ask.
//
// An owner is a name and nothing more. What a caller knows of a reservation
// beyond it (a container, a process, a deadline) belongs in the caller's own
// map keyed by the owner, or by the endpoint: every result carries both, and
// [Allocator.ReleaseOwner] and [Allocator.AppendOwned] make the owner the
// natural key. A payload of the caller's type would put a type parameter on
// the Allocator, its results, its errors and its snapshots, and add its size
// to every reservation, so the allocator carries none.
//
// # Allocation
//
// [Allocator.Allocate] and [Allocator.AllocateIn] find a free run of k
// consecutive ports within a range and reserve it; [Allocator.Ensure] does
// the same unless the owner holds such a run already, so that a program run
// again gets the same ports; [Allocator.Suggest] finds one without
// reserving. All of them take the owner, where to look and how many ports,
// in that order. A port is free for an allocation on an address when
// no reservation on an overlapping address holds it and the policy does not
// avoid it: an allocation on every address needs ports that nobody holds on
// any address, one on 127.0.0.1 may take ports held only on 10.0.0.1. The
// [Policy] sets
//
//   - the ports to avoid, as a [ports.RangeSet] (port 0 always is);
//   - the [Order]: [FirstFit]; [NextFit], rotating in each range, so that a
//     released port is not handed out again at once; [Random], from a seed or a source
//     that the caller provides; [StableByKey], where a hash of the owner's
//     name picks the preferred port among those the avoid set leaves, so a
//     service keeps its port across restarts, whatever the order of the
//     others, probing onward when it is taken;
//   - bands, as Kubernetes' NodePort allocator has them: a static band of
//     [StaticBandSize] ports at the bottom of the range is searched last.
//
// When nothing fits, the error is an *[ExhaustedError] that unwraps to
// [ErrExhausted] and says how many ports of the range are held or avoided and
// the longest free run left. Bad input — an invalid endpoint or range, an
// unknown protocol, an owner name that is empty or not UTF-8, k = 0 or k
// longer than the range — is an error that unwraps to [ErrInvalid], never a
// panic, and changes nothing.
//
// # Audit
//
// [Audit] is the other side: declarations read from compose files and
// manifests may conflict, and Audit lists every conflict group with all its
// members, in a deterministic order, without an Allocator.
//
// # Snapshots
//
// [Allocator.Snapshot] writes the reservations as versioned JSON and
// [Allocator.Restore] reads them back, exactly; a corrupt or inconsistent
// snapshot is refused with an error that says what is wrong, and the
// allocator is left as it was.
//
// # Data structures and costs
//
// The reservations of each protocol are kept in a B+ tree keyed by
// (low port, high port, address), of 8 to 16 entries a node, where each
// entry of an inner node holds the smallest key and the largest high port
// below it, so that the reservations overlapping a range are found in
// O(log n + k): a walk skips the children that end below the range and stops
// at the first that starts above it. A tree of 10,000 reservations is four
// levels deep. Its nodes live in an arena and link by 32-bit index, and its
// leaves are linked in key order; a reservation takes 16 bytes, and its entry
// in a leaf 12 (its key, its index and a tag of its owner and address, so
// that a query reads its results from the leaf alone), about 15 with the
// room that leaves keep free.
//
// Most queries skip the descent. For each block of 64 ports a block index
// counts the reservations that start before the block and reach into it,
// and keeps a hint: a leaf from which a scan along the leaves reaches the
// first reservation of the block. A query starting in the block scans from
// the hint to its last port, and the answer stands if the scan passed every
// reservation reaching in from before; otherwise, or when the hint is stale
// (it is checked before use, and repaired), the walk from the root answers.
// Changes go through the hint too (Reserve, Allocate, Release,
// ReleaseOwner, Restore): one that stays inside one leaf, leaving the
// summaries above it as they were, needs no descent.
// The index takes 10 KiB per protocol.
//
// Owners are interned: each name is copied once into an arena of 4 KiB
// chunks, and an owner takes 12 bytes and a slot of 4 in a hash index at most
// three quarters full. [Reservation.Owner] strings point into the arena, so a
// reservation hands out its owner's name without allocating. At n = 10,000
// reservations of one owner each, the allocator takes about 62 bytes per
// reservation beyond the bytes of the names (BenchmarkBuild). An allocator
// keeps at most 16,777,215 owners holding reservations at once, and 4 GiB
// of their names; past that, a new owner is refused with [ErrInvalid].
// Owners that hold nothing any more are forgotten in time, and at once when
// a new owner needs their room.
//
// Free runs are found in views. A view is the occupancy that allocations on
// one address see: a bitmap of the 65536 ports (held by a reservation on an
// overlapping address, or avoided) under a complete binary tree whose nodes
// hold the free run at each end of their ports and the longest free run
// inside. The first or last free run of k ports after or before a port is
// found by climbing from the port's word and descending into the first
// subtree whose longest run is long enough: O(log U), ten levels for the
// U = 65536 ports, plus constant work with math/bits, never port by port
// (O(log d) when the run is d ports away). Marking ports costs O(w/64) for w
// ports; the tree is brought up to date by the next search. A view takes
// 24 KiB. The every-address view of a protocol is always kept; views of
// other addresses are built on the first allocation on them (O(n)) and kept
// up to date after, eight per protocol at first: the least recently used is
// dropped for a ninth. When a view is built again for an address whose view
// was dropped lately, the protocol keeps one view more, up to 64 (1.5 MiB),
// so that a program that allocates on up to 64 addresses in turn soon
// builds no more views; one that rotates over more than 64 builds one, in
// O(n), at almost every allocation. Suggest and the suggestion of a refused
// Reserve use views as allocations do, and Restore starts with none. Each
// view kept adds O(w/64) to a reservation or release of w ports that it
// sees.
//
// Each method's documentation gives its cost; the hot paths (reserve,
// release, allocate, the queries) allocate nothing.
//
// An [Allocator] is safe for concurrent use: a read-write lock guards it,
// and its iterators take the lock for each batch of results and yield with
// it released.
package allocator
