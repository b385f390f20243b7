//go:build !linux

package portserver

import (
	"errors"
	"os"
	"syscall"
)

// processStart reports whether process pid exists; where the system does
// not tell a process's start time, a reused ID is taken for the process.
func processStart(pid int) (uint64, bool) {
	return 0, processAlive(pid, 0)
}

// processAlive reports whether a process pid exists.
func processAlive(pid int, _ uint64) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EPERM)
}
