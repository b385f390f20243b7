package hostports

import (
	"os"
	"strings"
	"sync"
)

// defaultV6Only returns the IPV6_V6ONLY value a new IPv6 socket starts
// with: net.ipv6.bindv6only, read once (0 unless an administrator changed
// it). A socket that starts with the value the probe wants needs no
// setsockopt. It returns -1, so that the option is always set, if the
// setting cannot be read.
var defaultV6Only = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/net/ipv6/bindv6only")
	if err != nil {
		return -1
	}
	switch strings.TrimSpace(string(b)) {
	case "0":
		return 0
	case "1":
		return 1
	}
	return -1
})
