package hostports

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/portalloc/ports"
)

var (
	lo4   = netip.MustParseAddr("127.0.0.1")
	lo6   = netip.IPv6Loopback()
	any4  = netip.IPv4Unspecified()
	any6  = netip.IPv6Unspecified()
	pgPID = Process{PID: 812, Program: "postgres", Cmdline: []string{"postgres", "-D", "/var/lib/pg"}, UID: 999, User: "postgres"}
)

func inUse(proto ports.Protocol, addr netip.Addr, p ports.Port) Check {
	return Check{Protocol: proto, Addr: addr, Err: &BindError{Protocol: proto, Addr: addr, Port: p, Reason: ErrInUse, Err: syscall.EADDRINUSE}}
}

// reasonLines renders reasons as "kind proto blocks addrs: evidence".
func reasonLines(d Diagnosis) []string {
	var out []string
	for _, r := range d.Reasons {
		s := r.Kind.String()
		if r.Protocol != 0 {
			s += " " + r.Protocol.String()
		}
		if r.Blocks {
			s += " blocks"
		}
		if len(r.Addrs) > 0 {
			s += " [" + addrList(r.Addrs) + "]"
		}
		out = append(out, s+": "+r.Evidence)
	}
	return out
}

func TestDiagnose(t *testing.T) {
	linux, _ := Defaults("linux")
	linux.Reserved = ports.RangeSetOf(ports.RangeFrom(40000, 40010))
	windows, _ := Defaults("windows")
	windows.ExcludedTCP = ports.RangeSetOf(ports.RangeFrom(50000, 50059))
	winnat := windowsLimits(t, "windows/excludedportrange-tcp-winnat.txt", "windows/excludedportrange-udp-winnat.txt")
	listen := func(addr string, p ports.Port, v6 V6Only) Socket {
		return Socket{Protocol: ports.TCP, Local: netip.AddrPortFrom(netip.MustParseAddr(addr), uint16(p)), State: StateListen, V6Only: v6,
			UID: 999, Inode: 1, Owner: OwnerFound, Processes: []Process{pgPID}}
	}
	tests := []struct {
		name string
		in   WhyInput
		want []string
		ok   bool
	}{
		{"held on loopback", WhyInput{Port: 5432, Limits: linux,
			Checks: []Check{inUse(ports.TCP, lo4, 5432), {Protocol: ports.TCP, Addr: lo6}, inUse(ports.TCP, any4, 5432)},
			Table:  Table{Sockets: []Socket{listen("127.0.0.1", 5432, V6OnlyUnknown)}}},
			[]string{"held tcp blocks [127.0.0.1, 0.0.0.0]: tcp 127.0.0.1:5432 is listened on by postgres (pid 812, user postgres)"}, false},
		{"dual-stack", WhyInput{Port: 8080, Limits: linux,
			Checks: []Check{inUse(ports.TCP, lo4, 8080), inUse(ports.TCP, lo6, 8080)},
			Table:  Table{Sockets: []Socket{listen("::", 8080, V6OnlyOff)}}},
			[]string{
				"held tcp blocks [::1]: tcp [::]:8080 is listened on by postgres (pid 812, user postgres)",
				"dual-stack tcp blocks [127.0.0.1]: tcp [::]:8080 (held by postgres (pid 812, user postgres)) takes IPv4 traffic too: IPV6_V6ONLY is off on it, so it covers 127.0.0.1",
			}, false},
		{"v6only leaves IPv4 free", WhyInput{Port: 8080, Limits: linux,
			Checks: []Check{{Protocol: ports.TCP, Addr: lo4}, inUse(ports.TCP, lo6, 8080)},
			Table:  Table{Sockets: []Socket{listen("::", 8080, V6OnlyOn)}}},
			[]string{"held tcp blocks [::1]: tcp [::]:8080 is listened on by postgres (pid 812, user postgres)"}, false},
		{"time-wait and ephemeral", WhyInput{Port: 41000, Limits: linux,
			Checks: []Check{{Protocol: ports.TCP, Addr: lo4}},
			Table: Table{Sockets: []Socket{{Protocol: ports.TCP, Local: netip.MustParseAddrPort("127.0.0.1:41000"), Remote: netip.MustParseAddrPort("127.0.0.1:8080"),
				State: StateTimeWait, Expires: 41500 * time.Millisecond, UID: -1, Owner: OwnerKernel}}}},
			[]string{
				"time-wait tcp: 1 tcp connection(s) of port 41000 are in TIME_WAIT, the last clearing in about 42 s",
				"ephemeral tcp: tcp 41000 is in the ephemeral range 32768-60999 of this linux host: an outgoing connection may take it at any moment",
			}, true},
		{"connections on another address", WhyInput{Port: 41000, Limits: linux,
			Checks: []Check{{Protocol: ports.TCP, Addr: lo4}},
			Table: Table{Sockets: []Socket{
				{Protocol: ports.TCP, Local: netip.MustParseAddrPort("10.0.0.5:41000"), Remote: netip.MustParseAddrPort("10.0.0.9:8080"),
					State: StateTimeWait, Expires: 41500 * time.Millisecond, UID: -1, Owner: OwnerKernel},
				{Protocol: ports.TCP, Local: netip.MustParseAddrPort("10.0.0.5:41000"), Remote: netip.MustParseAddrPort("10.0.0.9:8081"),
					State: StateEstablished, UID: 999, Owner: OwnerFound, Processes: []Process{pgPID}},
			}}},
			[]string{
				"ephemeral tcp: tcp 41000 is in the ephemeral range 32768-60999 of this linux host: an outgoing connection may take it at any moment",
			}, true},
		{"hidden owner", WhyInput{Port: 6379, Limits: linux,
			Checks: []Check{inUse(ports.TCP, lo4, 6379)},
			Table:  Table{Sockets: []Socket{{Protocol: ports.TCP, Local: netip.MustParseAddrPort("0.0.0.0:6379"), State: StateListen, UID: 0, Inode: 9, Owner: OwnerHidden}}}},
			// user 0 is named as this system names it: root, or "0" where
			// there are no such user IDs (Windows).
			[]string{"held tcp blocks [127.0.0.1]: tcp 0.0.0.0:6379 is listened on by a process of user " + userName(0) + " that this process may not inspect (run as root to name it)"}, false},
		{"unseen", WhyInput{Port: 7000, Limits: linux, Checks: []Check{inUse(ports.UDP, lo4, 7000)}},
			[]string{"in-use udp blocks [127.0.0.1]: the OS refuses udp 7000 on 127.0.0.1 as in use; no socket of this network namespace that this process can see holds it"}, false},
		{"privileged", WhyInput{Port: 80, Limits: linux, Checks: []Check{{Protocol: ports.TCP, Addr: lo4, Err: &BindError{Protocol: ports.TCP, Addr: lo4, Port: 80, Reason: ErrPrivileged, Err: syscall.EACCES}}}},
			[]string{"privileged blocks: port 80 is privileged (below 1024) and this process has neither root nor CAP_NET_BIND_SERVICE"}, false},
		{"privileged, allowed", WhyInput{Port: 80, Limits: linux, CanBindPrivileged: true, Checks: []Check{{Protocol: ports.TCP, Addr: lo4}}},
			[]string{"privileged: port 80 is privileged (below 1024), and this process may bind it (root or CAP_NET_BIND_SERVICE)"}, true},
		{"reserved", WhyInput{Port: 40005, Limits: linux, Checks: []Check{{Protocol: ports.UDP, Addr: lo4}}},
			[]string{
				"reserved: port 40005 is in net.ipv4.ip_local_reserved_ports (40000-40010): the kernel never hands it out as an ephemeral port, and an explicit bind succeeds",
				"ephemeral udp: udp 40005 is in the ephemeral range 32768-60999 of this linux host: an outgoing connection may take it at any moment",
			}, true},
		{"windows excluded by WinNAT", WhyInput{Port: 50100, Limits: winnat,
			Checks: []Check{{Protocol: ports.TCP, Addr: lo4, Err: &BindError{Protocol: ports.TCP, Addr: lo4, Port: 50100, Reason: ErrExcluded, Err: syscall.EACCES}}}},
			[]string{
				"excluded tcp blocks [127.0.0.1]: tcp 50100 is in the Windows excluded port range 50060-50159, which no program can bind, likely made by WinNAT: netsh lists 50060-50159 (100 ports) without *, so Windows reserved it at run time, not an administrator; it is one of 6 blocks of 100 ports inside the dynamic range 49152-65535, as WinNAT reserves them for Hyper-V, WSL 2 and Docker Desktop, anew at each boot",
				"ephemeral tcp: tcp 50100 is in the ephemeral range 49152-65535 of this windows host: an outgoing connection may take it at any moment",
			}, false},
		{"windows excluded by an administrator", WhyInput{Port: 50010, Limits: winnat, Checks: []Check{{Protocol: ports.TCP, Addr: lo4}}},
			[]string{
				"excluded tcp [127.0.0.1]: tcp 50010 is in the Windows excluded port range 50000-50059, which a program may bind, likely made by an administrator: netsh marks the range 50000-50059 (60 ports) with *: an administrator or an installer added it (netsh int ipv4 add excludedportrange), and it stays across reboots; it keeps Windows from giving its ports to outgoing connections or to WinNAT, and a program may still bind them",
				"ephemeral tcp: tcp 50010 is in the ephemeral range 49152-65535 of this windows host: an outgoing connection may take it at any moment",
			}, true},
		{"windows excluded, a range built by hand", WhyInput{Port: 50010, Limits: windows,
			Checks: []Check{{Protocol: ports.TCP, Addr: lo4, Err: &BindError{Protocol: ports.TCP, Addr: lo4, Port: 50010, Reason: ErrExcluded, Err: syscall.EACCES}}}},
			[]string{
				"excluded tcp blocks [127.0.0.1]: tcp 50010 is in the Windows excluded port range 50000-50059, which no program can bind, likely made by WinNAT: netsh lists 50000-50059 (60 ports) without *, so Windows reserved it at run time, not an administrator; it is a block of 60 ports inside the dynamic range 49152-65535, as WinNAT reserves them for Hyper-V, WSL 2 and Docker Desktop, anew at each boot",
				"ephemeral tcp: tcp 50010 is in the ephemeral range 49152-65535 of this windows host: an outgoing connection may take it at any moment",
			}, false},
		{"free", WhyInput{Port: 20000, Limits: linux, Checks: []Check{{Protocol: ports.TCP, Addr: lo4}, {Protocol: ports.UDP, Addr: lo4}}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Diagnose(tt.in)
			if diff := cmp.Diff(tt.want, reasonLines(d)); diff != "" {
				t.Errorf("Diagnose reasons (-want +got):\n%s", diff)
			}
			if d.Bindable() != tt.ok {
				t.Errorf("Diagnose(...).Bindable() = %v, want %v", d.Bindable(), tt.ok)
			}
			for _, r := range d.Reasons {
				if r.Fix == "" {
					t.Errorf("reason %s has no fix", r.Kind)
				}
			}
		})
	}
}

