package allocator

import (
	"strconv"

	"github.com/portalloc/ports"
)

// Reservation is an endpoint held by an owner. It is a small value type,
// comparable with ==, safe to copy and share; the zero Reservation holds
// nothing.
type Reservation struct {
	// Owner names who holds the endpoint: a service, a team, a test.
	Owner string `json:"owner"`
	// Endpoint is what is held: a protocol, a range of ports and, if not
	// every address, an address.
	Endpoint ports.Endpoint `json:"endpoint"`
}

// String returns the owner, quoted, and the endpoint, as in
// `"grafana" 0.0.0.0:3000/tcp`.
func (r Reservation) String() string {
	return strconv.Quote(r.Owner) + " " + r.Endpoint.String()
}

// Port returns the port of a reservation of one port, and false for a
// reservation of several ports or the zero Reservation.
func (r Reservation) Port() (ports.Port, bool) {
	if !r.Endpoint.IsValid() || r.Endpoint.Range().Len() != 1 {
		return 0, false
	}
	return r.Endpoint.Range().Lo(), true
}
