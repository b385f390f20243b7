//go:build linux || freebsd

package hostports

import "syscall"

// socketCloexec opens a socket that a child process started at the same
// moment does not inherit (an inherited probe socket would hold the port).
func socketCloexec(family, typ int) (int, error) {
	return syscall.Socket(family, typ|syscall.SOCK_CLOEXEC, 0)
}
