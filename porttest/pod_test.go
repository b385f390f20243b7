package porttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/portscheme"
)

// TestPod leases pods of the default scheme, whose ranges the default pool
// avoids (they lie in Linux's ephemeral range): each pod's ten ports are
// leased, no two pods are the same, and the ports come back at the end.
func TestPod(t *testing.T) {
	s := portscheme.Default()
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var ranges []ports.Range
	t.Run("pods", func(t *testing.T) {
		// The pods lie in Linux's ephemeral range, where an outbound
		// connection of the host may hold a port for a while; the test
		// needs all three whole.
		for pod, r := range s.Pods(portscheme.Java) {
			if pod.Component != portscheme.Saga {
				continue
			}
			for p := range r.All() {
				if err := (hostports.Prober{}).Check(p); err != nil {
					t.Skipf("pod %v cannot be leased whole now: %v", pod, err)
				}
			}
		}
		seen := map[portscheme.Pod]bool{}
		for range 3 {
			pod := Pod(t, s, portscheme.Java, portscheme.Saga) // three pods of Java sagas in the default scheme, which other tests do not use
			if seen[pod] {
				t.Errorf("Pod gave %v twice", pod)
			}
			seen[pod] = true
			r, err := s.PodRange(pod)
			if err != nil {
				t.Fatal(err)
			}
			if r.Len() != 10 {
				t.Errorf("pod %v has %d ports", pod, r.Len())
			}
			ranges = append(ranges, r)
			other, err := newSchemePool(def.Dir(), ports.RangeSetOf(r))
			if err != nil {
				t.Fatal(err)
			}
			_, err = other.Lease()
			var e *ExhaustedError
			if !errors.As(err, &e) || e.Leased != 10 {
				t.Errorf("Lease of a port of pod %v (%v) = %v, want all 10 leased", pod, r, err)
			}
		}
		// A fourth Java saga does not exist.
		f := runFake(func(tb testing.TB) { Pod(tb, s, portscheme.Java, portscheme.Saga) })
		if !strings.HasPrefix(f.fatal, "porttest.Pod(java, saga): none of its 3 pods could be leased whole: porttest: no run of 10 free contiguous ports") {
			t.Errorf("Pod with every pod leased: %q", f.fatal)
		}
	})
	again, err := newSchemePool(def.Dir(), ports.RangeSetOf(ranges...))
	if err != nil {
		t.Fatal(err)
	}
	// Their locks, that is: whether the ports bind is for whoever else
	// runs on the scheme's ports meanwhile.
	for _, r := range ranges {
		for p := range r.All() {
			lk, err := again.locks.lock(p)
			if err != nil {
				t.Fatalf("locking port %d of a pod after the test: %v", p, err)
			}
			lk.unlock()
		}
	}

	f := runFake(func(tb testing.TB) { Pod(tb, s, "cobol", portscheme.Saga) })
	if want := "porttest.Pod(cobol, saga): the scheme has no pods of that language and component"; f.fatal != want {
		t.Errorf("Pod of an unknown language: %q, want %q", f.fatal, want)
	}
}
