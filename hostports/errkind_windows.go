package hostports

import (
	"errors"
	"syscall"
)

// Winsock error numbers that the syscall package does not name.
const (
	wsaeAddrInUse      syscall.Errno = 10048
	wsaeAddrNotAvail   syscall.Errno = 10049
	wsaeAFNoSupport    syscall.Errno = 10047
	wsaeProtoNoSupport syscall.Errno = 10043
)

func errKindOf(err error) errKind {
	switch {
	case errors.Is(err, wsaeAddrInUse):
		return kindInUse
	case errors.Is(err, syscall.WSAEACCES):
		return kindAccess
	case errors.Is(err, wsaeAddrNotAvail):
		return kindAddrNotAvail
	case errors.Is(err, wsaeAFNoSupport), errors.Is(err, wsaeProtoNoSupport):
		return kindNoFamily
	}
	return kindOther
}
