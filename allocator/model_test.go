package allocator

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// model is the naive allocator the state machine checks the real one
// against: for each protocol, a [65536] array of the reservations holding
// each port, scanned port by port.
type model struct {
	policy   Policy
	src      *rand.PCG // a twin of the allocator's source
	res      map[int]Reservation
	nextID   int
	holders  [5]*[65536][]int // by protocol
	last     [5]int           // NextFit: highest port of the last allocation
	fits     []modelFit       // NextFit: the same by range, least recently used first
	lo, hi   int              // the window every reservation lies in
	avoidSet ports.RangeSet
}

func newModel(p Policy, src *rand.PCG, lo, hi int) *model {
	// Port 0 is never handed out, whatever the policy.
	avoid := p.Avoid.Union(ports.RangeSetOf(ports.RangeFrom(0, 0)))
	m := &model{policy: p, src: src, res: make(map[int]Reservation), lo: lo, hi: hi, avoidSet: avoid}
	for i := range m.holders {
		m.holders[i] = new([65536][]int)
		m.last[i] = -1
	}
	return m
}

// modelFit is where NextFit stopped in a range of a protocol.
type modelFit struct {
	proto ports.Protocol
	r     ports.Range
	last  int
}

// fitLast is where NextFit starts from in range r of proto: after the last
// run of proto if it lies in r, or else after the last run in r, if r is
// one of the last maxFits ranges allocated from.
func (m *model) fitLast(proto ports.Protocol, r ports.Range) int {
	if l := m.last[proto]; l >= 0 && r.Contains(ports.Port(l)) {
		return l
	}
	for _, f := range m.fits {
		if f.proto == proto && f.r == r {
			return f.last
		}
	}
	return -1
}

func (m *model) noteFit(proto ports.Protocol, r ports.Range, last int) {
	m.last[proto] = last
	var kept []modelFit
	for _, f := range m.fits {
		if f.proto != proto || f.r != r {
			kept = append(kept, f)
		}
	}
	if len(kept) == maxFits {
		kept = kept[1:]
	}
	m.fits = append(kept, modelFit{proto, r, last})
}

func (m *model) add(r Reservation) {
	id := m.nextID
	m.nextID++
	m.res[id] = r
	h := m.holders[r.Endpoint.Protocol()]
	for p := range r.Endpoint.Range().All() {
		h[p] = append(h[p], id)
	}
}

func (m *model) remove(id int) {
	r := m.res[id]
	delete(m.res, id)
	h := m.holders[r.Endpoint.Protocol()]
	for p := range r.Endpoint.Range().All() {
		h[p] = slices.DeleteFunc(h[p], func(x int) bool { return x == id })
	}
}

func byEndpoint(a, b Reservation) int { return a.Endpoint.Compare(b.Endpoint) }

