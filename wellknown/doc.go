// Package wellknown answers "what runs on this port?", "which port does
// this service use?" and "which ports does this image listen on?": it holds
// the whole IANA Service Name and Transport Protocol Port Number Registry, a
// curated table of the de-facto ports that widely used software listens on,
// the container images of that software, the ports to avoid, and the ports
// where such software collides.
//
//	for s := range wellknown.Lookup(9000, ports.TCP) {
//		fmt.Println(s) // cslistener 9000/tcp (IANA), clickhouse 9000/tcp (ClickHouse), …
//	}
//	for s := range wellknown.ForImage("docker.io/bitnami/postgresql:17") {
//		fmt.Println(s, s.Category()) // postgresql 5432/tcp (PostgreSQL) database
//	}
//
// The package is pure (no file, network or environment), has no start-up
// cost, and its lookups allocate nothing. A [Service] is a four-byte
// comparable handle into constant tables, in the manner of net/netip.
//
// # Lookups
//
// [Lookup] finds every service on a port and transport, from both tables,
// each marked by its [Service.Source]; a range matches every port in it.
// [ByName] finds services by name without regard to case, aliases included.
// [ForImage] finds the services of the software a container image runs,
// whatever its registry host, tag or digest. [All] iterates over
// everything. For k results, Lookup costs O(k) plus a scan of the few
// records filed near the port, ByName and ForImage O(len(key) + k).
//
// # The tables
//
// The IANA registry (updated [RegistryUpdated]) is there whole: every
// record with a port number, with its [Status]; the registry's notes that
// call a record an alias ("www" of "http") are kept as [Service.AliasOf].
// The de-facto table gives each entry a [Service.Project], a [Category] for
// tooling and a [Service.Reference] to the project's documentation.
//
// # Ports to avoid and collisions
//
// [BadPorts] returns the ports that browsers refuse to fetch from,
// [NodePortRange] the Kubernetes NodePort range, [SystemPorts] the System
// ports and [DeFactoPorts] every port of the de-facto table;
// hostports.Avoided unites them with a host's own ranges. [Collisions]
// lists the ports where two or more projects of the de-facto table meet,
// and [CollisionAt] finds the one at a port.
//
// The IANA registry is published under CC0 1.0 Universal
// (https://www.iana.org/help/licensing-terms).
package wellknown
