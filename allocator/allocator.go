package allocator

import (
	"iter"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/portalloc/ports"
)

// Allocator holds reservations of port ranges, per protocol and address, and
// hands out free ports under a [Policy]. No two of its reservations conflict
// by [ports.Endpoint.Conflicts]: [Allocator.Reserve] refuses what would.
//
// The zero Allocator is empty, has the zero Policy and is ready to use; [New]
// returns one with a policy. An Allocator is safe for concurrent use by
// multiple goroutines: one lock guards it, held shared by the methods that
// only read and exclusively by those that change it. It must not be copied
// after first use.
//
// Costs are given for n reservations of the protocol concerned; k is the
// number of results or of holders involved.
type Allocator struct {
	mu     sync.RWMutex
	policy Policy
	avoid  []ports.Range // the ranges of policy.Avoid and port 0; nil for port 0 alone
	src    rand.Source
	st     *state // nil until first use
}

// New returns an empty allocator that allocates under p. The policy is fixed
// for the life of the allocator. O(r) for r ranges in p.Avoid.
func New(p Policy) *Allocator {
	var avoid ports.RangeSetBuilder
	avoid.AddSet(p.Avoid)
	avoid.AddPort(0)
	a := &Allocator{policy: p, avoid: slices.Collect(avoid.RangeSet().Ranges()), src: p.Source}
	if a.src == nil {
		a.src = rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15)
	}
	return a
}

// Policy returns the allocator's policy.
func (a *Allocator) Policy() Policy { return a.policy }

// state returns the allocator's state, creating it; the caller holds the
// write lock.
func (a *Allocator) state() *state {
	if a.st == nil {
		a.st = newState()
	}
	return a.st
}

// onlyPortZero is the avoid set of the zero Policy: port 0, which asks the
// system for any port, is never handed out. It is never changed.
var onlyPortZero = []ports.Range{ports.RangeFrom(0, 0)}

// avoided returns the ranges that allocation never hands out, sorted: the
// policy's avoid set and port 0.
func (a *Allocator) avoided() []ports.Range {
	if a.avoid == nil {
		return onlyPortZero
	}
	return a.avoid
}

// tooManyOwners is the error for a new owner that table t has no room for.
func tooManyOwners(op string, t *ownerTable) error {
	if t.live < maxOwners {
		return invalid(op, "the names of the owners holding reservations fill the ", strconv.Itoa((maxChunks+1)<<chunkBits>>30), " GiB the allocator can keep; release some first")
	}
	return invalid(op, "the allocator holds reservations of ", strconv.Itoa(maxOwners), " owners, the most it can; release some first")
}

func checkOwner(op, owner string) error {
	if owner == "" {
		return invalid(op, "empty owner name")
	}
	if !utf8.ValidString(owner) {
		// A snapshot, which is JSON, could not carry it.
		return invalid(op, "owner name ", strconv.Quote(owner), " is not valid UTF-8")
	}
	return nil
}

func checkEndpoint(op string, e ports.Endpoint) error {
	if !e.IsValid() {
		return invalid(op, "invalid endpoint (the zero Endpoint); build one with ports.EndpointFrom or ports.ParseEndpoint")
	}
	return nil
}

