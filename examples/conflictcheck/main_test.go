package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunDefaults(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, &out, &errOut); code != 1 {
		t.Fatalf("run(nil) = %d, want 1 (the defaults collide); stderr: %s", code, errOut.String())
	}
	var got []string
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "conflict") || strings.Contains(line, "nearest free") || strings.Contains(line, "groups among") {
			got = append(got, strings.TrimSpace(line))
		}
	}
	want := []string{
		`conflict: 3000/tcp: "grafana" 3000/tcp, "web" 3000/tcp`,
		`conflict: 9000/tcp: "clickhouse-native" 9000/tcp, "minio" 9000/tcp`,
		"grafana: 3000/tcp is held by web; nearest free: 2999/tcp",
		"clickhouse-native: 9000/tcp is held by minio; nearest free: 8999/tcp",
		"2 conflict groups among 10 declarations",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run(nil) conflicts (-want +got):\n%s", diff)
	}
}

func TestRunArgs(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"a=127.0.0.1:3000", "b=127.0.0.2:3000"}, 0, "no conflicts among 2 declarations"},
		{[]string{"a=127.0.0.1:3000", "b=[::]:3000"}, 1, `conflict: 3000/tcp: "a" 127.0.0.1:3000/tcp, "b" [::]:3000/tcp`},
		{[]string{"a=3000/icmp"}, 2, `argument "a=3000/icmp": ports: ParseEndpoint("3000/icmp")`},
		{[]string{"3000"}, 2, `argument "3000": want NAME=ENDPOINT`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.contains) {
			t.Errorf("run(%q) = %d, output %q; want %d and %q", tt.args, code, out.String()+errOut.String(), tt.code, tt.contains)
		}
	}
}
