package hostports

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
)

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sockLine is a socket in one line, for comparisons.
func sockLine(s Socket) string {
	out := fmt.Sprintf("%s %s", s.Protocol, s.Local)
	if s.Remote.IsValid() {
		out += " -> " + s.Remote.String()
	}
	out += " " + s.State.String()
	if s.V6Only != V6OnlyUnknown {
		out += " v6only=" + s.V6Only.String()
	}
	out += fmt.Sprintf(" uid=%d inode=%d", s.UID, s.Inode)
	if s.Expires != 0 {
		out += " expires=" + s.Expires.String()
	}
	return out
}

func sockLines(socks []Socket) []string {
	out := make([]string, len(socks))
	for i, s := range socks {
		out[i] = sockLine(s)
	}
	return out
}

func TestParseLinuxProcNet(t *testing.T) {
	tests := []struct {
		file  string
		proto ports.Protocol
		want  []string
	}{
		{"linux/proc-net-tcp", ports.TCP, []string{
			"tcp 127.0.0.1:5432 LISTEN uid=999 inode=48861",
			"tcp 0.0.0.0:22 LISTEN uid=0 inode=19312",
			"tcp 127.0.0.1:5432 -> 127.0.0.1:53924 ESTABLISHED uid=999 inode=50112",
			"tcp 127.0.0.1:41456 -> 127.0.0.1:8080 TIME_WAIT uid=-1 inode=0 expires=58.9s",
		}},
		{"linux/proc-net-tcp6", ports.TCP, []string{
			"tcp [::1]:8080 LISTEN uid=1000 inode=77120",
			"tcp [::]:5432 LISTEN uid=999 inode=48862",
			"tcp [::ffff:127.0.0.1]:5432 -> [::ffff:127.0.0.1]:57506 ESTABLISHED uid=999 inode=50200",
		}},
		{"linux/proc-net-udp", ports.UDP, []string{
			"udp 127.0.0.53:53 BOUND uid=101 inode=16511",
			"udp 127.0.0.1:58305 -> 127.0.0.1:53 ESTABLISHED uid=1000 inode=88210",
		}},
	}
	for _, tt := range tests {
		got, err := ParseLinuxProcNet(readFixture(t, tt.file), tt.proto)
		if err != nil {
			t.Fatalf("ParseLinuxProcNet(%s): %v", tt.file, err)
		}
		if diff := cmp.Diff(tt.want, sockLines(got)); diff != "" {
			t.Errorf("ParseLinuxProcNet(%s) (-want +got):\n%s", tt.file, diff)
		}
	}
}

func TestParseLinuxProcNetErrors(t *testing.T) {
	const head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	tests := []struct{ in, want string }{
		{head + "   0: 0100007F:1538 00000000:0000 0A\n", `hostports: ParseLinuxProcNet: line 2 "0: 0100007F:1538 00000000:0000 0A": want at least 10 fields`},
		{head + "   0: 0100007F1538 00000000:0000 0A 0:0 00:00000000 0 0 0 1\n", `local address: "0100007F1538": want HEXADDR:HEXPORT`},
		{head + "   0: 0100007G:1538 00000000:0000 0A 0:0 00:00000000 0 0 0 1\n", "address is not hex"},
		{head + "   0: 0100007F:1538 00000000000000000000000000000000:0000 0A 0:0 00:00000000 0 0 0 1\n", "different families"},
		{head + "   0: 0100007F:1538 00000000:0000 ZZ 0:0 00:00000000 0 0 0 1\n", `state "ZZ"`},
		{head + "   0: 0100007F:1538 00000000:0000 0A 0:0 0000000000 0 0 0 1\n", "want TIMER:WHEN"},
		{head + "   0: 0100007F:1538 00000000:0000 0A 0:0 00:00000000 0 x 0 1\n", `uid "x"`},
		{head + "   0: 0100007F:1538 00000000:0000 0A 0:0 00:00000000 0 0 0 -1\n", `inode "-1"`},
		{head + "   0: 0100007F:1538 00000000:0000 06 0:0 03:0000zz00 0 0 0 0\n", "hex digits after the colon"},
		{head + "   0: 0100007F:15 00000000:0000 0A 0:0 00:00000000 0 0 0 1\n", "want HEXADDR:HEXPORT"},
		{head + "   0: 0100007F:1538 000000:0000 0A 0:0 00:00000000 0 0 0 1\n", "want 8 or 32 hex digits"},
	}
	for _, tt := range tests {
		_, err := ParseLinuxProcNet(tt.in, ports.TCP)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLinuxProcNet(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			continue
		}
		checkErrPrefix(t, err, "ParseLinuxProcNet")
	}
}

