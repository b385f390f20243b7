package wellknown

import "github.com/portalloc/ports"

// badPorts is the Fetch standard's list of bad ports
// (https://fetch.spec.whatwg.org/#bad-port), as of its 2025 revision, which
// added port 0; 4190 and 6679 were added in 2024.
var badPorts = [...]uint16{
	0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77,
	79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123,
	135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530,
	531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995,
	1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665,
	6666, 6667, 6668, 6669, 6679, 6697, 10080,
}

// BadPorts returns the ports that browsers refuse to fetch from: the "bad
// ports" of the Fetch standard (https://fetch.spec.whatwg.org/#bad-port),
// 0, 1, 7, 9 … 6697, 10080. A web server on one of them cannot be reached
// from a browser: fetch, XMLHttpRequest and navigation fail with a network
// error before any connection is made.
//
// Each call returns a new set.
func BadPorts() ports.RangeSet {
	var b ports.RangeSetBuilder
	for _, p := range badPorts {
		b.AddPort(ports.Port(p))
	}
	return b.RangeSet()
}

// NodePortRange returns the default range of Kubernetes NodePort services,
// 30000-32767 (the API server's --service-node-port-range). A NodePort
// service opens its port on every node of the cluster. Its
// [ports.Range.Set] combines with the sets of this file:
// BadPorts().Union(NodePortRange().Set()).
func NodePortRange() ports.Range {
	return ports.RangeFrom(30000, 32767)
}

// SystemPorts returns the System ports, 0-1023: the ports that Unix-like
// systems let only privileged processes bind by default, and that IANA
// assigns only through IETF Review or IESG Approval.
func SystemPorts() ports.RangeSet {
	return ports.RangeSetOf(ports.System.Range())
}

// DeFactoPorts returns every port of the de-facto table on transport proto
// (every transport if proto is zero): the ports that developers' machines
// are likely to have busy, to avoid when choosing ports for tests or new
// services.
//
// Each call returns a new set.
func DeFactoPorts(proto ports.Protocol) ports.RangeSet {
	var b ports.RangeSetBuilder
	for _, i := range defactoRecords {
		r := &records[i]
		if proto == 0 || (proto <= ports.DCCP && r.protos&(1<<proto) != 0) {
			b.Add(ports.RangeFrom(ports.Port(r.lo), ports.Port(r.hi)))
		}
	}
	return b.RangeSet()
}
