package activation

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name            string
		pid, fds, names string
		wantN           int
		wantNames       []string
		wantErr         string
	}{
		{"absent", "", "", "", 0, nil, ""},
		{"for us", "42", "2", "http:dns", 2, []string{"http", "dns"}, ""},
		{"no names", "42", "2", "", 2, []string{"unknown", "unknown"}, ""},
		{"for another process", "7", "2", "http:dns", 0, nil, ""},
		{"zero", "42", "0", "", 0, nil, ""},
		{"bad pid", "x", "2", "", 0, nil, `activation: LISTEN_PID="x": want a process id`},
		{"negative pid", "-42", "2", "", 0, nil, `activation: LISTEN_PID="-42": want a process id`},
		{"bad count", "42", "two", "", 0, nil, `activation: LISTEN_FDS="two": want a number of descriptors, 0 to 65536`},
		{"negative count", "42", "-1", "", 0, nil, `activation: LISTEN_FDS="-1"`},
		{"huge count", "42", "100000", "", 0, nil, `activation: LISTEN_FDS="100000"`},
		{"names mismatch", "42", "2", "http", 0, nil, `activation: LISTEN_FDNAMES="http" names 1 sockets, but LISTEN_FDS=2`},
		{"empty names kept", "42", "3", "a::c", 3, []string{"a", "", "c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, names, err := parseListenEnv(42, tt.pid, tt.fds, tt.names)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("parseListenEnv(%q, %q, %q) error = %v, want %q", tt.pid, tt.fds, tt.names, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseListenEnv(%q, %q, %q): %v", tt.pid, tt.fds, tt.names, err)
			}
			if n != tt.wantN {
				t.Errorf("parseListenEnv(%q, %q, %q) = %d sockets, want %d", tt.pid, tt.fds, tt.names, n, tt.wantN)
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseEnv(f *testing.F) {
	f.Add("42", "2", "http:dns") // two named sockets for this process
	f.Add("42", "1", "")         // one socket, no names: "unknown"
	f.Add("7", "3", "a:b:c")     // meant for another process
	f.Add("", "3", "")           // no LISTEN_PID: nothing inherited
	f.Add("42", "2", "http")     // names do not match the count
	f.Add("42", "+2", "a:b")     // a sign
	f.Add("42", "65537", "")     // more descriptors than allowed
	f.Fuzz(func(t *testing.T, pid, fds, names string) {
		n, ns, err := parseListenEnv(42, pid, fds, names)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "activation: LISTEN_") {
				t.Fatalf("error %q does not name the variable", err)
			}
			return
		}
		if n < 0 || n > 1<<16 || len(ns) != n {
			t.Fatalf("parseListenEnv(%q, %q, %q) = %d sockets and %d names", pid, fds, names, n, len(ns))
		}
		if n > 0 && names != "" && strings.Join(ns, ":") != names {
			t.Fatalf("names %q do not read back as %q", ns, names)
		}
	})
}

// TestWithoutSockets checks what a process that was passed nothing sees.
func TestWithoutSockets(t *testing.T) {
	// This test process was started with no LISTEN_PID (or one for another
	// process): nothing is inherited, and asking for a socket says why.
	files, err := Files()
	if err != nil || len(files) != 0 {
		t.Fatalf("Files() = %v, %v; want none", files, err)
	}
	_, err = Listener("http")
	if err == nil || !strings.Contains(err.Error(), `activation: Listener("http"): the process was passed no sockets`) {
		t.Errorf("Listener = %v", err)
	}
	_, err = PacketConn("dns")
	if err == nil || !strings.Contains(err.Error(), `activation: PacketConn("dns"): the process was passed no sockets`) {
		t.Errorf("PacketConn = %v", err)
	}
}
