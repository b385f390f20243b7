//go:build !linux

package hostports

import (
	"errors"
	"fmt"
)

// ReadNetns reads the Linux limits of another network namespace, named by a
// namespace file: /proc/PID/ns/net for the namespace of process PID, or
// /run/netns/NAME for one made by "ip netns add NAME". On this system,
// which has no network namespaces, it returns an error that wraps
// [errors.ErrUnsupported].
func ReadNetns(path string) (Limits, error) {
	return Limits{}, fmt.Errorf("hostports: ReadNetns(%q): network namespaces are a Linux feature: %w", path, errors.ErrUnsupported)
}
