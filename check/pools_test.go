package check

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/manifest"
	"pgregory.net/rapid"
)

// TestPickPortsFindsAFit checks pickPorts against a search of every choice,
// on small sets of pools on every address, 127.0.0.1 and 10.0.0.1 with
// fixed ports among them: it gives every replica a port whenever some
// choice does, and what it gives is a choice (each replica a port of its
// range, held by nothing it clashes with).
func TestPickPortsFindsAFit(t *testing.T) {
	addrs := []netip.Addr{{}, netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("10.0.0.1")}
	rapid.Check(t, func(t *rapid.T) {
		var set auditSet
		n := rapid.IntRange(1, 5).Draw(t, "declarations")
		for i := range n {
			lo := rapid.IntRange(9000, 9004).Draw(t, "lo")
			hi := rapid.IntRange(lo, 9005).Draw(t, "hi")
			addr := rapid.SampledFrom(addrs).Draw(t, "addr")
			e := ports.EndpointFrom(ports.TCP, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
			v := manifest.Declaration{
				Endpoint: e, Protocol: ports.TCP, Target: ports.Port(80).Range(),
				Project: "p", Service: fmt.Sprint("s", i), Kind: manifest.KindCompose, Scope: manifest.HostScope(),
				Replicas: rapid.SampledFrom([]int{0, 2, 3}).Draw(t, "replicas"),
			}
			if lo == hi {
				v.Replicas = 0 // a fixed port
			}
			set.Decls = append(set.Decls, allocator.Usage[manifest.Declaration]{Owner: v.Owner(), Endpoint: e, Value: v})
		}
		out, pooled, from := pickPorts(set)
		// What pickPorts gave, by declaration; short if some replica got
		// nothing.
		short := false
		got := map[int][]ports.Port{}
		for j, o := range out.Decls {
			if !pooled[j].IsValid() {
				continue
			}
			if r := o.Endpoint.Range(); r.Len() == 1 && o.Endpoint != set.Decls[from[j]].Endpoint {
				got[from[j]] = append(got[from[j]], r.Lo())
			} else {
				short = true
			}
		}
		// Each port given is in its pool's range and clashes with no
		// fixed port and no other replica's port.
		type given struct {
			pool int
			port ports.Port
		}
		var all []given
		for i, ps := range got {
			for _, p := range ps {
				all = append(all, given{i, p})
			}
		}
		for k, g := range all {
			if !set.Decls[g.pool].Endpoint.Range().Contains(g.port) {
				t.Fatalf("pool %d given %d, outside %v", g.pool, g.port, set.Decls[g.pool].Endpoint)
			}
			for j, o := range set.Decls {
				if !o.Value.PicksOne() && o.Endpoint.Range().Contains(g.port) && clash(o.Value, set.Decls[g.pool].Value) {
					t.Fatalf("pool %d given %d, which fixed declaration %d holds", g.pool, g.port, j)
				}
			}
			for _, h := range all[k+1:] {
				if h.port == g.port && (h.pool == g.pool || clash(set.Decls[h.pool].Value, set.Decls[g.pool].Value)) {
					t.Fatalf("pools %d and %d both given %d", g.pool, h.pool, g.port)
				}
			}
		}
		if short && fits(set) {
			t.Fatalf("pickPorts left a pool short, but some choice fits: %v", set.Decls)
		}
	})
}

// fits reports whether every replica of the pools of set can have a port of
// its range that no fixed declaration it clashes with holds and no other
// replica it shares ports with has, by trying every choice.
func fits(set auditSet) bool {
	var pools []int
	for i, d := range set.Decls {
		if d.Value.PicksOne() {
			for range max(d.Value.Replicas, 1) {
				pools = append(pools, i)
			}
		}
	}
	got := make([]ports.Port, len(pools))
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(pools) {
			return true
		}
		i := pools[k]
		d := set.Decls[i]
	next:
		for p := range d.Endpoint.Range().All() {
			for _, o := range set.Decls {
				if !o.Value.PicksOne() && o.Endpoint.Range().Contains(p) && clash(o.Value, d.Value) {
					continue next
				}
			}
			for m := range k {
				if got[m] == p && (pools[m] == i || clash(set.Decls[pools[m]].Value, d.Value)) {
					continue next
				}
			}
			got[k] = p
			if try(k + 1) {
				return true
			}
		}
		return false
	}
	return try(0)
}

