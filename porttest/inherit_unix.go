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

// isStream reports whether f is a connection-oriented socket (stream or
// seqpacket, which a listener accepts on), and whether it can tell.
func isStream(f *os.File) (stream, ok bool) {
	t, err := syscall.GetsockoptInt(int(f.Fd()), syscall.SOL_SOCKET, syscall.SO_TYPE)
	return t == syscall.SOCK_STREAM || t == syscall.SOCK_SEQPACKET, err == nil
}
