package manifest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// ErrUnknownFormat is what [Loader.Read] and [Loader.Load] return (wrapped
// in an [*Error]) for a file that is neither a compose file, Kubernetes
// manifests nor a port registry.
var ErrUnknownFormat = errors.New("not a compose file, Kubernetes manifest or port registry")

// Error is a fault in a file: the file, the line and column where it is
// (0 when unknown), the YAML document of a multi-document file (counted from
// 0), and what is wrong. Its message reads
//
//	manifest: compose.yaml:12:9: service "web": port "abc:80": invalid host port "abc"
//
// Err, if not nil, is the underlying error (from the YAML parser, from the
// compose loader, or a sentinel such as [ErrUnknownFormat]); Error unwraps
// to it. The zero Error has no position and an empty message. An Error is
// not changed once returned: safe for concurrent reads.
type Error struct {
	File   string
	Line   int
	Column int
	Doc    int
	Msg    string
	Err    error
}

// Error returns "manifest: FILE:LINE:COLUMN: MSG: ERR", leaving out what is
// unknown or empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("manifest: ")
	if e.File != "" || e.Line > 0 {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Column))
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// detailError is a parse error of package ports shown by what it was
// parsing and its Detail, without the package and function, which mean
// nothing to the writer of a file; with what empty, the message around it
// quotes the input already, and only what is wrong is shown. It unwraps to
// the parse error.
type detailError struct {
	what string
	err  *ports.ParseError
}

func (e *detailError) Error() string {
	if e.what == "" {
		return strings.TrimPrefix(e.err.Detail(), strconv.Quote(e.err.Input)+": ")
	}
	return e.what + " " + e.err.Detail()
}

func (e *detailError) Unwrap() error { return e.err }

// withDetail returns err, a parse error of what (or of the input the
// message quotes already, if what is empty), as a *detailError, or wrapped
// as it is if it is not a parse error of package ports.
func withDetail(what string, err error) error {
	var pe *ports.ParseError
	switch {
	case errors.As(err, &pe):
		return &detailError{what, pe}
	case what == "":
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// plainParseError returns the message of a parse error of package ports
// without the names of the package and the function, which mean nothing to
// the writer of a file: `"70000": out of range; …` for
// `ports: ParseRange("70000"): out of range; …`. Other errors are as they
// are.
func plainParseError(err error) string {
	var pe *ports.ParseError
	if errors.As(err, &pe) {
		return pe.Detail()
	}
	return err.Error()
}
