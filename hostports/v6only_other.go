//go:build darwin || freebsd

package hostports

// defaultV6Only returns -1: the starting IPV6_V6ONLY value of a socket is
// not read on this system (the BSDs start IPv6 sockets IPv6-only by
// default), so the probe always sets it.
func defaultV6Only() int { return -1 }