// Reserve holds exactly e for owner. If e conflicts with reservations already
// held it holds nothing and returns a *[ConflictError] that unwraps to
// [ErrConflict], names every holder and suggests the nearest free endpoint of
// the same size. If owner already holds exactly e, Reserve changes nothing
// and returns the reservation with a nil error, so that a program run again
// (after [Allocator.Restore], say) may reserve what it reserved before; a
// caller that must tell the two apart asks [Allocator.Lookup] first. The
// policy's avoid set does not apply: an explicit reservation gets the ports
// it names.
//
// Reserve costs O(log n + k) for the k distinct port ranges held on other
// addresses that share ports with e (none, when the every-address view shows
// the ports free; one, for a port held on thousands of addresses), plus
// O(w/64) for a range of w ports in each view that sees e. When it refuses,
// it costs as much again for the holders and O(log U) for the suggestion
// (U = 65536 ports), plus O(n) the first time a refusal needs a view of the
// address of e.
func (a *Allocator) Reserve(owner string, e ports.Endpoint) (Reservation, error) {
	if err := checkOwner("Reserve", owner); err != nil {
		return Reservation{}, err
	}
	if err := checkEndpoint("Reserve", e); err != nil {
		return Reservation{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.state()
	if !s.own.room(owner) {
		return Reservation{}, tooManyOwners("Reserve", &s.own)
	}
	conflict, held := false, 0
	if v := s.views[e.Protocol()-1].all; v != nil && v.taken.any(int(e.Range().Lo()), int(e.Range().Hi())) {
		// Someone may hold some of these ports (or the policy avoids
		// them): look. Otherwise nobody holds any, on any address.
		conflict, held = s.scan(e)
	}
	if conflict {
		if p, k, addr, ok := s.key(e); ok {
			if x, t := s.trees[p-1].find(k, addr); x != 0 && s.own.name(tagOwner(t)) == owner {
				return Reservation{Owner: owner, Endpoint: e}, nil // owner holds e already
			}
		}
		return Reservation{}, a.conflictError(s, owner, e)
	}
	s.add(owner, e, held, a.avoided())
	return Reservation{Owner: owner, Endpoint: e}, nil
}

func (a *Allocator) conflictError(s *state, owner string, e ports.Endpoint) *ConflictError {
	ce := &ConflictError{Request: Reservation{Owner: owner, Endpoint: e}}
	p := uint8(e.Protocol())
	r := e.Range()
	var w conflictWalk
	s.walkConflicts(&w, e)
	for x, overlaps := w.step(); x != 0; x, overlaps = w.step() {
		if overlaps {
			ce.Holders = append(ce.Holders, s.reservation(w.c.at()))
		}
	}
	v := s.view(p, e.Addr(), a.avoided())
	k, lo := r.Len(), int(r.Lo())
	up := v.taken.firstFit(lo, k)
	down := v.taken.lastFit(lo+k-1, k)
	best := -1
	switch {
	case up < 0:
		best = down
	case down < 0:
		best = up
	case lo-down <= up-lo:
		best = down
	default:
		best = up
	}
	if best >= 0 {
		ce.Suggestion = e.WithRange(ports.RangeFrom(ports.Port(best), ports.Port(best+k-1)))
	}
	return ce
}

// Release gives up the reservation of exactly e, whoever holds it, and
// returns it; it reports false if e is not held. O(log n + k) for the k
// reservations on other addresses that share its ports and reach past one
// another (none when e is on every address or ::; one for a port held on
// thousands of addresses), plus O((k+1) w/64) for a range of w ports in each
// view that saw it; a view of 0.0.0.0 that saw it adds the reservations on
// IPv6 addresses that share its ports.
func (a *Allocator) Release(e ports.Endpoint) (Reservation, bool) {
	if !e.IsValid() {
		return Reservation{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.st
	if s == nil {
		return Reservation{}, false
	}
	p, k, addr, ok := s.key(e)
	if !ok {
		return Reservation{}, false
	}
	n, t := s.trees[p-1].remove(k, addr)
	if n == 0 {
		return Reservation{}, false
	}
	r := s.owned(n, tagOwner(t))
	s.detach(n, tagOwner(t), a.avoided())
	return r, true
}

// ReleaseOwner gives up every reservation of owner and returns how many there
// were. O(m log n) for m reservations.
func (a *Allocator) ReleaseOwner(owner string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.st
	if s == nil {
		return 0
	}
	id, _ := s.own.lookup(owner)
	if id == 0 {
		return 0
	}
	count := 0
	for n := s.own.heads[id]; n != 0; {
		next := s.recs.next(n)
		s.remove(n, id, a.avoided())
		count++
		n = next
	}
	return count
}

// Lookup returns the reservation of exactly e, and whether there is one.
// O(log n).
func (a *Allocator) Lookup(e ports.Endpoint) (Reservation, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.st == nil || !e.IsValid() {
		return Reservation{}, false
	}
	p, k, addr, ok := a.st.key(e)
	if !ok {
		return Reservation{}, false
	}
	n, t := a.st.trees[p-1].find(k, addr)
	if n == 0 {
		return Reservation{}, false
	}
	return a.st.owned(n, tagOwner(t)), true
}

// AppendOwned appends to dst the reservations of owner, in the order of
// [ports.Endpoint.Compare], and returns the extended slice; dst's own
// elements stay as they were. An owner that holds nothing appends nothing.
// Like [Allocator.AppendOverlapping], it reads them under one hold of the
// read lock and allocates nothing when dst has room. O(k log k) for the k
// reservations of owner, and O(len(owner)) to find the owner.
func (a *Allocator) AppendOwned(dst []Reservation, owner string) []Reservation {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s := a.st
	if s == nil {
		return dst
	}
	id, _ := s.own.lookup(owner)
	if id == 0 {
		return dst
	}
	start := len(dst)
	for n := s.own.heads[id]; n != 0; n = s.recs.next(n) {
		dst = append(dst, s.owned(n, id))
	}
	slices.SortFunc(dst[start:], func(x, y Reservation) int { return x.Endpoint.Compare(y.Endpoint) })
	return dst
}

// Len returns the number of reservations held. O(1).
func (a *Allocator) Len() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.st == nil {
		return 0
	}
	n := 0
	for _, c := range a.st.count {
		n += c
	}
	return n
}

// NumOwners returns the number of distinct owners holding reservations. O(1).
func (a *Allocator) NumOwners() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.st == nil {
		return 0
	}
	return a.st.own.live - a.st.own.idle
}

// NumUsed returns the number of ports of proto held by at least one reservation,
// on any address; 0 for a protocol that is not one of the four. O(1).
func (a *Allocator) NumUsed(proto ports.Protocol) int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.st == nil || !proto.IsValid() {
		return 0
	}
	return a.st.used[proto-1]
}

// NumFree returns the number of ports of within that [Allocator.Allocate] could
// hand out for proto: held by no reservation, on any address, and not in the
// policy's avoid set (nor port 0, which is never handed out). It returns 0 for an invalid range or a protocol that is
// not one of the four. O(w/64) for a range of w ports (1024 word counts at
// most), O(log r + r') before the protocol's first reservation, for r avoided
// ranges, r' of them in the range.
func (a *Allocator) NumFree(proto ports.Protocol, within ports.Range) int {
	if !proto.IsValid() || !within.IsValid() {
		return 0
	}
	lo, hi := int(within.Lo()), int(within.Hi())
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.st != nil {
		if v := a.st.views[proto-1].all; v != nil {
			return within.Len() - v.taken.coveredIn(lo, hi)
		}
	}
	return within.Len() - avoidedIn(a.avoided(), lo, hi)
}

// avoidedIn counts the ports of [lo, hi] in the sorted ranges avoid.
func avoidedIn(avoid []ports.Range, lo, hi int) int {
	n := 0
	i, _ := slices.BinarySearchFunc(avoid, lo, func(r ports.Range, p int) int {
		if int(r.Hi()) < p {
			return -1
		}
		return +1
	})
	for ; i < len(avoid) && int(avoid[i].Lo()) <= hi; i++ {
		n += min(hi, int(avoid[i].Hi())) - max(lo, int(avoid[i].Lo())) + 1
	}
	return n
}

// An iterator collects the results under the read lock in batches, and
// yields them with the lock released: first up to firstChunk (most queries
// find fewer, and a small buffer is cheap to clear), then up to chunk at a
// time.
const (
	firstChunk = 4
	chunk      = 16
)

// Overlapping returns an iterator over the reservations that conflict with
// e by [ports.Endpoint.Conflicts], in the order of [ports.Endpoint.Compare].
// Pass an endpoint without an address to see every reservation whose ports
// overlap. An invalid endpoint yields nothing.
//
// The iterator takes the lock for each batch of results (up to 20 the
// first time, then 16 at a time) and yields them with the lock released,
// so its loop body may call the allocator, and reservations made or
// released meanwhile may or may not be seen; [Allocator.AppendOverlapping]
// reads them all at once. A walk of k results costs O(log n + k) and
// allocates nothing; a range of w ports that nobody holds and the policy
// does not avoid costs O(w/64).
func (a *Allocator) Overlapping(e ports.Endpoint) iter.Seq[Reservation] {
	return func(yield func(Reservation) bool) {
		if !e.IsValid() {
			return
		}
		a.walk(uint8(e.Protocol()), e.Range(), e.Addr(), yield)
	}
}

// Holders returns an iterator over the reservations of proto that hold port p
// on any address, in the order of [ports.Endpoint.Compare], as
// [Allocator.Overlapping] does. O(log n + k), and O(1) for a port that
// nobody holds and the policy does not avoid.
func (a *Allocator) Holders(proto ports.Protocol, p ports.Port) iter.Seq[Reservation] {
	return func(yield func(Reservation) bool) {
		if !proto.IsValid() {
			return
		}
		a.walk(uint8(proto), p.Range(), netip.Addr{}, yield)
	}
}

// AppendOverlapping appends to dst the reservations that conflict with e by
// [ports.Endpoint.Conflicts], in the order of [ports.Endpoint.Compare], and
// returns the extended slice; dst's own elements stay as they were. Pass an
// endpoint without an address to get every reservation whose ports
// overlap. An invalid endpoint appends nothing.
//
// Unlike [Allocator.Overlapping], it reads every result under one hold of
// the read lock, so that the results are one state of the allocator, and
// it is the faster of the two: it allocates nothing when dst has room for
// the results, as a slice reused from call to call soon does. O(log n + k)
// for k results.
func (a *Allocator) AppendOverlapping(dst []Reservation, e ports.Endpoint) []Reservation {
	if !e.IsValid() {
		return dst
	}
	return a.appendWalk(dst, uint8(e.Protocol()), e.Range(), e.Addr())
}

// AppendHolders appends to dst the reservations of proto that hold port p on
// any address, in the order of [ports.Endpoint.Compare], and returns the
// extended slice, as [Allocator.AppendOverlapping] does. O(log n + k), and
// O(1) for a port that nobody holds and the policy does not avoid.
func (a *Allocator) AppendHolders(dst []Reservation, proto ports.Protocol, p ports.Port) []Reservation {
	if !proto.IsValid() {
		return dst
	}
	return a.appendWalk(dst, uint8(proto), p.Range(), netip.Addr{})
}

// appendWalk appends to dst the reservations of protocol p overlapping r on
// addresses that overlap addr, under one hold of the read lock. It fills
// dst's spare room in place, growing it when full.
func (a *Allocator) appendWalk(dst []Reservation, p uint8, r ports.Range, addr netip.Addr) []Reservation {
	a.mu.RLock()
	s := a.st
	if !s.mayHold(p, r) {
		a.mu.RUnlock()
		return dst
	}
	var q query
	spare := room(&dst)
	n := q.start(s, p, r, addr, spare)
	for n == len(spare) {
		dst = dst[:len(dst)+n]
		spare = room(&dst)
		n = q.next(spare)
	}
	dst = dst[:len(dst)+n]
	a.mu.RUnlock()
	return dst
}

// room returns the spare room of *dst, growing it first if it has none.
func room(dst *[]Reservation) []Reservation {
	if len(*dst) == cap(*dst) {
		*dst = slices.Grow(*dst, firstChunk)
	}
	return (*dst)[len(*dst):cap(*dst)]
}

// All returns an iterator over every reservation, in the order of
// [ports.Endpoint.Compare] (by protocol, then range, then address), in
// batches as [Allocator.Overlapping] does. O(n).
func (a *Allocator) All() iter.Seq[Reservation] {
	return func(yield func(Reservation) bool) {
		for _, p := range ports.Protocols() {
			if !a.walk(uint8(p), ports.FullRange(), netip.Addr{}, yield) {
				return
			}
		}
	}
}

// walk yields the reservations of protocol p overlapping r on addresses that
// overlap addr, collecting them in batches under the read lock. It returns
// false if yield asked to stop.
func (a *Allocator) walk(p uint8, r ports.Range, addr netip.Addr, yield func(Reservation) bool) bool {
	a.mu.RLock()
	s := a.st
	if !s.mayHold(p, r) {
		a.mu.RUnlock()
		return true // before the buffer, which a query that finds nothing need not clear
	}
	var first [firstChunk]Reservation
	var q query
	n := q.start(s, p, r, addr, first[:])
	if n == len(first) {
		return a.walkOn(&q, &first, yield)
	}
	a.mu.RUnlock()
	for i := range n {
		if !yield(first[i]) {
			return false
		}
	}
	return true
}

// walkOn goes on with query q, whose first batch filled first, still under
// the read lock: it collects the next batch, then releases the lock and
// yields both batches, and goes on with walkRest if the second filled too.
func (a *Allocator) walkOn(q *query, first *[firstChunk]Reservation, yield func(Reservation) bool) bool {
	var buf [chunk]Reservation
	n := q.next(buf[:])
	a.mu.RUnlock()
	for _, r := range first {
		if !yield(r) {
			return false
		}
	}
	for i := range n {
		if !yield(buf[i]) {
			return false
		}
	}
	if n < len(buf) {
		return true
	}
	return a.walkRest(q, yield)
}

// walkRest goes on with query q in batches of chunk, taking the lock for
// each.
func (a *Allocator) walkRest(q *query, yield func(Reservation) bool) bool {
	var buf [chunk]Reservation
	for {
		a.mu.RLock()
		n := 0
		if s := a.st; s != nil { // nil if restored meanwhile to nothing
			q.relocked(s)
			n = q.next(buf[:])
		}
		a.mu.RUnlock()
		for i := range n {
			if !yield(buf[i]) {
				return false
			}
		}
		if n < len(buf) {
			return true
		}
	}
}

// mayHold reports whether some reservation of protocol p may hold a port of
// r. The every-address view marks every held port: if it marks none of
// these, nobody holds them (the avoid set aside), and there is no need to
// walk the tree. The caller holds the lock.
func (s *state) mayHold(p uint8, r ports.Range) bool {
	if s == nil {
		return false
	}
	v := s.views[p-1].all
	return v != nil && v.taken.any(int(r.Lo()), int(r.Hi()))
}

// Allocate finds a free run of k consecutive ports of proto within the range,
// on every address, under the allocator's policy, and reserves it for owner.
// It is [Allocator.AllocateIn] with an endpoint that has no address. Like
// AllocateIn, [Allocator.Ensure] and [Allocator.Suggest], it takes the
// owner, where to look, and how many ports, in that order.
func (a *Allocator) Allocate(owner string, proto ports.Protocol, within ports.Range, k int) (Reservation, error) {
	if !proto.IsValid() {
		return Reservation{}, invalid("Allocate", "unknown protocol ", proto.String(), "; want tcp, udp, sctp or dccp")
	}
	if !within.IsValid() {
		return Reservation{}, invalid("Allocate", "invalid range (the zero Range)")
	}
	return a.allocate("Allocate", owner, ports.EndpointAnyAddr(proto, within), k, true)
}

// AllocateIn finds a free run of k consecutive ports within the range of
// within, on its protocol and address, under the allocator's policy, and
// reserves it for owner. A port is free for an address when no reservation on
// an overlapping address ([ports.AddrsOverlap]) holds it and the policy does
// not avoid it: a run on 127.0.0.1 may use ports held on 10.0.0.1, and a run
// on every address (no address, or ::) needs ports that nobody holds.
//
// The order of the policy picks among the free runs; with Bands, the dynamic
// band is searched first and the whole range last. If no run fits, the error
// is an *[ExhaustedError] that unwraps to [ErrExhausted]. An empty owner, an
// invalid endpoint, or k outside 1 to the length of the range is an error that
// unwraps to [ErrInvalid].
//
// AllocateIn costs O(log U) for the search (U = 65536 ports: one climb and
// one descent of the view's tree, up to four with bands and wrapping), and
// what Reserve costs to hold the run; the first allocation on an address
// other than every address or :: builds that address's view in O(n + U/64),
// and so may the next one after other addresses have been used since (see
// the package documentation on views).
func (a *Allocator) AllocateIn(owner string, within ports.Endpoint, k int) (Reservation, error) {
	return a.allocate("AllocateIn", owner, within, k, true)
}

// Suggest returns what [Allocator.AllocateIn] would hand out now, without
// reserving it and without moving the NextFit position; with the Random order
// it draws from the policy's source as AllocateIn does. It costs what the
// search of AllocateIn costs.
func (a *Allocator) Suggest(owner string, within ports.Endpoint, k int) (ports.Endpoint, error) {
	r, err := a.allocate("Suggest", owner, within, k, false)
	return r.Endpoint, err
}

// Ensure returns the reservation that owner holds of a run of k ports within
// the range of within, on its protocol and exactly its address, and true;
// if owner holds none, it allocates one as [Allocator.AllocateIn] does and
// returns it and false. It is the idempotent form of AllocateIn: a program
// that calls Ensure for each of its services gets the same ports when it
// runs again on the same allocator, or on one restored from its snapshot.
// Of several such reservations of owner it returns the first in the order
// of [ports.Endpoint.Compare]; one of another length, or reaching outside
// the range, does not count. Errors are those of AllocateIn.
//
// Ensure costs O(m) for the m reservations of owner, and what AllocateIn
// costs when it allocates.
func (a *Allocator) Ensure(owner string, within ports.Endpoint, k int) (Reservation, bool, error) {
	return a.allocateOrKeep("Ensure", owner, within, k, true, true)
}

func (a *Allocator) allocate(op, owner string, within ports.Endpoint, k int, commit bool) (Reservation, error) {
	r, _, err := a.allocateOrKeep(op, owner, within, k, commit, false)
	return r, err
}

// allocateOrKeep is allocate; if keep is true, and owner holds a run of k
// ports in within, it returns that and true instead.
func (a *Allocator) allocateOrKeep(op, owner string, within ports.Endpoint, k int, commit, keep bool) (Reservation, bool, error) {
	if err := checkOwner(op, owner); err != nil {
		return Reservation{}, false, err
	}
	if err := checkEndpoint(op, within); err != nil {
		return Reservation{}, false, err
	}
	r := within.Range()
	if k < 1 || k > r.Len() {
		return Reservation{}, false, invalid(op, "run of ", strconv.Itoa(k), " ports does not fit in ", r.String(),
			"; want 1 to ", strconv.Itoa(r.Len()))
	}
	if !a.policy.Order.IsValid() {
		return Reservation{}, false, invalid(op, "policy order ", a.policy.Order.String(),
			" is not FirstFit, NextFit, Random or StableByKey")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.state()
	if keep {
		if e, ok := s.ownedIn(owner, within, k); ok {
			return Reservation{Owner: owner, Endpoint: e}, true, nil
		}
	}
	if commit && !s.own.room(owner) {
		return Reservation{}, false, tooManyOwners(op, &s.own)
	}
	p := uint8(within.Protocol())
	v := s.view(p, within.Addr(), a.avoided())
	lo, hi := int(r.Lo()), int(r.Hi())
	last := int32(-1)
	if a.policy.Order == NextFit {
		last = s.fit.from(p, r)
	}
	c := -1
	if a.policy.Bands {
		if dlo := lo + StaticBandSize(r); hi-dlo+1 >= k {
			c = a.search(v, owner, last, dlo, hi, k)
		}
	}
	if c < 0 {
		c = a.search(v, owner, last, lo, hi, k)
	}
	if c < 0 {
		return Reservation{}, false, &ExhaustedError{
			Owner:   owner,
			Within:  within,
			Len:     k,
			Taken:   v.taken.coveredIn(lo, hi),
			Avoided: avoidedIn(a.avoided(), lo, hi),
			Longest: v.taken.longestFree(lo, hi),
		}
	}
	e := within.WithRange(ports.RangeFrom(ports.Port(c), ports.Port(c+k-1)))
	if commit {
		held := 0
		if !v.all {
			// Others may hold these ports on addresses this one does
			// not overlap.
			_, held = s.scan(e)
		}
		s.add(owner, e, held, a.avoided())
		if a.policy.Order == NextFit {
			s.fit.note(p, r, int32(c+k-1))
		}
	}
	return Reservation{Owner: owner, Endpoint: e}, false, nil
}

// search returns the run of k ports in [lo, hi] that the policy's order picks
// among those free in v, or -1; last is where NextFit stopped.
func (a *Allocator) search(v *view, owner string, last int32, lo, hi, k int) int {
	cmax := hi - k + 1
	start := lo
	switch a.policy.Order {
	case NextFit:
		if l := int(last); l >= 0 && l+1 > lo && l+1 <= cmax {
			start = l + 1
		}
	case Random:
		n, _ := bits.Mul64(a.src.Uint64(), uint64(cmax-lo+1))
		start = lo + int(n)
	case StableByKey:
		// Hash over the candidates, the runs that the avoid set leaves
		// whole, so that keys whose hash would fall in an avoided
		// stretch do not pile up at its end.
		avoid := a.avoided()
		if n, _ := candidates(avoid, lo, cmax, k, -1); n > 0 {
			_, start = candidates(avoid, lo, cmax, k, int(fnv1a(owner)%uint64(n)))
		}
	}
	if c := v.taken.firstFit(start, k); c >= 0 && c <= cmax {
		return c
	}
	if start > lo {
		if c := v.taken.firstFit(lo, k); c >= 0 && c < start {
			return c
		}
	}
	return -1
}
