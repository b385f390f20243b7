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
// Each Client keeps a mirror, a local allocator.Allocator that a watch
// keeps current: queries read it at in-memory speed, and Allocate picks a
// run from it and confirms it in one transaction (see [Client] for how far
// the mirror may lag).
//
// A Session binds reservations to an etcd lease that it keeps alive. When the
// holder dies, or is cut off for longer than the TTL, etcd deletes the lease's
// keys in one step and every mirror frees the ports, within the TTL and a
// few seconds (see [Session]); the session reports a *LeaseLostError listing
// what it lost.
//
// Errors say what happened and nothing is retried behind the caller's back:
// an *OpError wraps ErrUnavailable when the cluster did not answer within
// Options.Timeout, or the caller's context error, and says when a change may
// have been applied all the same.
//
// # Costs and concurrency
//
// Conflicts are decided by the transaction's compares alone: a reservation
// of any range is one transaction of O(log U) keys and compares (U = 65536
// ports; one port on every address writes 3 keys and makes 17 compares),
// within etcd's default limit of 128 operations, and it fails only on a
// real conflict, never because another client changed ports nearby.
// Reads cost what the allocator's do. A Client and a Session are safe for
// concurrent use; the zero Client is not usable: use [New].
package etcd