// TestExactPortsGivesUp checks that the search stops, at maxPoolTries, on
// a case with no answer that it cannot rule out sooner: more replicas than
// ports, where going back through every choice would take longer than the
// universe has.
func TestExactPortsGivesUp(t *testing.T) {
	pools := make([]int, 5000)
	free := map[int]ports.RangeSet{0: ports.RangeSetOf(ports.RangeFrom(10000, 13999))}
	if _, ok := exactPorts(pools, free, func(a, b int) bool { return a == b }); ok {
		t.Fatal("exactPorts placed 5,000 replicas on 4,000 ports")
	}
}

// TestStartOrderSummarised checks that pools which may take one holder's
// port are one pool-start-order warning, whatever order they are declared
// in: members sorted by owner, the message naming their count and, past
// four, the first two and the last.
func TestStartOrderSummarised(t *testing.T) {
	for _, n := range []int{1, 3, 6} {
		decls := []manifest.Declaration{decl(manifest.KindCompose, "api", "9000/tcp", 9000, 1)}
		for i := n; i >= 1; i-- { // declared last to first
			decls = append(decls, decl(manifest.KindCompose, fmt.Sprintf("w%d", i), "9000-9019/tcp", 80, 1+i))
		}
		rep := run(t, decls, Options{})
		var got []Finding
		for _, f := range rep.Findings {
			if f.Rule == "pool-start-order" {
				got = append(got, f)
			}
		}
		if len(got) != 1 {
			t.Fatalf("%d pools: %d pool-start-order findings, want 1: %+v", n, len(got), got)
		}
		var members []string
		for _, m := range got[0].Members {
			members = append(members, m.Declaration.Owner())
		}
		var want []string
		for i := 1; i <= n; i++ {
			want = append(want, fmt.Sprintf("p/w%d", i))
		}
		if diff := cmp.Diff(want, members); diff != "" {
			t.Errorf("%d pools: members (-want +got):\n%s", n, diff)
		}
		wantMsg := map[int]string{
			1: "if it starts before p/api, Docker may give it 9000, which p/api binds, and p/api then fails to start",
			3: "3 pools (p/w1, p/w2, p/w3): if one starts before p/api, Docker may give it 9000, which p/api binds, and p/api then fails to start",
			6: "6 pools (p/w1, p/w2, …, p/w6): if one starts before p/api, Docker may give it 9000, which p/api binds, and p/api then fails to start",
		}[n]
		if diff := cmp.Diff(wantMsg, got[0].Message); diff != "" {
			t.Errorf("%d pools: message (-want +got):\n%s", n, diff)
		}
	}
}

// TestStartOrderGroupsApart checks that pools warned of for different
// ports, or for different reasons, stay apart: one that the holder
// depends on takes the port for sure, and is warned of on its own.
func TestStartOrderGroupsApart(t *testing.T) {
	api := decl(manifest.KindCompose, "api", "9000/tcp", 9000, 1)
	api.DependsOn = []string{"first"}
	other := decl(manifest.KindCompose, "other", "9100/tcp", 9100, 2)
	decls := []manifest.Declaration{
		api, other,
		decl(manifest.KindCompose, "a", "9000-9009/tcp", 80, 3),
		decl(manifest.KindCompose, "b", "9000-9009/tcp", 80, 4),
		decl(manifest.KindCompose, "first", "9000-9009/tcp", 80, 5),
		decl(manifest.KindCompose, "c", "9100-9109/tcp", 80, 6),
	}
	rep := run(t, decls, Options{})
	var got []string
	for _, f := range rep.Findings {
		if f.Rule == "pool-start-order" {
			var ms []string
			for _, m := range f.Members {
				ms = append(ms, m.Declaration.Service)
			}
			got = append(got, strings.Join(ms, ","))
		}
	}
	want := []string{"a,b", "first", "c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pool-start-order members (-want +got):\n%s", diff)
	}
}