// TestDiagnoseExplainsEveryRefusal: every address whose bind failed as in
// use is named by a blocking reason, whatever the table holds.
func TestDiagnoseExplainsEveryRefusal(t *testing.T) {
	addrs := []netip.Addr{lo4, lo6, any4, any6, netip.MustParseAddr("10.0.0.1")}
	rapid.Check(t, func(t *rapid.T) {
		p := ports.Port(rapid.IntRange(1, 65535).Draw(t, "port"))
		var in WhyInput
		in.Port = p
		in.Limits, _ = Defaults(rapid.SampledFrom([]string{"linux", "windows", "darwin"}).Draw(t, "goos"))
		for _, proto := range []ports.Protocol{ports.TCP, ports.UDP} {
			for _, a := range addrs {
				if rapid.Bool().Draw(t, "fails") {
					in.Checks = append(in.Checks, inUse(proto, a, p))
				} else {
					in.Checks = append(in.Checks, Check{Protocol: proto, Addr: a})
				}
			}
		}
		n := rapid.IntRange(0, 6).Draw(t, "sockets")
		for range n {
			s := Socket{
				Protocol: rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto"),
				Local:    netip.AddrPortFrom(rapid.SampledFrom(addrs).Draw(t, "addr"), uint16(p)),
				State:    rapid.SampledFrom([]SocketState{StateListen, StateBound, StateEstablished, StateTimeWait}).Draw(t, "state"),
				V6Only:   rapid.SampledFrom([]V6Only{V6OnlyUnknown, V6OnlyOn, V6OnlyOff}).Draw(t, "v6only"),
				Owner:    rapid.SampledFrom([]Owner{OwnerFound, OwnerHidden, OwnerKernel, OwnerUnknown}).Draw(t, "owner"),
			}
			if s.Owner == OwnerFound {
				s.Processes = []Process{pgPID}
			}
			in.Table.Sockets = append(in.Table.Sockets, s)
		}
		d := Diagnose(in)
		for _, c := range in.Checks {
			if !errors.Is(c.Err, ErrInUse) {
				continue
			}
			named := slices.ContainsFunc(d.Reasons, func(r Reason) bool {
				return r.Blocks && r.Protocol == c.Protocol && slices.Contains(r.Addrs, c.Addr)
			})
			if !named {
				t.Fatalf("%s %s failed as in use, and no blocking reason names it: %q", c.Protocol, c.Addr, reasonLines(d))
			}
		}
		if d.Bindable() && slices.ContainsFunc(d.Reasons, func(r Reason) bool { return r.Blocks }) {
			t.Fatalf("bindable, yet a reason blocks: %q", reasonLines(d))
		}
		for i := 1; i < len(d.Reasons); i++ {
			if d.Reasons[i].Blocks && !d.Reasons[i-1].Blocks {
				t.Fatalf("a blocking reason after a risk: %q", reasonLines(d))
			}
		}
	})
}

