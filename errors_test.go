package ports

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseErrorFields checks that every parser reports a *ParseError with
// its function, input, part at fault and reason, and that Detail is Error
// without the package and function.
func TestParseErrorFields(t *testing.T) {
	var r Range
	var p Port
	for _, tt := range []struct {
		err  error
		want ParseError
	}{
		{func() error { _, err := ParsePort("70000"); return err }(), ParseError{Func: "ParsePort", Input: "70000", Msg: "out of range; ports go from 0 to 65535"}},
		{func() error { _, err := ParseRange("9-1"); return err }(), ParseError{Func: "ParseRange", Input: "9-1", Msg: "low port 9 is above high port 1"}},
		{func() error { _, err := ParseRangeSet("1,,2"); return err }(), ParseError{Func: "ParseRangeSet", Input: "1,,2", Msg: "empty element in list"}},
		{func() error { _, err := ParseProtocol("icmp"); return err }(), ParseError{Func: "ParseProtocol", Input: "icmp", Msg: "unknown protocol; want tcp, udp, sctp or dccp"}},
		{r.UnmarshalText([]byte("x")), ParseError{Func: "Range.UnmarshalText", Input: "x", Msg: "unexpected character 'x'; want a decimal number from 0 to 65535"}},
		{p.UnmarshalText([]byte("")), ParseError{Func: "Port.UnmarshalText", Input: "", Msg: "empty port number"}},
	} {
		var pe *ParseError
		if !errors.As(tt.err, &pe) {
			t.Errorf("%v: not a *ParseError", tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, *pe); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.err, diff)
		}
		q := strconv.Quote(pe.Input)
		if !strings.HasPrefix(pe.Detail(), q+": ") || pe.Error() != "ports: "+pe.Func+"("+q+"): "+strings.TrimPrefix(pe.Detail(), q+": ") {
			t.Errorf("Error %q and Detail %q disagree", pe.Error(), pe.Detail())
		}
	}
}
