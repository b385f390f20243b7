// Command ports explains ports, hands out free ones, prints the ten-slot
// port scheme, checks compose files and Kubernetes manifests for collisions,
// and writes the port reference document of a platform.
//
// Usage:
//
//	ports whois PORT[/PROTO]|NAME     what a port is and who uses it
//	ports free [-n N] [--udp] ...     free ports, verified bindable now
//	ports scheme [--lang L] ...       the ten-slot scheme as a table
//	ports check FILE...               collisions and security lints
//	ports doc FILE...                 a Markdown port reference
//	ports claim NAME...               a stable port of a name's own
//	ports claims                      the claims, and whether bound now
//	ports run --claim NAME -- CMD     a program on its claimed ports
//	ports portserver                  test ports for portpicker's clients
//	ports why PORT[/PROTO]            why a port cannot be bound here
//	ports ls [PORT...]                the listening sockets, by process
//	ports version                     the version of the command
//	ports completion bash|zsh|fish    a shell completion script
//
// Every subcommand takes --help, which prints its usage on standard output.
// Flags may come before or after the arguments; "--" ends them. Exit status:
// 0 on success (and a clean check), 1 when check finds what is of severity
// error (a collision, by default) or free
// finds too few ports, 2 on bad input or usage, or when the output cannot be
// written (a full disk, a closed pipe). What the compose loader warns of (an
// obsolete version attribute, say) goes to standard error as
// "ports: warning: MESSAGE".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/sirupsen/logrus"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFindings = 1 // check found a collision
	exitUsage    = 2 // bad input or usage
)

// app is what a subcommand runs with: its output streams and what it knows
// of the environment. Tests build one with buffers.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader                         // nil: os.Stdin
	color          bool                              // whether stdout takes ANSI colour
	lookupEnv      func(string) (string, bool)       // os.LookupEnv in main
	limits         func() (hostports.Limits, error)  // nil: hostports.Read
	prober         func(ports.Port) hostports.Report // nil: hostports.Probe
	env            func() map[string]string          // nil: manifest.Environ
	lockDir        string                            // "": porttest's default lock directory
	claimsDir      string                            // "": the claims package's default store
	table          func() (hostports.Table, error)   // nil: hostports.ReadTable
	collect        func(*flag.FlagSet)               // if set, parseFlags hands it the flag set and stops the command
}

type command struct {
	name    string
	summary string
	usage   string // the synopsis after "ports NAME"
	run     func(a *app, args []string) int
	args    func() []string // the words its arguments are, for completion; nil if not a few
}

func commands() []command {
	return []command{
		whoisCommand(),
		whyCommand(),
		lsCommand(),
		freeCommand(),
		schemeCommand(),
		checkCommand(),
		docCommand(),
		claimCommand(),
		unclaimCommand(),
		claimsCommand(),
		runCommand(),
		portserverCommand(),
		versionCommand(),
		completionCommand(),
	}
}

func main() {
	// A write to a closed pipe ("ports check f | head -1") then fails with
	// EPIPE, which the command reports with exit status 2, rather than
	// killing it with SIGPIPE.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	logDependencies(os.Stderr)
	a := &app{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		color:     colorFor(os.Stdout, os.LookupEnv),
		lookupEnv: os.LookupEnv,
	}
	os.Exit(a.main(os.Args[1:]))
}

// logDependencies sends what the command's dependencies log through
// logrus's standard logger to w, warnings and worse, as the command's own
// messages. compose-go warns that way, of an obsolete version attribute for
// one; logrus's default would print a timestamped key=value line.
// A message is printed once, however often it is logged: compose-go warns
// of an unset variable at each place the variable is used.
func logDependencies(w io.Writer) {
	logrus.SetOutput(w)
	logrus.SetLevel(logrus.WarnLevel)
	logrus.SetFormatter(&dependencyLog{seen: map[string]bool{}})
}

// plain returns err's message for the command's users: a parse error of
// package ports without the names of the package and the function.
func plain(err error) string {
	var pe *ports.ParseError
	if errors.As(err, &pe) {
		return pe.Detail()
	}
	return err.Error()
}

// dependencyLog formats a logrus entry as "ports: LEVEL: MESSAGE", and a
// line it has formatted before as nothing.
type dependencyLog struct {
	mu   sync.Mutex
	seen map[string]bool
}

// Format implements logrus.Formatter.
func (d *dependencyLog) Format(e *logrus.Entry) ([]byte, error) {
	line := "ports: " + e.Level.String() + ": " + e.Message + "\n"
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen[line] {
		return nil, nil
	}
	d.seen[line] = true
	return []byte(line), nil
}

// main runs the command of args and returns its exit status. Standard
// output is checked: if a write to it fails (a full disk, a closed pipe),
// the command fails with status 2 and says so on standard error, however it
// ended, since what it printed is not all there.
func (a *app) main(args []string) int {
	out := &errWriter{w: a.stdout}
	a.stdout = out
	code := a.dispatch(args)
	a.stdout = out.w
	if out.err != nil {
		fmt.Fprintf(a.stderr, "ports: writing standard output: %v\n", out.err)
		return exitUsage
	}
	return code
}

