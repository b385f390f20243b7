package portscheme

import (
	"errors"
	"strconv"
)

// Sentinel errors. The typed errors of the package ([*PodError], [*Problem],
// [*EnvError]) unwrap to one of them, for [errors.Is]; the specifics are in
// the typed error's fields (the pod and slot asked for, the place in the
// Spec, the variable and its value) and its message.
var (
	// ErrNotInScheme: the scheme has no such language, kind, pod or slot
	// ([*PodError]), or a variable names a port other than the one the
	// scheme gives it ([*EnvError]).
	ErrNotInScheme = errors.New("portscheme: not in the scheme")
	// ErrInvalidSpec: a value of a [Spec] is wrong (slot count, name,
	// range, size, exposure, text) or given twice ([*Problem]).
	ErrInvalidSpec = errors.New("portscheme: invalid spec")
	// ErrOverlap: ranges of a scheme share ports, a kind reaches outside
	// its language, a service lies in a range, or ports of a scheme lie in
	// a range it was asked to avoid ([*Problem]).
	ErrOverlap = errors.New("portscheme: overlap")
	// ErrNotSet: PORT (the slot-0 variable) is not set, or the scheme names
	// no variables ([*EnvError]).
	ErrNotSet = errors.New("portscheme: variable not set")
	// ErrNotAPort: a variable's value is empty, not a decimal number or
	// above 65535 ([*EnvError]).
	ErrNotAPort = errors.New("portscheme: value not a port")
)

// PodError reports a pod or port that a [Scheme] does not have, as asked of
// [Scheme.Port], [Scheme.PodRange], [Scheme.Env] or [Scheme.ContainerPorts].
//
// It unwraps to [ErrNotInScheme]; Pod, Slot and Detail say what was asked
// and what the scheme has instead.
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
