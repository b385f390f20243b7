package hostports

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// limitsText renders the fields of a Limits as text, so that cmp shows port
// ranges rather than struct internals.
func limitsText(l Limits) map[string]string {
	return map[string]string{
		"GOOS":         l.GOOS,
		"EphemeralTCP": l.EphemeralTCP.String(),
		"EphemeralUDP": l.EphemeralUDP.String(),
		"Reserved":     l.Reserved.String(),
		"ExcludedTCP":  l.ExcludedTCP.String(),
		"ExcludedUDP":  l.ExcludedUDP.String(),
		"Privileged":   l.Privileged.String(),
		"Defaulted":    strings.Join(l.Defaulted, "; "),
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		goos                  string
		ephemeral, privileged string
	}{
		{"linux", "32768-60999", "0-1023"},
		{"android", "32768-60999", "0-1023"},
		{"darwin", "49152-65535", "0-1023"},
		{"ios", "49152-65535", "0-1023"},
		{"freebsd", "10000-65535", "0-1023"},
		{"windows", "49152-65535", ""},
	}
	for _, tt := range tests {
		t.Run(tt.goos, func(t *testing.T) {
			l, ok := Defaults(tt.goos)
			if !ok {
				t.Fatalf("Defaults(%q) = _, false", tt.goos)
			}
			want := map[string]string{
				"GOOS": tt.goos, "EphemeralTCP": tt.ephemeral, "EphemeralUDP": tt.ephemeral,
				"Reserved": "", "ExcludedTCP": "", "ExcludedUDP": "", "Privileged": tt.privileged, "Defaulted": "",
			}
			if diff := cmp.Diff(want, limitsText(l)); diff != "" {
				t.Errorf("Defaults(%q) (-want +got):\n%s", tt.goos, diff)
			}
		})
	}
	if l, ok := Defaults("plan9"); ok || l.GOOS != "plan9" || l.EphemeralTCP.IsValid() {
		t.Errorf("Defaults(%q) = %+v, %v; want empty limits, false", "plan9", l, ok)
	}
}

func TestLimitsAccessors(t *testing.T) {
	l := Limits{
		EphemeralTCP: ports.MustParseRange("49152-65535"),
		EphemeralUDP: ports.MustParseRange("10000-10999"),
		ExcludedTCP:  ports.MustParseRangeSet("5357,50000-50059"),
		ExcludedUDP:  ports.MustParseRangeSet("3702"),
		Reserved:     ports.MustParseRangeSet("8080"),
		Privileged:   ports.MustParseRangeSet("0-1023"),
	}
	tests := []struct {
		proto                      ports.Protocol
		ephemeral, excluded, avoid string
	}{
		{ports.TCP, "49152-65535", "5357,50000-50059", "0-1023,5357,8080,49152-65535"},
		{ports.UDP, "10000-10999", "3702", "0-1023,3702,8080,10000-10999"},
		{ports.SCTP, "49152-65535", "5357,50000-50059", "0-1023,5357,8080,49152-65535"},
		{0, "49152-65535", "3702,5357,50000-50059", "0-1023,3702,5357,8080,10000-10999,49152-65535"},
	}
	for _, tt := range tests {
		got := []string{l.Ephemeral(tt.proto).String(), l.Excluded(tt.proto).String(), l.Avoid(tt.proto).String()}
		want := []string{tt.ephemeral, tt.excluded, tt.avoid}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Ephemeral, Excluded, Avoid(%v) (-want +got):\n%s", tt.proto, diff)
		}
	}
	var zero Limits
	if !zero.Avoid(0).IsEmpty() {
		t.Errorf("Limits{}.Avoid(0) = %v, want empty", zero.Avoid(0))
	}
}

func procFS(portRange, reserved, unprivileged *string) fstest.MapFS {
	fsys := fstest.MapFS{}
	add := func(name string, s *string) {
		if s != nil {
			fsys[name] = &fstest.MapFile{Data: []byte(*s)}
		}
	}
	add(procPortRange, portRange)
	add(procReservedPorts, reserved)
	add(procUnprivilegedMin, unprivileged)
	return fsys
}

func ptr(s string) *string { return &s }

