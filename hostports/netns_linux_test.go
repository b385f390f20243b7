package hostports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// In a fresh network namespace, set limits unlike the host's, say so,
	// and hold the namespace open until stdin closes.
	childRoles["netns"] = func() error {
		for name, val := range map[string]string{
			"/proc/" + procPortRange:       "40000 50000",
			"/proc/" + procReservedPorts:   "7000-7010,8080",
			"/proc/" + procUnprivilegedMin: "500",
		} {
			if err := os.WriteFile(name, []byte(val), 0); err != nil {
				return err
			}
		}
		fmt.Println("ready")
		_, err := io.Copy(io.Discard, os.Stdin)
		return err
	}
}

func TestReadNetns(t *testing.T) {
	before, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, line, err := startChild(t, "netns", func(c *exec.Cmd) {
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	})
	if err != nil {
		t.Skipf("cannot start a process in a new network namespace: %v", err)
	}
	if line != "ready" {
		t.Fatalf("child said %q, want ready", line)
	}
	got, err := ReadNetns(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
	if err != nil {
		t.Fatalf("ReadNetns: %v", err)
	}
	want := map[string]string{"GOOS": "linux", "EphemeralTCP": "40000-50000", "EphemeralUDP": "40000-50000",
		"Reserved": "7000-7010,8080", "ExcludedTCP": "", "ExcludedUDP": "", "Privileged": "0-499", "Defaulted": ""}
	if diff := cmp.Diff(want, limitsText(got)); diff != "" {
		t.Errorf("ReadNetns of the child's namespace (-want +got):\n%s", diff)
	}
	// The reading thread left the namespace: this process still sees its own.
	after, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(limitsText(before), limitsText(after)); diff != "" {
		t.Errorf("Read after ReadNetns (-before +after):\n%s", diff)
	}
	// Our own namespace reads as Read does.
	self, err := ReadNetns("/proc/self/ns/net")
	if err != nil {
		t.Fatalf("ReadNetns(self): %v", err)
	}
	if diff := cmp.Diff(limitsText(before), limitsText(self)); diff != "" {
		t.Errorf("ReadNetns(/proc/self/ns/net) against Read (-want +got):\n%s", diff)
	}
}

func TestReadNetnsErrors(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"/nonexistent/ns/net", `hostports: ReadNetns("/nonexistent/ns/net"): open /nonexistent/ns/net: no such file or directory`},
		{"/proc/self/ns/uts", "not a network namespace file"},
	}
	for _, tt := range tests {
		_, err := ReadNetns(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadNetns(%q) error = %v, want it to contain %q", tt.path, err, tt.want)
		}
		if errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("ReadNetns(%q) error wraps ErrUnsupported on Linux", tt.path)
		}
	}
}
