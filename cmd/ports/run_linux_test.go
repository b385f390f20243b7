package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portalloc/ports/porttest"
)

// TestRunnerKilled checks that the child of ports run dies with it, even
// when ports run is killed with SIGKILL.
func TestRunnerKilled(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs Linux's parent-death signal")
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$", "--", "run", "--claim", "k", "--", "/bin/sh", "-c", "echo $$ > "+pidFile+"; exec sleep 60")
	cmd.Env = append(os.Environ(), "PORTS_TEST_MAIN=1", "PORTS_CLAIMS_DIR="+filepath.Join(dir, "claims"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	for deadline := time.Now().Add(20 * time.Second); pid == 0; {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := syscall.Kill(pid, 0); err != nil {
			return // gone
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d outlived ports run killed with SIGKILL", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunnerKilledLeases checks that the pod's leases of ports run end
// when it is killed with SIGKILL, as when its child is.
func TestRunnerKilledLeases(t *testing.T) {
	dir := t.TempDir()
	locks := filepath.Join(dir, "locks")
	pidFile := filepath.Join(dir, "pid")
	pod, block := freePod(t, 1)
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$", "--", "run", "--pod", pod, "--", "/bin/sh", "-c", "echo $$ > "+pidFile+"; exec sleep 60")
	cmd.Env = append(os.Environ(), "PORTS_TEST_MAIN=1", "PORTTEST_DIR="+locks, "PORTS_CLAIMS_DIR="+filepath.Join(dir, "claims"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if b, _ := os.ReadFile(pidFile); len(strings.TrimSpace(string(b))) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	pool, err := porttest.NewPool(porttest.Options{Dir: locks})
	if err != nil {
		t.Fatal(err)
	}
	if ls, err := pool.LeaseBlock(block); err == nil {
		for _, l := range ls {
			l.Release()
		}
		cmd.Process.Kill()
		t.Fatal("the pod's block is not leased while ports run runs")
	}
	cmd.Process.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ls, err := pool.LeaseBlock(block)
		if err == nil {
			for _, l := range ls {
				l.Release()
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pod's block is still leased after ports run was killed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestChildKilledLeases checks that the pod's leases end when the child of
// ports run is killed with SIGKILL, and that ports run says how it died.
func TestChildKilledLeases(t *testing.T) {
	a, _, stderr := claimApp(t)
	pod, block := freePod(t, 2)
	code := a.main([]string{"run", "--pod", pod, "--", "/bin/sh", "-c", "kill -9 $$"})
	if code != 128+9 {
		t.Errorf("run of a child killed with SIGKILL: exit %d, want %d\n%s", code, 128+9, stderr)
	}
	pool, err := porttest.NewPool(porttest.Options{Dir: a.lockDir})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := pool.LeaseBlock(block)
	if err != nil {
		t.Fatalf("the pod's block after its program was killed: %v", err)
	}
	for _, l := range ls {
		l.Release()
	}
}
