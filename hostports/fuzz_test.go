package hostports

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

// The renderers write what the OS writes, so that the fuzz targets and the
// properties can check that a parsed value reads back the same.

func renderLinuxPortRange(r ports.Range) string {
	return fmt.Sprintf("%d\t%d\n", r.Lo(), r.Hi())
}

func renderSysctl(first, last ports.Port) string {
	return fmt.Sprintf("%s: %d\n%s: %d\n", sysctlFirst, first, sysctlLast, last)
}

func renderNetshDynamic(proto string, r ports.Range) string {
	return fmt.Sprintf("\r\nProtocol %s Dynamic Port Range\r\n---------------------------------\r\nStart Port      : %d\r\nNumber of Ports : %d\r\n\r\n", proto, r.Lo(), r.Len())
}

func renderNetshExcluded(proto string, rows []ports.Range, administered []bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\r\nProtocol %s Port Exclusion Ranges\r\n\r\nStart Port    End Port\r\n----------    --------\r\n", proto)
	for i, r := range rows {
		fmt.Fprintf(&b, "%10d  %10d", r.Lo(), r.Hi())
		if i < len(administered) && administered[i] {
			b.WriteString("     *")
		}
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n* - Administered port exclusions.\r\n\r\n")
	return b.String()
}

// checkErrPrefix fails unless a parse error names the package and the
// function, as every error of the package does.
func checkErrPrefix(t *testing.T, err error, fn string) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), "hostports: "+fn+": ") {
		t.Fatalf("error %q does not start with %q", err, "hostports: "+fn+": ")
	}
}

func FuzzParseLinuxPortRange(f *testing.F) {
	f.Add("32768\t60999\n") // the kernel default, as the kernel prints it
	f.Add("1024 65535")     // widened by hand, spaces
	f.Add("60999 32768")    // inverted: an error
	f.Add("32768")          // one value: an error
	f.Add("")               // empty file: an error
	f.Add("0 0\n")          // the smallest range
	f.Add("32768 070000")   // leading zeros and out of range
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLinuxPortRange(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseLinuxPortRange")
			return
		}
		if !r.IsValid() {
			t.Fatalf("ParseLinuxPortRange(%q) = invalid range, nil error", s)
		}
		again, err := ParseLinuxPortRange(renderLinuxPortRange(r))
		if err != nil || again != r {
			t.Fatalf("round trip of %v = %v, %v", r, again, err)
		}
	})
}

func FuzzParseLinuxReservedPorts(f *testing.F) {
	f.Add("\n")                         // nothing reserved: the kernel prints an empty line
	f.Add("8080,9000-9010\n")           // a port and a range
	f.Add("9000-9010,8080,9005-9020\n") // unsorted, overlapping (written by hand)
	f.Add("8080,")                      // trailing comma: an error
	f.Add("9010-9000")                  // inverted: an error
	f.Add("0-65535")                    // everything
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseLinuxReservedPorts(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseLinuxReservedPorts")
			return
		}
		again, err := ParseLinuxReservedPorts(set.String() + "\n")
		if err != nil || !again.Equal(set) {
			t.Fatalf("round trip of %v = %v, %v", set, again, err)
		}
	})
}

func FuzzParseLinuxUnprivilegedPortStart(f *testing.F) {
	f.Add("1024\n") // the kernel default
	f.Add("0\n")    // no privileged ports (Docker's choice)
	f.Add("65536")  // out of range: an error
	f.Add(" 80 ")   // white space around the value
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseLinuxUnprivilegedPortStart(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseLinuxUnprivilegedPortStart")
			return
		}
		again, err := ParseLinuxUnprivilegedPortStart(p.String() + "\n")
		if err != nil || again != p {
			t.Fatalf("round trip of %v = %v, %v", p, again, err)
		}
	})
}

func FuzzParseSysctlPortRange(f *testing.F) {
	f.Add("net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 65535\n") // macOS default
	f.Add("net.inet.ip.portrange.first: 10000\nnet.inet.ip.portrange.last: 65535\n") // FreeBSD default
	f.Add("net.inet.ip.portrange.last: 20000\nnet.inet.ip.portrange.first: 65000\n") // counting down, other order
	f.Add("49152\n65535\n")                                                          // sysctl -n
	f.Add("net.inet.ip.portrange.first=1024\n")                                      // equals form, last missing
	f.Add("sysctl: unknown oid 'net.inet.ip.portrange.first'")                       // an error message
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseSysctlPortRange(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseSysctlPortRange")
			return
		}
		if !r.IsValid() {
			t.Fatalf("ParseSysctlPortRange(%q) = invalid range, nil error", s)
		}
		again, err := ParseSysctlPortRange(renderSysctl(r.Hi(), r.Lo()))
		if err != nil || again != r {
			t.Fatalf("round trip of %v = %v, %v", r, again, err)
		}
	})
}

