package allocator

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

var (
	ep = ports.MustParseEndpoint
	rg = ports.MustParseRange
)

func TestBadInput(t *testing.T) {
	a := New(Policy{})
	if _, err := a.Reserve("held", ep("8080")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"Reserve empty owner", func() error { _, err := a.Reserve("", ep("80")); return err },
			"allocator: Reserve: empty owner name"},
		{"Reserve owner not UTF-8", func() error { _, err := a.Reserve("web\xff", ep("80")); return err },
			`allocator: Reserve: owner name "web\xff" is not valid UTF-8`},
		{"Reserve zero endpoint", func() error { _, err := a.Reserve("x", ports.Endpoint{}); return err },
			"allocator: Reserve: invalid endpoint (the zero Endpoint); build one with ports.EndpointFrom or ports.ParseEndpoint"},
		{"Allocate unknown protocol", func() error { _, err := a.Allocate("x", 9, rg("1-10"), 1); return err },
			"allocator: Allocate: unknown protocol Protocol(9); want tcp, udp, sctp or dccp"},
		{"Allocate unspecified protocol", func() error { _, err := a.Allocate("x", 0, rg("1-10"), 1); return err },
			"allocator: Allocate: unknown protocol unspecified; want tcp, udp, sctp or dccp"},
		{"Allocate zero range", func() error { _, err := a.Allocate("x", ports.TCP, ports.Range{}, 1); return err },
			"allocator: Allocate: invalid range (the zero Range)"},
		{"Allocate k=0", func() error { _, err := a.Allocate("x", ports.TCP, rg("1-10"), 0); return err },
			"allocator: Allocate: run of 0 ports does not fit in 1-10; want 1 to 10"},
		{"Allocate k<0", func() error { _, err := a.Allocate("x", ports.TCP, rg("1-10"), -3); return err },
			"allocator: Allocate: run of -3 ports does not fit in 1-10; want 1 to 10"},
		{"Allocate k>range", func() error { _, err := a.Allocate("x", ports.TCP, rg("1-10"), 11); return err },
			"allocator: Allocate: run of 11 ports does not fit in 1-10; want 1 to 10"},
		{"Allocate empty owner", func() error { _, err := a.Allocate("", ports.TCP, rg("1-10"), 1); return err },
			"allocator: Allocate: empty owner name"},
		{"AllocateIn zero endpoint", func() error { _, err := a.AllocateIn("x", ports.Endpoint{}, 1); return err },
			"allocator: AllocateIn: invalid endpoint (the zero Endpoint); build one with ports.EndpointFrom or ports.ParseEndpoint"},
		{"Suggest k>range", func() error { _, err := a.Suggest("x", ep("5-6"), 3); return err },
			"allocator: Suggest: run of 3 ports does not fit in 5-6; want 1 to 2"},
		{"unknown order", func() error { _, err := New(Policy{Order: 7}).Allocate("x", ports.TCP, rg("1-10"), 1); return err },
			"allocator: Allocate: policy order Order(7) is not FirstFit, NextFit, Random or StableByKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict) || errors.Is(err, ErrExhausted) {
				t.Errorf("error %v: want it to be ErrInvalid only", err)
			}
			// Nothing already held is lost.
			if r, ok := a.Lookup(ep("8080")); !ok || r.Owner != "held" || a.Len() != 1 {
				t.Errorf("after the error: Lookup(8080) = %v, %v; Len() = %d", r, ok, a.Len())
			}
		})
	}
	// Queries take bad input quietly.
	if n := a.NumFree(0, rg("1-10")); n != 0 {
		t.Errorf("Free(unspecified) = %d, want 0", n)
	}
	if n := a.NumFree(ports.TCP, ports.Range{}); n != 0 {
		t.Errorf("Free(zero Range) = %d, want 0", n)
	}
	if n := a.NumUsed(9); n != 0 {
		t.Errorf("Used(Protocol(9)) = %d, want 0", n)
	}
	if got := slices.Collect(a.Overlapping(ports.Endpoint{})); len(got) != 0 {
		t.Errorf("Overlapping(zero Endpoint) = %v, want nothing", got)
	}
	if got := slices.Collect(a.Holders(0, 8080)); len(got) != 0 {
		t.Errorf("Holders(unspecified, 8080) = %v, want nothing", got)
	}
	if got := a.AppendOverlapping(nil, ports.Endpoint{}); got != nil {
		t.Errorf("AppendOverlapping(nil, zero Endpoint) = %v, want nil", got)
	}
	if got := a.AppendHolders(nil, 0, 8080); got != nil {
		t.Errorf("AppendHolders(nil, unspecified, 8080) = %v, want nil", got)
	}
	if r, ok := a.Release(ports.Endpoint{}); ok {
		t.Errorf("Release(zero Endpoint) = %v, true", r)
	}
}

