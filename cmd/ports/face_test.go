package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMistypedFlag checks that a mistyped flag of every subcommand prints
// what is wrong and two lines more, the usage line and where to read the
// rest, and nothing on standard output.
func TestMistypedFlag(t *testing.T) {
	for _, c := range commands() {
		for _, flag := range []string{"--no-such-flag", "-Q"} {
			code, stdout, stderr := runArgs(t, c.name, flag)
			want := "ports " + c.name + ": unknown flag " + flag + "\n" +
				usageLine(c) + "\n" +
				"Run 'ports " + c.name + " --help' for details.\n"
			if code != exitUsage || stdout != "" {
				t.Errorf("ports %s %s: exit %d, stdout %q; want exit %d and nothing", c.name, flag, code, stdout, exitUsage)
			}
			if diff := cmp.Diff(want, stderr); diff != "" {
				t.Errorf("ports %s %s: standard error (-want +got):\n%s", c.name, flag, diff)
			}
		}
	}
}

// TestHelpFace checks that the help of every subcommand has the parts
// of the command's face: the usage line, a summary, an Examples: block of
// the subcommand's own command lines, the exit status, and its flags as
// they are typed.
func TestHelpFace(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runArgs(t, c.name, "--help")
		if code != exitOK {
			t.Errorf("ports %s --help: exit %d", c.name, code)
			continue
		}
		body, flags, _ := strings.Cut(out, "\nFlags:\n")
		if !strings.HasPrefix(body, usageLine(c)+"\n\n") {
			t.Errorf("ports %s --help does not start with its usage line and a blank line:\n%s", c.name, out)
		}
		_, ex, ok := strings.Cut(body, "\nExamples:\n")
		if !ok || !strings.HasPrefix(ex, "  ports "+c.name) {
			t.Errorf("ports %s --help has no Examples: block of ports %s lines:\n%s", c.name, c.name, out)
		}
		if !strings.Contains(body, "\nExit status: ") {
			t.Errorf("ports %s --help does not give the exit status:\n%s", c.name, out)
		}
		for _, l := range strings.Split(flags, "\n") {
			if !strings.HasPrefix(l, "  -") {
				continue
			}
			name := strings.Fields(l)[0]
			if want := dashes(strings.TrimLeft(name, "-")); name != want {
				t.Errorf("ports %s --help shows %s, typed %s", c.name, name, want)
			}
		}
	}
}

// TestCommandFiles checks that every subcommand NAME is its own file,
// NAME.go, with its help text a constant nameHelp and its body a named
// function runName.
func TestCommandFiles(t *testing.T) {
	for _, c := range commands() {
		file := c.name + ".go"
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Errorf("ports %s: %v", c.name, err)
			continue
		}
		want := map[string]bool{c.name + "Help": false, "run" + strings.ToUpper(c.name[:1]) + c.name[1:]: false}
		for name, obj := range f.Scope.Objects {
			if _, ok := want[name]; ok && (obj.Kind == ast.Con || obj.Kind == ast.Fun) {
				want[name] = true
			}
		}
		for name, found := range want {
			if !found {
				t.Errorf("%s has no %s", file, name)
			}
		}
	}
}
