//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFreeOutOfDescriptors runs "ports free -n 30000" in a child process
// whose limit of open files is 64: it prints the ports it found and says
// that descriptors ran out, not that ports failed their checks.
func TestFreeOutOfDescriptors(t *testing.T) {
	if dir := os.Getenv("PORTS_TEST_FREE_NOFILE"); dir != "" {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		a := testApp(&stdout, &stderr)
		a.lockDir = dir
		code := a.main([]string{"free", "-n", "30000"})
		os.Stdout.Write(stdout.Bytes())
		os.Stderr.Write(stderr.Bytes())
		os.Exit(code)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFreeOutOfDescriptors$")
	cmd.Env = append(os.Environ(), "PORTS_TEST_FREE_NOFILE="+filepath.Join(t.TempDir(), "locks"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFindings {
		t.Fatalf("exit: %v, want status %d; stderr:\n%s", err, exitFindings, stderr.String())
	}
	found := len(strings.Fields(stdout.String()))
	if found < 5 || found >= 64 {
		t.Errorf("printed %d ports, want some and fewer than the 64 descriptors allow", found)
	}
	msg := stderr.String()
	for _, want := range []string{"ran out of file descriptors", "ulimit -n 64"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "failed the bind check") {
		t.Errorf("stderr counts ports as failing the bind check:\n%s", msg)
	}
}
