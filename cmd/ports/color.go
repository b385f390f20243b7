package main

import "os"

// colorFor reports whether output to f should carry ANSI colour: only when f
// is a terminal, and never when NO_COLOR is set (https://no-color.org) or
// TERM is "dumb".
func colorFor(f *os.File, lookupEnv func(string) (string, bool)) bool {
	if v, ok := lookupEnv("NO_COLOR"); ok && v != "" {
		return false
	}
	if v, _ := lookupEnv("TERM"); v == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ANSI styles used by the output.
const (
	styleBold   = "\x1b[1m"
	styleRed    = "\x1b[31m"
	styleYellow = "\x1b[33m"
	styleGreen  = "\x1b[32m"
	styleDim    = "\x1b[2m"
	styleReset  = "\x1b[0m"
)

// paint wraps s in style when a writes colour.
func (a *app) paint(style, s string) string {
	if !a.color {
		return s
	}
	return style + s + styleReset
}
