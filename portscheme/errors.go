package portscheme

import (
	"errors"
	"strconv"
)

// Sentinel errors. The typed errors of the package ([*PodError], [*Problem],
// [*EnvError]) unwrap to one of them, so that callers can tell cases apart
// with [errors.Is].
var (
	// ErrUnknownLanguage: the scheme has no language of that name.
	ErrUnknownLanguage = errors.New("portscheme: unknown language")
	// ErrUnknownKind: the language has no kind of that name.
	ErrUnknownKind = errors.New("portscheme: unknown kind")
	// ErrIndex: a pod index is negative or beyond the kind's capacity.
	ErrIndex = errors.New("portscheme: pod index beyond capacity")
	// ErrSlot: a slot is beyond the slot count, or cannot be used as asked.
	ErrSlot = errors.New("portscheme: bad slot")

	// ErrSlotCount: the slot count is below 1 or above 65536.
	ErrSlotCount = errors.New("portscheme: bad slot count")
	// ErrName: a name is empty or not of the required form.
	ErrName = errors.New("portscheme: bad name")
	// ErrDuplicate: a name, slot, variable or port is given twice.
	ErrDuplicate = errors.New("portscheme: duplicate")
	// ErrRange: a range is missing, malformed or inverted.
	ErrRange = errors.New("portscheme: bad range")
	// ErrBeyond: a port lies beyond 65535.
	ErrBeyond = errors.New("portscheme: port beyond 65535")
	// ErrSize: a range's size is not a multiple of the slot count.
	ErrSize = errors.New("portscheme: size not a multiple of the slot count")
	// ErrOutside: a kind's range is not inside its language's range.
	ErrOutside = errors.New("portscheme: kind outside its language")
	// ErrOverlap: two ranges of the scheme, or a service and a range, share
	// ports.
	ErrOverlap = errors.New("portscheme: overlap")
	// ErrExposure: an exposure is unknown.
	ErrExposure = errors.New("portscheme: bad exposure")
	// ErrEnvBase: roles name environment variables but slot 0 has none to
	// derive their defaults from.
	ErrEnvBase = errors.New("portscheme: no base variable")
	// ErrAvoided: ports of the scheme lie in a range it was asked to avoid.
	ErrAvoided = errors.New("portscheme: in an avoided range")
	// ErrText: a title, purpose or description is not valid UTF-8, which
	// the JSON form could not carry exactly.
	ErrText = errors.New("portscheme: text not UTF-8")

	// ErrMissing: PORT (the slot-0 variable) is not set.
	ErrMissing = errors.New("portscheme: variable not set")
	// ErrMalformed: a variable's value is not a decimal number.
	ErrMalformed = errors.New("portscheme: malformed value")
	// ErrOutOfRange: a variable's value is a number above 65535.
	ErrOutOfRange = errors.New("portscheme: value out of range")
	// ErrContradicts: a variable's value is a port, but not the one the
	// scheme gives it.
	ErrContradicts = errors.New("portscheme: value contradicts the scheme")
)

// PodError reports a pod or port that a [Scheme] does not have, as asked of
// [Scheme.Port], [Scheme.PodRange], [Scheme.Env] or [Scheme.ContainerPorts].
//
// It unwraps to [ErrUnknownLanguage], [ErrUnknownKind], [ErrIndex] or
// [ErrSlot].
type PodError struct {
	Pod     Pod    // the pod asked for
	Slot    Slot   // the slot asked for, if HasSlot
	HasSlot bool   // whether a slot was part of the request
	Err     error  // the sentinel
	Detail  string // what stood in the way and what the scheme has instead
}

// Error returns "portscheme: " followed by the pod, the slot if one was
// asked for, and the detail, as "portscheme: go/saga/3 slot 0: pod index 3
// is beyond the capacity of go/saga: 3 pods (indexes 0-2) in 50260-50289".
func (e *PodError) Error() string {
	s := "portscheme: " + e.Pod.String()
	if e.HasSlot {
		s += " slot " + strconv.Itoa(int(e.Slot))
	}
	return s + ": " + e.Detail
}

// Unwrap returns the sentinel.
func (e *PodError) Unwrap() error { return e.Err }
