//go:build windows

package hostports

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"github.com/portalloc/ports"
)

func readHost() (Limits, error) {
	l, _ := Defaults("windows")
	var errs []error
	for _, proto := range []ports.Protocol{ports.TCP, ports.UDP} {
		r, err := netshDynamic(proto)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if proto == ports.TCP {
			l.EphemeralTCP = r
		} else {
			l.EphemeralUDP = r
		}
	}
	if len(errs) > 0 {
		d, _ := Defaults("windows")
		return d, errors.Join(errs...)
	}
	for _, proto := range []ports.Protocol{ports.TCP, ports.UDP} {
		for _, family := range []string{"ipv4", "ipv6"} {
			rows, err := netshExcluded(family, proto)
			if err != nil {
				l.Defaulted = append(l.Defaulted, err.Error()+"; taken as no "+family+" exclusions")
				continue
			}
			l.addExclusions(proto, rows)
		}
	}
	return l, nil
}

func netsh(args ...string) (string, error) {
	cmd := exec.Command("netsh", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true} // no console flash in GUI programs
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("hostports: running netsh %v: %w", args, err)
	}
	return string(out), nil
}

func netshDynamic(proto ports.Protocol) (ports.Range, error) {
	out, err := netsh("int", "ipv4", "show", "dynamicport", proto.String())
	if err != nil {
		return ports.Range{}, err
	}
	r, err := ParseNetshDynamicPortRange(out)
	if err != nil {
		return r, fmt.Errorf("reading the output of netsh int ipv4 show dynamicport %s: %w", proto, err)
	}
	return r, nil
}

func netshExcluded(family string, proto ports.Protocol) ([]Exclusion, error) {
	out, err := netsh("int", family, "show", "excludedportrange", "protocol="+proto.String())
	if err != nil {
		return nil, err
	}
	return ParseNetshExclusions(out, proto)
}
