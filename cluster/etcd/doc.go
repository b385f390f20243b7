// Package etcd is the allocator of github.com/portalloc/ports/allocator over
// an etcd cluster: many processes on many machines reserve and allocate
// ports from one space, and no two ever hold conflicting endpoints.
//
//	cli, _ := clientv3.New(clientv3.Config{Endpoints: endpoints})
//	c, err := etcd.New(ctx, cli, etcd.Options{Prefix: "/ports/", Policy: policy})
//	r, err := c.Allocate(ctx, "api", ports.TCP, 1, ports.MustParseRange("30000-32767"))
//	s, err := c.NewSession(ctx, 10*time.Second) // reservations that die with this process
//	r, err = s.Reserve(ctx, "worker", ports.MustParseEndpoint("7000-7009/udp"))
//
// Every change is one etcd transaction, so changes are linearizable: a
// reservation that succeeds is held against every client of the prefix, under
// the conflict rule of ports.Endpoint.Conflicts. A refusal is an
// *allocator.ConflictError naming every holder as of the transaction.
//
// Each Client keeps a mirror: an in-memory allocator.Allocator that a watch
// keeps current. Lookup, Holders, Overlapping, Suggest and Snapshot read it
// at in-memory speed and may lag the cluster by the watch's delay (a client
// sees its own changes at once); Client.Sync brings it up to date, after
// which reads are linearizable. Allocate asks the mirror for a free run and
// confirms it in one transaction; if another client took it meanwhile, it
// tries the next.
//
// A Session binds reservations to an etcd lease that it keeps alive. When the
// holder dies, or is cut off for longer than the TTL, etcd deletes the lease's
// keys in one step and every mirror frees the ports: no repair loop. The
// session then reports a *LeaseLostError listing what it lost. A port of a
// dead holder is free again in every mirror within the TTL plus 2 s while
// the leader stays (etcd looks for expired leases every 500 ms); a change of
// leader renews every lease once, which adds up to the TTL and an election
// timeout. Reservations made through the Client itself persist until
// released.
//
// Errors say what happened and nothing is retried behind the caller's back:
// an *OpError wraps ErrUnavailable when the cluster did not answer within
// Options.Timeout, or the caller's context error, and says when a change may
// have been applied all the same.
//
// # Keys
//
// Conflicts are decided by the transaction's compares alone, exactly: the
// ports are the leaves of a binary tree, a range is the union of at most 30
// tree nodes (its canonical cover), and a reservation writes a key per node
// of its cover in each group of addresses it falls in; a new one checks, in
// the groups its address conflicts with, that no key lies below the nodes of
// its cover (one range compare each) or on their ancestors. A reservation
// of one port on every address writes 4 keys and makes 17 compares; the
// largest, of any range, stay within etcd's default limit of 128
// operations. Since compares test the existence of keys,
// not revisions, a transaction fails only on a real conflict, never because
// another client changed ports nearby. Keys of one port each would need a key
// per port (a range of 1,000 ports exceeds a transaction); a key per block
// with revision compares makes clients that touch one block retry each other.
package etcd
