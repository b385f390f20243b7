package allocator

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// naiveAudit is the reference: the conflict graph built pair by pair, its
// components found by search, members and groups sorted as Audit documents.
func naiveAudit[V any](decls []Usage[V]) []ConflictGroup[V] {
	n := len(decls)
	adj := make([][]int, n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			if decls[i].Endpoint.Conflicts(decls[j].Endpoint) {
				adj[i] = append(adj[i], j)
				adj[j] = append(adj[j], i)
			}
		}
	}
	seen := make([]bool, n)
	var comps [][]int
	for i := range n {
		if seen[i] || len(adj[i]) == 0 {
			continue
		}
		comp := []int{i}
		seen[i] = true
		for k := 0; k < len(comp); k++ {
			for _, j := range adj[comp[k]] {
				if !seen[j] {
					seen[j] = true
					comp = append(comp, j)
				}
			}
		}
		order := func(a, b int) int {
			if c := decls[a].Endpoint.Compare(decls[b].Endpoint); c != 0 {
				return c
			}
			if c := strings.Compare(decls[a].Owner, decls[b].Owner); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		}
		slices.SortFunc(comp, order)
		comps = append(comps, comp)
	}
	slices.SortFunc(comps, func(a, b []int) int {
		if c := decls[a[0]].Endpoint.Compare(decls[b[0]].Endpoint); c != 0 {
			return c
		}
		if c := strings.Compare(decls[a[0]].Owner, decls[b[0]].Owner); c != 0 {
			return c
		}
		return cmp.Compare(a[0], b[0])
	})
	var out []ConflictGroup[V]
	for _, comp := range comps {
		g := ConflictGroup[V]{Protocol: decls[comp[0]].Endpoint.Protocol()}
		lo, hi := ports.MaxPort, ports.Port(0)
		for _, i := range comp {
			g.Members = append(g.Members, decls[i])
			lo = min(lo, decls[i].Endpoint.Range().Lo())
			hi = max(hi, decls[i].Endpoint.Range().Hi())
		}
		g.Span = ports.RangeFrom(lo, hi)
		out = append(out, g)
	}
	return out
}

var auditAddrs = append(slices.Clone(testAddrs),
	netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("2001:db8::1"))

func TestAuditMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 60).Draw(t, "n")
		width := rapid.IntRange(4, 200).Draw(t, "width")
		decls := make([]Usage[int], n)
		for i := range decls {
			lo := rapid.IntRange(0, width).Draw(t, "lo")
			hi := lo + rapid.IntRange(0, 6).Draw(t, "len")
			decls[i] = Usage[int]{
				Owner: rapid.SampledFrom(testOwners).Draw(t, "owner"),
				Endpoint: ports.EndpointFrom(
					rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto"),
					rapid.SampledFrom(auditAddrs).Draw(t, "addr"),
					ports.RangeFrom(ports.Port(lo), ports.Port(hi))),
				Value: i,
			}
		}
		got, err := Audit(decls)
		if err != nil {
			t.Fatalf("Audit: %v", err)
		}
		if diff := gocmp.Diff(naiveAudit(decls), got, cmpOpts); diff != "" {
			t.Fatalf("Audit (-want +got):\n%s", diff)
		}
		// The groups do not depend on the order of the input, except for
		// the values carried along.
		shuffled := rapid.Permutation(decls).Draw(t, "shuffled")
		again, _ := Audit(shuffled)
		strip := func(gs []ConflictGroup[int]) []ConflictGroup[int] {
			gs = slices.Clone(gs)
			for i := range gs {
				gs[i].Members = slices.Clone(gs[i].Members)
				for j := range gs[i].Members {
					gs[i].Members[j].Value = 0
				}
			}
			return gs
		}
		if diff := gocmp.Diff(strip(got), strip(again), cmpOpts); diff != "" {
			t.Fatalf("Audit of a permutation (-want +got):\n%s", diff)
		}
	})
}

func TestAudit(t *testing.T) {
	e := ports.MustParseEndpoint
	type d = Usage[string]
	tests := []struct {
		name  string
		decls []d
		want  []string // ConflictGroup.String of each group
	}{
		{"none", nil, nil},
		{"grafana and a web app on 3000", []d{
			{Owner: "grafana", Endpoint: e("0.0.0.0:3000")},
			{Owner: "webapp", Endpoint: e("3000")},
			{Owner: "prometheus", Endpoint: e("9090")},
		}, []string{`3000/tcp: "webapp" 3000/tcp, "grafana" 0.0.0.0:3000/tcp`}},
		{"different protocols do not conflict", []d{
			{Owner: "dns", Endpoint: e("53/udp")},
			{Owner: "dns-tcp", Endpoint: e("53/tcp")},
		}, nil},
		{"different addresses do not conflict", []d{
			{Owner: "a", Endpoint: e("127.0.0.1:8080")},
			{Owner: "b", Endpoint: e("10.0.0.1:8080")},
			{Owner: "c", Endpoint: e("[::1]:8080")},
			{Owner: "d", Endpoint: e("0.0.0.0:8081")},
			{Owner: "e", Endpoint: e("[::1]:8081")},
		}, nil},
		{"every address joins two specific ones", []d{
			{Owner: "a", Endpoint: e("127.0.0.1:8080")},
			{Owner: "b", Endpoint: e("10.0.0.1:8080")},
			{Owner: "all", Endpoint: e("8000-8100")},
		}, []string{`8000-8100/tcp: "all" 8000-8100/tcp, "b" 10.0.0.1:8080/tcp, "a" 127.0.0.1:8080/tcp`}},
		{":: holds IPv4 too", []d{
			{Owner: "go", Endpoint: e("[::]:8080")},
			{Owner: "c", Endpoint: e("127.0.0.1:8080")},
		}, []string{`8080/tcp: "c" 127.0.0.1:8080/tcp, "go" [::]:8080/tcp`}},
		{"a chain of overlaps is one group", []d{
			{Owner: "a", Endpoint: e("100-110")},
			{Owner: "b", Endpoint: e("110-120")},
			{Owner: "c", Endpoint: e("120-130")},
			{Owner: "d", Endpoint: e("131-140")},
		}, []string{`100-130/tcp: "a" 100-110/tcp, "b" 110-120/tcp, "c" 120-130/tcp`}},
		{"groups in order", []d{
			{Owner: "minio", Endpoint: e("9000")},
			{Owner: "clickhouse", Endpoint: e("9000")},
			{Owner: "grafana", Endpoint: e("3000")},
			{Owner: "webapp", Endpoint: e("3000")},
		}, []string{
			`3000/tcp: "grafana" 3000/tcp, "webapp" 3000/tcp`,
			`9000/tcp: "clickhouse" 9000/tcp, "minio" 9000/tcp`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups, err := Audit(tt.decls)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			var got []string
			for _, g := range groups {
				got = append(got, g.String())
			}
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Audit (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditInvalid(t *testing.T) {
	_, err := Audit([]Usage[struct{}]{
		{Owner: "ok", Endpoint: ports.MustParseEndpoint("80")},
		{Owner: "broken"},
	})
	const want = `allocator: Audit: usage 1 (owner "broken"): invalid endpoint (the zero Endpoint)`
	if err == nil || err.Error() != want {
		t.Fatalf("Audit with a zero Endpoint = %v, want %q", err, want)
	}
	if errors.Is(err, ErrConflict) || !errors.Is(err, ErrInvalid) {
		t.Errorf("Audit error %v: is ErrConflict %v, is ErrInvalid %v; want false, true", err, errors.Is(err, ErrConflict), errors.Is(err, ErrInvalid))
	}
}
