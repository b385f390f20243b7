package activation

// The variables are read once, in init, because that is the only moment at
// which the descriptors they announce are known to be what was passed: by
// the time of a first call, a number never passed may hold the program's
// own listener or the runtime's poller, and wrapping it would take it from
// its owner (or close it, with a fatal error of the runtime). Only the
// descriptors found to be open sockets in init are ever touched; they are
// wrapped in files at the first call, and a socket that is taken is closed
// once converted (package net makes its own descriptor).

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The variables of the convention (sd_listen_fds(3)); the sockets are the
// descriptors from listenFDsStart on.
const (
	envListenPID     = "LISTEN_PID"
	envListenFDs     = "LISTEN_FDS"
	envListenFDNames = "LISTEN_FDNAMES"
	listenFDsStart   = 3
)

// parseListenEnv reads the socket-activation variables as sd_listen_fds(3)
// does, for the process pid: it returns how many descriptors were passed
// (0 when the variables are absent or meant for another process) and their
// names ("unknown" when LISTEN_FDNAMES is absent).
func parseListenEnv(pid int, listenPID, listenFDs, fdNames string) (int, []string, error) {
	if listenPID == "" {
		return 0, nil, nil
	}
	p, err := strconv.Atoi(listenPID)
	if err != nil || p <= 0 {
		return 0, nil, fmt.Errorf("activation: %s=%q: want a process id", envListenPID, listenPID)
	}
	if p != pid {
		return 0, nil, nil // passed to another process (our parent, say)
	}
	n, err := strconv.Atoi(listenFDs)
	if err != nil || n < 0 || n > 1<<16 {
		return 0, nil, fmt.Errorf("activation: %s=%q: want a number of descriptors, 0 to 65536", envListenFDs, listenFDs)
	}
	if n == 0 {
		return 0, nil, nil
	}
	names := make([]string, n)
	if fdNames == "" {
		for i := range names {
			names[i] = "unknown" // what systemd calls a socket it was given no name for
		}
		return n, names, nil
	}
	given := strings.Split(fdNames, ":")
	if len(given) != n {
		return 0, nil, fmt.Errorf("activation: %s=%q names %d sockets, but %s=%d", envListenFDNames, fdNames, len(given), envListenFDs, n)
	}
	copy(names, given)
	return n, names, nil
}

var inherited struct {
	// Read when the package is initialized (see init).
	fds    []int    // the descriptors found to be sockets
	names  []string // their names
	refuse error    // what was wrong with the variables or the descriptors

	once  sync.Once
	files []*os.File
	mu    sync.Mutex
	taken map[int]bool // index into files of sockets already taken
}

// init reads the socket-activation variables and checks the descriptors
// they announce before anything else in the program can open descriptors:
// a descriptor announced but never passed may by the time of the first call
// hold the program's own listener or the runtime's poller, which must not
// be taken. The variables are removed from the environment, so that the
// process's own children do not take them for theirs, and the sockets are
// marked close-on-exec; a descriptor that is refused is left alone.
func init() {
	pid, fds, names := os.Getenv(envListenPID), os.Getenv(envListenFDs), os.Getenv(envListenFDNames)
	if pid == "" && fds == "" && names == "" {
		return
	}
	os.Unsetenv(envListenPID)
	os.Unsetenv(envListenFDs)
	os.Unsetenv(envListenFDNames)
	n, ns, err := parseListenEnv(os.Getpid(), pid, fds, names)
	if err != nil {
		inherited.refuse = err
		return
	}
	var bad []string
	nbad := 0
	for i := range n {
		fd := listenFDsStart + i
		if why := checkInherited(fd); why != "" {
			if nbad++; nbad <= 4 {
				bad = append(bad, fmt.Sprintf("descriptor %d (%q) %s", fd, ns[i], why))
			}
			continue
		}
		inherited.fds = append(inherited.fds, fd)
		inherited.names = append(inherited.names, ns[i])
	}
	if nbad > len(bad) {
		bad = append(bad, fmt.Sprintf("%d more are not sockets", nbad-len(bad)))
	}
	if len(bad) > 0 {
		inherited.refuse = fmt.Errorf("activation: %s=%d announces descriptors %d to %d, but %s; refused, as not passed to this process",
			envListenFDs, n, listenFDsStart, listenFDsStart+n-1, strings.Join(bad, ", "))
	}
}

