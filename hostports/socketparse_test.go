package hostports

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ownerLines renders sockets with their owners, for comparisons.
func ownerLines(socks []Socket) []string {
	out := make([]string, len(socks))
	for i, s := range socks {
		line := sockLine(s) + " " + s.Owner.String()
		for _, p := range s.Processes {
			line += fmt.Sprintf(" [%d %s %s]", p.PID, p.Program, p.User)
		}
		out[i] = line
	}
	return out
}

func TestParseLsof(t *testing.T) {
	got, err := ParseLsof(readFixture(t, "darwin/lsof-F.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tcp [::1]:5432 LISTEN uid=501 inode=0 found [812 postgres alice]",
		"tcp 127.0.0.1:5432 LISTEN uid=501 inode=0 found [812 postgres alice]",
		"tcp 127.0.0.1:5432 -> 127.0.0.1:49321 ESTABLISHED uid=501 inode=0 found [812 postgres alice]",
		"udp 0.0.0.0:5353 BOUND uid=65 inode=0 found [900 mDNSResponder _mdnsresponder]",
		"udp [::]:5353 BOUND uid=65 inode=0 found [900 mDNSResponder _mdnsresponder]",
		"tcp [::]:3000 LISTEN uid=501 inode=0 found [1200 node alice]",
		"tcp 127.0.0.1:49321 -> 127.0.0.1:5432 ESTABLISHED uid=501 inode=0 found [1200 node alice]",
	}
	if diff := cmp.Diff(want, ownerLines(got)); diff != "" {
		t.Errorf("ParseLsof (-want +got):\n%s", diff)
	}
}

func TestParseSockstat(t *testing.T) {
	got, err := ParseSockstat(readFixture(t, "freebsd/sockstat-46s.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tcp [::]:22 LISTEN v6only=on uid=-1 inode=0 found [812 sshd root]",
		"tcp 0.0.0.0:22 LISTEN uid=-1 inode=0 found [812 sshd root]",
		"tcp 127.0.0.1:8080 LISTEN uid=-1 inode=0 found [900 nginx www] [901 nginx www]",
		"tcp [::]:3000 LISTEN v6only=off uid=-1 inode=0 found [1200 node alice]",
		"tcp 192.168.1.5:51234 -> 93.184.216.34:443 ESTABLISHED uid=-1 inode=0 found [1300 firefox alice]",
		"tcp 127.0.0.1:41456 -> 127.0.0.1:8080 TIME_WAIT uid=-1 inode=0 kernel",
		"udp 0.0.0.0:514 BOUND uid=-1 inode=0 found [600 syslogd root]",
		"udp [::1]:123 BOUND v6only=on uid=-1 inode=0 found [700 ntpd root]",
	}
	if diff := cmp.Diff(want, ownerLines(got)); diff != "" {
		t.Errorf("ParseSockstat (-want +got):\n%s", diff)
	}
}

func TestParseNetstat(t *testing.T) {
	got, err := ParseNetstat(readFixture(t, "windows/netstat-ano.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"tcp 0.0.0.0:135 LISTEN uid=-1 inode=0 found [1008  ]",
		"tcp 127.0.0.1:5432 LISTEN uid=-1 inode=0 found [4120  ]",
		"tcp 127.0.0.1:5432 -> 127.0.0.1:50000 ESTABLISHED uid=-1 inode=0 found [4120  ]",
		"tcp 127.0.0.1:50001 -> 127.0.0.1:5432 TIME_WAIT uid=-1 inode=0 kernel",
		"tcp [::]:135 LISTEN uid=-1 inode=0 found [1008  ]",
		"tcp [::1]:5432 LISTEN uid=-1 inode=0 found [4120  ]",
		"udp 0.0.0.0:5353 BOUND uid=-1 inode=0 found [2400  ]",
		"udp [fe80::1%7]:1900 BOUND uid=-1 inode=0 found [3300  ]",
	}
	if diff := cmp.Diff(want, ownerLines(got)); diff != "" {
		t.Errorf("ParseNetstat (-want +got):\n%s", diff)
	}
	names, err := ParseTasklist(readFixture(t, "windows/tasklist-csv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int]string{1008: "svchost.exe", 4120: "postgres.exe", 2400: "chrome.exe"}, names); diff != "" {
		t.Errorf("ParseTasklist (-want +got):\n%s", diff)
	}
}

func TestParseOtherOSErrors(t *testing.T) {
	tests := []struct {
		fn       string
		parse    func(string) error
		in, want string
	}{
		{"ParseLsof", lsofErr, "f7\nPTCP\n", `line 1 "f7": a file before any process`},
		{"ParseLsof", lsofErr, "pX\n", `line 1 "pX": want p and a process ID`},
		{"ParseLsof", lsofErr, "p1\nf3\nPSCTP\n", `protocol "SCTP"`},
		{"ParseLsof", lsofErr, "p1\nf3\nPTCP\nn127.0.0.1\n", `line 4 "n127.0.0.1": "127.0.0.1": want ADDRESS:PORT`},
		{"ParseLsof", lsofErr, "p1\nf3\nPTCP\nn1.2.3.4:5\nTST=DANCING\n", `unknown TCP state "DANCING"`},
		{"ParseLsof", lsofErr, "p1\nf3\nn1.2.3.4:5\n", "without a P (protocol) line"},
		{"ParseSockstat", sockstatErr, "root sshd 812 4 tcp4 *:22\n", "want USER COMMAND PID FD PROTO LOCAL FOREIGN"},
		{"ParseSockstat", sockstatErr, "root sshd 812 4 tcp4 *:99999 *:* LISTEN\n", `port "99999"`},
		{"ParseSockstat", sockstatErr, "root sshd x 4 tcp4 *:22 *:* LISTEN\n", `PID "x"`},
		{"ParseSockstat", sockstatErr, "root sshd 1 4 tcp4 host:22 *:* LISTEN\n", `"host" is not an IP address`},
		{"ParseNetstat", netstatErr, "  TCP 0.0.0.0:135 0.0.0.0:0 LISTENING\n", "want PROTO LOCAL FOREIGN STATE PID"},
		{"ParseNetstat", netstatErr, "  UDP 0.0.0.0:53 *:* -5\n", `PID "-5"`},
		{"ParseTasklist", tasklistErr, "\"a.exe\",\"x\"\n", `PID "x"`},
		{"ParseTasklist", tasklistErr, "\"a.exe\n", "as CSV"},
	}
	for _, tt := range tests {
		err := tt.parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s(%q) error = %v, want it to contain %q", tt.fn, tt.in, err, tt.want)
			continue
		}
		checkErrPrefix(t, err, tt.fn)
	}
}

func lsofErr(s string) error     { _, err := ParseLsof(s); return err }
func sockstatErr(s string) error { _, err := ParseSockstat(s); return err }
func netstatErr(s string) error  { _, err := ParseNetstat(s); return err }
func tasklistErr(s string) error { _, err := ParseTasklist(s); return err }

// fuzzSockets checks what every socket parser promises of what it
// returns.
func fuzzSockets(t *testing.T, fn, in string, socks []Socket, err error) {
	if err != nil {
		checkErrPrefix(t, err, fn)
		return
	}
	for _, s := range socks {
		if !s.Local.IsValid() || (s.Protocol.String() != "tcp" && s.Protocol.String() != "udp") {
			t.Fatalf("%s(%q) gave %+v", fn, in, s)
		}
		if (s.Owner == OwnerFound) != (len(s.Processes) > 0) {
			t.Fatalf("%s(%q): owner %s with processes %+v", fn, in, s.Owner, s.Processes)
		}
	}
}

func FuzzParseLsof(f *testing.F) {
	f.Add(readFixture(f, "darwin/lsof-F.txt"))
	f.Add("p1\nf3\nPUDP\nn[fe80::1%lo0]:5353\n") // a zone
	f.Fuzz(func(t *testing.T, s string) {
		socks, err := ParseLsof(s)
		fuzzSockets(t, "ParseLsof", s, socks, err)
	})
}

func FuzzParseSockstat(f *testing.F) {
	f.Add(readFixture(f, "freebsd/sockstat-46s.txt"))
	f.Add("root sshd 812 4 tcp4 *:22 *:*\n") // without -s: no state column
	f.Fuzz(func(t *testing.T, s string) {
		socks, err := ParseSockstat(s)
		fuzzSockets(t, "ParseSockstat", s, socks, err)
	})
}

func FuzzParseNetstat(f *testing.F) {
	f.Add(readFixture(f, "windows/netstat-ano.txt"))
	f.Add("  TCP    0.0.0.0:135    0.0.0.0:0    ABHÖREN    1008\r\n") // a translated state
	f.Fuzz(func(t *testing.T, s string) {
		socks, err := ParseNetstat(s)
		fuzzSockets(t, "ParseNetstat", s, socks, err)
	})
}

func FuzzParseTasklist(f *testing.F) {
	f.Add(readFixture(f, "windows/tasklist-csv.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseTasklist(s); err != nil {
			checkErrPrefix(t, err, "ParseTasklist")
		}
	})
}
