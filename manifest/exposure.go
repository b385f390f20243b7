package manifest

// Each reader derives a port's exposure from what its format says, since a
// file rarely says it outright. A port published on the host is judged by
// the address it is bound to (exposureOfAddr): a compose port, and a
// Kubernetes hostPort by its hostIP. A compose expose entry, a Service port
// on its cluster IP and a containerPort are Internal: only other containers
// or pods reach them (an expose entry of a service on the host network is
// Public, as a published port on every address). A LoadBalancer Service's
// port, a nodePort and a port of a hostNetwork pod are Public, bound where
// the outside reaches. A registry entry's exposure is what it writes, and
// zero when it writes none.

import (
	"net/netip"
	"strconv"
)

// Exposure is who can reach a declared port: the three zones of the
// firewall view that hand-kept port documents write by hand.
//
// The zero value means "not said": a registry entry without an exposure.
type Exposure uint8

// The exposures, from the widest.
const (
	// Public: reachable from outside the host or cluster (a compose port
	// published on every interface, a nodePort, a LoadBalancer Service).
	Public Exposure = iota + 1
	// Internal: reachable by other services on the host's, the project's
	// or the cluster's own networks only (an expose entry, a ClusterIP
	// Service, a compose port bound to a private address).
	Internal
	// Localhost: reachable from the host itself only (bound to 127.0.0.1
	// or ::1).
	Localhost
)

// ParseExposure parses "public", "internal" or "localhost" ("localhost-only"
// is accepted for the last).
func ParseExposure(s string) (Exposure, error) {
	switch s {
	case "public":
		return Public, nil
	case "internal":
		return Internal, nil
	case "localhost", "localhost-only":
		return Localhost, nil
	}
	return 0, &Error{Msg: "unknown exposure " + strconv.Quote(s) + "; want public, internal or localhost"}
}

// String returns "public", "internal" or "localhost"; "unspecified" for the
// zero value and "Exposure(N)" for any other.
func (e Exposure) String() string {
	switch e {
	case 0:
		return "unspecified"
	case Public:
		return "public"
	case Internal:
		return "internal"
	case Localhost:
		return "localhost"
	}
	return "Exposure(" + strconv.Itoa(int(e)) + ")"
}

// exposureOfAddr is the exposure of a port published on the host at addr:
// loopback is Localhost; a private or link-local address is Internal;
// every other address, and every address at once (the zero Addr or an
// unspecified one), is Public.
func exposureOfAddr(addr netip.Addr) Exposure {
	switch {
	case !addr.IsValid() || addr.IsUnspecified():
		return Public
	case addr.IsLoopback():
		return Localhost
	case addr.IsPrivate() || addr.IsLinkLocalUnicast():
		return Internal
	}
	return Public
}
