//go:build linux && !amd64 && !386

package hostports

import "syscall"

const sysSetns = syscall.SYS_SETNS
