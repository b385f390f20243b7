package allocator

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/portalloc/ports"

	"pgregory.net/rapid"
)

// TestOwnerTable drives the owner index with many names, growing it and
// forgetting idle owners (so that backward-shift deletion runs), and checks
// it against a Go map after every step.
func TestOwnerTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := newOwnerTable()
		model := map[string]int32{} // name -> id, for every indexed owner
		holding := map[int32]bool{} // ids that hold something
		names := rapid.SampledFrom(func() []string {
			var s []string
			for i := range 200 {
				// Some names are long, and a few longer than a chunk, so
				// that forgetting owners compacts the arena.
				pad := 0
				switch {
				case i%25 == 0:
					pad = chunkSize + i
				case i%3 == 0:
					pad = 150
				}
				s = append(s, fmt.Sprint("svc-", i)+strings.Repeat("x", pad))
			}
			return s
		}())
		for range rapid.IntRange(1, 400).Draw(t, "steps") {
			name := names.Draw(t, "name")
			action := rapid.IntRange(0, 2).Draw(t, "action")
			if id, ok := model[name]; action == 2 && ok && !holding[id] {
				tb.forget(id) // as the sweep does
				delete(model, name)
			} else if action == 0 {
				id := tb.intern(name)
				if old, ok := model[name]; ok && old != id {
					t.Fatalf("intern(%q) = %d, was %d", name, id, old)
				}
				model[name] = id
				tb.heads[id] = 1 // holds something
				holding[id] = true
			} else if id, ok := model[name]; ok && holding[id] {
				tb.heads[id] = 0
				holding[id] = false
				tb.idled()
				// The sweep may have forgotten idle owners.
				for n, i := range model {
					if tb.name(i) != n {
						delete(model, n)
					}
				}
			}
			live, idle := 0, 0
			for n, id := range model {
				if got, _ := tb.lookup(n); got != id {
					t.Fatalf("lookup(%q) = %d, want %d", n, got, id)
				}
				live++
				if !holding[id] {
					idle++
				}
			}
			if tb.live != live || tb.idle != idle {
				t.Fatalf("live %d, idle %d; want %d, %d", tb.live, tb.idle, live, idle)
			}
			if got := tb.size - tb.garbage; got != liveBytes(tb) {
				t.Fatalf("arena: %d bytes, %d garbage; live names take %d", tb.size, tb.garbage, liveBytes(tb))
			}
			if got, _ := tb.lookup("absent"); got != 0 {
				t.Fatalf("lookup(absent) = %d", got)
			}
		}
	})
}

func liveBytes(tb ownerTable) int {
	n := 0
	for id := range tb.names {
		n += len(tb.name(int32(id)))
	}
	return n
}

// TestOwnerLimit checks that an allocator whose index holds maxOwners owners
// refuses a new owner with ErrInvalid, and nothing else changes, while
// owners it knows may still reserve.
func TestOwnerLimit(t *testing.T) {
	a := New(Policy{})
	if _, err := a.Reserve("known", ports.MustParseEndpoint("8080/tcp")); err != nil {
		t.Fatal(err)
	}
	a.st.own.live = maxOwners // as if it held that many
	before := slices.Collect(a.All())
	for _, try := range []func() error{
		func() error { _, err := a.Reserve("new", ports.MustParseEndpoint("8081/tcp")); return err },
		func() error {
			_, err := a.Allocate("new", ports.TCP, ports.MustParseRange("9000-9100"), 1)
			return err
		},
	} {
		if err := try(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "owners") {
			t.Errorf("a new owner past the limit: err = %v, want ErrInvalid about owners", err)
		}
	}
	if after := slices.Collect(a.All()); !slices.Equal(before, after) {
		t.Errorf("refused requests changed the reservations: %v, then %v", before, after)
	}
	if _, err := a.Reserve("known", ports.MustParseEndpoint("8082/tcp")); err != nil {
		t.Errorf("a known owner at the limit: %v", err)
	}
}

// TestOwnerLimitForgetsIdle checks that owners which hold nothing do not
// count against the limit: at the limit, a new owner makes the allocator
// forget the idle ones, and is refused only when every owner holds
// something.
func TestOwnerLimitForgetsIdle(t *testing.T) {
	a := New(Policy{})
	for i, name := range []string{"gone1", "gone2", "stays"} {
		if _, err := a.Reserve(name, ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(8000+i).Range())); err != nil {
			t.Fatal(err)
		}
	}
	a.ReleaseOwner("gone1")
	a.ReleaseOwner("gone2")   // two idle owners, too few to be swept on release
	a.st.own.live = maxOwners // as if it indexed that many
	for i, name := range []string{"new1", "new2"} {
		if _, err := a.Reserve(name, ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(9000+i).Range())); err != nil {
			t.Fatalf("new owner %d at the limit with idle owners to forget: %v", i+1, err)
		}
	}
	if _, err := a.Reserve("new3", ports.MustParseEndpoint("9002/tcp")); !errors.Is(err, ErrInvalid) {
		t.Errorf("a new owner at the limit with none idle: err = %v, want ErrInvalid", err)
	}
	if got, want := a.NumOwners(), maxOwners; got != want {
		t.Errorf("NumOwners() = %d, want %d", got, want)
	}
	got := a.AppendOwned(nil, "stays")
	if len(got) != 1 || got[0].Endpoint != ports.MustParseEndpoint("8002/tcp") {
		t.Errorf("the owner that stayed holds %v", got)
	}
}
