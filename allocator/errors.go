package allocator

import (
	"errors"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// The sentinel errors that the typed errors of the package unwrap to; test
// for them with [errors.Is].
var (
	// ErrConflict: the endpoint asked for conflicts with one already held.
	// A *[ConflictError] carries the detail.
	ErrConflict = errors.New("allocator: conflict")
	// ErrExhausted: no free run of the size asked for is left in the range.
	// An *[ExhaustedError] carries the detail.
	ErrExhausted = errors.New("allocator: exhausted")
	// ErrInvalid: the request itself is wrong (an invalid endpoint or range,
	// an unknown protocol, an empty owner, a run length of 0 or longer than
	// its range). The error's message names the input and what is wrong.
	ErrInvalid = errors.New("allocator: invalid request")
)

// ConflictError reports a reservation refused because it conflicts, by
// [ports.Endpoint.Conflicts], with reservations already held. It names every
// one of them. Its zero value names nothing; once returned it is not changed
// by the allocator, so it may be read from any goroutine.
type ConflictError struct {
	// Request is what was asked for.
	Request Reservation
	// Holders are all the reservations that conflict with Request, in the
	// order of [ports.Endpoint.Compare].
	Holders []Reservation
	// Suggestion is the free endpoint nearest to Request with the same
	// protocol, address and number of ports, outside the policy's avoid set:
	// the closest free run above or below (the lower on a tie). It is the
	// zero Endpoint if no run of that size is free anywhere.
	Suggestion ports.Endpoint
}

// Error returns a message naming the request, every holder and the
// suggestion, such as
//
//	allocator: cannot reserve 3000/tcp for "webapp": held by "grafana" (0.0.0.0:3000/tcp); nearest free: 3001/tcp
func (e *ConflictError) Error() string {
	var b strings.Builder
	b.WriteString("allocator: cannot reserve ")
	b.WriteString(e.Request.Endpoint.String())
	b.WriteString(" for ")
	b.WriteString(strconv.Quote(e.Request.Owner))
	b.WriteString(": held by ")
	for i, h := range e.Holders {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(h.Owner))
		b.WriteString(" (")
		b.WriteString(h.Endpoint.String())
		b.WriteString(")")
	}
	if e.Suggestion.IsValid() {
		b.WriteString("; nearest free: ")
		b.WriteString(e.Suggestion.String())
	} else {
		b.WriteString("; no run of that size is free")
	}
	return b.String()
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ExhaustedError reports an allocation that found no free run: it says what
// was searched and why nothing fit. Its zero value says nothing; once
// returned it is not changed, so it may be read from any goroutine.
type ExhaustedError struct {
	// Owner is the owner the run was asked for.
	Owner string
	// Within holds the protocol, the address and the range searched.
	Within ports.Endpoint
	// Len is the number of consecutive ports asked for.
	Len int
	// Taken is the number of ports of the range that allocation cannot use:
	// held by a reservation that conflicts with the address, or avoided.
	Taken int
	// Avoided is the number of ports of the range in the policy's avoid set,
	// held or not, port 0 included.
	Avoided int
	// Longest is the length of the longest free run in the range, shorter
	// than Len.
	Longest int
}

// Error returns a message such as
//
//	allocator: no free run of 16 ports in 8000-8100/tcp for "api": 95 of 101 ports are taken (15 avoided by policy, 80 more held); the longest free run is 6 ports
func (e *ExhaustedError) Error() string {
	var b strings.Builder
	b.WriteString("allocator: no free ")
	if e.Len == 1 {
		b.WriteString("port")
	} else {
		b.WriteString("run of ")
		b.WriteString(strconv.Itoa(e.Len))
		b.WriteString(" ports")
	}
	b.WriteString(" in ")
	b.WriteString(e.Within.String())
	b.WriteString(" for ")
	b.WriteString(strconv.Quote(e.Owner))
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Taken))
	b.WriteString(" of ")
	b.WriteString(strconv.Itoa(e.Within.Range().Len()))
	b.WriteString(" ports are taken (")
	b.WriteString(strconv.Itoa(e.Avoided))
	b.WriteString(" avoided by policy, ")
	b.WriteString(strconv.Itoa(e.Taken - e.Avoided))
	b.WriteString(" more held); the longest free run is ")
	b.WriteString(strconv.Itoa(e.Longest))
	if e.Longest == 1 {
		b.WriteString(" port")
	} else {
		b.WriteString(" ports")
	}
	return b.String()
}

// Unwrap returns [ErrExhausted].
func (e *ExhaustedError) Unwrap() error { return ErrExhausted }

// invalidError reports bad input; it unwraps to ErrInvalid.
type invalidError struct {
	op, msg string
}

func (e *invalidError) Error() string { return "allocator: " + e.op + ": " + e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalid(op string, parts ...string) error {
	return &invalidError{op: op, msg: strings.Join(parts, "")}
}
