//go:build !unix

package porttest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

func inheritFiles(n int, names []string) ([]*os.File, error) {
	if n == 0 {
		return nil, nil
	}
	return nil, fmt.Errorf("porttest: inheriting sockets is not possible on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// isStream cannot tell a socket's type here.
func isStream(*os.File) (stream, ok bool) { return false, false }