// conflicting returns the reservations that conflict with e, sorted.
func (m *model) conflicting(e ports.Endpoint) []Reservation {
	seen := make(map[int]bool)
	var out []Reservation
	for p := range e.Range().All() {
		for _, id := range m.holders[e.Protocol()][p] {
			if r := m.res[id]; !seen[id] && ports.AddrsOverlap(r.Endpoint.Addr(), e.Addr()) {
				seen[id] = true
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, byEndpoint)
	return out
}

func (m *model) all() []Reservation {
	var out []Reservation
	for _, r := range m.res {
		out = append(out, r)
	}
	slices.SortFunc(out, byEndpoint)
	return out
}

// blocked reports whether an allocation on addr cannot use port p.
func (m *model) blocked(proto ports.Protocol, addr netip.Addr, p int) bool {
	if m.avoidSet.Contains(ports.Port(p)) {
		return true
	}
	for _, id := range m.holders[proto][p] {
		if ports.AddrsOverlap(m.res[id].Endpoint.Addr(), addr) {
			return true
		}
	}
	return false
}

func (m *model) runFree(proto ports.Protocol, addr netip.Addr, c, k int) bool {
	if c < 0 || c+k-1 > 65535 {
		return false
	}
	if c == 0 {
		return false // port 0 is always avoided
	}
	if c > m.hi || c+k-1 < m.lo {
		return true // nothing else is held or avoided outside the window
	}
	for p := c; p < c+k; p++ {
		if m.blocked(proto, addr, p) {
			return false
		}
	}
	return true
}

// nearest is the suggestion of a conflict: the closest free run of k ports,
// the lower on a tie, or -1.
func (m *model) nearest(proto ports.Protocol, addr netip.Addr, lo, k int) int {
	up, down := -1, -1
	for c := lo; c+k-1 <= 65535; c++ {
		if m.runFree(proto, addr, c, k) {
			up = c
			break
		}
	}
	for c := lo; c >= 0; c-- {
		if m.runFree(proto, addr, c, k) {
			down = c
			break
		}
	}
	switch {
	case up < 0:
		return down
	case down < 0:
		return up
	case lo-down <= up-lo:
		return down
	}
	return up
}

func modelHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// search mirrors the allocator's choice among the free runs in [lo, hi] of
// range within.
func (m *model) search(owner string, proto ports.Protocol, addr netip.Addr, within ports.Range, lo, hi, k int) int {
	cmax := hi - k + 1
	start := lo
	switch m.policy.Order {
	case NextFit:
		if l := m.fitLast(proto, within); l >= 0 && l+1 > lo && l+1 <= cmax {
			start = l + 1
		}
	case Random:
		n, _ := bits.Mul64(m.src.Uint64(), uint64(cmax-lo+1))
		start = lo + int(n)
	case StableByKey:
		// The hash picks among the candidates: the runs the avoid set
		// leaves whole.
		var cands []int
		for c := lo; c <= cmax; c++ {
			if !m.avoidSet.Overlaps(ports.RangeFrom(ports.Port(c), ports.Port(c+k-1))) {
				cands = append(cands, c)
			}
		}
		if len(cands) > 0 {
			start = cands[modelHash(owner)%uint64(len(cands))]
		}
	}
	for c := start; c <= cmax; c++ {
		if m.runFree(proto, addr, c, k) {
			return c
		}
	}
	for c := lo; c < start; c++ {
		if m.runFree(proto, addr, c, k) {
			return c
		}
	}
	return -1
}

// allocate returns the run the allocator must pick, or -1.
func (m *model) allocate(owner string, within ports.Endpoint, k int) int {
	r := within.Range()
	lo, hi := int(r.Lo()), int(r.Hi())
	proto, addr := within.Protocol(), within.Addr()
	if m.policy.Bands {
		static := min(max(16, r.Len()/32), 128, r.Len())
		if hi-(lo+static)+1 >= k {
			if c := m.search(owner, proto, addr, r, lo+static, hi, k); c >= 0 {
				return c
			}
		}
	}
	return m.search(owner, proto, addr, r, lo, hi, k)
}

func (m *model) exhausted(owner string, within ports.Endpoint, k int) *ExhaustedError {
	r := within.Range()
	e := &ExhaustedError{Owner: owner, Within: within, Len: k}
	run := 0
	for p := range r.All() {
		if m.avoidSet.Contains(p) {
			e.Avoided++
		}
		if m.blocked(within.Protocol(), within.Addr(), int(p)) {
			e.Taken++
			run = 0
		} else {
			run++
			e.Longest = max(e.Longest, run)
		}
	}
	return e
}

// cmpOpts lets go-cmp compare the comparable value types of package ports.
var cmpOpts = cmpopts.EquateComparable(ports.Endpoint{}, netip.Addr{}, ports.Range{})

var testAddrs = []netip.Addr{
	{},
	netip.MustParseAddr("0.0.0.0"),
	netip.MustParseAddr("::"),
	netip.MustParseAddr("127.0.0.1"),
	netip.MustParseAddr("10.0.0.1"),
	netip.MustParseAddr("::1"),
	netip.MustParseAddr("fe80::1%eth0"),
	// More addresses than an allocator keeps views of (maxViews), so that
	// views are dropped and built again.
	netip.MustParseAddr("10.0.0.2"),
	netip.MustParseAddr("10.0.0.3"),
	netip.MustParseAddr("10.0.0.4"),
	netip.MustParseAddr("192.168.1.1"),
	netip.MustParseAddr("2001:db8::1"),
	netip.MustParseAddr("2001:db8::2"),
}

var testOwners = []string{"api", "db", "grafana", "web", "x"}

// machine drives an Allocator and the model side by side.
type machine struct {
	a *Allocator
	m *model
}

func (s *machine) drawEndpoint(t *rapid.T, label string, maxLen int) ports.Endpoint {
	proto := rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, label+"proto")
	addr := rapid.SampledFrom(testAddrs).Draw(t, label+"addr")
	lo := rapid.IntRange(s.m.lo, s.m.hi).Draw(t, label+"lo")
	n := rapid.IntRange(1, maxLen).Draw(t, label+"len")
	hi := min(lo+n-1, s.m.hi)
	return ports.EndpointFrom(proto, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
}

func (s *machine) reserve(t *rapid.T) {
	owner := rapid.SampledFrom(testOwners).Draw(t, "owner")
	e := s.drawEndpoint(t, "", 4)
	s.reserveAs(t, owner, e)
}

// reserveOwn reserves again what an owner holds, which changes nothing, or
// what another holds, which conflicts.
func (s *machine) reserveOwn(t *rapid.T) {
	all := s.m.all()
	if len(all) == 0 {
		t.Skip("nothing held")
	}
	r := rapid.SampledFrom(all).Draw(t, "r")
	s.reserveAs(t, rapid.SampledFrom([]string{r.Owner, "other"}).Draw(t, "owner"), r.Endpoint)
}

func (s *machine) reserveAs(t *rapid.T, owner string, e ports.Endpoint) {
	want := s.m.conflicting(e)
	got, err := s.a.Reserve(owner, e)
	if len(want) == 1 && want[0] == (Reservation{owner, e}) {
		if err != nil || got != want[0] {
			t.Fatalf("Reserve(%q, %v) of what it holds = %v, %v; want it and nil", owner, e, got, err)
		}
		return
	}
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Reserve(%q, %v) = %v, want success", owner, e, err)
		}
		if got != (Reservation{owner, e}) {
			t.Fatalf("Reserve(%q, %v) = %v", owner, e, got)
		}
		s.m.add(got)
		return
	}
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("Reserve(%q, %v) = %v, %v; want a ConflictError", owner, e, got, err)
	}
	if diff := cmp.Diff(want, ce.Holders, cmpOpts); diff != "" {
		t.Fatalf("Reserve(%q, %v) holders (-want +got):\n%s", owner, e, diff)
	}
	var wantSug ports.Endpoint
	if c := s.m.nearest(e.Protocol(), e.Addr(), int(e.Range().Lo()), e.Range().Len()); c >= 0 {
		wantSug = e.WithRange(ports.RangeFrom(ports.Port(c), ports.Port(c+e.Range().Len()-1)))
	}
	if ce.Suggestion != wantSug {
		t.Fatalf("Reserve(%q, %v) suggests %v, want %v", owner, e, ce.Suggestion, wantSug)
	}
	if ce.Request != (Reservation{owner, e}) {
		t.Fatalf("Reserve(%q, %v): request recorded as %v", owner, e, ce.Request)
	}
}

