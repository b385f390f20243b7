package hostports

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

func init() {
	// Lower the limit of open files to 32, use them all up, then check a
	// port: the error must say that descriptors ran out, not that the port
	// is taken.
	childRoles["nofile"] = func() error {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 32, Max: 32}); err != nil {
			return err
		}
		var held []*os.File
		for {
			f, err := os.Open(os.DevNull)
			if err != nil {
				break
			}
			held = append(held, f)
		}
		var pr Prober
		err := pr.Check(61999)
		for _, f := range held {
			f.Close()
		}
		fmt.Printf("%v|%v|%v\n", errors.Is(err, ErrNoDescriptors), errors.Is(err, ErrInUse), err)
		return nil
	}
}

// TestCheckOutOfDescriptors runs a child whose every descriptor is taken:
// a check cannot even open a socket, and says so.
func TestCheckOutOfDescriptors(t *testing.T) {
	_, _, line, err := startChild(t, "nofile", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.SplitN(line, "|", 3)
	if len(f) != 3 {
		t.Fatalf("child printed %q", line)
	}
	if f[0] != "true" || f[1] != "false" {
		t.Errorf("errors.Is(err, ErrNoDescriptors) = %s, errors.Is(err, ErrInUse) = %s; want true, false (err: %s)", f[0], f[1], f[2])
	}
	want := "hostports: cannot bind tcp 127.0.0.1:61999: out of file descriptors (socket: too many open files; ulimit -n 32)"
	if f[2] != want {
		t.Errorf("Check error = %q\nwant          %q", f[2], want)
	}
}
