//go:build unix

package hostports

import (
	"errors"
	"syscall"
)

func errKindOf(err error) errKind {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return kindInUse
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return kindAccess
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return kindAddrNotAvail
	case errors.Is(err, syscall.EAFNOSUPPORT), errors.Is(err, syscall.EPROTONOSUPPORT):
		return kindNoFamily
	}
	return kindOther
}
