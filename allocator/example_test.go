package allocator_test

import (
	"errors"
	"fmt"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
)

// Reserve an exact endpoint, and read a conflict: who holds the port, and
// what is free nearby.
func ExampleAllocator_Reserve() {
	a := allocator.New(allocator.Policy{})
	if _, err := a.Reserve("grafana", ports.MustParseEndpoint("0.0.0.0:3000/tcp")); err != nil {
		fmt.Println(err)
	}
	_, err := a.Reserve("webapp", ports.MustParseEndpoint("3000/tcp"))
	var ce *allocator.ConflictError
	if errors.As(err, &ce) {
		for _, h := range ce.Holders {
			fmt.Println("held by", h.Owner, "on", h.Endpoint)
		}
		fmt.Println("try", ce.Suggestion)
	}
	fmt.Println(errors.Is(err, allocator.ErrConflict))
	// Output:
	// held by grafana on 0.0.0.0:3000/tcp
	// try 2999/tcp
	// true
}

// Allocate a run of ports within a range, avoiding ports the policy names.
func ExampleAllocator_Allocate() {
	a := allocator.New(allocator.Policy{
		Avoid: ports.MustParseRangeSet("8080,8443"), // well known: keep them free
	})
	a.Reserve("proxy", ports.MustParseEndpoint("8000-8009/tcp"))

	r, err := a.Allocate("api", ports.TCP, ports.MustParseRange("8000-8999"), 16)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Owner, r.Endpoint)

	_, err = a.Allocate("huge", ports.TCP, ports.MustParseRange("8000-8999"), 1000)
	fmt.Println(err)
	// Output:
	// api 8010-8025/tcp
	// allocator: no free run of 1000 ports in 8000-8999/tcp for "huge": 28 of 1000 ports are taken (2 avoided by policy, 26 more held); the longest free run is 556 ports
}

// StableByKey gives a service the same port every time it asks, as long as
// the port is free.
func ExampleStableByKey() {
	within := ports.MustParseRange("40000-40999")
	first, _ := allocator.New(allocator.Policy{Order: allocator.StableByKey}).
		Allocate("billing", ports.TCP, within, 1)
	again, _ := allocator.New(allocator.Policy{Order: allocator.StableByKey}).
		Allocate("billing", ports.TCP, within, 1)
	fmt.Println(first.Endpoint == again.Endpoint)
	// Output:
	// true
}

// Audit usages that may conflict, as read from compose files.
func ExampleAudit() {
	decls := []allocator.Usage[string]{
		{Owner: "grafana", Endpoint: ports.MustParseEndpoint("3000"), Value: "monitoring.yml:12"},
		{Owner: "webapp", Endpoint: ports.MustParseEndpoint("0.0.0.0:3000"), Value: "app.yml:7"},
		{Owner: "minio", Endpoint: ports.MustParseEndpoint("9000-9001"), Value: "storage.yml:4"},
		{Owner: "clickhouse", Endpoint: ports.MustParseEndpoint("9000"), Value: "olap.yml:9"},
		{Owner: "prometheus", Endpoint: ports.MustParseEndpoint("9090"), Value: "monitoring.yml:30"},
	}
	groups, err := allocator.Audit(decls)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range groups {
		fmt.Println("conflict on", g.Span, g.Protocol)
		for _, m := range g.Members {
			fmt.Printf("  %s %v (%s)\n", m.Owner, m.Endpoint, m.Value)
		}
	}
	// Output:
	// conflict on 3000 tcp
	//   grafana 3000/tcp (monitoring.yml:12)
	//   webapp 0.0.0.0:3000/tcp (app.yml:7)
	// conflict on 9000-9001 tcp
	//   clickhouse 9000/tcp (olap.yml:9)
	//   minio 9000-9001/tcp (storage.yml:4)
}

