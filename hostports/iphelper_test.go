package hostports

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// tableBuf builds a table as the IP Helper calls write it: dwNumEntries,
// then the rows, built field by field with the helpers below.
type tableBuf []byte

func (b tableBuf) dword(v uint32) tableBuf { return binary.LittleEndian.AppendUint32(b, v) }

// port appends a DWORD holding p in network byte order in its low 16
// bits; the upper bits are filled with junk, which readers must ignore.
func (b tableBuf) port(p uint16) tableBuf { return append(b, byte(p>>8), byte(p), 0xAB, 0xCD) }

func (b tableBuf) addr(s string) tableBuf { return append(b, netip.MustParseAddr(s).AsSlice()...) }

var addrComparers = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
}

func held(pid int) []Process { return []Process{{PID: pid, UID: -1}} }

func TestParseIPHelperTables(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		tab  ipHelperTable
		buf  tableBuf
		want []Socket
	}{
		{tcp4Table, tableBuf{}.dword(5).
			dword(2).addr("127.0.0.1").port(5432).addr("0.0.0.0").port(0).dword(4120).
			dword(5).addr("127.0.0.1").port(5432).addr("127.0.0.1").port(50000).dword(4120).
			// a listener's remote end has no meaning: Windows may fill it in
			dword(2).addr("0.0.0.0").port(135).addr("0.0.0.0").port(18).dword(1008).
			dword(11).addr("127.0.0.1").port(50001).addr("127.0.0.1").port(5432).dword(0).
			dword(2).addr("127.0.0.1").port(18081).addr("0.0.0.0").port(0).dword(0),
			[]Socket{
				{Protocol: ports.TCP, Local: ap("127.0.0.1:5432"), State: StateListen, UID: -1, Owner: OwnerFound, Processes: held(4120)},
				{Protocol: ports.TCP, Local: ap("127.0.0.1:5432"), Remote: ap("127.0.0.1:50000"), State: StateEstablished, UID: -1, Owner: OwnerFound, Processes: held(4120)},
				{Protocol: ports.TCP, Local: ap("0.0.0.0:135"), State: StateListen, UID: -1, Owner: OwnerFound, Processes: held(1008)},
				{Protocol: ports.TCP, Local: ap("127.0.0.1:50001"), Remote: ap("127.0.0.1:5432"), State: StateTimeWait, UID: -1, Owner: OwnerKernel},
				{Protocol: ports.TCP, Local: ap("127.0.0.1:18081"), State: StateListen, UID: -1, Owner: OwnerUnknown},
			}},
		{tcp4Table, tableBuf{}.dword(3).
			dword(1).addr("10.0.0.2").port(8080).addr("0.0.0.0").port(0).dword(77).
			dword(12).addr("10.0.0.2").port(8081).addr("10.0.0.9").port(443).dword(77).
			dword(99).addr("10.0.0.2").port(8082).addr("10.0.0.9").port(443).dword(77).
			dword(0xFFFFFFFF), // slack after the rows: the caller's allocation
			[]Socket{
				{Protocol: ports.TCP, Local: ap("10.0.0.2:8080"), State: StateBound, UID: -1, Owner: OwnerFound, Processes: held(77)},
				{Protocol: ports.TCP, Local: ap("10.0.0.2:8081"), Remote: ap("10.0.0.9:443"), State: StateClosed, UID: -1, Owner: OwnerFound, Processes: held(77)},
				{Protocol: ports.TCP, Local: ap("10.0.0.2:8082"), Remote: ap("10.0.0.9:443"), State: StateUnknown, UID: -1, Owner: OwnerFound, Processes: held(77)},
			}},
		{tcp6Table, tableBuf{}.dword(3).
			addr("::").dword(0).port(135).addr("::").dword(0).port(0).dword(2).dword(1008).
			addr("fe80::1").dword(7).port(5432).addr("fe80::2").dword(7).port(61000).dword(5).dword(4120).
			addr("::1").dword(0).port(443).addr("::1").dword(0).port(52000).dword(8).dword(66),
			[]Socket{
				{Protocol: ports.TCP, Local: ap("[::]:135"), State: StateListen, UID: -1, Owner: OwnerFound, Processes: held(1008)},
				{Protocol: ports.TCP, Local: ap("[fe80::1%7]:5432"), Remote: ap("[fe80::2%7]:61000"), State: StateEstablished, UID: -1, Owner: OwnerFound, Processes: held(4120)},
				{Protocol: ports.TCP, Local: ap("[::1]:443"), Remote: ap("[::1]:52000"), State: StateCloseWait, UID: -1, Owner: OwnerFound, Processes: held(66)},
			}},
		{udp4Table, tableBuf{}.dword(3).
			addr("0.0.0.0").port(5353).dword(2400).
			addr("192.168.1.5").port(137).dword(4).
			addr("127.0.0.1").port(18081).dword(0),
			[]Socket{
				{Protocol: ports.UDP, Local: ap("0.0.0.0:5353"), State: StateBound, UID: -1, Owner: OwnerFound, Processes: held(2400)},
				{Protocol: ports.UDP, Local: ap("192.168.1.5:137"), State: StateBound, UID: -1, Owner: OwnerFound, Processes: held(4)},
				// PID 0 for a socket that waits for peers: no owner is known
				{Protocol: ports.UDP, Local: ap("127.0.0.1:18081"), State: StateBound, UID: -1, Owner: OwnerUnknown},
			}},
		{udp6Table, tableBuf{}.dword(2).
			addr("fe80::1").dword(12).port(1900).dword(3300).
			addr("::").dword(0).port(5353).dword(2400),
			[]Socket{
				{Protocol: ports.UDP, Local: ap("[fe80::1%12]:1900"), State: StateBound, UID: -1, Owner: OwnerFound, Processes: held(3300)},
				{Protocol: ports.UDP, Local: ap("[::]:5353"), State: StateBound, UID: -1, Owner: OwnerFound, Processes: held(2400)},
			}},
		{udp6Table, tableBuf{}.dword(0), []Socket{}},
	}
	for _, tt := range tests {
		got, err := parseIPHelperTable(tt.buf, tt.tab)
		if err != nil {
			t.Errorf("%s: %v", tt.tab.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, addrComparers); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.tab.name, diff)
		}
	}
}

