package hostports

import (
	"net/netip"

	"github.com/google/go-cmp/cmp"
)

// socketCmp compares the netip values of sockets by ==.
var socketCmp = cmp.Options{
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}
