package allocator

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
)

// TestWholeSpace allocates and reserves at the edges of the port space:
// the run of all 65536 ports, port 0 and port 65535.
func TestWholeSpace(t *testing.T) {
	a := New(Policy{})
	r, err := a.Allocate("all", ports.UDP, 65536, ports.FullRange())
	if err != nil || r.Endpoint != ep("0-65535/udp") {
		t.Fatalf("Allocate(65536) = %v, %v; want 0-65535/udp", r, err)
	}
	if _, err := a.Allocate("more", ports.UDP, 1, ports.FullRange()); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate on a full space = %v, want ErrExhausted", err)
	}
	_, err = a.Reserve("x", ep("65535/udp"))
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Suggestion.IsValid() {
		t.Fatalf("Reserve(65535) on a full space = %v, want a conflict with no suggestion", err)
	}
	a.Release(r.Endpoint)
	for _, s := range []string{"0/udp", "65535/udp"} {
		if _, err := a.Reserve("edge", ep(s)); err != nil {
			t.Fatalf("Reserve(%s): %v", s, err)
		}
	}
	if _, err := a.Allocate("big", ports.UDP, 65535, ports.FullRange()); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate(65535) with both edges held = %v, want ErrExhausted", err)
	}
	r, err = a.Allocate("big", ports.UDP, 65534, ports.FullRange())
	if err != nil || r.Endpoint != ep("1-65534/udp") {
		t.Fatalf("Allocate(65534) = %v, %v; want 1-65534/udp", r, err)
	}
	_, err = a.Reserve("y", ep("0-1/udp"))
	if !errors.As(err, &ce) || ce.Suggestion.IsValid() {
		t.Fatalf("Reserve(0-1) = %v, want a conflict with no suggestion", err)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	if got := a.Used(ports.UDP); got != 65536 {
		t.Fatalf("Used = %d, want 65536", got)
	}
}

// TestManyAddresses holds port 80 on more addresses than a leaf tag can
// name (see tagAddrAbove), so that results take the address from the
// reservation's record, and checks every query, the snapshot round trip and
// the releases against what was reserved.
func TestManyAddresses(t *testing.T) {
	a := New(Policy{})
	var want []Reservation
	for i := range 300 {
		addr := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		r, err := a.Reserve(fmt.Sprint("svc-", i), ports.EndpointFrom(ports.TCP, addr, ports.Port(80).Range()))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(want, func(x, y Reservation) int { return x.Endpoint.Compare(y.Endpoint) })
	eq := cmpopts.EquateComparable(ports.Endpoint{})
	if diff := cmp.Diff(want, a.AppendHolders(nil, ports.TCP, 80), eq); diff != "" {
		t.Fatalf("AppendHolders(80) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, slices.Collect(a.Overlapping(ep("79-81/tcp"))), eq); diff != "" {
		t.Fatalf("Overlapping(79-81) (-want +got):\n%s", diff)
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b := New(Policy{})
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, slices.Collect(b.All()), eq); diff != "" {
		t.Fatalf("restored (-want +got):\n%s", diff)
	}
	for _, r := range want {
		if got := a.AppendOverlapping(nil, r.Endpoint); len(got) != 1 || got[0] != r {
			t.Fatalf("AppendOverlapping(%v) = %v, want only %v", r.Endpoint, got, r)
		}
		if got, ok := a.Lookup(r.Endpoint); !ok || got != r {
			t.Fatalf("Lookup(%v) = %v, %v; want %v", r.Endpoint, got, ok, r)
		}
		if got := a.AppendOwned(nil, r.Owner); len(got) != 1 || got[0] != r {
			t.Fatalf("AppendOwned(%q) = %v, want only %v", r.Owner, got, r)
		}
	}
	for i, r := range want {
		if got, ok := a.Release(r.Endpoint); !ok || got != r {
			t.Fatalf("Release(%v) = %v, %v; want %v", r.Endpoint, got, ok, r)
		}
		if i%50 == 0 {
			if err := a.check(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a.Len() != 0 {
		t.Fatalf("Len = %d after releasing all", a.Len())
	}
}