// Snapshot the reservations and restore them into another allocator.
func ExampleAllocator_Snapshot() {
	a := allocator.New(allocator.Policy{})
	a.Reserve("dns", ports.MustParseEndpoint("[::1]:53/udp"))
	snap, _ := a.Snapshot()
	fmt.Println(string(snap))

	b := allocator.New(allocator.Policy{})
	if err := b.Restore(snap); err != nil {
		fmt.Println(err)
	}
	r, ok := b.Lookup(ports.MustParseEndpoint("[::1]:53/udp"))
	fmt.Println(r.Owner, ok)

	fmt.Println(b.Restore([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"80"},{"owner":"b","endpoint":"80"}]}`)))
	// Output:
	// {"version":1,"reservations":[{"owner":"dns","endpoint":"[::1]:53/udp"}]}
	// dns true
	// allocator: Restore: inconsistent snapshot: reservation 1 "b" 80/tcp conflicts with "a" 80/tcp
}

// Read who holds a port into a slice reused from call to call: one
// consistent answer, and no allocation once the slice has room.
func ExampleAllocator_AppendHolders() {
	a := allocator.New(allocator.Policy{})
	a.Reserve("dns", ports.MustParseEndpoint("127.0.0.53:53/udp"))
	a.Reserve("dnsmasq", ports.MustParseEndpoint("10.0.0.1:53/udp"))
	a.Reserve("ntp", ports.MustParseEndpoint("123/udp"))

	var holders []allocator.Reservation
	for _, p := range []ports.Port{53, 123, 161} {
		holders = a.AppendHolders(holders[:0], ports.UDP, p)
		fmt.Println(p, holders)
	}
	// Output:
	// 53 ["dnsmasq" 10.0.0.1:53/udp "dns" 127.0.0.53:53/udp]
	// 123 ["ntp" 123/udp]
	// 161 []
}

// List what one owner holds, in port order, and give it all back.
func ExampleAllocator_AppendOwned() {
	a := allocator.New(allocator.Policy{})
	a.Reserve("billing", ports.MustParseEndpoint("8443/tcp"))
	a.Reserve("billing", ports.MustParseEndpoint("127.0.0.1:9090/tcp"))
	a.Reserve("search", ports.MustParseEndpoint("9200/tcp"))
	a.Allocate("billing", ports.TCP, ports.MustParseRange("40000-40999"), 2)

	for _, r := range a.AppendOwned(nil, "billing") {
		fmt.Println(r.Endpoint)
	}
	fmt.Println(a.ReleaseOwner("billing"), "released;", a.Len(), "left")
	// Output:
	// 8443/tcp
	// 127.0.0.1:9090/tcp
	// 40000-40001/tcp
	// 3 released; 1 left
}

// Keep your own data about a reservation beside the allocator, keyed by the
// owner: here the container that holds each port, read back for the
// holders of a port in a conflict.
func Example_ownerData() {
	type container struct{ id, image string }
	byOwner := map[string]container{
		"web": {"c0ffee", "nginx:1.27"},
		"api": {"5ca1ab", "ghcr.io/acme/api:2.4"},
	}

	a := allocator.New(allocator.Policy{})
	a.Reserve("web", ports.MustParseEndpoint("8080/tcp"))
	_, err := a.Reserve("api", ports.MustParseEndpoint("8080-8081/tcp"))

	var ce *allocator.ConflictError
	if errors.As(err, &ce) {
		for _, h := range ce.Holders {
			c := byOwner[h.Owner]
			fmt.Printf("%v is held by %s (container %s, %s)\n", h.Endpoint, h.Owner, c.id, c.image)
		}
	}
	// Output:
	// 8080/tcp is held by web (container c0ffee, nginx:1.27)
}

// Ensure is the idempotent form of AllocateIn: run again, on the same
// allocator or on one restored from its snapshot, it returns what the owner
// holds instead of a second run.
func ExampleAllocator_Ensure() {
	a := allocator.New(allocator.Policy{Order: allocator.StableByKey})
	within := ports.MustParseEndpoint("127.0.0.1:40000-40999/tcp")
	r, held, _ := a.Ensure("billing", within, 1)
	fmt.Println(r, held)

	snap, _ := a.Snapshot()
	b := allocator.New(allocator.Policy{Order: allocator.StableByKey})
	_ = b.Restore(snap)
	r, held, _ = b.Ensure("billing", within, 1)
	fmt.Println(r, held, b.Len())
	port, _ := r.Port()
	fmt.Println(port)
	// Output:
	// "billing" 127.0.0.1:40124/tcp false
	// "billing" 127.0.0.1:40124/tcp true 1
	// 40124
}
