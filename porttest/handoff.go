package porttest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The variables of the socket-activation convention of systemd
// (sd_listen_fds(3)): the inherited sockets are the descriptors from
// listenFDsStart on.
const (
	envListenPID     = "LISTEN_PID"
	envListenFDs     = "LISTEN_FDS"
	envListenFDNames = "LISTEN_FDNAMES"
	listenFDsStart   = 3
)

// FileConn is a socket that can give a duplicate of its descriptor as an
// [*os.File]: [*net.TCPListener], [*net.UDPConn], [*net.UnixListener] and
// the other socket types of package net.
type FileConn interface {
	File() (*os.File, error)
}

// Socket is a socket to hand to a child process, and the name the child
// finds it by (see [github.com/portalloc/ports/activation.Listener]). A name is 1 to 255 printable ASCII
// characters, space included, other than ':', as systemd allows (systemd
// allows the empty name too, which no child could ask for).
type Socket struct {
	Name string
	Conn FileConn
}

// shellPrelude sets LISTEN_PID to the shell's own process id, LISTEN_FDS
// and LISTEN_FDNAMES to its first two arguments, and replaces the shell
// with the program ($0), which keeps that id. The variables are set here,
// not in cmd.Env, so that nothing done to cmd.Env after Pass can lose them,
// and the names travel as arguments, so that no character needs quoting.
const shellPrelude = `LISTEN_PID=$$ LISTEN_FDS=$1 LISTEN_FDNAMES=$2; export LISTEN_PID LISTEN_FDS LISTEN_FDNAMES; shift 2; exec "$0" "$@"`

// Pass prepares cmd, not yet started, to inherit socks without the caller
// letting go of them: the child gets a duplicate of each socket as
// descriptors 3, 4, … (through cmd.ExtraFiles), and the variables of
// systemd socket activation, LISTEN_FDS (how many), LISTEN_FDNAMES (their
// names, colon-separated) and LISTEN_PID (the child's process id). Any
// program that accepts sockets from systemd (sd_listen_fds, or
// [github.com/portalloc/ports/activation.Listener] in Go) takes them.
//
// LISTEN_PID can only be known once the child exists, so Pass makes cmd run
// /bin/sh, which sets the three variables (LISTEN_PID to its own process
// id) and then execs the program with the same arguments; the program's
// argv[0] becomes cmd.Path. The variables are set by that prelude, over
// whatever the environment says, so cmd.Env may be set before or after
// Pass; cmd.Path, cmd.Args and cmd.ExtraFiles must not change after it.
//
// Pass returns the duplicates it made; close them once cmd has started (the
// caller's sockets stay open). It refuses a cmd that already has
// ExtraFiles, since they would take the descriptors the convention
// reserves. On Windows, where package os/exec passes no extra descriptors,
// it returns an error wrapping [errors.ErrUnsupported].
func Pass(cmd *exec.Cmd, socks ...Socket) ([]*os.File, error) {
	switch {
	case runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1":
		return nil, fmt.Errorf("porttest: Pass: passing sockets to a child process is not possible on %s: %w", runtime.GOOS, errors.ErrUnsupported)
	case cmd.Process != nil:
		return nil, errors.New("porttest: Pass: the command has already started")
	case cmd.Err != nil:
		return nil, fmt.Errorf("porttest: Pass: %w", cmd.Err)
	case cmd.Path == "":
		return nil, errors.New("porttest: Pass: the command has no path")
	case len(cmd.ExtraFiles) > 0:
		return nil, fmt.Errorf("porttest: Pass: the command already has %d ExtraFiles; the inherited sockets must start at descriptor %d", len(cmd.ExtraFiles), listenFDsStart)
	case len(socks) == 0:
		return nil, errors.New("porttest: Pass: no sockets to pass")
	}
	names := make([]string, len(socks))
	for i, s := range socks {
		if err := checkSocketName(s.Name); err != nil {
			return nil, err
		}
		if s.Conn == nil {
			return nil, fmt.Errorf("porttest: Pass: socket %q is nil", s.Name)
		}
		names[i] = s.Name
	}
	files := make([]*os.File, 0, len(socks))
	for _, s := range socks {
		f, err := s.Conn.File()
		if err != nil {
			closeFiles(files)
			return nil, fmt.Errorf("porttest: Pass: duplicating socket %q: %w", s.Name, err)
		}
		files = append(files, f)
	}
	args := cmd.Args
	if len(args) == 0 {
		args = []string{cmd.Path}
	}
	cmd.ExtraFiles = files
	cmd.Args = append([]string{"sh", "-c", shellPrelude, cmd.Path, strconv.Itoa(len(files)), strings.Join(names, ":")}, args[1:]...)
	cmd.Path = "/bin/sh"
	return files, nil
}

// Handoff is [Pass] for tests: it fails tb if the sockets cannot be passed,
// and closes the duplicates when the test ends. Wait for the child before
// the test ends, so that it lets go of the sockets too.
func Handoff(tb testing.TB, cmd *exec.Cmd, socks ...Socket) {
	tb.Helper()
	files, err := Pass(cmd, socks...)
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(func() { closeFiles(files) })
}

func checkSocketName(name string) error {
	if name == "" || len(name) > 255 {
		return fmt.Errorf("porttest: socket name %q: want 1 to 255 characters", name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == ':' {
			return fmt.Errorf("porttest: socket name %q: byte %q not allowed; want printable ASCII other than ':'", name, string([]byte{c}))
		}
	}
	return nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
