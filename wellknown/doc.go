// Package wellknown answers "what runs on this port?" and "which port does
// this service use?": it holds the whole IANA Service Name and Transport
// Protocol Port Number Registry, a curated table of the de-facto ports that
// today's software listens on, the ports to avoid, and the ports where
// widely used software collides.
//
//	for s := range wellknown.Lookup(9000, ports.TCP) {
//		fmt.Println(s) // cslistener 9000/tcp (IANA), clickhouse 9000/tcp (ClickHouse), …
//	}
//	for s := range wellknown.ByName("postgres") {
//		fmt.Println(s.Range()) // 5432
//	}
//
// It builds on the value types of package [github.com/portalloc/ports]. It is
// pure: it reads no file, no network and no environment.
//
// # The tables
//
// The IANA registry (updated [RegistryUpdated]) is embedded whole: every
// record that has a port number, single ports and ranges (x11 is 6000-6063),
// on all four transports, with its service name, description and status
// ([Assigned], [Reserved], [Unassigned]); records that name no transport
// apply to all. The registry's 1,070 records without a number (service names
// registered for DNS-SD only) are left out. The registry's notes that call a
// record an alias or a duplicate of another ("www" of "http") are kept as
// [Service.AliasOf].
//
// The de-facto table lists well over a hundred ports that widely used
// software listens on by default (Grafana 3000, Prometheus 9090, MinIO
// 9000/9001, Kafka 9092, Vite 5173, Kubernetes 6443 and 10250, OTLP 4317 and
// 4318, macOS AirPlay 5000/7000, …), each with the project, a [Category] for
// tooling, and a [Service.Reference] to the project's documentation. Its
// names include the names developers use ("postgres", "mariadb", "valkey").
//
// Both tables are generated, by go generate, from files in internal/data: a
// gzip copy of the registry's XML and the text of the de-facto table. They
// are packed into arrays of constants: one string table, fixed-size records
// sorted by port, a hash table of names. A program that calls the lookups
// grows by about 430 KB; one that imports the package only for
// [NodePortRange] or [BadPorts] carries none of the tables, the linker drops
// them. There is no init function and no variable built at start-up, so the
// tables cost nothing until they are read, and the lookups allocate nothing.
// [Service] is a four-byte handle into the tables, in the manner of
// net/netip: its accessors read them.
//
// # Lookups
//
// [Lookup] finds every service on a port and transport, from both tables,
// each marked by its [Service.Source]; a range matches every port in it.
// [ByName] finds services by name, without regard to case, aliases
// included. [All] iterates over everything. Lookup and ByName cost a few
// tens of nanoseconds; on the names /etc/services knows, ByName is about a
// thousand times faster than net.LookupPort with its default resolver (the
// C library's, where cgo is available), and on a par with the pure Go
// resolver's map.
//
// # Ports to avoid
//
// [BadPorts] returns the ports that browsers refuse to fetch from (the
// Fetch standard's bad ports), [NodePortRange] the Kubernetes NodePort
// range 30000-32767, [SystemPorts] the System ports 0-1023, and
// [DeFactoPorts] every port of the de-facto table, which test harnesses
// avoid so as not to collide with what runs on a developer's machine.
//
// # Collisions
//
// [Collisions] lists the ports where two or more projects of the de-facto
// table meet (3000, 8080, 9000, 9092, 9093, 9100, 5000, 7000, …), and
// [CollisionAt] finds the one at a port. They are derived from the de-facto
// table when it is generated, never written down twice.
//
// # Licence
//
// The IANA registry is published under CC0 1.0 Universal
// (https://www.iana.org/help/licensing-terms). Its copy in internal/data is
// unmodified.
package wellknown
