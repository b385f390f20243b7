package hostports

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// startChild re-executes the test binary in the given role and returns it
// with its stdin (close to let it finish) and the first line it printed.
// It returns the error of Start unwrapped, so that callers can skip when
// the system refuses what they asked for.
func startChild(t *testing.T, role string, setup func(*exec.Cmd)) (cmd *exec.Cmd, stdin io.WriteCloser, first string, err error) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	// Under the race detector a child would sleep a second at exit
	// (GORACE atexit_sleep_ms); races are still reported, and fail it.
	cmd.Env = append(os.Environ(), childEnv+"="+role, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Stderr = os.Stderr
	if setup != nil {
		setup(cmd)
	}
	stdin, err = cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, "", err
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child %s printed nothing: %v", role, err)
	}
	return cmd, stdin, strings.TrimSpace(line), nil
}