func TestReadProcFS(t *testing.T) {
	tests := []struct {
		name                        string
		portRange, reserved, unpriv *string
		want                        map[string]string
		wantErr                     string
	}{
		{
			name:      "current kernel",
			portRange: ptr("40000\t50000\n"), reserved: ptr("8080,9000-9010\n"), unpriv: ptr("80\n"),
			want: map[string]string{"GOOS": "linux", "EphemeralTCP": "40000-50000", "EphemeralUDP": "40000-50000",
				"Reserved": "8080,9000-9010", "ExcludedTCP": "", "ExcludedUDP": "", "Privileged": "0-79", "Defaulted": ""},
		},
		{
			name:      "no privileged ports",
			portRange: ptr("32768\t60999\n"), reserved: ptr("\n"), unpriv: ptr("0\n"),
			want: map[string]string{"GOOS": "linux", "EphemeralTCP": "32768-60999", "EphemeralUDP": "32768-60999",
				"Reserved": "", "ExcludedTCP": "", "ExcludedUDP": "", "Privileged": "", "Defaulted": ""},
		},
		{
			name:      "old kernel",
			portRange: ptr("32768\t61000\n"),
			want: map[string]string{"GOOS": "linux", "EphemeralTCP": "32768-61000", "EphemeralUDP": "32768-61000",
				"Reserved": "", "ExcludedTCP": "", "ExcludedUDP": "", "Privileged": "0-1023",
				"Defaulted": procReservedPorts + " does not exist (Linux before 2.6.35); no ports reserved; " +
					procUnprivilegedMin + " does not exist (Linux before 4.11); privileged ports are 0-1023"},
		},
		{name: "no port range", reserved: ptr("\n"), unpriv: ptr("1024\n"), wantErr: "hostports: reading the ephemeral port range: "},
		{name: "bad port range", portRange: ptr("32768\n"), wantErr: "hostports: reading sys/net/ipv4/ip_local_port_range: hostports: ParseLinuxPortRange: "},
		{name: "bad reserved", portRange: ptr("1 2"), reserved: ptr("x"), wantErr: "hostports: reading sys/net/ipv4/ip_local_reserved_ports: "},
		{name: "bad unprivileged", portRange: ptr("1 2"), unpriv: ptr("-1"), wantErr: "hostports: reading sys/net/ipv4/ip_unprivileged_port_start: "},
	}
	linux, _ := Defaults("linux")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadProcFS(procFS(tt.portRange, tt.reserved, tt.unpriv))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("ReadProcFS error = %v, want prefix %q", err, tt.wantErr)
				}
				// On error the defaults come back, so a caller can go on.
				if diff := cmp.Diff(limitsText(linux), limitsText(got)); diff != "" {
					t.Errorf("ReadProcFS limits on error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadProcFS: %v", err)
			}
			if diff := cmp.Diff(tt.want, limitsText(got)); diff != "" {
				t.Errorf("ReadProcFS (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ReadProcFS(procFS(nil, nil, nil)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadProcFS of an empty FS: error %v does not wrap fs.ErrNotExist", err)
	}
}

// TestReadMatchesProc checks Read against the files of /proc, read and
// split here without the package's parsers.
func TestReadMatchesProc(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc; Linux only")
	}
	got, err := Read()
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if want := f[0] + "-" + f[1]; got.EphemeralTCP.String() != want || got.EphemeralUDP.String() != want {
		t.Errorf("Read() ephemeral = %v and %v, want %s as in /proc", got.EphemeralTCP, got.EphemeralUDP, want)
	}
	b, err = os.ReadFile("/proc/sys/net/ipv4/ip_local_reserved_ports")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(b)); got.Reserved.String() != want {
		t.Errorf("Read() reserved = %q, want %q as in /proc", got.Reserved, want)
	}
	b, err = os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		t.Skip("no ip_unprivileged_port_start on this kernel")
	}
	start := ports.MustParsePort(strings.TrimSpace(string(b)))
	want := ""
	if start > 0 {
		want = "0-" + (start - 1).String()
	}
	if got.Privileged.String() != want {
		t.Errorf("Read() privileged = %q, want %q (ip_unprivileged_port_start is %d)", got.Privileged, want, start)
	}
}

// TestAvoided checks the recipe on fixed limits, through a window of ports
// that each part of it decides: the System and RFC 6335 ports, the
// de-facto 1025/tcp (Mailpit), 3000/tcp (Grafana), 8081/tcp and the RTP
// media ranges 10000-32768/udp, the excluded 3702/udp and 5357/tcp, the
// reserved 8080, the bad port 10080, the edges of the NodePort range
// 30000-32767 and of the ephemeral ranges.
func TestAvoided(t *testing.T) {
	l := Limits{
		EphemeralTCP: ports.MustParseRange("40000-40999"),
		EphemeralUDP: ports.MustParseRange("41000-41999"),
		ExcludedTCP:  ports.MustParseRangeSet("5357"),
		ExcludedUDP:  ports.MustParseRangeSet("3702"),
		Reserved:     ports.MustParseRangeSet("8080"),
		Privileged:   ports.MustParseRangeSet("0-1023"),
	}
	window := ports.MustParseRangeSet("1020-1026,2999-3001,3702,5357,8079-8081,10079-10081,29999-30000,32767-32769,39999-40000,40999-41000,41999-42000,49150-49152")
	nodePorts := ports.MustParseRange("30000-32767")
	every := "1020-1025,3000-3001,3702,5357,8080-8081,10079-10081,29999-30000,32767-32768,40000,40999-41000,41999,49151"
	tests := []struct {
		name string
		o    AvoidOptions
		want string
	}{
		{"every transport", AvoidOptions{}, every},
		{"tcp", AvoidOptions{Protocols: []ports.Protocol{ports.TCP}},
			"1020-1025,3000-3001,5357,8080-8081,10080,40000,40999,49151"},
		{"udp", AvoidOptions{Protocols: []ports.Protocol{ports.UDP}},
			"1020-1024,3702,8080,10079-10081,29999-30000,32767-32768,41000,41999,49151"},
		{"tcp and udp", AvoidOptions{Protocols: []ports.Protocol{ports.TCP, ports.UDP}}, every},
		{"tcp, de-facto allowed", AvoidOptions{Protocols: []ports.Protocol{ports.TCP}, AllowDeFacto: true},
			"1020-1024,5357,8080,10080,40000,40999,49151"},
		{"tcp nodePorts", AvoidOptions{Protocols: []ports.Protocol{ports.TCP}, NodePorts: nodePorts},
			"1020-1026,2999-3001,3702,5357,8079-8081,10079-10081,29999,32768-32769,39999-40000,40999-41000,41999-42000,49150-49152"},
	}
	for _, tt := range tests {
		got := Avoided(l, tt.o).Intersect(window).String()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Avoided(l, %+v) in %v (-want +got):\n%s", tt.name, tt.o, window, diff)
		}
	}
}
