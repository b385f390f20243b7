package porttest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/portscheme"
)

// Pod leases a whole pod of component c of language l in scheme s for the test:
// every port of the pod's block, so that a test can start a service on the
// ports the scheme gives it (its PORT, REST_PORT, … from s.Env) with no
// other process of the pool on them. It tries the pods of the component from a
// random one on and takes the first whose ports all pass the bind check; it
// fails the test if none does, or if s has no such language or component.
//
// A scheme's ports are its own: they may lie in the host's ephemeral range
// or on de-facto ports, which [Pool] otherwise avoids (the default scheme's
// do, on Linux), so an outgoing connection may take one after the check.
// Bind them soon. The pod's ports are released when the test ends.
func Pod(tb testing.TB, s portscheme.Scheme, l portscheme.Language, c portscheme.Component) portscheme.Pod {
	tb.Helper()
	def := defaultPoolTB(tb, "Pod")
	n, ok := s.Capacity(l, c)
	if !ok || n == 0 {
		tb.Fatalf("porttest.Pod(%s, %s): the scheme has no pods of that language and component", l, c)
		return portscheme.Pod{}
	}
	pods := make([]portscheme.Pod, n)
	var within ports.RangeSetBuilder
	for i := range pods {
		pods[i] = portscheme.Pod{Language: l, Component: c, Index: i}
		r, err := s.PodRange(pods[i])
		if err != nil {
			tb.Fatalf("porttest.Pod(%s, %s): %v", l, c, err)
			return portscheme.Pod{}
		}
		within.Add(r)
	}
	pool, err := newSchemePool(def.Dir(), within.RangeSet())
	if err != nil {
		tb.Fatalf("porttest.Pod(%s, %s): %v", l, c, err)
		return portscheme.Pod{}
	}
	e := &ExhaustedError{Dir: pool.dir, Run: s.Slots(), Candidates: len(pool.list)}
	first := rand.IntN(n)
	for j := range n {
		pod := pods[(first+j)%n]
		r, _ := s.PodRange(pod)
		run, _, err := pool.takeRun(r.Lo(), r.Len(), e)
		if err != nil {
			tb.Fatalf("porttest.Pod(%s, %s): %v", l, c, err)
			return portscheme.Pod{}
		}
		if run != nil {
			releaseAtCleanup(tb, run...)
			return pod
		}
	}
	tb.Fatalf("porttest.Pod(%s, %s): none of its %d pods could be leased whole: %v", l, c, n, e)
	return portscheme.Pod{}
}

// newSchemePool returns a pool on lock directory dir whose candidates are
// within, all of it: ports a scheme assigns, which the host may otherwise
// keep for itself, and only the bind check judges.
func newSchemePool(dir string, within ports.RangeSet) (*Pool, error) {
	locks, err := openPoolDir(dir)
	if err != nil {
		return nil, err
	}
	p := &Pool{dir: locks.path, locks: locks, cands: within}
	p.list = make([]ports.Port, 0, within.Len())
	for port := range within.All() {
		p.list = append(p.list, port)
	}
	if len(p.list) == 0 {
		return nil, fmt.Errorf("porttest: no ports to lease")
	}
	return p, nil
}

// LeaseBlock leases every port of r through the lock directory of p, as
// [Pod] does for a test: ports a scheme or a configuration assigns, which
// p's candidates may otherwise leave out, judged by the bind check alone.
// It returns the leases in port order, or an error naming the first port
// that is held or cannot be bound, with nothing leased. Release each lease
// when done; a process that exits releases its leases with it.
func (p *Pool) LeaseBlock(r ports.Range) ([]*Lease, error) {
	if !r.IsValid() {
		return nil, fmt.Errorf("porttest: LeaseBlock of %v: not a range", r)
	}
	block, err := newSchemePool(p.dir, ports.RangeSetOf(r))
	if err != nil {
		return nil, err
	}
	block.prober = p.prober
	e := &ExhaustedError{Dir: block.dir, Run: r.Len(), Candidates: len(block.list)}
	run, at, err := block.takeRun(r.Lo(), r.Len(), e)
	if err != nil {
		return nil, err
	}
	if run == nil {
		return nil, fmt.Errorf("porttest: cannot lease %s: port %d is held or cannot be bound: %w", r, at, e)
	}
	return run, nil
}