func FuzzParseNetshDynamicPortRange(f *testing.F) {
	f.Add(renderNetshDynamic("tcp", ports.RangeFrom(49152, 65535)))                  // the Windows default
	f.Add("Start Port : 10000\nNumber of Ports : 1000\n")                            // custom, LF only
	f.Add("Startport : 49152\r\nAnzahl Ports : 16384\r\n")                           // translated labels
	f.Add("Start Port : 49152\nNumber of Ports : 16385\n")                           // runs past 65535
	f.Add("Start Port : 49152\nNumber of Ports : 0\n")                               // no ports
	f.Add("The following command was not found: int ipv4 show dynamicport tcp.\r\n") // netsh error
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseNetshDynamicPortRange(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseNetshDynamicPortRange")
			return
		}
		again, err := ParseNetshDynamicPortRange(renderNetshDynamic("udp", r))
		if err != nil || again != r {
			t.Fatalf("round trip of %v = %v, %v", r, again, err)
		}
	})
}

func FuzzParseNetshExcludedPortRanges(f *testing.F) {
	// Hyper-V's exclusions, one administered.
	f.Add(renderNetshExcluded("tcp", []ports.Range{ports.RangeFrom(5357, 5357), ports.RangeFrom(50000, 50059)}, []bool{false, true}))
	f.Add(renderNetshExcluded("udp", nil, nil)) // no exclusions
	f.Add("  6000  5000\n")                     // inverted row: an error
	f.Add("  5000\n")                           // row without an end: an error
	f.Add("  5000  6000  *\n")                  // bare administered row
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseNetshExcludedPortRanges(s)
		if err != nil {
			checkErrPrefix(t, err, "ParseNetshExcludedPortRanges")
			return
		}
		rows := make([]ports.Range, 0, set.NumRanges())
		for r := range set.Ranges() {
			rows = append(rows, r)
		}
		again, err := ParseNetshExcludedPortRanges(renderNetshExcluded("tcp", rows, nil))
		if err != nil || !again.Equal(set) {
			t.Fatalf("round trip of %v = %v, %v", set, again, err)
		}
	})
}

func FuzzParseNetshExclusions(f *testing.F) {
	// Hyper-V's exclusions, one administered.
	f.Add(renderNetshExcluded("tcp", []ports.Range{ports.RangeFrom(5357, 5357), ports.RangeFrom(50000, 50059)}, []bool{false, true}))
	f.Add("  1061  1160\r\n  1161  1260\r\n")    // adjacent WinNAT blocks, kept apart
	f.Add("  5000  6000  *\n  5000  6000\n")     // the same range twice
	f.Add("Port de d\x82but    Port de fin\r\n") // translated header, no rows
	f.Add("  6000  5000\n")                      // inverted row: an error
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseNetshExclusions(s, ports.UDP)
		set, setErr := ParseNetshExcludedPortRanges(s)
		if (err == nil) != (setErr == nil) {
			t.Fatalf("ParseNetshExclusions error %v, ParseNetshExcludedPortRanges error %v", err, setErr)
		}
		if err != nil {
			checkErrPrefix(t, err, "ParseNetshExclusions")
			return
		}
		var b ports.RangeSetBuilder
		for _, x := range rows {
			if x.Protocol != ports.UDP || !x.Range.IsValid() {
				t.Fatalf("row %+v", x)
			}
			b.Add(x.Range)
		}
		if got := b.RangeSet(); !got.Equal(set) {
			t.Fatalf("rows cover %v, ParseNetshExcludedPortRanges %v", got, set)
		}
		ranges := make([]ports.Range, len(rows))
		admin := make([]bool, len(rows))
		for i, x := range rows {
			ranges[i], admin[i] = x.Range, x.Administered
		}
		again, err := ParseNetshExclusions(renderNetshExcluded("udp", ranges, admin), ports.UDP)
		if err != nil || !slices.Equal(again, rows) {
			t.Fatalf("round trip of %v = %v, %v", rows, again, err)
		}
	})
}
