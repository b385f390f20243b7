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
	wsaeMFile          syscall.Errno = 10024
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
	case errors.Is(err, wsaeMFile):
		return kindNoFiles
	}
	return kindOther
}

// withDescriptorLimit returns err: Windows has no per-process limit to name.
func withDescriptorLimit(err error) error { return err }
