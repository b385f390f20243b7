package hostports

import (
	"fmt"

	"github.com/portalloc/ports"
)

// bsdRange turns the values of net.inet.ip.portrange.first and last, as
// sysctl(3) gives them, into the range they bound; see
// [ParseSysctlPortRange] for the order.
func bsdRange(first, last uint32) (ports.Range, error) {
	if first > uint32(ports.MaxPort) || last > uint32(ports.MaxPort) {
		return ports.Range{}, fmt.Errorf("hostports: %s=%d, %s=%d: out of range; ports go from 0 to 65535", sysctlFirst, first, sysctlLast, last)
	}
	if first == 0 || last == 0 {
		return ports.Range{}, fmt.Errorf("hostports: %s=%d, %s=%d: %s", sysctlFirst, first, sysctlLast, last, zeroStart)
	}
	lo, hi := ports.Port(min(first, last)), ports.Port(max(first, last))
	return ports.RangeFrom(lo, hi), nil
}