// ensure calls Ensure, which must return the owner's first run of k ports
// in within on its address if it holds one, and allocate as AllocateIn
// does if not.
func (s *machine) ensure(t *rapid.T) {
	owner := rapid.SampledFrom(testOwners).Draw(t, "owner")
	within := s.drawEndpoint(t, "within", 40)
	k := rapid.IntRange(1, 3).Draw(t, "k")
	var kept []Reservation
	for _, r := range s.m.all() {
		e := r.Endpoint
		if r.Owner == owner && e.Protocol() == within.Protocol() && e.Addr() == within.Addr() &&
			e.Range().Len() == k && within.Range().ContainsRange(e.Range()) {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		s.allocate(t, true, owner, within, k, true)
		return
	}
	got, held, err := s.a.Ensure(owner, within, k)
	if err != nil || !held || got != kept[0] {
		t.Fatalf("Ensure(%q, %v, %d) = %v, %v, %v; want %v, true", owner, within, k, got, held, err, kept[0])
	}
}

func (s *machine) allocateAction(t *rapid.T, commit bool) {
	owner := rapid.SampledFrom(testOwners).Draw(t, "owner")
	within := s.drawEndpoint(t, "within", 40)
	k := rapid.IntRange(1, 6).Draw(t, "k")
	s.allocate(t, commit, owner, within, k, false)
}

// allocate allocates, or suggests if commit is false, a run of k ports in
// within for owner, through Ensure if ensure is true (the owner holding no
// such run), and checks the result against the model.
func (s *machine) allocate(t *rapid.T, commit bool, owner string, within ports.Endpoint, k int, ensure bool) {
	plain := !ensure && !within.Addr().IsValid() && rapid.Bool().Draw(t, "plain")
	var got Reservation
	var err error
	switch {
	case ensure:
		var held bool
		got, held, err = s.a.Ensure(owner, within, k)
		if held {
			t.Fatalf("Ensure(%q, %v, %d) = %v, true; the owner held no such run", owner, within, k, got)
		}
	case !commit:
		got.Endpoint, err = s.a.Suggest(owner, within, k)
		got.Owner = owner
	case plain:
		got, err = s.a.Allocate(owner, within.Protocol(), within.Range(), k)
	default:
		got, err = s.a.AllocateIn(owner, within, k)
	}
	if k > within.Range().Len() {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("allocating %d in %v = %v, %v; want ErrInvalid", k, within, got, err)
		}
		return
	}
	c := s.m.allocate(owner, within, k)
	if c < 0 {
		var ee *ExhaustedError
		if !errors.As(err, &ee) || !errors.Is(err, ErrExhausted) {
			t.Fatalf("allocating %d in %v for %q = %v, %v; want ErrExhausted", k, within, owner, got, err)
		}
		if diff := cmp.Diff(s.m.exhausted(owner, within, k), ee, cmpOpts); diff != "" {
			t.Fatalf("allocating %d in %v: ExhaustedError (-want +got):\n%s", k, within, diff)
		}
		return
	}
	if err != nil {
		t.Fatalf("allocating %d in %v for %q = %v, want %d-%d", k, within, owner, err, c, c+k-1)
	}
	r := got.Endpoint.Range()
	// Whatever the order, the run is free, outside the avoid set and in range.
	if r.Len() != k || !within.Range().ContainsRange(r) || got.Endpoint.Protocol() != within.Protocol() ||
		got.Endpoint.Addr() != within.Addr() || got.Owner != owner {
		t.Fatalf("allocating %d in %v for %q = %v", k, within, owner, got)
	}
	for p := range r.All() {
		if s.m.blocked(within.Protocol(), within.Addr(), int(p)) {
			t.Fatalf("allocating %d in %v = %v: port %d is held or avoided", k, within, got, p)
		}
	}
	if int(r.Lo()) != c {
		t.Fatalf("allocating %d in %v for %q (%v) = %v, want %d", k, within, owner, s.m.policy.Order, got, c)
	}
	if commit {
		s.m.add(got)
		if s.m.policy.Order == NextFit {
			s.m.noteFit(within.Protocol(), within.Range(), int(r.Hi()))
		}
	}
}

