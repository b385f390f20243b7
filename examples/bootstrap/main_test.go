package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{
			name: "table pod, derived",
			env:  map[string]string{"PORT": "50060"},
			stdout: "pod rust/aggregate/1\n" +
				"  PORT         50060  Coordinator gRPC   set\n" +
				"  REST_PORT    50061  REST Proxy         derived from PORT\n" +
				"  DEBUG_PORT   50062  Coordinator Debug  derived from PORT\n" +
				"  TARGET_PORT  50063  Client Logic       derived from PORT\n",
		},
		{
			name: "go saga, all set",
			env:  map[string]string{"PORT": "50260", "REST_PORT": "50261", "DEBUG_PORT": "50262", "TARGET_PORT": "50263"},
			stdout: "pod go/saga/0\n" +
				"  PORT         50260  Coordinator gRPC   set\n" +
				"  REST_PORT    50261  REST Proxy         set\n" +
				"  DEBUG_PORT   50262  Coordinator Debug  set\n" +
				"  TARGET_PORT  50263  Client Logic       set\n",
		},
		{
			name: "a port the platform chose",
			env:  map[string]string{"PORT": "8080"},
			stdout: "PORT=8080 lies outside the scheme: taken as the service's own port, with no pod\n" +
				"  PORT          8080  Coordinator gRPC   set\n",
		},
		{
			name: "contradictions reported together",
			env:  map[string]string{"PORT": "50260", "REST_PORT": "8080", "DEBUG_PORT": "x"},
			code: 2,
		},
		{
			name: "no PORT",
			env:  map[string]string{},
			code: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(lookup(tt.env), &stdout, &stderr, false)
			if code != tt.code {
				t.Fatalf("run(%v) = %d, want %d; stderr:\n%s", tt.env, code, tt.code, stderr.String())
			}
			if diff := cmp.Diff(tt.stdout, stdout.String()); diff != "" {
				t.Errorf("run(%v) stdout (-want +got):\n%s", tt.env, diff)
			}
			if tt.code != 0 && stderr.Len() == 0 {
				t.Errorf("run(%v) failed without a word on stderr", tt.env)
			}
		})
	}
}

func TestRunReportsEveryProblem(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run(lookup(map[string]string{"PORT": "50260", "REST_PORT": "8080", "DEBUG_PORT": "x"}), &stdout, &stderr, false)
	got := stderr.String()
	for _, want := range []string{"REST_PORT", "DEBUG_PORT"} {
		if !bytes.Contains([]byte(got), []byte(want)) {
			t.Errorf("stderr does not name %s:\n%s", want, got)
		}
	}
}
