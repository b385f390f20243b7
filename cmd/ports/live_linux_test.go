//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckLiveHost runs check --live against this host's own socket
// table: a listener this test holds is a port-in-use finding that names
// this process, read port by port (two declared ports) and, with more
// declared ports than liveReadsMax, from the whole table.
func TestCheckLiveHost(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := l.Addr().(*net.TCPAddr).Port
	for _, tt := range []struct {
		name  string
		other string // the api service's published ports
	}{
		{"port by port", "127.0.0.1:3001:3001"},
		{"whole table", fmt.Sprintf("127.0.0.1:3001-%d:3001-%d", 3001+liveReadsMax, 3001+liveReadsMax)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			compose := fmt.Sprintf("services:\n  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:%d:5432\"\n  api:\n    image: example.com/api:2\n    ports:\n      - %q\n", held, tt.other)
			file := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			a := testApp(&stdout, &stderr)
			code := a.main([]string{"check", "--live", "--os", "linux", file})
			out := stdout.String()
			if code != exitFindings {
				t.Fatalf("check --live: exit %d, want %d\n%s%s", code, exitFindings, out, stderr.String())
			}
			if want := fmt.Sprintf("held on this host now by %d ", os.Getpid()); !strings.Contains(out, "[port-in-use]") || !strings.Contains(out, want) {
				t.Errorf("check --live does not name this process (pid %d) as the holder of %d:\n%s", os.Getpid(), held, out)
			}
		})
	}
}
