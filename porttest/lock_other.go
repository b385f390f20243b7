//go:build !darwin && !dragonfly && !freebsd && !linux && !netbsd && !openbsd && !windows

package porttest

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/portalloc/ports"
)

type lockFile struct{}

func lockPort(dir string, p ports.Port) (*lockFile, error) {
	return nil, fmt.Errorf("porttest: leasing port %d: file locks are not available on %s: %w", p, runtime.GOOS, errors.ErrUnsupported)
}

func (l *lockFile) unlock() error { return nil }
