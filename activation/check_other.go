//go:build !unix

package activation

import (
	"os"
	"runtime"
)

// checkInherited refuses every descriptor: this system passes none.
func checkInherited(int) string {
	return "cannot be inherited on " + runtime.GOOS
}

// isStream cannot tell a socket's type here.
func isStream(*os.File) (stream, ok bool) { return false, false }