func TestParseIPHelperTableErrors(t *testing.T) {
	tests := []struct {
		tab  ipHelperTable
		buf  tableBuf
		want string
	}{
		{tcp4Table, nil, `MIB_TCPTABLE_OWNER_PID: "0 bytes": too short for dwNumEntries`},
		{udp4Table, tableBuf{1, 0, 0}, `MIB_UDPTABLE_OWNER_PID: "3 bytes": too short for dwNumEntries`},
		{tcp6Table, tableBuf{}.dword(1).dword(0), `MIB_TCP6TABLE_OWNER_PID: "8 bytes": dwNumEntries is 1 but the buffer holds 0 rows of 56 bytes`},
		{udp6Table, append(tableBuf{}.dword(0xFFFFFFFF), make([]byte, 60)...), `MIB_UDP6TABLE_OWNER_PID: "64 bytes": dwNumEntries is 4294967295 but the buffer holds 2 rows of 28 bytes`},
		{tcp4Table, append(tableBuf{}.dword(2), make([]byte, 47)...), "dwNumEntries is 2 but the buffer holds 1 rows of 24 bytes"},
	}
	for _, tt := range tests {
		_, err := parseIPHelperTable(tt.buf, tt.tab)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s(% x) error = %v, want it to contain %q", tt.tab.name, []byte(tt.buf), err, tt.want)
			continue
		}
		checkErrPrefix(t, err, tt.tab.name)
	}
}

func FuzzParseIPHelperTable(f *testing.F) {
	tabs := []ipHelperTable{tcp4Table, tcp6Table, udp4Table, udp6Table}
	f.Add(uint8(0), []byte(tableBuf{}.dword(1).dword(2).addr("127.0.0.1").port(80).addr("0.0.0.0").port(0).dword(9)))
	f.Add(uint8(1), []byte(tableBuf{}.dword(1).addr("::1").dword(3).port(80).addr("::").dword(0).port(0).dword(5).dword(9)))
	f.Add(uint8(2), []byte(tableBuf{}.dword(1).addr("0.0.0.0").port(53).dword(9)))
	f.Add(uint8(3), []byte(tableBuf{}.dword(2).addr("::").dword(0).port(53).dword(9)))
	f.Fuzz(func(t *testing.T, which uint8, buf []byte) {
		tab := tabs[int(which)%len(tabs)]
		socks, err := parseIPHelperTable(buf, tab)
		if err != nil {
			checkErrPrefix(t, err, tab.name)
			return
		}
		if n := binary.LittleEndian.Uint32(buf); uint64(len(socks)) != uint64(n) {
			t.Fatalf("%d sockets from dwNumEntries %d", len(socks), n)
		}
		for _, s := range socks {
			if s.Protocol != tab.proto || s.Local.Addr().Is6() != tab.v6 {
				t.Fatalf("%s: socket %v of the wrong protocol or family", tab.name, s)
			}
			if (s.Owner == OwnerFound) != (len(s.Processes) == 1) {
				t.Fatalf("%s: owner %v with processes %v", tab.name, s.Owner, s.Processes)
			}
		}
	})
}
