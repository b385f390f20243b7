package allocator

import (
	"net/netip"

	"github.com/portalloc/ports"
)

// A query collects the reservations of one protocol overlapping the ports
// [lo, hi] on addresses that overlap addr (every address if addr is the
// zero Addr), in key order, in batches into buffers that its caller gives
// it, holding the read lock for each batch. Most queries are answered by
// the block index, which scans the leaves from a hint without a descent
// (see blocks.go); when the index cannot answer, or when the lock was let go
// between two batches, so that where its scan stopped may be gone, the
// query descends the tree with a cursor, from after the last reservation
// it collected.
type query struct {
	p      uint8
	lo, hi uint16
	addr   netip.Addr
	near   bool           // the block index's scan goes on from sc
	sc     nearScan       // where the block index's scan stopped
	after  ports.Endpoint // the last reservation collected; invalid before the first batch
}

// next fills buf with the next batch of the query and returns how many it
// holds; fewer than len(buf) when the query is over. The caller holds the
// read lock, and has called unlocked if it let it go since the last batch.
func (q *query) next(s *state, buf []Reservation) int {
	var n int
	switch {
	case !q.after.IsValid():
		n, q.near = s.collectNear(buf, &q.sc, q.p, q.lo, q.hi, q.addr)
	case q.near:
		n, q.near = s.collectOn(buf, &q.sc, q.p, q.lo, q.hi, q.addr)
	}
	if !q.near {
		n = s.collectWalk(buf, q)
	}
	if n == len(buf) && n > 0 {
		q.after = buf[n-1].Endpoint
	}
	return n
}

// unlocked notes that the caller let the read lock go since the last batch.
func (q *query) unlocked() { q.near = false }

// collectWalk fills buf with the reservations of query q through a cursor
// over the tree, from the first, or from the first after q.after if it is
// valid. O(log n + k) for k reservations looked at.
func (s *state) collectWalk(buf []Reservation, q *query) int {
	var c rcursor
	t := &s.trees[q.p-1]
	if ar := q.after.Range(); q.after.IsValid() {
		t.walkAfter(&c, q.lo, q.hi, uint16(ar.Lo()), uint16(ar.Hi()), q.after.Addr())
	} else {
		t.walk(&c, q.lo, q.hi)
	}
	every := !q.addr.IsValid() // every address overlaps every other
	n := 0
	for x := c.step(); x != 0; x = c.step() {
		if every || ports.AddrsOverlap(s.addrs.addr(s.info[x].addr()), q.addr) {
			m, i := c.at()
			s.fill(&buf[n], m, i)
			if n++; n == len(buf) {
				break
			}
		}
	}
	return n
}