func TestZeroAllocator(t *testing.T) {
	var a Allocator
	if a.Len() != 0 || a.NumOwners() != 0 || a.NumUsed(ports.TCP) != 0 || a.NumFree(ports.TCP, rg("1-10")) != 10 {
		t.Fatalf("zero Allocator is not empty")
	}
	if _, ok := a.Release(ep("80")); ok {
		t.Fatalf("zero Allocator released 80")
	}
	if n := a.ReleaseOwner("x"); n != 0 {
		t.Fatalf("zero Allocator: ReleaseOwner = %d", n)
	}
	if _, ok := a.Lookup(ep("80")); ok {
		t.Fatalf("zero Allocator: Lookup(80) found something")
	}
	snap, err := a.Snapshot()
	if want := `{"version":1,"reservations":[]}`; err != nil || string(snap) != want {
		t.Fatalf("Snapshot() = %s, %v; want %s", snap, err, want)
	}
	r, err := a.Allocate("x", ports.TCP, rg("10-20"), 2)
	if err != nil || r.Endpoint != ep("10-11") {
		t.Fatalf("Allocate = %v, %v; want 10-11/tcp", r, err)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
}

func TestConflictError(t *testing.T) {
	a := New(Policy{Avoid: ports.MustParseRangeSet("3002")})
	for _, r := range []Reservation{
		{"grafana", ep("0.0.0.0:3000")},
		{"loopback", ep("127.0.0.1:3001")},
		{"other", ep("10.0.0.1:3001")},
		{"ipv6", ep("[::1]:3003")},
	} {
		if _, err := a.Reserve(r.Owner, r.Endpoint); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		owner string
		e     string
		want  string
	}{
		{"webapp", "3000", `allocator: cannot reserve 3000/tcp for "webapp": held by "grafana" (0.0.0.0:3000/tcp); nearest free: 2999/tcp`},
		{"webapp", "3000-3001", `allocator: cannot reserve 3000-3001/tcp for "webapp": held by "grafana" (0.0.0.0:3000/tcp), "other" (10.0.0.1:3001/tcp), "loopback" (127.0.0.1:3001/tcp); nearest free: 2998-2999/tcp`},
		{"v6", "[::]:3000-3001", `allocator: cannot reserve [::]:3000-3001/tcp for "v6": held by "grafana" (0.0.0.0:3000/tcp), "other" (10.0.0.1:3001/tcp), "loopback" (127.0.0.1:3001/tcp); nearest free: [::]:2998-2999/tcp`},
		{"v6", "[::1]:3001-3003", `allocator: cannot reserve [::1]:3001-3003/tcp for "v6": held by "ipv6" ([::1]:3003/tcp); nearest free: [::1]:2999-3001/tcp`},
		{"lo", "127.0.0.1:3001", `allocator: cannot reserve 127.0.0.1:3001/tcp for "lo": held by "loopback" (127.0.0.1:3001/tcp); nearest free: 127.0.0.1:2999/tcp`},
		{"all", "0-65535", `allocator: cannot reserve 0-65535/tcp for "all": held by "grafana" (0.0.0.0:3000/tcp), "other" (10.0.0.1:3001/tcp), "loopback" (127.0.0.1:3001/tcp), "ipv6" ([::1]:3003/tcp); no run of that size is free`},
	}
	for _, tt := range tests {
		t.Run(tt.e, func(t *testing.T) {
			_, err := a.Reserve(tt.owner, ep(tt.e))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Reserve(%q, %s) = %v\nwant %s", tt.owner, tt.e, err, tt.want)
			}
			if !errors.Is(err, ErrConflict) {
				t.Errorf("Reserve(%q, %s): error is not ErrConflict", tt.owner, tt.e)
			}
		})
	}
}