func (s *machine) release(t *rapid.T) {
	all := s.m.all()
	var e ports.Endpoint
	if len(all) > 0 && rapid.Bool().Draw(t, "held") {
		e = rapid.SampledFrom(all).Draw(t, "r").Endpoint
	} else {
		e = s.drawEndpoint(t, "", 4)
	}
	got, ok := s.a.Release(e)
	for id, r := range s.m.res {
		if r.Endpoint == e {
			if !ok || got != r {
				t.Fatalf("Release(%v) = %v, %v; want %v", e, got, ok, r)
			}
			s.m.remove(id)
			return
		}
	}
	if ok {
		t.Fatalf("Release(%v) = %v, true; it was not held", e, got)
	}
}

func (s *machine) releaseOwner(t *rapid.T) {
	owner := rapid.SampledFrom(testOwners).Draw(t, "owner")
	want := 0
	for id, r := range s.m.res {
		if r.Owner == owner {
			s.m.remove(id)
			want++
		}
	}
	if got := s.a.ReleaseOwner(owner); got != want {
		t.Fatalf("ReleaseOwner(%q) = %d, want %d", owner, got, want)
	}
}

func (s *machine) owned(t *rapid.T) {
	owner := rapid.SampledFrom(testOwners).Draw(t, "owner")
	var want []Reservation
	for _, r := range s.m.res {
		if r.Owner == owner {
			want = append(want, r)
		}
	}
	slices.SortFunc(want, byEndpoint)
	prefix := s.drawPrefix(t)
	got := s.a.AppendOwned(slices.Clone(prefix), owner)
	if diff := cmp.Diff(append(prefix, want...), got, cmpOpts); diff != "" {
		t.Fatalf("AppendOwned(%d reservations, %q) (-want +got):\n%s", len(prefix), owner, diff)
	}
}

