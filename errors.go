package ports

import "strconv"

// ParseError reports input that a ParseX function or an UnmarshalText
// method could not accept, or a [Protocol] that MarshalText and AppendText
// cannot write. Its Error names the function, quotes the input
// and says what is wrong, in the style of net/netip:
//
//	ports: ParseRange("9000-8000"): low port 9000 is above high port 8000
//
// A program that shows the error to people who never called the function,
// such as the users of a command, can show [ParseError.Detail] instead.
type ParseError struct {
	Func  string // "ParsePort", "ParseRange", "Range.UnmarshalText", …
	Input string // the whole input, as given
	Part  string // the part of Input at fault, if narrower than Input; else ""
	Msg   string // what is wrong
}

// Error returns the package, the function, the input quoted, the part at
// fault if narrower than the input, and what is wrong.
func (e *ParseError) Error() string {
	return "ports: " + e.Func + "(" + strconv.Quote(e.Input) + "): " + e.what()
}

// Detail returns the error without the package and the function: the input
// quoted, the part at fault if narrower than the input, and what is wrong,
// as in `"9000-8000": low port 9000 is above high port 8000`.
func (e *ParseError) Detail() string {
	return strconv.Quote(e.Input) + ": " + e.what()
}

// what returns the part at fault, if narrower than the input, and what is
// wrong.
func (e *ParseError) what() string {
	if e.Part != "" && e.Part != e.Input {
		return "in " + strconv.Quote(e.Part) + ": " + e.Msg
	}
	return e.Msg
}
