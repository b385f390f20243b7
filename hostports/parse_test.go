package hostports

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rangeText renders a Range for comparison, so that diffs read as ports.
func rangeText(r ports.Range) string { return r.String() }

func TestParseLinuxPortRange(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // "" for an error
	}{
		{"default fixture", fixture(t, "linux/ip_local_port_range"), "32768-60999"},
		{"widened fixture", fixture(t, "linux/ip_local_port_range.wide"), "1024-65000"},
		{"spaces", "  40000   50000  ", "40000-50000"},
		{"single port", "50000 50000\n", "50000"},
		{"full", "1 65535", "1-65535"},
		{"from port 0", "0 65535", ""},
		{"empty", "", ""},
		{"one number", "32768\n", ""},
		{"three numbers", "1 2 3", ""},
		{"inverted", "60999 32768", ""},
		{"out of range", "32768 65536", ""},
		{"sign", "-1 100", ""},
		{"not a number", "low high", ""},
		{"comma", "32768,60999", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLinuxPortRange(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseLinuxPortRange(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseLinuxPortRange")
				return
			}
			if err != nil {
				t.Fatalf("ParseLinuxPortRange(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseLinuxPortRange(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLinuxReservedPorts(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		wantErr  bool
	}{
		{"none fixture", fixture(t, "linux/ip_local_reserved_ports"), "", false},
		{"set fixture", fixture(t, "linux/ip_local_reserved_ports.set"), "8080,9000-9010,50000-50099", false},
		{"empty string", "", "", false},
		{"unsorted and overlapping", "9005-9020,8080,9000-9010\n", "8080,9000-9020", false},
		{"adjacent merged", "100-200,201-300", "100-300", false},
		{"trailing comma", "8080,", "", true},
		{"inverted", "9010-9000", "", true},
		{"out of range", "70000", "", true},
		{"garbage", "ssh", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLinuxReservedPorts(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseLinuxReservedPorts(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseLinuxReservedPorts")
				if strings.Contains(err.Error(), "ParseRangeSet") {
					t.Errorf("ParseLinuxReservedPorts(%q) = %v, naming the root package's function", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLinuxReservedPorts(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseLinuxReservedPorts(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLinuxUnprivilegedPortStart(t *testing.T) {
	tests := []struct {
		name, in string
		want     ports.Port
		wantErr  bool
	}{
		{"default fixture", fixture(t, "linux/ip_unprivileged_port_start"), 1024, false},
		{"docker fixture", fixture(t, "linux/ip_unprivileged_port_start.docker"), 0, false},
		{"max", "65535", 65535, false},
		{"empty", "", 0, true},
		{"too big", "65536\n", 0, true},
		{"two values", "80 443", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLinuxUnprivilegedPortStart(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseLinuxUnprivilegedPortStart(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseLinuxUnprivilegedPortStart")
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseLinuxUnprivilegedPortStart(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseSysctlPortRange(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"macOS fixture", fixture(t, "darwin/sysctl.txt"), "49152-65535"},
		{"FreeBSD fixture", fixture(t, "freebsd/sysctl.txt"), "10000-65535"},
		{"sysctl -n fixture", fixture(t, "darwin/sysctl-n.txt"), "49152-65535"},
		{"first above last counts down", fixture(t, "freebsd/sysctl-reversed.txt"), "20000-65000"},
		{"equals form", "net.inet.ip.portrange.first=1024\nnet.inet.ip.portrange.last=5000\n", "1024-5000"},
		{"spaced equals form", "net.inet.ip.portrange.first = 1024\nnet.inet.ip.portrange.last = 5000\n", "1024-5000"},
		{"other names ignored", "net.inet.ip.portrange.hifirst: 49152\nnet.inet.ip.portrange.first: 30000\nnet.inet.ip.portrange.last: 40000\n", "30000-40000"},
		{"CRLF", "net.inet.ip.portrange.first: 30000\r\nnet.inet.ip.portrange.last: 40000\r\n", "30000-40000"},
		{"empty", "", ""},
		{"missing last", "net.inet.ip.portrange.first: 49152\n", ""},
		{"missing first", "net.inet.ip.portrange.last: 65535\n", ""},
		{"bad value", "net.inet.ip.portrange.first: lots\nnet.inet.ip.portrange.last: 65535\n", ""},
		{"out of range", "net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 70000\n", ""},
		{"one bare value", "49152\n", ""},
		{"first 0", "net.inet.ip.portrange.first: 0\nnet.inet.ip.portrange.last: 5000\n", ""},
		{"last 0, counting down", "0\n5000\n", ""},
		{"three bare values", "1\n2\n3\n", ""},
		{"mixed", "49152\nnet.inet.ip.portrange.last: 65535\n", ""},
		{"unknown oid error", "sysctl: unknown oid 'net.inet.ip.portrange.first'\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSysctlPortRange(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseSysctlPortRange(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseSysctlPortRange")
				return
			}
			if err != nil {
				t.Fatalf("ParseSysctlPortRange(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseSysctlPortRange(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestBSDRange(t *testing.T) {
	tests := []struct {
		first, last uint32
		want        string
	}{
		{49152, 65535, "49152-65535"},
		{65000, 20000, "20000-65000"},
		{10000, 10000, "10000"},
		{10000, 65536, ""},
		{1 << 31, 1, ""},
		{0, 5000, ""},
	}
	for _, tt := range tests {
		got, err := bsdRange(tt.first, tt.last)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("bsdRange(%d, %d) = %v, want an error", tt.first, tt.last, got)
		case tt.want != "" && (err != nil || got.String() != tt.want):
			t.Errorf("bsdRange(%d, %d) = %v, %v; want %v", tt.first, tt.last, got, err, tt.want)
		}
	}
}

func TestParseNetshDynamicPortRange(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"tcp fixture", fixture(t, "windows/dynamicport-tcp.txt"), "49152-65535"},
		{"custom udp fixture", fixture(t, "windows/dynamicport-udp-custom.txt"), "10000-10999"},
		// Labels are matched by position, not by wording, so translated
		// output reads the same.
		{"translated labels", fixture(t, "windows/dynamicport-tcp-translated.txt"), "49152-65535"},
		{"LF only", "Protocol tcp Dynamic Port Range\n---\nStart Port : 1025\nNumber of Ports : 64511\n", "1025-65535"},
		{"single port", "Start Port : 50000\nNumber of Ports : 1\n", "50000"},
		{"empty", "", ""},
		{"no count", "Start Port      : 49152\r\n", ""},
		{"zero count", "Start Port : 49152\nNumber of Ports : 0\n", ""},
		{"start 0", "Start Port : 0\nNumber of Ports : 10\n", ""},
		{"runs past 65535", "Start Port : 49152\nNumber of Ports : 16385\n", ""},
		{"start too big", "Start Port : 65536\nNumber of Ports : 1\n", ""},
		{"huge value", "Start Port : 99999999999999999999\nNumber of Ports : 1\n", ""},
		{"error text", "The following command was not found: int ipv4 show dynamicport tcp.\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNetshDynamicPortRange(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseNetshDynamicPortRange(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseNetshDynamicPortRange")
				return
			}
			if err != nil {
				t.Fatalf("ParseNetshDynamicPortRange(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseNetshDynamicPortRange(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseNetshExcludedPortRanges(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		wantErr  bool
	}{
		{"Hyper-V fixture", fixture(t, "windows/excludedportrange-tcp-hyperv.txt"), "5357,9800-9801,49671-49770,49871-49970,50000-50059,61117-61216", false},
		{"WSL fixture, adjacent rows merged", fixture(t, "windows/excludedportrange-tcp-wsl.txt"), "1031-1330,5357,50000-50099", false},
		{"no exclusions fixture", fixture(t, "windows/excludedportrange-udp-none.txt"), "", false},
		{"empty", "", "", false},
		{"rows only", "100 200\n300 300 *\n", "100-200,300", false},
		{"row missing end", "Start Port    End Port\n      5357\n", "", true},
		{"inverted row", "  6000  5000\n", "", true},
		{"row with junk", "  5000  6000  x\n", "", true},
		{"too many fields", "  5000  6000  *  *\n", "", true},
		{"out of range", "  5000  70000\n", "", true},
		{"non-numeric end", "  5000  end\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNetshExcludedPortRanges(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseNetshExcludedPortRanges(%q) = %v, want an error", tt.in, got)
				}
				checkParseError(t, err, "ParseNetshExcludedPortRanges")
				return
			}
			if err != nil {
				t.Fatalf("ParseNetshExcludedPortRanges(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseNetshExcludedPortRanges(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// checkParseError checks that err reads as the package's parse errors do:
// the package, the function, then a quoted input.
func checkParseError(t *testing.T, err error, fn string) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "hostports: "+fn+": ") {
		t.Errorf("error %q does not start with %q", msg, "hostports: "+fn+": ")
	}
	if !strings.Contains(msg, `"`) {
		t.Errorf("error %q does not quote the input", msg)
	}
	var pe *parseError
	if !errors.As(err, &pe) {
		t.Errorf("error %T is not a *parseError", err)
	}
}

func TestParseErrorLineAndTruncation(t *testing.T) {
	_, err := ParseNetshExcludedPortRanges("Start Port End Port\n---\n  6000 5000\n")
	if want := `hostports: ParseNetshExcludedPortRanges: line 3 "6000 5000": start port 6000 is above end port 5000`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	long := strings.Repeat("x", 200)
	_, err = ParseLinuxPortRange(long)
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), `..."`) {
		t.Errorf("error for a 200-byte input = %v, want it cut short with ...", err)
	}
}

func TestFixturesAgreeWithDefaults(t *testing.T) {
	// The fixtures of untouched systems hold the documented defaults.
	tests := []struct {
		goos    string
		fixture string
		parse   func(string) (ports.Range, error)
	}{
		{"linux", "linux/ip_local_port_range", ParseLinuxPortRange},
		{"darwin", "darwin/sysctl.txt", ParseSysctlPortRange},
		{"freebsd", "freebsd/sysctl.txt", ParseSysctlPortRange},
		{"windows", "windows/dynamicport-tcp.txt", ParseNetshDynamicPortRange},
	}
	for _, tt := range tests {
		got, err := tt.parse(fixture(t, tt.fixture))
		if err != nil {
			t.Fatal(err)
		}
		d, ok := Defaults(tt.goos)
		if !ok {
			t.Fatalf("Defaults(%q) = _, false", tt.goos)
		}
		if diff := cmp.Diff(rangeText(d.EphemeralTCP), rangeText(got)); diff != "" {
			t.Errorf("%s: fixture %s against Defaults (-want +got):\n%s", tt.goos, tt.fixture, diff)
		}
	}
}