// errWriter writes to w until a write fails, and keeps that error; later
// writes fail with it at once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

func (a *app) dispatch(args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			for _, t := range helpTopics() {
				if t.name == args[1] {
					fmt.Fprint(a.stdout, t.text)
					return exitOK
				}
			}
			return a.dispatch([]string{args[1], "--help"})
		}
		a.usage(a.stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(a, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "ports: unknown command %q\n\n", args[0])
	a.usage(a.stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "ports explains ports, hands out free ones and checks declared ports for collisions.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  ports %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Help topics:")
	for _, t := range helpTopics() {
		fmt.Fprintf(w, "  %-13s %s\n", t.name, t.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "ports COMMAND --help" for the flags of a command, "ports help TOPIC" for a topic.`)
}

// usageOf returns the synopsis of the command named name.
func (a *app) usageOf(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.usage
		}
	}
	return ""
}

// flagSet returns a flag set for command c whose --help text is c's usage
// followed by its flags, shown as they are typed ("--format", "-o").
func (a *app) flagSet(c command, long string) *flag.FlagSet {
	fs := flag.NewFlagSet("ports "+c.name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "%s\n\n%s\n", usageLine(c), strings.TrimSpace(long))
		first := true
		fs.VisitAll(func(f *flag.Flag) {
			if first {
				fmt.Fprintln(w, "\nFlags:")
				first = false
			}
			kind, usage := flag.UnquoteUsage(f)
			line := "  " + dashes(f.Name)
			if kind != "" {
				line += " " + kind
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				if fmt.Sprintf("%T", f.Value) == "*flag.stringValue" {
					usage += fmt.Sprintf(" (default %q)", f.DefValue) // as PrintDefaults shows it
				} else {
					usage += " (default " + f.DefValue + ")"
				}
			}
			fmt.Fprintf(w, "%s\n    \t%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		})
	}
	return fs
}

// usageLine is the synopsis of c: "Usage: ports NAME USAGE".
func usageLine(c command) string {
	return "Usage: " + strings.TrimSpace("ports "+c.name+" "+c.usage)
}

// dashes returns a flag's name as it is typed: "-o" for one letter,
// "--format" for more.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagError rewords an error of the flag package with flags as they are
// typed.
func flagError(err error) string {
	msg := err.Error()
	for _, p := range []struct{ prefix, format string }{
		{"flag provided but not defined: -", "unknown flag %s"},
		{"flag needs an argument: -", "flag %s needs a value"},
	} {
		if name, ok := strings.CutPrefix(msg, p.prefix); ok {
			return fmt.Sprintf(p.format, dashes(strings.TrimPrefix(name, "-")))
		}
	}
	// invalid value "x" for flag -format: …; invalid boolean value …
	if i := strings.Index(msg, " for flag -"); i >= 0 {
		rest := msg[i+len(" for flag -"):]
		name, detail, _ := strings.Cut(rest, ": ")
		return msg[:i] + " for " + dashes(name) + ": " + detail
	}
	return msg
}

// parseFlags parses args with fs. It returns the exit status to stop with,
// or -1 to go on: --help prints the usage to stdout and succeeds. Flags may
// come after the arguments too ("ports check compose.yml --format json");
// after "--" everything is an argument.
func (a *app) parseFlags(fs *flag.FlagSet, args []string) int {
	if a.collect != nil {
		a.collect(fs)
		return exitOK
	}
	// Parse would print its error and the usage to stderr, and the usage
	// for --help too; print them here instead, once, where they belong.
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	var pos []string
	var err error
	for {
		if err = fs.Parse(args); err != nil {
			break
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); terminated(fs, args[:n]) {
			pos = append(pos, rest...) // after the terminator
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if err == nil {
		fs.Parse(append([]string{"--"}, pos...)) // fs.Args() is every argument
	}
	fs.Usage = usage
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(a.stdout)
		fs.Usage()
		return exitOK
	case err != nil:
		// A mistyped flag: what is wrong, the synopsis and where to read
		// more, as go and gh print it.
		name := strings.TrimPrefix(fs.Name(), "ports ")
		fmt.Fprintf(a.stderr, "%s: %s\n%s\nRun 'ports %s --help' for details.\n", fs.Name(), flagError(err), usageLine(command{name: name, usage: a.usageOf(name)}), name)
		return exitUsage
	}
	return -1
}

// terminated reports whether the flags args, which Parse took, end in a
// "--" that it took for the end of the flags rather than for a flag's value
// ("--title --"). It reads them as Parse does.
func terminated(fs *flag.FlagSet, args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return true
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				i++ // its value
			}
		}
	}
	return false
}

// fail prints an error in the command's name and returns exitUsage. The
// lines of an error of several (files that each failed, say) are indented
// under the first.
func (a *app) fail(format string, args ...any) int {
	lines := strings.Split(fmt.Sprintf(format, args...), "\n")
	for i, l := range lines {
		lines[i] = safe(l)
	}
	for i, l := range lines[1:] {
		if l != "" && l[0] != ' ' && l[0] != '\t' {
			lines[i+1] = "  " + l
		}
	}
	fmt.Fprintln(a.stderr, "ports: "+strings.Join(lines, "\n"))
	return exitUsage
}