func TestExhaustedError(t *testing.T) {
	a := New(Policy{Avoid: ports.MustParseRangeSet("105")})
	for _, s := range []string{"100-102", "104", "107-109"} {
		if _, err := a.Reserve("x", ep(s)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.Allocate("api", ports.TCP, rg("100-109"), 3)
	const want = `allocator: no free run of 3 ports in 100-109/tcp for "api": 8 of 10 ports are taken (1 avoided by policy, 7 more held); the longest free run is 1 port`
	if err == nil || err.Error() != want {
		t.Fatalf("Allocate = %v\nwant %s", err, want)
	}
	var ee *ExhaustedError
	if !errors.As(err, &ee) || !errors.Is(err, ErrExhausted) {
		t.Fatalf("Allocate error %v is not an ExhaustedError", err)
	}
	wantE := &ExhaustedError{Owner: "api", Within: ep("100-109"), Len: 3, Taken: 8, Avoided: 1, Longest: 1}
	if diff := cmp.Diff(wantE, ee, cmpOpts); diff != "" {
		t.Errorf("ExhaustedError (-want +got):\n%s", diff)
	}
	_, err = a.Allocate("api", ports.TCP, rg("100-102"), 1)
	if want := `allocator: no free port in 100-102/tcp for "api": 3 of 3 ports are taken (0 avoided by policy, 3 more held); the longest free run is 0 ports`; err == nil || err.Error() != want {
		t.Fatalf("Allocate = %v\nwant %s", err, want)
	}
}

func TestOrders(t *testing.T) {
	within := rg("1000-1009")
	tests := []struct {
		name   string
		policy Policy
		owners []string
		want   []string
	}{
		{"first fit", Policy{}, []string{"a", "b", "c"}, []string{"1000", "1001", "1002"}},
		{"first fit avoids", Policy{Avoid: ports.MustParseRangeSet("1000-1001,1003")},
			[]string{"a", "b", "c"}, []string{"1002", "1004", "1005"}},
		{"next fit", Policy{Order: NextFit}, []string{"a", "b", "c"}, []string{"1000", "1001", "1002"}},
		{"bands", Policy{Bands: true}, []string{"a", "b"}, []string{"1000", "1001"}}, // 10 ports: all static
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(tt.policy)
			var got []string
			for _, o := range tt.owners {
				r, err := a.Allocate(o, ports.TCP, within, 1)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r.Endpoint.Range().String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("allocations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextFitDoesNotReuseAtOnce(t *testing.T) {
	a := New(Policy{Order: NextFit})
	within := rg("20-24")
	var got []string
	for i := range 7 {
		r, err := a.Allocate(fmt.Sprint("o", i), ports.TCP, within, 1)
		if err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
		got = append(got, r.Endpoint.Range().String())
		a.Release(r.Endpoint)
	}
	want := []string{"20", "21", "22", "23", "24", "20", "21"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("next fit with releases (-want +got):\n%s", diff)
	}

	// Allocations from another range in between do not send the first
	// back to its bottom, nor do allocations on another address.
	a = New(Policy{Order: NextFit})
	got = nil
	for i := range 4 {
		r, err := a.Allocate("a", ports.TCP, rg("100-199"), 1)
		if err != nil {
			t.Fatal(err)
		}
		a.Release(r.Endpoint)
		o, err := a.Allocate("b", ports.TCP, rg("1000-1099"), 1)
		if err != nil {
			t.Fatal(err)
		}
		a.Release(o.Endpoint)
		q, err := a.AllocateIn("c", ep(fmt.Sprintf("10.0.0.%d:100-199/tcp", i)), 1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.Endpoint.Range().String(), o.Endpoint.Range().String(), q.Endpoint.Range().String())
	}
	want = []string{"100", "1000", "101", "102", "1001", "103", "104", "1002", "105", "106", "1003", "107"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("next fit in two ranges, interleaved (-want +got):\n%s", diff)
	}
}

// TestNextFitRangesKept checks that NextFit keeps its position in the last
// maxFits ranges it allocated from, and that a range dropped from those
// starts after the protocol's last run.
func TestNextFitRangesKept(t *testing.T) {
	a := New(Policy{Order: NextFit})
	alloc := func(r string) string {
		t.Helper()
		got, err := a.Allocate("o", ports.UDP, rg(r), 1)
		if err != nil {
			t.Fatal(err)
		}
		a.Release(got.Endpoint)
		return got.Endpoint.Range().String()
	}
	alloc("10-19")
	for i := range maxFits - 1 {
		alloc(fmt.Sprintf("%d-%d", 1000+10*i, 1009+10*i))
	}
	if got := alloc("10-19"); got != "11" {
		t.Errorf("range kept among the last %d: got %s, want 11", maxFits, got)
	}
	for i := range maxFits {
		alloc(fmt.Sprintf("%d-%d", 5000+10*i, 5009+10*i))
	}
	// 10-19 was dropped; the last run of udp, 5630, is outside it.
	if got := alloc("10-19"); got != "10" {
		t.Errorf("range dropped: got %s, want 10", got)
	}
	// A new range that holds the protocol's last run goes on after it.
	if got := alloc("5-15"); got != "11" {
		t.Errorf("new range after the protocol's position 10: got %s, want 11", got)
	}
}

func TestStableByKey(t *testing.T) {
	within := rg("40000-40999")
	a := New(Policy{Order: StableByKey})
	first, err := a.Allocate("grafana", ports.TCP, within, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Another allocator, another day: the same name gets the same port.
	b := New(Policy{Order: StableByKey})
	again, _ := b.Allocate("grafana", ports.TCP, within, 1)
	if again != first {
		t.Fatalf("StableByKey: %v, then %v", first, again)
	}
	// When it is taken, the next free one.
	c := New(Policy{Order: StableByKey})
	if _, err := c.Reserve("squatter", first.Endpoint); err != nil {
		t.Fatal(err)
	}
	moved, _ := c.Allocate("grafana", ports.TCP, within, 1)
	if want := first.Endpoint.Range().Lo() + 1; moved.Endpoint.Range().Lo() != want {
		t.Fatalf("StableByKey with its port taken: %v, want %d", moved, want)
	}
}

func TestRandomIsReproducible(t *testing.T) {
	pick := func(p Policy) []ports.Range {
		a := New(p)
		var out []ports.Range
		for i := range 20 {
			r, err := a.Allocate(fmt.Sprint(i), ports.UDP, rg("30000-32767"), 2)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r.Endpoint.Range())
		}
		return out
	}
	x, y := pick(Policy{Order: Random, Seed: 7}), pick(Policy{Order: Random, Seed: 7})
	if diff := cmp.Diff(x, y, cmpOpts); diff != "" {
		t.Errorf("same seed, different allocations (-first +second):\n%s", diff)
	}
	z := pick(Policy{Order: Random, Source: rand.NewPCG(7, 7^0x9e3779b97f4a7c15)})
	if diff := cmp.Diff(x, z, cmpOpts); diff != "" {
		t.Errorf("Seed 7 and the equivalent Source differ (-seed +source):\n%s", diff)
	}
	if w := pick(Policy{Order: Random, Seed: 8}); cmp.Equal(x, w, cmpOpts) {
		t.Errorf("seeds 7 and 8 gave the same allocations")
	}
}

func TestBands(t *testing.T) {
	// 30000-32767: a static band of 86 ports at the bottom.
	within := rg("30000-32767")
	if n := StaticBandSize(within); n != 86 {
		t.Fatalf("StaticBandSize(%v) = %d, want 86", within, n)
	}
	a := New(Policy{Bands: true})
	r, _ := a.Allocate("x", ports.TCP, within, 1)
	if r.Endpoint.Range().Lo() != 30086 {
		t.Fatalf("first allocation with bands = %v, want 30086", r)
	}
	// Fill the dynamic band; then the static band is used.
	if _, err := a.Reserve("fill", ep("30087-32767")); err != nil {
		t.Fatal(err)
	}
	r, _ = a.Allocate("x", ports.TCP, within, 1)
	if r.Endpoint.Range().Lo() != 30000 {
		t.Fatalf("allocation with the dynamic band full = %v, want 30000", r)
	}
}

func TestStaticBandSize(t *testing.T) {
	tests := []struct {
		r    string
		want int
	}{
		{"1-10", 10}, {"1-16", 16}, {"1-100", 16}, {"1-1024", 32},
		{"30000-30015", 16}, {"30000-32767", 86}, {"0-65535", 128},
	}
	for _, tt := range tests {
		if got := StaticBandSize(rg(tt.r)); got != tt.want {
			t.Errorf("StaticBandSize(%s) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

func TestOrderString(t *testing.T) {
	tests := []struct {
		o    Order
		want string
	}{
		{FirstFit, "first-fit"}, {NextFit, "next-fit"}, {Random, "random"},
		{StableByKey, "stable-by-key"}, {4, "Order(4)"},
	}
	for _, tt := range tests {
		if got := tt.o.String(); got != tt.want {
			t.Errorf("Order(%d).String() = %q, want %q", tt.o, got, tt.want)
		}
		if got, want := tt.o.IsValid(), !strings.HasPrefix(tt.want, "Order("); got != want {
			t.Errorf("Order(%d).IsValid() = %v, want %v", tt.o, got, want)
		}
	}
}

// Iterators collect 16 results per turn of the lock; results beyond the
// first batch must follow on without loss or repeat.
func TestIteratorsInBatches(t *testing.T) {
	a := New(Policy{})
	var want []Reservation
	for i := range 50 {
		addr := netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(1 + i%250)})
		e := ports.EndpointFrom(ports.TCP, addr, rg("5000-5001"))
		if _, err := a.Reserve(fmt.Sprint("svc", i), e); err != nil {
			t.Fatal(err)
		}
		want = append(want, Reservation{fmt.Sprint("svc", i), e})
	}
	slices.SortFunc(want, byEndpoint)
	if diff := cmp.Diff(want, slices.Collect(a.Holders(ports.TCP, 5001)), cmpOpts); diff != "" {
		t.Errorf("Holders (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, slices.Collect(a.All()), cmpOpts); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	// The loop body may change the allocator: the lock is not held.
	n := 0
	for r := range a.Overlapping(ep("5000")) {
		a.Release(r.Endpoint)
		n++
	}
	if n != 50 || a.Len() != 0 {
		t.Errorf("releasing while iterating: %d iterations, %d left", n, a.Len())
	}
}

func TestReleaseOwner(t *testing.T) {
	a := New(Policy{})
	for _, s := range []string{"1/tcp", "2/udp", "3/sctp", "4/dccp"} {
		a.Reserve("multi", ep(s))
	}
	a.Reserve("other", ep("5"))
	if a.NumOwners() != 2 {
		t.Fatalf("NumOwners() = %d, want 2", a.NumOwners())
	}
	if n := a.ReleaseOwner("multi"); n != 4 {
		t.Fatalf("ReleaseOwner(multi) = %d, want 4", n)
	}
	if got := slices.Collect(a.All()); len(got) != 1 || got[0].Owner != "other" {
		t.Fatalf("after ReleaseOwner: %v", got)
	}
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotForm restores the snapshot that Snapshot's documentation
// shows, and refuses a null NextFit position.
func TestSnapshotForm(t *testing.T) {
	a := New(Policy{Order: NextFit})
	doc := `{"version":1,"reservations":[{"owner":"grafana","endpoint":"0.0.0.0:3000/tcp"}],"next_fit":{"tcp":"3000"}}`
	if err := a.Restore([]byte(doc)); err != nil {
		t.Fatalf("Restore of the documented form: %v", err)
	}
	if r, ok := a.Lookup(ep("0.0.0.0:3000/tcp")); !ok || r.Owner != "grafana" {
		t.Errorf("Lookup(0.0.0.0:3000/tcp) = %v, %v", r, ok)
	}
	if r, err := a.Allocate("next", ports.TCP, rg("2990-3010"), 1); err != nil || r.Endpoint != ep("3001/tcp") {
		t.Errorf("NextFit after the restored position 3000: %v, %v; want 3001/tcp", r, err)
	}
	if snap, _ := a.Snapshot(); !strings.Contains(string(snap), `"next_fit":{"tcp":3001}`) {
		t.Errorf("Snapshot = %s, want the position as in the documented form", snap)
	}
	null := `{"version":1,"reservations":[],"next_fit":{"tcp":null}}`
	if err := a.Restore([]byte(null)); err == nil || err.Error() != "allocator: Restore: next_fit: tcp: null; want a port" {
		t.Errorf("Restore(%s) = %v", null, err)
	}

	// The position in a range, as Snapshot's documentation shows it.
	doc = `{"version":1,"reservations":[],"next_fit":{"tcp":3000},"next_fit_ranges":[{"protocol":"tcp","range":"3000-3999","port":3000}]}`
	if err := a.Restore([]byte(doc)); err != nil {
		t.Fatalf("Restore of the documented form: %v", err)
	}
	if snap, _ := a.Snapshot(); string(snap) != doc {
		t.Errorf("Snapshot = %s, want %s", snap, doc)
	}
}

// TestRestoreRefuses checks that Restore refuses each corrupt snapshot with
// its own message and leaves the allocator as it was.
func TestRestoreRefuses(t *testing.T) {
	a := New(Policy{})
	a.Reserve("kept", ep("80/tcp"))
	before, _ := a.Snapshot()
	fits := func(entries string) string {
		return `{"version":1,"reservations":[],"next_fit_ranges":[` + entries + `]}`
	}
	var keys []string
	for i := range 2 * fewKeys {
		keys = append(keys, fmt.Sprintf(`"k%d":{"a":1,"b":{}}`, i))
	}
	manyKeys := `{"version":1,"reservations":[{` + strings.Join(keys, ",") + `,"K7":0}]}`
	var many []string
	for i := range maxFits + 1 {
		many = append(many, fmt.Sprintf(`{"protocol":"tcp","range":"%d-%d","port":"%d"}`, 10*i, 10*i+9, 10*i))
	}
	for _, tt := range []struct{ name, snap, want string }{
		{"not UTF-8", "{\"version\":1,\"reservations\":[{\"owner\":\"a\xff\",\"endpoint\":\"1/tcp\"}]}",
			"allocator: Restore: corrupt snapshot: byte 40 is not valid UTF-8"},
		{"half a surrogate pair", `{"version":1,"reservations":[{"owner":"\ud800","endpoint":"1/tcp"},{"owner":"\udc00","endpoint":"2/tcp"}]}`,
			`allocator: Restore: corrupt snapshot: byte 39: \ud800 is half of a UTF-16 surrogate pair, not a character`},
		{"the other half", `{"version":1,"reservations":[{"owner":"a\\\udc00","endpoint":"1/tcp"}]}`,
			`allocator: Restore: corrupt snapshot: byte 42: \udc00 is half of a UTF-16 surrogate pair, not a character`},
		{"range positions without the protocol's", fits(`{"protocol":"tcp","range":"1-9","port":"5"}`),
			"allocator: Restore: inconsistent snapshot: next_fit_ranges[0], the last position of tcp, is 5, but next_fit has none for tcp"},
		{"range positions not ending at the protocol's", `{"version":1,"reservations":[],"next_fit":{"tcp":"7","udp":"7"},"next_fit_ranges":[{"protocol":"tcp","range":"1-9","port":"5"},{"protocol":"udp","range":"1-9","port":"7"}]}`,
			"allocator: Restore: inconsistent snapshot: next_fit_ranges[0], the last position of tcp, is 5, but next_fit has 7 for tcp"},
		{"no reservations", `{"version":1}`,
			"allocator: Restore: corrupt snapshot: no reservations; want a list, [] for none"},
		{"null reservations", `{"version":1,"reservations":null}`,
			"allocator: Restore: corrupt snapshot: no reservations; want a list, [] for none"},
		{"range position without a protocol", fits(`{"range":"1-9","port":"1"}`),
			"allocator: Restore: next_fit_ranges[0]: missing or unknown protocol"},
		{"range position without a range", fits(`{"protocol":"udp","port":"1"}`),
			"allocator: Restore: next_fit_ranges[0]: missing or empty range"},
		{"range position without a port", fits(`{"protocol":"udp","range":"1-9"}`),
			"allocator: Restore: next_fit_ranges[0]: missing or null port"},
		{"range position outside", fits(`{"protocol":"udp","range":"1-9","port":"10"}`),
			"allocator: Restore: next_fit_ranges[0]: port 10 is outside the range 1-9"},
		{"range position twice", fits(`{"protocol":"udp","range":"1-9","port":"1"},{"protocol":"udp","range":"1-9","port":"2"}`),
			"allocator: Restore: next_fit_ranges[1]: udp 1-9 is listed twice"},
		// encoding/json keeps the last of a key written twice: the first
		// list would be dropped without a word.
		{"reservations twice", `{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"}],"reservations":[]}`,
			`allocator: Restore: corrupt snapshot: byte 63: key "reservations" appears twice in the top-level object; want each key once`},
		{"a key twice in another case", `{"version":1,"reservations":[],"Version":1}`,
			`allocator: Restore: corrupt snapshot: byte 31: key "Version" appears twice in the top-level object; want each key once`},
		{"owner twice", `{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"},{"owner":"a","endpoint":"2/tcp","OWNER":"b"}]}`,
			`allocator: Restore: corrupt snapshot: byte 94: key "OWNER" appears twice in reservations[1]; want each key once`},
		{"a protocol's position twice", `{"version":1,"reservations":[],"next_fit":{"tcp":"1","TCP":"2"}}`,
			`allocator: Restore: corrupt snapshot: byte 53: key "TCP" appears twice in next_fit; want each key once`},
		// Past the keys compared one by one, into those indexed, with
		// an object inside read between.
		{"a key twice among many", manyKeys,
			fmt.Sprintf(`allocator: Restore: corrupt snapshot: byte %d: key "K7" appears twice in reservations[0]; want each key once`, strings.Index(manyKeys, `"K7"`))},
		{"too many range positions", fits(strings.Join(many, ",")),
			fmt.Sprintf("allocator: Restore: next_fit_ranges: %d positions; want at most %d", maxFits+1, maxFits)},
	} {
		if err := a.Restore([]byte(tt.snap)); err == nil || err.Error() != tt.want {
			t.Errorf("%s: Restore = %v, want %q", tt.name, err, tt.want)
		}
		if after, _ := a.Snapshot(); !bytes.Equal(after, before) {
			t.Errorf("%s: refused Restore changed the allocator: %s", tt.name, after)
		}
	}
}

// TestViewsDroppedAndBuiltAgain allocates on more addresses in turn than an
// allocator keeps views of at first, with reservations made and released
// between, so that views are dropped and built again from a tree that has
// changed meanwhile; each allocation must see exactly the ports held on its
// address or on every address, and in the end every address has its view.
func TestViewsDroppedAndBuiltAgain(t *testing.T) {
	a := New(Policy{})
	addrs := make([]netip.Addr, minViews+3)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
	}
	held := map[netip.Addr][]ports.Endpoint{}
	for round := range 4 {
		for i, ad := range addrs {
			// Each address holds one more port each round, and in
			// round 2 a reservation on every address holds 104.
			e := ports.EndpointFrom(ports.TCP, ad, ports.RangeFrom(ports.Port(100+round), ports.Port(100+round)))
			if _, err := a.Reserve("own", e); err != nil {
				t.Fatal(err)
			}
			held[ad] = append(held[ad], e)
			if round == 2 && i == 0 {
				if _, err := a.Reserve("all", ep("104/tcp")); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, ad := range addrs {
			got, err := a.AllocateIn("probe", ports.EndpointFrom(ports.TCP, ad, rg("100-120")), 1)
			if err != nil {
				t.Fatal(err)
			}
			want := ports.Port(101 + round)
			if round == 3 {
				want = 105 // 104 is held on every address
			}
			if got.Endpoint.Range().Lo() != want {
				t.Fatalf("round %d, %v: allocated %v, want port %d", round, ad, got.Endpoint, want)
			}
			a.Release(got.Endpoint)
		}
		// The allocator's own occupancy of each view agrees with its tree.
		if err := a.check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	// Views dropped and built again soon after raised the limit, until
	// every address kept its view.
	if n := len(a.state().views[ports.TCP-1].extra); n != len(addrs) {
		t.Errorf("%d address views kept after allocating on %d addresses in turn, want %d", n, len(addrs), len(addrs))
	}
}
