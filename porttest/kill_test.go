package porttest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

func init() {
	// Lease every port of PORTTEST_KILL_WITHIN from PORTTEST_KILL_DIR,
	// print them, and hold them until killed.
	childRoles["holder"] = func() error {
		within, err := ports.ParseRangeSet(os.Getenv("PORTTEST_KILL_WITHIN"))
		if err != nil {
			return err
		}
		pool, err := NewPool(Options{Dir: os.Getenv("PORTTEST_KILL_DIR"), Within: within})
		if err != nil {
			return err
		}
		ls, err := pool.LeaseRange(within.Len())
		if err != nil {
			return err
		}
		fmt.Println(ports.RangeFrom(ls[0].Port(), ls[len(ls)-1].Port()))
		waitStdin()
		return nil
	}
}

// TestKilledHolderReclaimed kills a process holding leases with SIGKILL,
// which gives it no chance to clean up: the next taker gets its ports.
func TestKilledHolderReclaimed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is Unix")
	}
	r := freeRun(t, 8)
	dir := filepath.Join(tempLockDir(t), "locks")
	c := startChild(t, childCmd("holder", "PORTTEST_KILL_DIR="+dir, "PORTTEST_KILL_WITHIN="+r.String()))
	line, err := c.line()
	if err != nil {
		t.Fatalf("holder printed nothing: %v", err)
	}
	if line != r.String() {
		t.Fatalf("holder leased %s, want %s", line, r)
	}

	pool := privatePool(t, dir, ports.RangeSetOf(r))
	_, err = pool.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Leased != 8 {
		t.Fatalf("Lease while the holder lives = %v, want all 8 ports leased by it", err)
	}

	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = c.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("holder ended with %v, want killed", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("holder ended with %v, want killed by SIGKILL", err)
	}

	run, err := pool.LeaseRange(8)
	if err != nil {
		t.Fatalf("LeaseRange(8) after the holder was killed: %v", err)
	}
	defer releaseAll(run)
	if diff := cmp.Diff(r.String(), ports.RangeFrom(run[0].Port(), run[7].Port()).String()); diff != "" {
		t.Errorf("ports reclaimed from the killed holder (-want +got):\n%s", diff)
	}
}
