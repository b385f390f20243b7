package hostports

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/portalloc/ports"
)

// Paths of the Linux sysctl files, relative to the root of a procfs.
const (
	procPortRange       = "sys/net/ipv4/ip_local_port_range"
	procReservedPorts   = "sys/net/ipv4/ip_local_reserved_ports"
	procUnprivilegedMin = "sys/net/ipv4/ip_unprivileged_port_start"
)

// ReadProcFS reads the Linux limits from fsys, a file system rooted where
// procfs is mounted (os.DirFS("/proc") for the running host):
//
//   - sys/net/ipv4/ip_local_port_range, the ephemeral range, used for TCP
//     and UDP alike (see [ParseLinuxPortRange]); this file must exist;
//   - sys/net/ipv4/ip_local_reserved_ports, Limits.Reserved (Linux 2.6.35
//     and later; see [ParseLinuxReservedPorts]);
//   - sys/net/ipv4/ip_unprivileged_port_start, the start of the
//     unprivileged ports (Linux 4.11 and later; see
//     [ParseLinuxUnprivilegedPortStart]).
//
// The kernel keeps these values per network namespace and shows each
// process those of its own namespace, whatever /proc it reads; see
// [ReadNetns] for another namespace. A missing optional file is replaced by
// its default and noted in Limits.Defaulted. On any other failure
// ReadProcFS returns the Linux defaults and an error that names the file.
func ReadProcFS(fsys fs.FS) (Limits, error) {
	l, _ := Defaults("linux")
	b, err := fs.ReadFile(fsys, procPortRange)
	if err != nil {
		return l, fmt.Errorf("hostports: reading the ephemeral port range: %w", err)
	}
	r, err := ParseLinuxPortRange(string(b))
	if err != nil {
		return l, fmt.Errorf("hostports: reading %s: %w", procPortRange, err)
	}
	out := Limits{GOOS: "linux", EphemeralTCP: r, EphemeralUDP: r, Privileged: l.Privileged}

	switch b, err := fs.ReadFile(fsys, procReservedPorts); {
	case errors.Is(err, fs.ErrNotExist):
		out.Defaulted = append(out.Defaulted, procReservedPorts+" does not exist (Linux before 2.6.35); no ports reserved")
	case err != nil:
		return l, fmt.Errorf("hostports: reading the reserved ports: %w", err)
	default:
		set, err := ParseLinuxReservedPorts(string(b))
		if err != nil {
			return l, fmt.Errorf("hostports: reading %s: %w", procReservedPorts, err)
		}
		out.Reserved = set
	}

	switch b, err := fs.ReadFile(fsys, procUnprivilegedMin); {
	case errors.Is(err, fs.ErrNotExist):
		out.Defaulted = append(out.Defaulted, procUnprivilegedMin+" does not exist (Linux before 4.11); privileged ports are 0-1023")
	case err != nil:
		return l, fmt.Errorf("hostports: reading the unprivileged port start: %w", err)
	default:
		p, err := ParseLinuxUnprivilegedPortStart(string(b))
		if err != nil {
			return l, fmt.Errorf("hostports: reading %s: %w", procUnprivilegedMin, err)
		}
		out.Privileged = privilegedBelow(p)
	}
	return out, nil
}

// privilegedBelow returns the ports below start: 0 to start-1, or none.
func privilegedBelow(start ports.Port) ports.RangeSet {
	if start == 0 {
		return ports.RangeSet{}
	}
	return ports.RangeSetOf(ports.RangeFrom(0, start-1))
}
