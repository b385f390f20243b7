//go:build !linux && !darwin && !freebsd && !windows

package hostports

import (
	"errors"
	"fmt"
	"runtime"
)

func readHost() (Limits, error) {
	l, _ := Defaults(runtime.GOOS)
	return l, fmt.Errorf("hostports: reading the port limits of %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
