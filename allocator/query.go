package allocator

import (
	"net/netip"

	"github.com/portalloc/ports"
)

// A query collects, in key order, the reservations of one protocol whose
// ports overlap [lo, hi] on an address that overlaps addr (every address
// when addr is the zero Addr), in batches: each call of next fills the
// buffer it is given, under the read lock, and says how many it wrote. Its
// cursor says where the last batch stopped, and hides how the next one
// finds its way there (see queryCursor).
//
// The buffer is next's parameter, not a field: escape analysis does not
// tell a struct's fields apart, and the owner names that a batch stores
// into the buffer would make every pointer of the query escape, the
// iterators' buffers on their stacks with them.
type query struct {
	s      *state
	t      *rtree // the tree of protocol p in s
	p      uint8
	lo, hi uint16
	addr   netip.Addr
	every  bool // addr is the zero Addr: every address overlaps it
	at     queryCursor
}

// A queryCursor is where a query stands between two batches. Most queries
// are answered by the block index, which scans the leaves of the tree from
// a hint without a descent (see blocks.go); while the read lock is held
// since, the next batch goes on along the leaves from leaf and entry i.
// When the index could not answer, or when the lock was let go between two
// batches, so that the leaf may be gone, the next batch descends the tree
// with an rcursor to the first reservation after the last one collected.
type queryCursor struct {
	leaf int32          // where the scan along the leaves goes on; 0 to descend
	i    int32          // the next entry of leaf
	last ports.Endpoint // the last reservation collected, once a batch filled
}

// start sets q to the query of the reservations of protocol p on s
// overlapping r on addresses that overlap addr, fills buf with its first
// batch and returns how many reservations it holds, as next does. The
// caller holds the read lock.
func (q *query) start(s *state, p uint8, r ports.Range, addr netip.Addr, buf []Reservation) int {
	q.s, q.t, q.p, q.lo, q.hi = s, &s.trees[p-1], p, uint16(r.Lo()), uint16(r.Hi())
	q.addr, q.every = addr, !addr.IsValid()
	n, ok := q.fromIndex(buf)
	if !ok {
		q.at.leaf = 0
		n = q.descend(buf)
	}
	q.filled(buf, n)
	return n
}

// next fills buf with the next batch of the query and returns how many
// reservations it holds: fewer than len(buf) when the query is over. The
// caller holds the read lock, and has called relocked if it let it go since
// the last batch.
func (q *query) next(buf []Reservation) int {
	n, ok := 0, false
	if q.at.leaf != 0 {
		n, ok = q.alongLeaves(buf)
	}
	if !ok {
		q.at.leaf = 0
		n = q.descend(buf)
	}
	q.filled(buf, n)
	return n
}

// filled notes the last reservation of a batch of n in buf, if it filled
// buf, for a descent after it.
func (q *query) filled(buf []Reservation, n int) {
	if n == len(buf) && n > 0 {
		q.at.last = buf[n-1].Endpoint
	}
}

// relocked notes that the caller let the read lock go since the last batch
// and holds it again, and that the allocator's state is s now: the next
// batch descends the tree.
func (q *query) relocked(s *state) {
	q.s, q.t, q.at.leaf = s, &s.trees[q.p-1], 0
}

// descend fills buf through an rcursor over the tree, from the first
// reservation, or from the first after q.at.last once a batch filled.
// O(log n + k) for k reservations looked at.
func (q *query) descend(buf []Reservation) int {
	s, t := q.s, q.t
	var c rcursor
	t.walk(&c, q.lo, q.hi)
	if last := q.at.last; last.IsValid() {
		lr := last.Range()
		c.seek(rkey(uint16(lr.Lo()), uint16(lr.Hi())), last.Addr(), false)
	}
	addr, every := q.addr, q.every
	n := 0
	for x := c.step(); x != 0; x = c.step() {
		if every || ports.AddrsOverlap(s.addrs.addr(s.recs.at(x).addr()), addr) {
			m, i := c.at()
			s.fill(&buf[n], m, i)
			if n++; n == len(buf) {
				break
			}
		}
	}
	return n
}
