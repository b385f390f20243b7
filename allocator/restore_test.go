package allocator

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// restoreAddrs are the addresses the Restore property draws from: every
// class that [ports.AddrsOverlap] tells apart, mapped and zoned forms, and
// enough single addresses to fill trees several levels deep.
var restoreAddrs = func() []netip.Addr {
	as := []netip.Addr{{},
		netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::"), netip.MustParseAddr("::ffff:0.0.0.0"),
		netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.1"),
		netip.MustParseAddr("::1"), netip.MustParseAddr("fe80::1"),
		netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("fe80::1%eth1"),
		netip.MustParseAddr("::%eth0"),
	}
	for i := range 40 {
		as = append(as, manyAddr(i))
	}
	return as
}()

// TestRestoreAcceptsWhatPairsAllow checks that Restore accepts a list of
// reservations exactly when no two of them conflict by
// [ports.Endpoint.Conflicts], checked pair by pair; that a refusal names
// the first reservation that conflicts with one before it, and the first of
// those, in key order, that it conflicts with; and that an accepted
// snapshot gives the allocator that Reserves of the same reservations, in
// order, give.
func TestRestoreAcceptsWhatPairsAllow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 120).Draw(t, "n")
		crowd := rapid.IntRange(1, 40).Draw(t, "ports") // smaller: more conflicts
		rs := make([]Reservation, n)
		for i := range rs {
			proto := ports.Protocols()[rapid.IntRange(0, 1).Draw(t, "proto")]
			lo := rapid.IntRange(1, crowd).Draw(t, "lo")
			hi := lo + rapid.IntRange(0, 3).Draw(t, "len")
			addr := rapid.SampledFrom(restoreAddrs).Draw(t, "addr")
			rs[i] = Reservation{
				Owner:    fmt.Sprint("o", rapid.IntRange(0, 9).Draw(t, "owner")),
				Endpoint: ports.EndpointFrom(proto, addr, ports.RangeFrom(ports.Port(lo), ports.Port(hi))),
			}
		}
		data, err := json.Marshal(snapshot{Version: SnapshotVersion, Reservations: rs})
		if err != nil {
			t.Fatal(err)
		}
		// The pairwise answer: the first reservation that conflicts with
		// one before it, and the first of those in key order.
		bad, with := -1, Reservation{}
	pairs:
		for i := range rs {
			for j := range i {
				if rs[j].Endpoint.Conflicts(rs[i].Endpoint) {
					bad = i
					for _, r := range rs[:i] {
						if r.Endpoint.Conflicts(rs[i].Endpoint) && (!with.Endpoint.IsValid() || r.Endpoint.Compare(with.Endpoint) < 0) {
							with = r
						}
					}
					break pairs
				}
			}
		}
		a := New(Policy{Avoid: ports.RangeFrom(3, 5).Set()})
		err = a.Restore(data)
		if bad >= 0 {
			want := fmt.Sprintf("reservation %d %v conflicts with %v", bad, rs[bad], with)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Restore(%s) = %v, want an error saying %q", data, err, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("Restore(%s): %v, but no two conflict", data, err)
		}
		if err := a.check(); err != nil {
			t.Fatalf("after Restore(%s): %v", data, err)
		}
		b := New(a.Policy())
		for _, r := range rs {
			if _, err := b.Reserve(r.Owner, r.Endpoint); err != nil {
				t.Fatalf("Reserve(%q, %v): %v", r.Owner, r.Endpoint, err)
			}
		}
		want, _ := b.Snapshot()
		got, _ := a.Snapshot()
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("Snapshot after Restore, against Reserves in order (-want +got):\n%s", diff)
		}
		for _, p := range ports.Protocols() {
			if got, want := a.NumUsed(p), b.NumUsed(p); got != want {
				t.Fatalf("NumUsed(%v) = %d after Restore, %d after Reserves", p, got, want)
			}
			if got, want := a.NumFree(p, ports.RangeFrom(1, 60)), b.NumFree(p, ports.RangeFrom(1, 60)); got != want {
				t.Fatalf("NumFree(%v, 1-60) = %d after Restore, %d after Reserves", p, got, want)
			}
		}
		for _, o := range []string{"o0", "o5"} {
			if diff := cmp.Diff(b.AppendOwned(nil, o), a.AppendOwned(nil, o), cmpOpts); diff != "" {
				t.Fatalf("AppendOwned(%q) after Restore, against Reserves (-want +got):\n%s", o, diff)
			}
		}
	})
}

// TestRestoreOnePortBuildsInBulk checks that Restore of many reservations of
// one port on distinct addresses looks at no reservation through a
// conflict scan, which made it cost 20 µs a reservation: it sorts and
// sweeps them, and builds the tree from the sorted order.
func TestRestoreOnePortBuildsInBulk(t *testing.T) {
	const n = 5000
	a := New(Policy{})
	if err := a.Restore(onePortSnapshot(n)); err != nil {
		t.Fatal(err)
	}
	if got := a.st.looked; got != 0 {
		t.Fatalf("Restore of %d reservations of one port looked at %d reservations in conflict scans, want 0", n, got)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	if got := a.Len(); got != n {
		t.Fatalf("Len() = %d, want %d", got, n)
	}
	// The tree built in bulk takes insertions and removals as one built
	// by Reserves does.
	e := ports.EndpointFrom(ports.TCP, manyAddr(n), ports.Port(8080).Range())
	if _, err := a.Reserve("late", e); err != nil {
		t.Fatal(err)
	}
	all := slices.Collect(a.All())
	for _, r := range all[:n/2] {
		a.Release(r.Endpoint)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
}