// Files returns the sockets passed to the process under the socket
// activation convention (by systemd, systemd-socket-activate, or
// porttest.Pass), as files named by LISTEN_FDNAMES, in descriptor order
// from 3. It returns none if LISTEN_PID is absent or names another process.
//
// The variables are read, checked and removed from the environment when
// the package is initialized, before the program runs: each descriptor
// they announce must then be an open socket. When LISTEN_FDS announces more
// than that, Files returns the sockets it found and an error that
// names the variable and the descriptors it refused. Every call returns the
// same files. They belong to the caller, except those taken by
// [Listener] and [PacketConn].
func Files() ([]*os.File, error) {
	inherited.once.Do(func() {
		inherited.files = make([]*os.File, len(inherited.fds))
		for i, fd := range inherited.fds {
			inherited.files[i] = os.NewFile(uintptr(fd), inherited.names[i])
		}
	})
	return inherited.files, inherited.refuse
}

// take converts the first passed file named name, not yet taken, that
// conv accepts, and marks it taken: a socket of another type (a TCP and a
// UDP socket may share a name) stays for the right call. The file is closed
// once converted (conv makes its own descriptor).
func take[T any](fn, name string, stream bool, conv func(*os.File) (T, error)) (T, error) {
	var zero T
	files, refused := Files()
	inherited.mu.Lock()
	defer inherited.mu.Unlock()
	var have []string
	want := "datagram"
	if stream {
		want = "stream"
	}
	var convErr error // the first socket of the name that would not convert
	for i, f := range files {
		if f.Name() == name && !inherited.taken[i] {
			// net converts a Unix socket of either type to either, so the
			// type is read first where the system tells it.
			if st, ok := isStream(f); ok && st != stream {
				convErr = cmp.Or(convErr, fmt.Errorf("socket %q is not a %s socket", name, want))
				continue
			}
			c, err := conv(f)
			if err != nil {
				// Another type: a TCP and a UDP socket may share a name.
				convErr = cmp.Or(convErr, err)
				continue
			}
			if inherited.taken == nil {
				inherited.taken = make(map[int]bool)
			}
			inherited.taken[i] = true
			f.Close()
			return c, nil
		}
		have = append(have, f.Name())
	}
	if convErr != nil {
		return zero, fmt.Errorf("activation: %s(%q): %w", fn, name, convErr)
	}
	if refused != nil {
		return zero, fmt.Errorf("activation: %s(%q): no socket of that name was passed: %w", fn, name, refused)
	}
	if len(files) == 0 {
		return zero, fmt.Errorf("activation: %s(%q): the process was passed no sockets (%s is not set, or names another process)", fn, name, envListenPID)
	}
	return zero, fmt.Errorf("activation: %s(%q): no socket of that name left; passed: %s", fn, name, strings.Join(have, ", "))
}

// Listener returns the passed stream socket named name (its name in
// LISTEN_FDNAMES; "unknown" when the variable is absent) as a listener. It
// takes the socket: a second call for the same name takes the next socket
// of that name, if any. A socket that is not a stream socket is left for
// [PacketConn].
func Listener(name string) (net.Listener, error) {
	return take("Listener", name, true, net.FileListener)
}

// PacketConn returns the passed datagram socket named name as a packet
// connection, and takes it as [Listener] does.
func PacketConn(name string) (net.PacketConn, error) {
	return take("PacketConn", name, false, net.FilePacketConn)
}