func TestReasonKindString(t *testing.T) {
	for k := ReasonHeld; k <= ReasonEphemeral; k++ {
		if s := k.String(); strings.HasPrefix(s, "ReasonKind(") {
			t.Errorf("ReasonKind(%d).String() = %q, want a name", k, s)
		}
	}
	if s := ReasonKind(200).String(); s != "ReasonKind(200)" {
		t.Errorf("ReasonKind(200).String() = %q", s)
	}
}

// TestStagedReadKeepsReasons checks what Why gives up by reading the
// listeners of a port first: nothing on an address that bound, and no
// address refused as in use without a blocking reason. The host is a
// model of Linux's bind conflicts: a bind as a server binds (TCP with
// SO_REUSEADDR) is refused by a listener or a bound socket on an
// overlapping address, or for UDP by any socket there; a strict bind (no
// SO_REUSEADDR) by any socket there.
func TestStagedReadKeepsReasons(t *testing.T) {
	addrs := []netip.Addr{lo4, lo6, any4, any6, netip.MustParseAddr("10.0.0.1")}
	linux, _ := Defaults("linux")
	rapid.Check(t, func(t *rapid.T) {
		p := ports.Port(rapid.IntRange(1, 65535).Draw(t, "port"))
		var full Table
		for i := range rapid.IntRange(0, 6).Draw(t, "sockets") {
			s := Socket{
				Protocol:  rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto"),
				Local:     netip.AddrPortFrom(rapid.SampledFrom(addrs).Draw(t, "addr"), uint16(p)),
				State:     rapid.SampledFrom([]SocketState{StateListen, StateBound, StateEstablished, StateTimeWait}).Draw(t, "state"),
				Inode:     uint64(i + 1),
				Owner:     OwnerFound,
				Processes: []Process{pgPID},
			}
			if s.Local.Addr().Is6() {
				s.V6Only = rapid.SampledFrom([]V6Only{V6OnlyOn, V6OnlyOff}).Draw(t, "v6only")
			}
			if s.Protocol == ports.UDP && s.State != StateEstablished {
				s.State = StateBound
			}
			full.Sockets = append(full.Sockets, s)
		}
		collides := func(proto ports.Protocol, a netip.Addr, server bool) bool {
			return slices.ContainsFunc(full.Sockets, func(s Socket) bool {
				if server && proto == ports.TCP {
					return s.Holds(proto, a, p)
				}
				return s.Blocks(proto, a, p)
			})
		}
		in := WhyInput{Port: p, Limits: linux}
		for _, proto := range []ports.Protocol{ports.TCP, ports.UDP} {
			for _, a := range rapid.SliceOfNDistinct(rapid.SampledFrom(addrs), 1, len(addrs), func(a netip.Addr) netip.Addr { return a }).Draw(t, "asked") {
				c := Check{Protocol: proto, Addr: a}
				if collides(proto, a, true) {
					c = inUse(proto, a, p)
				}
				in.Checks = append(in.Checks, c)
			}
		}
		strict := func(proto ports.Protocol, a netip.Addr, _ ports.Port) error {
			if collides(proto, a, false) {
				return syscall.EADDRINUSE
			}
			return nil
		}
		var listening Table
		for _, s := range full.Sockets {
			if s.Listening() {
				listening.Sockets = append(listening.Sockets, s)
			}
		}
		staged := in
		if !needAllSockets(p, in.Checks, listening, strict) {
			staged.Table = listening
		} else {
			staged.Table = full
		}
		in.Table = full
		want, got := Diagnose(in), Diagnose(staged)

		// The sockets named on an address that bound are the same.
		bound := func(d Diagnosis) []uint64 {
			var out []uint64
			for _, r := range d.Reasons {
				for _, s := range r.Sockets {
					ok := slices.ContainsFunc(in.Checks, func(c Check) bool {
						return c.OK() && c.Protocol == s.Protocol && s.Blocks(c.Protocol, c.Addr, p)
					})
					if ok && !slices.Contains(out, s.Inode) {
						out = append(out, s.Inode)
					}
				}
			}
			slices.Sort(out)
			return out
		}
		if diff := cmp.Diff(bound(want), bound(got)); diff != "" {
			t.Fatalf("sockets named on addresses that bound (-all +staged):\n%s\nall: %q\nstaged: %q", diff, reasonLines(want), reasonLines(got))
		}
		// Each address refused is named by a socket in both, or by none.
		refused := func(d Diagnosis) map[string]string {
			out := map[string]string{}
			for _, r := range d.Reasons {
				for _, a := range r.Addrs {
					k := r.Protocol.String() + " " + a.String()
					switch {
					case !r.Blocks:
					case len(r.Sockets) > 0:
						out[k] = "a socket"
					case out[k] == "":
						out[k] = r.Kind.String()
					}
				}
			}
			return out
		}
		if diff := cmp.Diff(refused(want), refused(got)); diff != "" {
			t.Fatalf("addresses refused (-all +staged):\n%s\nall: %q\nstaged: %q", diff, reasonLines(want), reasonLines(got))
		}
		if want.Bindable() != got.Bindable() {
			t.Fatalf("Bindable: all %v, staged %v", want.Bindable(), got.Bindable())
		}
	})
}