func TestParseCgroup(t *testing.T) {
	tests := []struct {
		file string
		want Container
	}{
		{"linux/cgroup.docker-systemd", Container{Runtime: "docker", ID: "4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"}},
		{"linux/cgroup.docker-cgroupfs", Container{Runtime: "docker", ID: "9c0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345678"}},
		{"linux/cgroup.k8s-containerd", Container{Runtime: "containerd", ID: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Pod: "5d7e2b1a-8c3f-4e0d-9a6b-1f2e3d4c5b6a"}},
		{"linux/cgroup.podman", Container{Runtime: "podman", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
		{"linux/cgroup.host", Container{}},
	}
	for _, tt := range tests {
		got, err := ParseCgroup(readFixture(t, tt.file))
		if err != nil {
			t.Fatalf("ParseCgroup(%s): %v", tt.file, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCgroup(%s) (-want +got):\n%s", tt.file, diff)
		}
	}
	inline := []struct {
		in   string
		want Container
	}{
		{"0::/kubepods/burstable/pod0f9e8d7c-6b5a-4321-8765-43210fedcba9/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
			Container{Runtime: "kubernetes", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Pod: "0f9e8d7c-6b5a-4321-8765-43210fedcba9"}},
		{"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc_def.slice/crio-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n",
			Container{Runtime: "cri-o", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Pod: "abc-def"}},
		{"0::/machine.slice/libpod-conmon-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n", Container{}},
		{"0::/system.slice/nerdctl-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n",
			Container{Runtime: "containerd", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
		{"0::/lxc.payload.web1/system.slice\n", Container{Runtime: "lxc", ID: "web1"}},
		{"0::/system.slice/docker.service\n", Container{}},
		{"", Container{}},
	}
	for _, tt := range inline {
		got, err := ParseCgroup(tt.in)
		if err != nil {
			t.Fatalf("ParseCgroup(%q): %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCgroup(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	_, err := ParseCgroup("0::/\nno colons here\n")
	if err == nil || !strings.Contains(err.Error(), `line 2 "no colons here": want HIERARCHY:CONTROLLERS:PATH`) {
		t.Errorf("ParseCgroup of a line without colons: error = %v", err)
	}
}

func TestParseDockerProxyArgs(t *testing.T) {
	tests := []struct {
		args []string
		want Container
		ok   bool
	}{
		{strings.Fields("/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 5432 -container-ip 172.17.0.2 -container-port 5432"),
			Container{Runtime: "docker", Target: "172.17.0.2:5432/tcp"}, true},
		{strings.Fields("docker-proxy --proto=udp --host-ip=:: --host-port=53 --container-ip=fd00::2 --container-port=53 --use-listen-fd"),
			Container{Runtime: "docker", Target: "[fd00::2]:53/udp"}, true},
		{strings.Fields("/usr/bin/docker-proxy -proto tcp -host-port 80"), Container{}, false},
		{strings.Fields("/usr/bin/nginx -container-ip 1.2.3.4 -container-port 80"), Container{}, false},
		{nil, Container{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseDockerProxyArgs(tt.args)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseDockerProxyArgs(%q) = %+v, %v; want %+v, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

// diagMsg builds a SOCK_DIAG_BY_FAMILY answer as the kernel writes it.
func diagMsg(family, state, timer uint8, local, remote netip.AddrPort, expires, uid, inode uint32, v6only int) []byte {
	ne := binary.NativeEndian
	body := make([]byte, inetDiagMsgLen)
	body[0], body[1], body[2] = family, state, timer
	binary.BigEndian.PutUint16(body[4:], local.Port())
	binary.BigEndian.PutUint16(body[6:], remote.Port())
	if family == afInet {
		a, b := local.Addr().As4(), remote.Addr().As4()
		copy(body[8:], a[:])
		copy(body[24:], b[:])
	} else {
		a, b := local.Addr().As16(), remote.Addr().As16()
		copy(body[8:], a[:])
		copy(body[24:], b[:])
	}
	ne.PutUint32(body[52:], expires)
	ne.PutUint32(body[64:], uid)
	ne.PutUint32(body[68:], inode)
	if v6only >= 0 {
		attr := make([]byte, 8)
		ne.PutUint16(attr[0:], 5)
		ne.PutUint16(attr[2:], inetDiagV6Only)
		attr[4] = byte(v6only)
		body = append(body, attr...)
	}
	return nlmsg(sockDiagByFamily, body)
}

func nlmsg(typ uint16, body []byte) []byte {
	b := make([]byte, nlmsgHdrLen, nlmsgHdrLen+len(body)+3)
	binary.NativeEndian.PutUint32(b[0:], uint32(nlmsgHdrLen+len(body)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func TestDecodeDiag(t *testing.T) {
	ap := netip.MustParseAddrPort
	var buf []byte
	buf = append(buf, diagMsg(afInet, 10, 0, ap("127.0.0.1:5432"), ap("0.0.0.0:0"), 0, 999, 48861, -1)...)
	buf = append(buf, diagMsg(afInet6, 10, 0, ap("[::]:5432"), ap("[::]:0"), 0, 999, 48862, 0)...)
	buf = append(buf, diagMsg(afInet6, 10, 0, ap("[::1]:8080"), ap("[::]:0"), 0, 1000, 77120, 1)...)
	buf = append(buf, diagMsg(afInet, 6, tcpTimerTimeWait, ap("127.0.0.1:41456"), ap("127.0.0.1:8080"), 58900, 0, 0, -1)...)
	got, err := decodeDiag(buf, ports.TCP, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tcp 127.0.0.1:5432 LISTEN uid=999 inode=48861",
		"tcp [::]:5432 LISTEN v6only=off uid=999 inode=48862",
		"tcp [::1]:8080 LISTEN v6only=on uid=1000 inode=77120",
		"tcp 127.0.0.1:41456 -> 127.0.0.1:8080 TIME_WAIT uid=-1 inode=0 expires=58.9s",
	}
	if diff := cmp.Diff(want, sockLines(got)); diff != "" {
		t.Errorf("decodeDiag (-want +got):\n%s", diff)
	}
	_, err = decodeDiag(nlmsg(nlmsgDone, make([]byte, 4)), ports.TCP, nil)
	if err != errDiagDone {
		t.Errorf("decodeDiag(NLMSG_DONE) error = %v, want the end of the dump", err)
	}
	errBody := make([]byte, 4)
	binary.NativeEndian.PutUint32(errBody, uint32(0xffffffff-1)) // -2, ENOENT
	if _, err = decodeDiag(nlmsg(nlmsgError, errBody), ports.TCP, nil); err == nil || err == errDiagDone {
		t.Errorf("decodeDiag(NLMSG_ERROR -2) error = %v, want the kernel's error", err)
	}
	if _, err = decodeDiag(buf[:20], ports.TCP, nil); err == nil || !strings.Contains(err.Error(), "says it has") {
		t.Errorf("decodeDiag of a cut message: error = %v", err)
	}
}

func TestDiagRequest(t *testing.T) {
	b := diagRequest(afInet6, ipprotoUDP, 0, diagAllStates, 7)
	if len(b) != nlmsgHdrLen+inetDiagReqLen || int(binary.NativeEndian.Uint32(b)) != len(b) {
		t.Fatalf("diagRequest without a port: %d bytes, header says %d", len(b), binary.NativeEndian.Uint32(b))
	}
	if b[16] != afInet6 || b[17] != ipprotoUDP || binary.NativeEndian.Uint32(b[8:]) != 7 || binary.NativeEndian.Uint32(b[20:]) != diagAllStates {
		t.Errorf("diagRequest: family %d protocol %d seq %d states %#x", b[16], b[17], binary.NativeEndian.Uint32(b[8:]), binary.NativeEndian.Uint32(b[20:]))
	}
	if got := binary.NativeEndian.Uint32(diagRequest(afInet, ipprotoTCP, 0, diagListenStates, 1)[20:]); got != 1<<10 {
		t.Errorf("diagRequest for listeners: states %#x, want TCPF_LISTEN alone", got)
	}
	b = diagRequest(afInet, ipprotoTCP, 5432, diagAllStates, 1)
	if want := nlmsgHdrLen + inetDiagReqLen + 20; len(b) != want || int(binary.NativeEndian.Uint32(b)) != want {
		t.Errorf("diagRequest with a port: %d bytes, want %d", len(b), want)
	}
	// TCP puts the port in the socket ID too (network order), for the
	// kernel's cheap test; UDP leaves it to the bytecode.
	if got := binary.BigEndian.Uint16(b[nlmsgHdrLen+8:]); got != 5432 {
		t.Errorf("diagRequest TCP 5432: idiag_sport %d", got)
	}
	if got := binary.BigEndian.Uint16(diagRequest(afInet, ipprotoUDP, 5432, diagAllStates, 1)[nlmsgHdrLen+8:]); got != 0 {
		t.Errorf("diagRequest UDP 5432: idiag_sport %d, want 0", got)
	}
	if !bytes.Equal(b[nlmsgHdrLen+inetDiagReqLen:], diagRequest(afInet, ipprotoUDP, 5432, diagAllStates, 1)[nlmsgHdrLen+inetDiagReqLen:]) {
		t.Errorf("diagRequest: TCP and UDP bytecode differ")
	}
}

func TestDiagRequestTCP(t *testing.T) {
	ne := binary.NativeEndian
	b := diagRequestTCP(0, diagAllStates, 3)
	if len(b) != nlmsgHdrLen+inetDiagReqV1Len || int(ne.Uint32(b)) != len(b) {
		t.Fatalf("diagRequestTCP without a port: %d bytes, header says %d", len(b), ne.Uint32(b))
	}
	if ne.Uint16(b[4:]) != tcpDiagGetSock || ne.Uint16(b[6:]) != nlmFRequest|nlmFDump || ne.Uint32(b[8:]) != 3 {
		t.Errorf("diagRequestTCP: type %d flags %#x seq %d", ne.Uint16(b[4:]), ne.Uint16(b[6:]), ne.Uint32(b[8:]))
	}
	if b[nlmsgHdrLen] != 0 || ne.Uint32(b[nlmsgHdrLen+52:]) != 0xffffffff {
		t.Errorf("diagRequestTCP: family %d states %#x, want any family, every state", b[nlmsgHdrLen], ne.Uint32(b[nlmsgHdrLen+52:]))
	}
	if got := ne.Uint32(diagRequestTCP(0, diagListenStates, 3)[nlmsgHdrLen+52:]); got != 1<<10 {
		t.Errorf("diagRequestTCP for listeners: states %#x, want TCPF_LISTEN alone", got)
	}
	b = diagRequestTCP(5432, diagAllStates, 1)
	if want := nlmsgHdrLen + inetDiagReqV1Len + 20; len(b) != want || int(ne.Uint32(b)) != want {
		t.Errorf("diagRequestTCP with a port: %d bytes, want %d", len(b), want)
	}
	if got := binary.BigEndian.Uint16(b[nlmsgHdrLen+4:]); got != 5432 {
		t.Errorf("diagRequestTCP 5432: idiag_sport %d", got)
	}
	v2 := diagRequest(afInet, ipprotoTCP, 5432, diagAllStates, 1)
	if diff := cmp.Diff(v2[nlmsgHdrLen+inetDiagReqLen:], b[nlmsgHdrLen+inetDiagReqV1Len:]); diff != "" {
		t.Errorf("diagRequestTCP bytecode (-v2 +v1):\n%s", diff)
	}
	// Its answers come with its own message type.
	ap := netip.MustParseAddrPort
	msg := diagMsg(afInet6, 10, 0, ap("[::]:5432"), ap("[::]:0"), 0, 0, 7, 1)
	binary.NativeEndian.PutUint16(msg[4:], tcpDiagGetSock)
	got, err := decodeDiag(msg, ports.TCP, nil)
	if err != nil || len(got) != 1 || got[0].Local != ap("[::]:5432") || got[0].V6Only != V6OnlyOn {
		t.Errorf("decodeDiag of a TCPDIAG_GETSOCK answer: %+v, %v", got, err)
	}
}

func TestExpiresFromProcNetTicks(t *testing.T) {
	s, err := ParseLinuxProcNet("0: 0100007F:A1F0 0100007F:1F90 06 0:0 03:00000064 0 0 0 0\n", ports.TCP)
	if err != nil {
		t.Fatal(err)
	}
	if s[0].Expires != time.Second {
		t.Errorf("100 ticks: expires %v, want 1s", s[0].Expires)
	}
}

func FuzzParseLinuxProcNet(f *testing.F) {
	for _, name := range []string{"linux/proc-net-tcp", "linux/proc-net-tcp6", "linux/proc-net-udp"} {
		f.Add(readFixture(f, name))
	}
	f.Add("0: 0100007F:1538 00000000:0000 0A 0:0 00:00000000 0 0 0 1") // no header, no newline
	f.Add("0: 0100007F:1538 00000000000000000000000000000000:0000 0A 0:0 00:0 0 0 0 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		socks, err := ParseLinuxProcNet(s, ports.TCP)
		if err != nil {
			checkErrPrefix(t, err, "ParseLinuxProcNet")
			return
		}
		for _, sk := range socks {
			if !sk.Local.IsValid() || sk.Protocol != ports.TCP {
				t.Fatalf("ParseLinuxProcNet(%q) gave %+v", s, sk)
			}
			if sk.Remote.IsValid() && sk.Remote.Addr().Is4() != sk.Local.Addr().Is4() {
				t.Fatalf("ParseLinuxProcNet(%q): mixed families %+v", s, sk)
			}
		}
	})
}

func FuzzParseCgroup(f *testing.F) {
	for _, name := range []string{"linux/cgroup.docker-systemd", "linux/cgroup.docker-cgroupfs", "linux/cgroup.k8s-containerd", "linux/cgroup.podman", "linux/cgroup.host"} {
		f.Add(readFixture(f, name))
	}
	f.Add("0::/kubepods/burstable/podX/0123456789abcdef\n") // a pod, a short ID
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCgroup(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseCgroup")
			return
		}
		if !c.IsZero() && c.Runtime == "" {
			t.Fatalf("ParseCgroup(%q) = %+v: a container without a runtime", s, c)
		}
	})
}

func FuzzDecodeDiag(f *testing.F) {
	ap := netip.MustParseAddrPort
	f.Add(diagMsg(afInet, 10, 0, ap("127.0.0.1:5432"), ap("0.0.0.0:0"), 0, 999, 1, -1))
	f.Add(diagMsg(afInet6, 10, 0, ap("[::]:5432"), ap("[::]:0"), 0, 999, 2, 0))
	f.Add(nlmsg(nlmsgDone, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, b []byte) {
		socks, err := decodeDiag(b, ports.UDP, nil)
		for _, s := range socks {
			if !s.Local.IsValid() {
				t.Fatalf("decodeDiag(%x) gave a socket without a local address: %+v (err %v)", b, s, err)
			}
		}
	})
}
