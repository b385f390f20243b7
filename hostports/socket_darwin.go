package hostports

import "syscall"

// socketCloexec opens a socket that a child process started at the same
// moment does not inherit (an inherited probe socket would hold the port).
// Darwin has no SOCK_CLOEXEC, so the socket is opened under the fork lock,
// as package net does.
func socketCloexec(family, typ int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := syscall.Socket(family, typ, 0)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(fd)
	return fd, nil
}
