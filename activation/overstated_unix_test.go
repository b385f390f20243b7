//go:build unix

package activation

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func init() {
	// Started with LISTEN_FDS=4 but one socket passed ("a", descriptor 3):
	// open a listener of its own, which takes one of the numbers announced,
	// then ask for every announced name, and check its own listener still
	// works.
	childRoles["overstated"] = func() error {
		own, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		files, err := Files()
		fmt.Printf("files=%d err=%v\n", len(files), err)
		for _, name := range []string{"a", "b", "c", "d"} {
			ln, err := Listener(name)
			if err == nil {
				fmt.Printf("%s: took %v\n", name, ln.Addr())
				continue
			}
			fmt.Printf("%s: %v\n", name, err)
		}
		go func() {
			if c, err := own.Accept(); err == nil {
				c.Close()
			}
		}()
		c, err := net.DialTimeout("tcp", own.Addr().String(), 10*time.Second)
		if err != nil {
			return fmt.Errorf("the child's own listener was taken: %v", err)
		}
		c.Close()
		fmt.Println("own listener ok")
		return nil
	}
}

// TestOverstatedListenFDs starts a child whose LISTEN_FDS announces four
// descriptors where one was passed: the child takes that one, refuses the
// rest with an error that names the variable, and neither its own listener
// nor the runtime's descriptors are taken.
func TestOverstatedListenFDs(t *testing.T) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=overstated", "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Stderr = os.Stderr
	cmd.ExtraFiles = []*os.File{f}
	cmd.Args = append([]string{"sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=4 LISTEN_FDNAMES=a:b:c:d exec "$0" "$@"`, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = "/bin/sh"
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 6 {
		t.Fatalf("child printed:\n%s", out)
	}
	refused := `activation: LISTEN_FDS=4 announces descriptors 3 to 6, but descriptor 4 ("b") is not open`
	if !strings.HasPrefix(lines[0], "files=1 err="+refused) {
		t.Errorf("Files: %q, want one file and an error starting %q", lines[0], refused)
	}
	if want := "a: took " + ln.Addr().String(); lines[1] != want {
		t.Errorf("Listener(\"a\"): %q, want %q", lines[1], want)
	}
	for i, name := range []string{"b", "c", "d"} {
		want := fmt.Sprintf(`%s: activation: Listener(%q): no socket of that name was passed: activation: LISTEN_FDS=4`, name, name)
		if !strings.HasPrefix(lines[2+i], want) {
			t.Errorf("Listener(%q): %q, want it to start %q", name, lines[2+i], want)
		}
	}
	if lines[5] != "own listener ok" {
		t.Errorf("child: %q", lines[5])
	}
}
