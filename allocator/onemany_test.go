package allocator

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// manyAddr returns the i-th of many distinct addresses, IPv4 and IPv6 in
// turn.
func manyAddr(i int) netip.Addr {
	if i%2 == 0 {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
}

// onePortSnapshot returns a snapshot of n reservations of port 8080/tcp,
// each on its own address and of its own owner.
func onePortSnapshot(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"version":1,"reservations":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		e := ports.EndpointFrom(ports.TCP, manyAddr(i), ports.Port(8080).Range())
		fmt.Fprintf(&b, `{"owner":"svc-%d","endpoint":%q}`, i, e)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestOnePortManyAddressesLinear restores, reserves and releases thousands
// of reservations of one port on distinct addresses, and bounds the
// reservations that the conflict scans and releases look at: a few per
// operation, where a scan of every holder of the port would look at about
// n²/2 in all.
func TestOnePortManyAddressesLinear(t *testing.T) {
	const n = 4000
	const perOp = 40 // reservations looked at per operation, at most on average
	a := New(Policy{})
	if err := a.Restore(onePortSnapshot(n)); err != nil {
		t.Fatal(err)
	}
	if got := a.st.looked; got > perOp*n {
		t.Fatalf("Restore of %d reservations of one port looked at %d reservations, want at most %d", n, got, perOp*n)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	a.st.looked = 0
	for i := n; i < 2*n; i++ {
		e := ports.EndpointFrom(ports.TCP, manyAddr(i), ports.Port(8080).Range())
		if _, err := a.Reserve(fmt.Sprint("svc-", i), e); err != nil {
			t.Fatal(err)
		}
	}
	if got := a.st.looked; got > perOp*n {
		t.Fatalf("Reserve of %d more looked at %d reservations, want at most %d", n, got, perOp*n)
	}
	if got := a.NumUsed(ports.TCP); got != 1 {
		t.Fatalf("NumUsed = %d, want 1", got)
	}
	// Conflicts are still found, on the same address, and on 0.0.0.0,
	// which overlaps every IPv4 address. (A refusal builds a view of its
	// address for the suggestion, in O(n): a few suffice.)
	const refused = 100
	a.st.looked = 0
	for i := range refused {
		e := ports.EndpointFrom(ports.TCP, manyAddr(i), ports.MustParseRange("8080-8081"))
		_, err := a.Reserve("late", e)
		var ce *ConflictError
		if !errors.As(err, &ce) || len(ce.Holders) != 1 || ce.Holders[0].Owner != fmt.Sprint("svc-", i) {
			t.Fatalf("Reserve(%v) = %v, want a conflict with svc-%d alone", e, err, i)
		}
	}
	if got := a.st.looked; got > perOp*refused {
		t.Fatalf("%d refused Reserves looked at %d reservations, want at most %d", refused, got, perOp*refused)
	}
	if _, err := a.Reserve("wide", ep("0.0.0.0:8080/tcp")); !errors.Is(err, ErrConflict) {
		t.Fatalf("Reserve(0.0.0.0:8080) = %v, want a conflict", err)
	}
	a.st.looked = 0
	for i := range n {
		if _, ok := a.Release(ports.EndpointFrom(ports.TCP, manyAddr(i), ports.Port(8080).Range())); !ok {
			t.Fatalf("Release of svc-%d's port failed", i)
		}
	}
	if got := a.st.looked; got > perOp*n {
		t.Fatalf("%d Releases looked at %d reservations, want at most %d", n, got, perOp*n)
	}
	if got := a.NumUsed(ports.TCP); got != 1 {
		t.Fatalf("NumUsed = %d, want 1", got)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
}

// crowdAddrs are the addresses of TestConflictScanCrowded: more of them
// than skipAfter, with every kind that overlaps in its own way (every
// address, 0.0.0.0, ::, IPv4-mapped forms, zones).
var crowdAddrs = func() []netip.Addr {
	as := []netip.Addr{{}}
	for _, s := range []string{"0.0.0.0", "::", "::ffff:0.0.0.0", "::%eth0", "10.0.0.1", "::ffff:10.0.0.1",
		"255.255.255.255", "::ffff:255.255.255.255", "fe80::1%eth0", "fe80::1%eth1", "fe80::1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "::1:0:0:0"} {
		as = append(as, netip.MustParseAddr(s))
	}
	for i := range 24 {
		as = append(as, manyAddr(i))
	}
	return as
}()

// TestConflictScanCrowded checks Reserve and Release against the conflict
// rule itself, on a few ports held on many addresses, so that the conflict
// scans seek past runs of equal ports.
func TestConflictScanCrowded(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := New(Policy{})
		var held []Reservation
		for range rapid.IntRange(1, 300).Draw(t, "steps") {
			lo := rapid.IntRange(80, 82).Draw(t, "lo")
			hi := lo + rapid.IntRange(0, 1).Draw(t, "len")
			e := ports.EndpointFrom(ports.TCP, rapid.SampledFrom(crowdAddrs).Draw(t, "addr"),
				ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
			if len(held) > 0 && rapid.IntRange(0, 3).Draw(t, "release") == 0 {
				i := rapid.IntRange(0, len(held)-1).Draw(t, "which")
				if _, ok := a.Release(held[i].Endpoint); !ok {
					t.Fatalf("Release(%v) found nothing", held[i].Endpoint)
				}
				held = slices.Delete(held, i, i+1)
				continue
			}
			var want []Reservation
			for _, r := range held {
				if r.Endpoint.Conflicts(e) {
					want = append(want, r)
				}
			}
			slices.SortFunc(want, func(x, y Reservation) int { return x.Endpoint.Compare(y.Endpoint) })
			owner := rapid.SampledFrom([]string{"x", "y"}).Draw(t, "owner")
			r, err := a.Reserve(owner, e)
			var ce *ConflictError
			switch {
			case len(want) == 1 && want[0] == (Reservation{owner, e}):
				// The owner holds e already: a no-op.
				if err != nil || r != want[0] {
					t.Fatalf("Reserve(%q, %v) of its own = %v, %v; want it, nil", owner, e, r, err)
				}
			case len(want) == 0 && err != nil:
				t.Fatalf("Reserve(%v) = %v, want success", e, err)
			case len(want) == 0:
				held = append(held, r)
			case !errors.As(err, &ce):
				t.Fatalf("Reserve(%v) = %v, %v; want a conflict with %v", e, r, err, want)
			default:
				if diff := cmp.Diff(want, ce.Holders, cmpOpts); diff != "" {
					t.Fatalf("Reserve(%v) holders (-want +got):\n%s", e, diff)
				}
			}
			used := 0
			for p := 80; p <= 83; p++ {
				if slices.ContainsFunc(held, func(r Reservation) bool { return r.Endpoint.Range().Contains(ports.Port(p)) }) {
					used++
				}
			}
			if got := a.NumUsed(ports.TCP); got != used {
				t.Fatalf("NumUsed = %d, want %d", got, used)
			}
		}
		if err := a.check(); err != nil {
			t.Fatal(err)
		}
	})
}
