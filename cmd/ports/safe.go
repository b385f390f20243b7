package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safe returns s fit for a terminal: control characters but the tab (ESC,
// CR, NUL, newlines, the C1 controls…), invalid UTF-8 and the characters that
// reorder text (bidirectional overrides) are written as Go escapes, so that
// a name read from a file cannot move the cursor, clear the screen or
// forge a line of output. Text without them is returned as it is.
func safe(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i]), 16))
			continue
		}
		if unsafeRune(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a terminal as it is.
func unsafeRune(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) && r != '\t' || unicode.Is(unicode.Bidi_Control, r) ||
		r == '\u2028' || r == '\u2029'
}
