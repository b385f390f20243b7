//go:build darwin || freebsd

package hostports

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"

	"github.com/portalloc/ports"
)

func readHost() (Limits, error) {
	l, _ := Defaults(runtime.GOOS)
	r, err := sysctlRange()
	if err != nil {
		return l, err
	}
	l.EphemeralTCP, l.EphemeralUDP = r, r
	return l, nil
}

// sysctlRange reads net.inet.ip.portrange.first and last with sysctl(3),
// and falls back to running sysctl(8) if that fails.
func sysctlRange() (ports.Range, error) {
	first, err1 := syscall.SysctlUint32(sysctlFirst)
	last, err2 := syscall.SysctlUint32(sysctlLast)
	if err := errors.Join(err1, err2); err == nil {
		r, err := bsdRange(first, last)
		if err == nil {
			return r, nil
		}
	}
	out, err := exec.Command("sysctl", sysctlFirst, sysctlLast).Output()
	if err != nil {
		return ports.Range{}, fmt.Errorf("hostports: reading %s and %s: %w", sysctlFirst, sysctlLast, err)
	}
	return ParseSysctlPortRange(string(out))
}
