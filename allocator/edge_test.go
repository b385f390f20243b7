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
// the run of all ports that may be handed out (1-65535), port 0 and port
// 65535.
func TestWholeSpace(t *testing.T) {
	a := New(Policy{})
	if _, err := a.Allocate("all", ports.UDP, ports.FullRange(), 65536); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate(65536) = %v, want ErrExhausted: port 0 is never handed out", err)
	}
	r, err := a.Allocate("all", ports.UDP, ports.FullRange(), 65535)
	if err != nil || r.Endpoint != ep("1-65535/udp") {
		t.Fatalf("Allocate(65535) = %v, %v; want 1-65535/udp", r, err)
	}
	if _, err := a.Allocate("more", ports.UDP, ports.FullRange(), 1); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate on a full space = %v, want ErrExhausted", err)
	}
	_, err = a.Reserve("x", ep("65535/udp"))
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Suggestion.IsValid() {
		t.Fatalf("Reserve(65535) on a full space = %v, want a conflict with no suggestion", err)
	}
	a.Release(r.Endpoint)
	// An explicit reservation gets what it names, port 0 too.
	for _, s := range []string{"0/udp", "65535/udp"} {
		if _, err := a.Reserve("edge", ep(s)); err != nil {
			t.Fatalf("Reserve(%s): %v", s, err)
		}
	}
	if _, err := a.Allocate("big", ports.UDP, ports.FullRange(), 65535); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate(65535) with both edges held = %v, want ErrExhausted", err)
	}
	r, err = a.Allocate("big", ports.UDP, ports.FullRange(), 65534)
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
	if got := a.NumUsed(ports.UDP); got != 65536 {
		t.Fatalf("NumUsed = %d, want 65536", got)
	}
}

// TestPortZeroNeverHandedOut checks that port 0, which asks the system for
// any port, is neither allocated nor suggested, under the zero Policy, by
// the zero Allocator, and in the suggestion of a refused Reserve.
func TestPortZeroNeverHandedOut(t *testing.T) {
	for name, a := range map[string]*Allocator{"New(Policy{})": New(Policy{}), "zero Allocator": new(Allocator)} {
		if e, err := a.Suggest("x", ep("0-9/tcp"), 1); err != nil || e != ep("1/tcp") {
			t.Errorf("%s: Suggest(0-9) = %v, %v; want 1/tcp", name, e, err)
		}
		if _, err := a.Allocate("x", ports.TCP, ports.MustParseRange("0-0"), 1); !errors.Is(err, ErrExhausted) {
			t.Errorf("%s: Allocate(0-0) = %v, want ErrExhausted", name, err)
		}
		if got := a.NumFree(ports.TCP, ports.MustParseRange("0-9")); got != 9 {
			t.Errorf("%s: NumFree(0-9) = %d, want 9", name, got)
		}
		r, err := a.Allocate("x", ports.TCP, ports.MustParseRange("0-9"), 1)
		if err != nil || r.Endpoint != ep("1/tcp") {
			t.Fatalf("%s: Allocate(0-9) = %v, %v; want 1/tcp", name, r, err)
		}
		// Port 0 and port 2 are as near to 1: the suggestion is 2.
		_, err = a.Reserve("y", ep("1/tcp"))
		var ce *ConflictError
		if !errors.As(err, &ce) || ce.Suggestion != ep("2/tcp") {
			t.Errorf("%s: Reserve(1) = %v, want a conflict suggesting 2/tcp", name, err)
		}
		if _, err := a.Allocate("z", ports.TCP, ports.MustParseRange("0-1"), 1); !errors.Is(err, ErrExhausted) {
			t.Errorf("%s: Allocate(0-1) with 1 held = %v, want ErrExhausted", name, err)
		}
		if err := a.check(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
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
