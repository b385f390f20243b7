package ports

import "strconv"

// parseError reports input that a ParseX function or an UnmarshalText method
// could not accept. Its message names the function, quotes the input and says
// what is wrong, in the style of net/netip.
type parseError struct {
	fn    string // "ParsePort", "ParseRange", ...
	in    string // the whole input, as given
	msg   string // what is wrong
	inner string // the part of the input at fault, if narrower than in
}

func (e *parseError) Error() string {
	s := "ports: " + e.fn + "(" + strconv.Quote(e.in) + "): "
	if e.inner != "" && e.inner != e.in {
		s += "in " + strconv.Quote(e.inner) + ": "
	}
	return s + e.msg
}
