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

// sockType cannot tell a socket's type here.
func sockType(*os.File) (int, bool) { return 0, false }

const sockStream = 1 // never compared: sockType cannot tell