func (s *machine) holders(t *rapid.T) {
	proto := rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto")
	p := ports.Port(rapid.IntRange(max(0, s.m.lo-1), min(65535, s.m.hi+1)).Draw(t, "port"))
	var want []Reservation
	for _, id := range s.m.holders[proto][p] {
		want = append(want, s.m.res[id])
	}
	slices.SortFunc(want, byEndpoint)
	got := slices.Collect(s.a.Holders(proto, p))
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("Holders(%v, %d) (-want +got):\n%s", proto, p, diff)
	}
	prefix := s.drawPrefix(t)
	got = s.a.AppendHolders(slices.Clone(prefix), proto, p)
	if diff := cmp.Diff(append(prefix, want...), got, cmpOpts); diff != "" {
		t.Fatalf("AppendHolders(%d reservations, %v, %d) (-want +got):\n%s", len(prefix), proto, p, diff)
	}
}

func (s *machine) overlapping(t *rapid.T) {
	e := s.drawEndpoint(t, "", 40)
	want := s.m.conflicting(e)
	got := slices.Collect(s.a.Overlapping(e))
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("Overlapping(%v) (-want +got):\n%s", e, diff)
	}
	prefix := s.drawPrefix(t)
	got = s.a.AppendOverlapping(slices.Clone(prefix), e)
	if diff := cmp.Diff(append(prefix, want...), got, cmpOpts); diff != "" {
		t.Fatalf("AppendOverlapping(%d reservations, %v) (-want +got):\n%s", len(prefix), e, diff)
	}
	// Stopping early stops.
	n := 0
	for range s.a.Overlapping(e) {
		n++
		break
	}
	if n != min(1, len(want)) {
		t.Fatalf("Overlapping(%v) with break: %d iterations", e, n)
	}
}

// drawPrefix draws what a slice passed to the Append methods already
// holds: nothing, or a few reservations that must stay as they are, in a
// slice with room for more or without.
func (s *machine) drawPrefix(t *rapid.T) []Reservation {
	n := rapid.IntRange(0, 3).Draw(t, "prefix")
	prefix := make([]Reservation, n, n+rapid.IntRange(0, 20).Draw(t, "room"))
	for i := range prefix {
		prefix[i] = Reservation{Owner: fmt.Sprint("prefix-", i)}
	}
	return prefix
}

func (s *machine) counts(t *rapid.T) {
	e := s.drawEndpoint(t, "", 40)
	proto, r := e.Protocol(), e.Range()
	used, free := 0, 0
	for p := max(0, s.m.lo-1); p <= min(65535, s.m.hi+1); p++ {
		if len(s.m.holders[proto][p]) > 0 {
			used++
		}
	}
	for p := range r.All() {
		if !s.m.blocked(proto, netip.Addr{}, int(p)) {
			free++
		}
	}
	if got := s.a.NumUsed(proto); got != used {
		t.Fatalf("NumUsed(%v) = %d, want %d", proto, got, used)
	}
	if got := s.a.NumFree(proto, r); got != free {
		t.Fatalf("NumFree(%v, %v) = %d, want %d", proto, r, got, free)
	}
}

func (s *machine) lookup(t *rapid.T) {
	all := s.m.all()
	var e ports.Endpoint
	if len(all) > 0 && rapid.Bool().Draw(t, "held") {
		e = rapid.SampledFrom(all).Draw(t, "r").Endpoint
	} else {
		e = s.drawEndpoint(t, "", 4)
	}
	var want Reservation
	for _, r := range all {
		if r.Endpoint == e {
			want = r
		}
	}
	got, ok := s.a.Lookup(e)
	if ok != want.Endpoint.IsValid() || got != want {
		t.Fatalf("Lookup(%v) = %v, %v; want %v", e, got, ok, want)
	}
}

