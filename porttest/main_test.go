package porttest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/portalloc/ports/internal/testchild"
)

// childEnv names the environment variable that makes the test binary run
// as a helper process instead of running tests; its value names the role.
const childEnv = "PORTTEST_TEST_CHILD"

// childRoles are the helper processes the tests start by re-executing the
// test binary (os.Args[0]).
var childRoles = map[string]func() error{}

func TestMain(m *testing.M) {
	testchild.Main(m, childEnv, childRoles)
}

// child is a helper process started by the test.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// childCmd returns the command that runs the test binary in role, with
// env added to its environment. Under the race detector a child would
// sleep a second at exit (GORACE atexit_sleep_ms), which sixteen children
// on two cores turn into many; races are still reported, and fail the
// child with exit status 66.
func childCmd(role string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+role, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0"), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// startChild starts cmd with pipes for stdin and stdout; the child is
// waited for when the test ends.
func startChild(t *testing.T, cmd *exec.Cmd) *child {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	return &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
}

// line reads the next line the child printed.
func (c *child) line() (string, error) {
	s, err := c.out.ReadString('\n')
	return strings.TrimSpace(s), err
}

// waitStdin blocks until the parent closes the child's stdin.
func waitStdin() {
	io.Copy(io.Discard, os.Stdin)
}
