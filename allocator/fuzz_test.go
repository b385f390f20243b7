package allocator

import (
	"bytes"
	"testing"
)

// FuzzRestore feeds arbitrary bytes to Restore. It must never panic; a
// snapshot it accepts must leave a consistent allocator whose own snapshot
// restores to the same bytes, and one it refuses must change nothing.
func FuzzRestore(f *testing.F) {
	// The empty allocator.
	f.Add([]byte(`{"version":1,"reservations":[]}`))
	// Reservations on every address, on an address, on IPv6, several protocols.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"grafana","endpoint":"0.0.0.0:3000/tcp"},{"owner":"dns","endpoint":"[::1]:53/udp"},{"owner":"range","endpoint":"8000-8100/sctp"}]}`))
	// The NextFit position.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"}],"next_fit":{"tcp":"1"}}`))
	// NextFit positions in ranges; one outside its range.
	f.Add([]byte(`{"version":1,"reservations":[],"next_fit_ranges":[{"protocol":"udp","range":"1-9","port":"5"},{"protocol":"tcp","range":"1-9","port":"9"}]}`))
	f.Add([]byte(`{"version":1,"reservations":[],"next_fit_ranges":[{"protocol":"udp","range":"1-9","port":"10"}]}`))
	// Half a surrogate pair, escaped, in an owner's name; a whole pair.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"\ud800","endpoint":"1/tcp"}]}`))
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"\ud83d\ude00","endpoint":"1/tcp"}]}`))
	// Not UTF-8 in an owner's name.
	f.Add([]byte("{\"version\":1,\"reservations\":[{\"owner\":\"a\xff\",\"endpoint\":\"1/tcp\"}]}"))
	// Inconsistent: two reservations of one port.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"80/tcp"},{"owner":"b","endpoint":"80/tcp"}]}`))
	// Inconsistent: :: overlaps an IPv4 address.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"[::]:80/tcp"},{"owner":"b","endpoint":"127.0.0.1:80/tcp"}]}`))
	// Not conflicting: two specific addresses.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"10.0.0.1:80/tcp"},{"owner":"b","endpoint":"127.0.0.1:80/tcp"}]}`))
	// Corrupt: wrong version, unknown field, empty owner, bad endpoint,
	// bad protocol in next_fit, a null port, trailing data, not JSON at all.
	f.Add([]byte(`{"version":2,"reservations":[]}`))
	f.Add([]byte(`{"version":1,"reservations":[],"extra":true}`))
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"","endpoint":"80/tcp"}]}`))
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"80-70/tcp"}]}`))
	f.Add([]byte(`{"version":1,"reservations":[],"next_fit":{"icmp":"1"}}`))
	f.Add([]byte(`{"version":1,"reservations":[],"next_fit":{"tcp":null}}`))
	f.Add([]byte(`{"version":1,"reservations":[]} {}`))
	// A key twice, which encoding/json would take as the last one alone;
	// the same key in two objects, which is fine.
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"}],"Reservations":[]}`))
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"},{"owner":"a","endpoint":"2/tcp"}]}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(``))

	f.Fuzz(func(t *testing.T, data []byte) {
		a := New(Policy{})
		if _, err := a.Reserve("before", ep("65000")); err != nil {
			t.Fatal(err)
		}
		before, _ := a.Snapshot()
		if err := a.Restore(data); err != nil {
			after, _ := a.Snapshot()
			if !bytes.Equal(before, after) {
				t.Fatalf("refused Restore(%q) changed the allocator: %s", data, after)
			}
			return
		}
		if err := a.check(); err != nil {
			t.Fatalf("after Restore(%q): %v", data, err)
		}
		snap, err := a.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b := New(Policy{})
		if err := b.Restore(snap); err != nil {
			t.Fatalf("Restore of its own snapshot %s: %v", snap, err)
		}
		again, _ := b.Snapshot()
		if !bytes.Equal(snap, again) {
			t.Fatalf("round trip of %s gave %s", snap, again)
		}
	})
}
