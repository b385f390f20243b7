package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMainProcess runs the command's main when the test binary is started
// by TestClosedPipe; it does nothing otherwise.
func TestMainProcess(t *testing.T) {
	if os.Getenv("PORTS_TEST_MAIN") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			os.Args = append([]string{"ports"}, args[i+1:]...)
			break
		}
	}
	main()
}

// TestClosedPipe checks that "ports check f | head -1" exits 2, as the
// command documents for output it cannot write, not 141 (killed by
// SIGPIPE).
func TestClosedPipe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGPIPE on Windows")
	}
	// A registry of 4,000 ports in the ephemeral range: a warning each,
	// far more output than a pipe holds.
	var reg strings.Builder
	reg.WriteString("version: 1\nproject: p\nports:\n")
	for i := range 4000 {
		fmt.Fprintf(&reg, "  - service: s%d\n    port: %d\n", i, 40000+i)
	}
	file := filepath.Join(t.TempDir(), "ports.yaml")
	if err := os.WriteFile(file, []byte(reg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$", "--", "check", "--os", "linux", file)
	cmd.Env = append(os.Environ(), "PORTS_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	out.Close() // as head does after its line
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("ports check with its output closed: %v, want exit status 2", err)
	}
	if code := ee.ExitCode(); code != exitUsage {
		t.Errorf("ports check with its output closed: exit %d (%v), want %d", code, ee, exitUsage)
	}
}
