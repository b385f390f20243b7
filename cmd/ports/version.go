package main

import (
	"fmt"
	"runtime/debug"
)

func versionCommand() command {
	c := command{name: "version", summary: "print the version of the command"}
	c.run = func(a *app, args []string) int { return runVersion(a, c, args) }
	return c
}

// versionHelp is the help of ports version, after its usage line.
const versionHelp = `Prints the module version the command was built from.

Examples:
  ports version

Exit status: 0, or 2 on usage.`

// runVersion runs ports version with args.
func runVersion(a *app, c command, args []string) int {
	fs := a.flagSet(c, versionHelp)
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return a.fail("version: unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintln(a.stdout, "ports", version())
	return exitOK
}

// version returns the module version the command was built from, or
// "(devel)" for a build from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
