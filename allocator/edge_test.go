package allocator

import (
	"errors"
	"testing"

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
