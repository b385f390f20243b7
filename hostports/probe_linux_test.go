package hostports

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// Probe a port below 1024 and print the summary on one line.
	childRoles["privileged"] = func() error {
		fmt.Println(strings.Join(summary(Probe(80)), "|"))
		return nil
	}
	// In a fresh network namespace, turn IPv6 off, bring the loopback
	// interface up, and print the summary of a probe on one line.
	childRoles["noipv6"] = func() error {
		for _, name := range []string{"all", "default", "lo"} {
			if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+name+"/disable_ipv6", []byte("1"), 0); err != nil {
				return err
			}
		}
		if err := ifUp("lo"); err != nil {
			return err
		}
		r := Probe(40000)
		fmt.Printf("%s|bindable=%v|skipped=%v\n", strings.Join(summary(r), "|"), r.Bindable(), r.SkippedIPv6())
		return nil
	}
}

// ifUp sets the IFF_UP flag of an interface, as "ip link set NAME up" does.
func ifUp(name string) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr struct {
		name  [syscall.IFNAMSIZ]byte
		flags uint16
		_     [22]byte
	}
	copy(ifr.name[:], name)
	ioctl := func(req uintptr) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr))); e != 0 {
			return e
		}
		return nil
	}
	if err := ioctl(syscall.SIOCGIFFLAGS); err != nil {
		return err
	}
	ifr.flags |= syscall.IFF_UP
	return ioctl(syscall.SIOCSIFFLAGS)
}

func TestProbePrivileged(t *testing.T) {
	var line string
	if os.Geteuid() != 0 {
		line = strings.Join(summary(Probe(80)), "|")
	} else {
		// Root binds anything; a child that is root only in a new user
		// namespace lacks CAP_NET_BIND_SERVICE in ours, as an ordinary
		// user does.
		uid, gid := os.Getuid(), os.Getgid()
		var err error
		_, _, line, err = startChild(t, "privileged", func(c *exec.Cmd) {
			c.SysProcAttr = &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWUSER,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
			}
		})
		if err != nil {
			t.Skipf("cannot start a process in a new user namespace: %v", err)
		}
	}
	lim, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if !lim.Privileged.Contains(80) {
		t.Skipf("port 80 is not privileged here (privileged: %q)", lim.Privileged)
	}
	want := []string{
		"tcp 127.0.0.1 privileged", "udp 127.0.0.1 privileged",
		"tcp ::1 privileged", "udp ::1 privileged",
		"tcp 0.0.0.0 privileged", "udp 0.0.0.0 privileged",
		"tcp :: privileged", "udp :: privileged",
	}
	if !hasIPv6() {
		want = []string{"tcp 127.0.0.1 privileged", "udp 127.0.0.1 privileged", "tcp ::1 skipped", "udp ::1 skipped",
			"tcp 0.0.0.0 privileged", "udp 0.0.0.0 privileged", "tcp :: privileged", "udp :: privileged"}
	}
	if diff := cmp.Diff(want, strings.Split(line, "|")); diff != "" {
		t.Errorf("Probe(80) as an unprivileged process (-want +got):\n%s", diff)
	}
}

func TestProbeWithoutIPv6(t *testing.T) {
	_, _, line, err := startChild(t, "noipv6", func(c *exec.Cmd) {
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	})
	if err != nil {
		t.Skipf("cannot start a process in a new network namespace: %v", err)
	}
	want := []string{
		"tcp 127.0.0.1 ok", "udp 127.0.0.1 ok",
		"tcp ::1 skipped", "udp ::1 skipped",
		"tcp 0.0.0.0 ok", "udp 0.0.0.0 ok",
		"tcp :: ok", "udp :: ok",
		"bindable=true", "skipped=true",
	}
	if diff := cmp.Diff(want, strings.Split(line, "|")); diff != "" {
		t.Errorf("Probe(40000) on a host without IPv6 (-want +got):\n%s", diff)
	}
}
