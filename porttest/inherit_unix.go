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
