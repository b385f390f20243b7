package hostports

import (
	"os"
	"strconv"
	"strings"
)

// canBindPrivileged reports whether this process has CAP_NET_BIND_SERVICE
// in its effective set (root has it unless it was dropped).
func canBindPrivileged() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return os.Geteuid() == 0
	}
	return capEffHas(string(b), 10) // CAP_NET_BIND_SERVICE
}

// capEffHas reports whether the CapEff line of a /proc/PID/status has
// capability bit.
func capEffHas(status string, bit uint) bool {
	i := strings.Index(status, "\nCapEff:")
	if i < 0 {
		return false
	}
	f := strings.Fields(status[i+8:])
	if len(f) == 0 {
		return false
	}
	v, err := strconv.ParseUint(f[0], 16, 64)
	return err == nil && v&(1<<bit) != 0
}
