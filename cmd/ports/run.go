package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/claims"
	"github.com/portalloc/ports/portscheme"
	"github.com/portalloc/ports/porttest"
)

func runCommand() command {
	c := command{
		name:    "run",
		summary: "run a program, or each process of a Procfile, on its claimed ports",
		usage:   "[--claim NAME]... [--pod LANG/KIND/INDEX] [--worktree] -- COMMAND [ARG]...  |  -f PROCFILE",
	}
	c.run = func(a *app, args []string) int { return runRun(a, c, args) }
	return c
}

// runHelp is the help of ports run, after its usage line.
const runHelp = `Claims a port for each name (see "ports claim"), puts them in the
program's environment — PORT for the first, NAME_PORT for each (NAME in
upper case, other characters as _) — and runs the program. With -f, starts
every process of a Procfile ("name: command" lines) with its own claim and
PORT, prints who got what, and stops them all when one exits.

Examples:
  ports run --claim api -- go run ./cmd/api
  ports run --worktree --claim web --claim api -- npm run dev
  ports run --worktree --pod go/saga/0 -- go run ./cmd/saga
  ports run -f Procfile.dev

Exit status: the program's (the first to fail, with -f), or 2 when it
cannot be started.`

// runRun runs ports run with args.
func runRun(a *app, c command, args []string) int {
	fs := a.flagSet(c, runHelp)
	var names multiFlag
	fs.Var(&names, "claim", "claim this `NAME`'s port for the program (repeatable)")
	worktree := fs.Bool("worktree", false, "scope the claims to the current git worktree")
	procfile := fs.String("f", "", "run every process of this `Procfile`")
	podFlag := fs.String("pod", "", "start the program as pod `LANG/KIND/INDEX` of the port scheme, with its PORT, REST_PORT, DEBUG_PORT and TARGET_PORT (with --worktree, on the block claimed for the checkout)")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	st, wt, code := a.claimStore("run", *worktree)
	if code >= 0 {
		return code
	}
	if *procfile != "" {
		if fs.NArg() > 0 || len(names) > 0 {
			return a.fail("run: -f takes neither --claim nor a command: each process claims its own name")
		}
		return a.runProcfile(st, wt, *procfile)
	}
	if fs.NArg() == 0 {
		return a.fail("run: name the program after --, as in: ports run --claim api -- ./api")
	}
	env := os.Environ()
	if *podFlag != "" {
		pod, err := parsePod(*podFlag)
		if err != nil {
			return a.fail("run: --pod %v", err)
		}
		s := portscheme.Default()
		vars, err := a.podEnv(s, pod, *worktree)
		if err != nil {
			return a.fail("run: --pod %s: %v", *podFlag, err)
		}
		for _, v := range vars {
			env = append(env, fmt.Sprintf("%s=%d", v.Name, v.Port))
		}
		// The pod's block is leased while the program runs, so that no
		// test or other "ports run" of the machine takes its ports;
		// the leases end with this process, however it ends.
		block, _ := s.PodRange(pod)
		if len(vars) > 0 {
			block = ports.RangeFrom(vars[0].Port-ports.Port(vars[0].Slot), vars[0].Port-ports.Port(vars[0].Slot)+ports.Port(block.Len()-1))
		}
		pool, err := porttest.NewPool(porttest.Options{Dir: a.lockDir})
		if err != nil {
			return a.fail("run: --pod %s: %v", *podFlag, err)
		}
		leases, err := pool.LeaseBlock(block)
		if err != nil {
			return a.fail("run: --pod %s: %v", *podFlag, err)
		}
		defer func() {
			for _, l := range leases {
				l.Release()
			}
		}()
	}
	for i, name := range names {
		cl, err := st.Claim(claims.Request{Name: name, Worktree: wt})
		if err != nil {
			return a.fail("run: %v", err)
		}
		if i == 0 && *podFlag == "" {
			env = append(env, fmt.Sprintf("PORT=%d", cl.Ports.Lo()))
		}
		env = append(env, fmt.Sprintf("%s_PORT=%d", envName(name), cl.Ports.Lo()))
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, a.stdout, a.stderr
	return a.runChildren([]*exec.Cmd{cmd}, []string{fs.Arg(0)}, a.stderr)
}

// envName turns a claim's name into the start of an environment
// variable's name: upper case, every other character than a letter or a
// digit an underscore.
func envName(name string) string {
	b := []byte(strings.ToUpper(name))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// procEntry is a process of a Procfile.
type procEntry struct{ name, command string }

// maxProcfile bounds the Procfile read.
const maxProcfile = 1 << 20

// parseProcfile reads "name: command" lines; blank lines and lines that
// start with # are skipped.
func parseProcfile(name string, r io.Reader) ([]procEntry, error) {
	var out []procEntry
	seen := map[string]int{}
	sc := bufio.NewScanner(io.LimitReader(r, maxProcfile))
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		n, cmd, ok := strings.Cut(t, ":")
		n, cmd = strings.TrimSpace(n), strings.TrimSpace(cmd)
		switch {
		case !ok || n == "" || cmd == "":
			return nil, fmt.Errorf("%s:%d: want \"name: command\"", name, line)
		case strings.ContainsAny(n, " \t"):
			return nil, fmt.Errorf("%s:%d: process name %q has a space", name, line, n)
		case seen[n] > 0:
			return nil, fmt.Errorf("%s:%d: process %q is already defined on line %d", name, line, n, seen[n])
		}
		seen[n] = line
		out = append(out, procEntry{n, cmd})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no process", name)
	}
	return out, nil
}

// runProcfile starts every process of the Procfile at path with its claim.
func (a *app) runProcfile(st *claims.Store, wt, path string) int {
	f, err := os.Open(path)
	if err != nil {
		return a.fail("run: %v", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return a.fail("run: %s is not a regular file", path)
	}
	procs, err := parseProcfile(path, f)
	if err != nil {
		return a.fail("run: %v", err)
	}
	var cmds []*exec.Cmd
	var names []string
	// Every process writes its lines through one lock per stream, so that
	// lines of two processes never interleave within a line.
	stdout, stderr := &lockedWriter{w: a.stdout}, &lockedWriter{w: a.stderr}
	tw := tabwriter.NewWriter(a.stderr, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tPORT\tCOMMAND")
	for _, p := range procs {
		cl, err := st.Claim(claims.Request{Name: p.name, Worktree: wt})
		if err != nil {
			return a.fail("run: %v", err)
		}
		cmd := shellCommand(p.command)
		cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", cl.Ports.Lo()), fmt.Sprintf("%s_PORT=%d", envName(p.name), cl.Ports.Lo()))
		cmd.Stdout = &prefixWriter{w: stdout, prefix: p.name + " | "}
		cmd.Stderr = &prefixWriter{w: stderr, prefix: p.name + " | "}
		cmds, names = append(cmds, cmd), append(names, p.name)
		fmt.Fprintf(tw, "%s\t%d\t%s\n", safe(p.name), cl.Ports.Lo(), safe(p.command))
	}
	tw.Flush()
	return a.runChildren(cmds, names, stderr)
}

// runChildren starts cmds, passes SIGINT and SIGTERM on to them, and waits,
// saying on errw when one of several exits:
// when one exits, the others are sent SIGTERM. It returns the exit status
// of the first to exit, as a Procfile runner does.
func (a *app) runChildren(cmds []*exec.Cmd, names []string, errw io.Writer) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	for i, cmd := range cmds {
		setDeathSignal(cmd)
		cmd.WaitDelay = 5 * time.Second // a grandchild holding the output
		if err := cmd.Start(); err != nil {
			for _, c := range cmds[:i] {
				c.Process.Kill()
				c.Wait()
			}
			return a.fail("run: starting %s: %v", safe(names[i]), err)
		}
	}
	type done struct {
		i   int
		err error
	}
	exited := make(chan done, len(cmds))
	for i, cmd := range cmds {
		go func() { exited <- done{i, cmd.Wait()} }()
	}
	var once sync.Once
	stopAll := func() {
		once.Do(func() {
			for _, c := range cmds {
				signalGroup(c, syscall.SIGTERM)
			}
		})
	}
	status, failed, stopped := exitOK, false, false
	for left := len(cmds); left > 0; {
		select {
		case s := <-sigs:
			for _, c := range cmds {
				signalGroup(c, s)
			}
		case d := <-exited:
			left--
			// The first to exit decides, unless it failed only because
			// it was stopped here when another exited.
			if code := exitCode(d.err); code != 0 && !failed && !stopped {
				status, failed = code, true
			}
			stopped = true
			if len(cmds) > 1 {
				fmt.Fprintf(errw, "ports: run: %s exited (%s)\n", safe(names[d.i]), describeExit(d.err))
			}
			stopAll()
		}
	}
	return status
}

// exitCode returns a child's exit status: 128 + the signal for a child
// killed by one, as shells report it.
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return exitUsage
}

func describeExit(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// prefixWriter writes each line with a prefix, as a Procfile runner shows
// which process said what. Writes from one process come in order; lines of
// two processes may interleave whole.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	rest   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rest = append(p.rest, b...)
	for {
		i := strings.IndexByte(string(p.rest), '\n')
		if i < 0 {
			break
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.rest[:i]); err != nil {
			return 0, err
		}
		p.rest = p.rest[i+1:]
	}
	return len(b), nil
}

// shellCommand runs line with the system's shell, as a Procfile's lines
// are run.
func shellCommand(line string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		return exec.Command("cmd", "/C", line)
	}
	return exec.Command("/bin/sh", "-c", line)
}

// parsePod parses LANG/KIND/INDEX.
func parsePod(s string) (portscheme.Pod, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return portscheme.Pod{}, fmt.Errorf("%q: want LANG/KIND/INDEX, as go/saga/0", s)
	}
	i, err := strconv.Atoi(parts[2])
	if err != nil || i < 0 {
		return portscheme.Pod{}, fmt.Errorf("%q: the index %q is not a number of 0 or more", s, parts[2])
	}
	return portscheme.Pod{Language: portscheme.Language(parts[0]), Component: portscheme.Component(parts[1]), Index: i}, nil
}

// lockedWriter serialises the writes of several writers into one.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