func (s *machine) snapshot(t *rapid.T) {
	snap, err := s.a.Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	// A fresh allocator restored from it snapshots to the same bytes.
	b := New(s.m.policy)
	if err := b.Restore(snap); err != nil {
		t.Fatalf("Restore(%s): %v", snap, err)
	}
	again, _ := b.Snapshot()
	if !bytes.Equal(snap, again) {
		t.Fatalf("Snapshot after Restore:\n%s\nwant\n%s", again, snap)
	}
	if err := b.check(); err != nil {
		t.Fatalf("after Restore: %v", err)
	}
	// A corrupt or inconsistent one is refused and changes nothing.
	var bad []byte
	switch rapid.IntRange(0, 4).Draw(t, "corruption") {
	case 0:
		bad = snap[:rapid.IntRange(0, len(snap)-1).Draw(t, "cut")]
	case 1:
		bad = bytes.Replace(snap, []byte(`"version":1`), []byte(`"version":2`), 1)
	case 2:
		// Hold the first reservation twice, or add an invalid one.
		extra := []byte(`{"owner":"zz","endpoint":""},`)
		if all := s.m.all(); len(all) > 0 {
			extra = fmt.Appendf(nil, `{"owner":"zz","endpoint":"%v"},`, all[0].Endpoint)
		}
		bad = bytes.Replace(snap, []byte(`"reservations":[`), append([]byte(`"reservations":[`), extra...), 1)
	case 3:
		bad = bytes.Replace(snap, []byte(`"version"`), []byte(`"extra":0,"version"`), 1)
	case 4:
		bad = bytes.Replace(snap, []byte(`"reservations":[`), []byte(`"reservations":[{"owner":"","endpoint":"1/sctp"},`), 1)
	}
	if err := s.a.Restore(bad); err == nil {
		t.Fatalf("Restore(%s) accepted a corrupt snapshot", bad)
	}
	after, _ := s.a.Snapshot()
	if !bytes.Equal(snap, after) {
		t.Fatalf("refused Restore changed the allocator:\n%s\nwant\n%s", after, snap)
	}
	// Restoring its own snapshot leaves it as it was.
	if err := s.a.Restore(snap); err != nil {
		t.Fatalf("Restore(own snapshot): %v", err)
	}
}

func (s *machine) checkAll(t *rapid.T) {
	if err := s.a.check(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.m.all(), slices.Collect(s.a.All()), cmpOpts); diff != "" {
		t.Fatalf("All() (-want +got):\n%s", diff)
	}
	if got, want := s.a.Len(), len(s.m.res); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
}

func TestStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		const width = 40
		base := rapid.SampledFrom([]int{0, 1000, 65536 - width}).Draw(t, "window")
		lo, hi := base, base+width-1
		var avoid ports.RangeSetBuilder
		for range rapid.IntRange(0, 3).Draw(t, "avoided") {
			a := rapid.IntRange(lo, hi).Draw(t, "avoidLo")
			b := min(hi, a+rapid.IntRange(0, 3).Draw(t, "avoidLen"))
			avoid.Add(ports.RangeFrom(ports.Port(a), ports.Port(b)))
		}
		seed := rapid.Uint64().Draw(t, "seed")
		p := Policy{
			Avoid:  avoid.RangeSet(),
			Order:  Order(rapid.IntRange(0, 3).Draw(t, "order")),
			Bands:  rapid.Bool().Draw(t, "bands"),
			Source: rand.NewPCG(seed, 1),
		}
		s := &machine{a: New(p), m: newModel(p, rand.NewPCG(seed, 1), lo, hi)}
		t.Repeat(map[string]func(*rapid.T){
			"reserve":      s.reserve,
			"reserveOwn":   s.reserveOwn,
			"allocate":     func(t *rapid.T) { s.allocateAction(t, true) },
			"suggest":      func(t *rapid.T) { s.allocateAction(t, false) },
			"ensure":       s.ensure,
			"release":      s.release,
			"releaseOwner": s.releaseOwner,
			"holders":      s.holders,
			"owned":        s.owned,
			"overlapping":  s.overlapping,
			"counts":       s.counts,
			"lookup":       s.lookup,
			"snapshot":     s.snapshot,
			"":             s.checkAll,
		})
	})
}
