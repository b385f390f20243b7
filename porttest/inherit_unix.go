//go:build unix

package porttest

import (
	"os"
	"syscall"
)

func inheritFiles(n int, names []string) ([]*os.File, error) {
	files := make([]*os.File, n)
	for i := range n {
		fd := listenFDsStart + i
		syscall.CloseOnExec(fd)
		files[i] = os.NewFile(uintptr(fd), names[i])
	}
	return files, nil
}

// sockType returns the type of the socket f (syscall.SOCK_STREAM,
// SOCK_DGRAM, …), or false if it cannot tell.
func sockType(f *os.File) (int, bool) {
	t, err := syscall.GetsockoptInt(int(f.Fd()), syscall.SOL_SOCKET, syscall.SO_TYPE)
	return t, err == nil
}

const sockStream = syscall.SOCK_STREAM
