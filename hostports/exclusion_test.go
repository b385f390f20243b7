package hostports

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/portalloc/ports"
)

func TestParseNetshExclusions(t *testing.T) {
	r := ports.RangeFrom
	tcp := func(lo, hi ports.Port, admin bool) Exclusion {
		return Exclusion{Protocol: ports.TCP, Range: r(lo, hi), Administered: admin}
	}
	tests := []struct {
		name, file string
		proto      ports.Protocol
		want       []Exclusion
	}{
		{"Hyper-V", "windows/excludedportrange-tcp-hyperv.txt", ports.TCP, []Exclusion{
			tcp(5357, 5357, false), tcp(9800, 9800, false), tcp(9801, 9801, false), tcp(49671, 49770, false),
			tcp(49871, 49970, false), tcp(50000, 50059, true), tcp(61117, 61216, false)}},
		{"translated, rows kept apart", "windows/excludedportrange-tcp-translated.txt", ports.TCP, []Exclusion{
			tcp(1802, 1901, false), tcp(1902, 2001, false), tcp(5357, 5357, false), tcp(8884, 8884, false), tcp(50000, 50059, true)}},
		{"UDP", "windows/excludedportrange-udp-winnat.txt", ports.UDP, []Exclusion{
			{ports.UDP, r(49152, 49251), false}, {ports.UDP, r(49252, 49351), false}, {ports.UDP, r(50000, 50059), true},
			{ports.UDP, r(50060, 50159), false}, {ports.UDP, r(62094, 62193), false}}},
		{"none", "windows/excludedportrange-udp-none.txt", ports.UDP, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNetshExclusions(fixture(t, tt.file), tt.proto)
			if err != nil {
				t.Fatalf("ParseNetshExclusions(%s): %v", tt.file, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b ports.Range) bool { return a == b })); diff != "" {
				t.Errorf("ParseNetshExclusions(%s) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
	_, err := ParseNetshExclusions("Start Port    End Port\n      5357\n", ports.TCP)
	if err == nil || !strings.Contains(err.Error(), "ParseNetshExclusions") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("ParseNetshExclusions of a row without an end: error %v, want one naming the function and line 2", err)
	}
}

// windowsLimits returns Windows's default limits with the exclusions of
// the fixtures of TCP and UDP.
func windowsLimits(t *testing.T, tcpFile, udpFile string) Limits {
	t.Helper()
	l, _ := Defaults("windows")
	for _, f := range []struct {
		file  string
		proto ports.Protocol
	}{{tcpFile, ports.TCP}, {udpFile, ports.UDP}} {
		if f.file == "" {
			continue
		}
		rows, err := ParseNetshExclusions(fixture(t, f.file), f.proto)
		if err != nil {
			t.Fatal(err)
		}
		l.addExclusions(f.proto, rows)
	}
	return l
}

func TestExplainExclusion(t *testing.T) {
	winnat := windowsLimits(t, "windows/excludedportrange-tcp-winnat.txt", "windows/excludedportrange-udp-winnat.txt")
	low := windowsLimits(t, "windows/excludedportrange-tcp-low.txt", "")
	handMade, _ := Defaults("windows")
	handMade.ExcludedTCP = ports.MustParseRangeSet("50000-50059")
	type want struct {
		Maker  ExclusionMaker
		Blocks bool
		Range  string
	}
	tests := []struct {
		name     string
		l        Limits
		proto    ports.Protocol
		p        ports.Port
		want     want
		evidence []string // parts the evidence must hold
		fix      []string // parts the fix must hold
	}{
		{"a WinNAT block", winnat, ports.TCP, 50100, want{MakerWinNAT, true, "50060-50159"},
			[]string{"without *", "one of 6 blocks of 100 ports inside the dynamic range 49152-65535", "WinNAT"},
			[]string{"net stop winnat, then net start winnat", "startport=50100 numberofports=1", "set dynamicport tcp start=50101 num=15435"}},
		{"administered", winnat, ports.TCP, 50010, want{MakerAdministrator, false, "50000-50059"},
			[]string{"with *", "netsh int ipv4 add excludedportrange", "may still bind"},
			[]string{"delete excludedportrange protocol=tcp startport=50000 numberofports=60"}},
		{"a service's port, named by IANA", winnat, ports.TCP, 5985, want{MakerService, true, "5985"},
			[]string{"alone and without *", "wsman (WBEM WS-Management HTTP)"}, []string{"pick another port"}},
		{"UDP block", winnat, ports.UDP, 49200, want{MakerWinNAT, true, "49152-49251"},
			[]string{"one of 4 blocks of 100 ports"}, []string{"protocol=udp", "set dynamicport udp start=49201"}},
		{"the TCP rows do not answer for UDP", winnat, ports.UDP, 5357, want{}, nil, nil},
		{"a block below the dynamic range", low, ports.TCP, 1100, want{MakerWinNAT, true, "1061-1160"},
			[]string{"outside the dynamic range 49152-65535 (which may have moved since)"}, []string{"net stop winnat"}},
		{"a range without rows", handMade, ports.TCP, 50010, want{MakerWinNAT, true, "50000-50059"},
			[]string{"a block of 60 ports inside"}, []string{"net stop winnat"}},
		{"not excluded", winnat, ports.TCP, 8080, want{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := ExplainExclusion(tt.l, tt.proto, tt.p)
			if ok != (tt.want != want{}) {
				t.Fatalf("ExplainExclusion(%s %d) = %+v, %v", tt.proto, tt.p, c, ok)
			}
			if !ok {
				return
			}
			got := want{c.Maker, c.Blocks, c.Exclusion.Range.String()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ExplainExclusion(%s %d) (-want +got):\n%s", tt.proto, tt.p, diff)
			}
			for _, part := range tt.evidence {
				if !strings.Contains(c.Evidence, part) {
					t.Errorf("ExplainExclusion(%s %d).Evidence = %q, want it to hold %q", tt.proto, tt.p, c.Evidence, part)
				}
			}
			for _, part := range tt.fix {
				if !strings.Contains(c.Fix, part) {
					t.Errorf("ExplainExclusion(%s %d).Fix = %q, want it to hold %q", tt.proto, tt.p, c.Fix, part)
				}
			}
		})
	}
}

// TestExplainExclusionProperties: a port is explained exactly when an
// excluded range holds it, by a row that holds it; the explanation stops
// a bind unless every row holding the port is administered; and it always
// says what to do.
func TestExplainExclusionProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l, _ := Defaults("windows")
		var b ports.RangeSetBuilder
		for range rapid.IntRange(0, 6).Draw(t, "rows") {
			lo := ports.Port(rapid.IntRange(1000, 1100).Draw(t, "lo"))
			n := rapid.IntRange(1, 100).Draw(t, "len")
			x := Exclusion{Protocol: ports.TCP, Range: ports.RangeFrom(lo, lo+ports.Port(n-1)), Administered: rapid.Bool().Draw(t, "administered")}
			l.Exclusions = append(l.Exclusions, x)
			b.Add(x.Range)
		}
		l.ExcludedTCP = b.RangeSet()
		p := ports.Port(rapid.IntRange(990, 1210).Draw(t, "port"))
		c, ok := ExplainExclusion(l, ports.TCP, p)
		if ok != l.ExcludedTCP.Contains(p) {
			t.Fatalf("ExplainExclusion(%d) ok = %v, excluded %v", p, ok, l.ExcludedTCP.Contains(p))
		}
		if !ok {
			return
		}
		if !c.Exclusion.Range.Contains(p) || c.Fix == "" || c.Evidence == "" {
			t.Fatalf("ExplainExclusion(%d) = %+v", p, c)
		}
		blocking := false
		for _, x := range l.Exclusions {
			blocking = blocking || x.Range.Contains(p) && !x.Administered
		}
		if c.Blocks != blocking || (c.Maker == MakerAdministrator) == blocking {
			t.Fatalf("ExplainExclusion(%d) = %s, blocks %v; rows %+v", p, c.Maker, c.Blocks, l.Exclusions)
		}
	})
}

func TestExclusionMakerString(t *testing.T) {
	for m := MakerAdministrator; m <= MakerService; m++ {
		if s := m.String(); strings.HasPrefix(s, "ExclusionMaker(") {
			t.Errorf("ExclusionMaker(%d).String() = %q, want a name", m, s)
		}
	}
	if s := ExclusionMaker(9).String(); s != "ExclusionMaker(9)" {
		t.Errorf("ExclusionMaker(9).String() = %q", s)
	}
}
