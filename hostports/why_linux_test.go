package hostports

import (
	"net"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
)

func TestWhyHeldDualStack(t *testing.T) {
	l, err := net.Listen("tcp", "[::]:0") // dual-stack, as Go binds ":0"
	if err != nil {
		t.Skipf("no IPv6: %v", err)
	}
	defer l.Close()
	p := ports.Port(l.Addr().(*net.TCPAddr).Port)
	lim, _ := Defaults("linux")
	lim.EphemeralTCP, lim.EphemeralUDP = ports.Range{}, ports.Range{}
	d, err := Why(p, WhyOptions{Protocols: []ports.Protocol{ports.TCP}, Limits: &lim})
	if err != nil {
		t.Fatal(err)
	}
	if d.Bindable() {
		t.Fatalf("Why(%d) with a listener on it: bindable", p)
	}
	var got []string
	for _, r := range d.Reasons {
		got = append(got, r.Kind.String()+" "+addrList(r.Addrs))
		if len(r.Sockets) != 1 || len(r.Sockets[0].Processes) != 1 || r.Sockets[0].Processes[0].PID != os.Getpid() {
			t.Errorf("reason %s: sockets %+v, want this process's listener", r.Kind, r.Sockets)
		}
	}
	want := []string{"held ::1, ::", "dual-stack 127.0.0.1, 0.0.0.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Why(%d) reasons (-want +got):\n%s", p, diff)
	}
	l.Close()
	d, err = Why(p, WhyOptions{Protocols: []ports.Protocol{ports.TCP}, Limits: &lim})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Bindable() || len(d.Reasons) != 0 {
		t.Errorf("Why(%d) after the listener closed: bindable %v, reasons %q", p, d.Bindable(), reasonLines(d))
	}
}
