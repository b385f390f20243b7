package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/porttest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is one end-to-end run of the command: its arguments, the exit
// status it must give, and a golden file holding what it must print (stdout,
// then stderr after a line "--- stderr").
type golden struct {
	name string
	args []string
	code int
}

func runGolden(t *testing.T, tests []golden) {
	t.Helper()
	runGoldenWith(t, nil, tests)
}

// runGoldenWith is runGolden with an app that with, if not nil, changes
// first (its environment, say).
func runGoldenWith(t *testing.T, with func(*app), tests []golden) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			a := testApp(&stdout, &stderr)
			if with != nil {
				with(a)
			}
			code := a.main(tt.args)
			got := stdout.String()
			if stderr.Len() > 0 {
				got += "--- stderr\n" + stderr.String()
			}
			path := filepath.Join("testdata", "golden", tt.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading the golden file (run go test -update to write it): %v", err)
			}
			if code != tt.code {
				t.Errorf("ports %s: exit status %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, got)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("ports %s: output (-want +got):\n%s", strings.Join(tt.args, " "), diff)
			}
		})
	}
}

// testApp returns an app whose view of the host is fixed: Linux's default
// limits, and a probe that finds every port bindable but 6000, which is in
// use, and 6001, in use on TCP and UDP.
func testApp(stdout, stderr *bytes.Buffer) *app {
	return &app{
		stdout:    stdout,
		stderr:    stderr,
		lookupEnv: func(string) (string, bool) { return "", false },
		env:       func() map[string]string { return nil },
		limits: func() (hostports.Limits, error) {
			l, _ := hostports.Defaults("linux")
			return l, nil
		},
		prober: func(p ports.Port) hostports.Report {
			lo := netip.MustParseAddr("127.0.0.1")
			c := hostports.Check{Protocol: ports.TCP, Addr: lo}
			inUse := func(proto ports.Protocol) error {
				return &hostports.BindError{Protocol: proto, Addr: lo, Port: p, Reason: hostports.ErrInUse, Err: syscall.EADDRINUSE}
			}
			switch p {
			case 6000:
				c.Err = inUse(ports.TCP)
			case 6001:
				c.Err = inUse(ports.TCP)
				return hostports.Report{Port: p, Checks: []hostports.Check{c, {Protocol: ports.UDP, Addr: lo, Err: inUse(ports.UDP)}}}
			}
			return hostports.Report{Port: p, Checks: []hostports.Check{c}}
		},
	}
}

func TestMain_Usage(t *testing.T) {
	runGolden(t, []golden{
		{"usage-none", nil, exitUsage},
		{"usage-help", []string{"--help"}, exitOK},
		{"usage-unknown", []string{"frobnicate"}, exitUsage},
		{"version", []string{"--version"}, exitOK},
		{"version-help", []string{"version", "--help"}, exitOK},
		{"version-argument", []string{"version", "x"}, exitUsage},
	})
}

func TestScheme(t *testing.T) {
	runGolden(t, []golden{
		{"scheme", []string{"scheme"}, exitOK},
		{"scheme-help", []string{"scheme", "--help"}, exitOK},
		{"scheme-help-via-help", []string{"help", "scheme"}, exitOK},
		{"scheme-go-saga", []string{"scheme", "--lang", "go", "--kind", "saga"}, exitOK},
		{"scheme-rust", []string{"scheme", "--lang", "rust"}, exitOK},
		{"scheme-env-player", []string{"scheme", "--lang", "rust", "--kind", "aggregate", "--env", "0"}, exitOK},
		{"scheme-env-beyond", []string{"scheme", "--lang", "rust", "--kind", "saga", "--env", "3"}, exitUsage},
		{"scheme-env-bad", []string{"scheme", "--lang", "rust", "--kind", "saga", "--env", "x"}, exitUsage},
		{"scheme-env-no-kind", []string{"scheme", "--lang", "rust", "--env", "1"}, exitUsage},
		{"scheme-unknown-lang", []string{"scheme", "--lang", "cobol"}, exitUsage},
		{"scheme-unknown-kind", []string{"scheme", "--lang", "go", "--kind", "widget"}, exitUsage},
		{"scheme-bad-flag", []string{"scheme", "--colour"}, exitUsage},
		{"scheme-file-missing", []string{"scheme", "--file", "testdata/no-such-scheme.json"}, exitUsage},
		{"scheme-file-bad", []string{"scheme", "--file", "testdata/bad-scheme.json"}, exitUsage},
		{"scheme-no-kinds", []string{"scheme", "--file", "testdata/scheme-no-kinds.json"}, exitOK},
	})
}

func TestWhois(t *testing.T) {
	runGolden(t, []golden{
		{"whois-8080-tcp", []string{"whois", "8080/tcp"}, exitOK},
		{"whois-9000", []string{"whois", "9000"}, exitOK},
		{"whois-x11-range", []string{"whois", "6010/tcp"}, exitOK},
		{"whois-bad-port", []string{"whois", "6666/tcp"}, exitOK},
		{"whois-ephemeral", []string{"whois", "40000"}, exitOK},
		{"whois-reserved-edge", []string{"whois", "1023/udp"}, exitOK},
		{"whois-nodeport", []string{"whois", "31310/tcp"}, exitOK},
		{"whois-unassigned-dynamic", []string{"whois", "55555/udp"}, exitOK},
		{"whois-several-probe", []string{"whois", "--probe", "5432/tcp", "6000/tcp"}, exitOK},
		{"whois-json", []string{"whois", "--format", "json", "--probe", "3000/tcp"}, exitOK},
		{"whois-probe-failures", []string{"whois", "--probe", "0/tcp", "6001/tcp"}, exitOK},
		{"whois-probe-zero-json", []string{"whois", "--probe", "--format", "json", "0/tcp"}, exitOK},
		{"whois-help", []string{"whois", "--help"}, exitOK},
		{"whois-names", []string{"whois", "grafana", "postgres/tcp"}, exitOK},
		{"whois-unknown-name", []string{"whois", "no-such-service"}, exitUsage},
		{"whois-name-other-protocol", []string{"whois", "postgres/udp"}, exitUsage},
		{"whois-digit-names", []string{"whois", "3com-tsmux", "9pfs/tcp"}, exitOK},
		{"whois-bad-digits", []string{"whois", "80x"}, exitUsage},
		{"whois-no-port", []string{"whois"}, exitUsage},
		{"whois-out-of-range", []string{"whois", "70000"}, exitUsage},
		{"whois-bad-proto", []string{"whois", "80/icmp"}, exitUsage},
		{"whois-image", []string{"whois", "ghcr.io/home-assistant/home-assistant:stable", "pihole/pihole:latest"}, exitOK},
		{"whois-unknown-image", []string{"whois", "registry.example/team/app:1.2"}, exitUsage},
		{"whois-bad-format", []string{"whois", "--format", "yaml", "80"}, exitUsage},
	})
}

func TestCheck(t *testing.T) {
	const (
		hop  = "../../examples/platforms/hopwhistle/"
		alpr = "../../examples/platforms/alpr/"
		pms  = "../../examples/platforms/pms/k8s/"
	)
	runGolden(t, []golden{
		{"check-hopwhistle", []string{"check", "--profile", "*", hop + "docker-compose.yml", hop + "ports.yaml"}, exitFindings},
		{"check-hopwhistle-json", []string{"check", "--profile", "*", "--format", "json", hop + "docker-compose.yml", hop + "ports.yaml"}, exitFindings},
		{"check-hopwhistle-default-profiles", []string{"check", hop + "docker-compose.yml"}, exitFindings},
		{"check-hopwhistle-freebsd", []string{"check", "--profile", "*", "--os", "freebsd", hop + "docker-compose.yml"}, exitFindings},
		{"check-hopwhistle-no-profiles", []string{"check", "--profile", "none", hop + "docker-compose.yml"}, exitFindings},
		{"check-alpr", []string{"check", alpr + "docker-compose.yml", alpr + "ports.yaml"}, exitOK},
		{"check-pms", []string{"check", pms + "backend.yaml", pms + "frontend.yaml", pms + "monitoring.yaml"}, exitOK},
		{"check-unresolved", []string{"check", "testdata/check/unresolved.yml"}, exitFindings},
		{"check-unresolved-darwin", []string{"check", "--os", "darwin", "testdata/check/unresolved.yml"}, exitFindings},
		{"check-nodeport", []string{"check", "testdata/check/nodeport.yaml"}, exitFindings},
		// Collisions within one owner, and suggestions where declarations
		// share a source position or a later one holds the nearest port.
		{"check-one-service-twice", []string{"check", "testdata/check/cases/one-service-twice.yml"}, exitFindings},
		{"check-pod-containers", []string{"check", "testdata/check/cases/pod-containers.yaml"}, exitFindings},
		{"check-extends", []string{"check", "testdata/check/cases/extends.yml"}, exitFindings},
		{"check-merge-key", []string{"check", "testdata/check/cases/merge-key.yml"}, exitFindings},
		{"check-declared-later", []string{"check", "testdata/check/cases/declared-later.yml"}, exitFindings},
		{"check-k8s-exposed", []string{"check", "testdata/check/cases/k8s-exposed.yaml"}, exitOK},
		{"check-registry-private", []string{"check", "testdata/check/cases/private/compose.yaml", "testdata/check/cases/private/ports.yaml"}, exitOK},
		{"check-dotenv", []string{"check", "testdata/check/cases/dotenv/compose.yaml"}, exitFindings},
		{"check-override", []string{"check", "testdata/check/cases/override/compose.yaml", "testdata/check/cases/override/compose.override.yaml"}, exitFindings},
		{"check-one-owner-cases", []string{"check", "testdata/check/cases/addresses/compose.yaml", "testdata/check/cases/addresses/ports.yaml"}, exitFindings},
		{"check-init-containers", []string{"check", "testdata/check/cases/init-containers.yaml"}, exitFindings},
		{"check-host-network", []string{"check", "testdata/check/cases/host-network/compose.yaml"}, exitOK},
		{"check-host-network-images", []string{"check", "testdata/check/cases/host-network-images/compose.yaml"}, exitOK},
		{"check-host-network-images-json", []string{"check", "--format", "json", "testdata/check/cases/host-network-images/compose.yaml"}, exitOK},
		{"check-host-network-images-k8s", []string{"check", "testdata/check/cases/host-network-images/k8s.yaml"}, exitOK},
		{"check-moves-with-registry", []string{"check", "testdata/check/cases/moves/a.yaml", "testdata/check/cases/moves/ports.yaml", "testdata/check/cases/moves/c.yaml"}, exitFindings},
		{"check-init-hostports", []string{"check", "testdata/check/cases/init-hostports.yaml"}, exitOK},
		{"check-pools", []string{"check", "testdata/check/cases/pools.yml"}, exitFindings},
		{"check-one-bad-of-two", []string{"check", "--os", "linux", "testdata/check/cases/one-service-twice.yml", "testdata/check/broken.yml"}, exitUsage},
		{"check-one-bad-of-two-json", []string{"check", "--os", "linux", "--format", "json", "testdata/check/cases/one-service-twice.yml", "testdata/check/broken.yml"}, exitUsage},
		{"check-object-in-two-files", []string{"check", "--os", "linux", "testdata/check/cases/guestbook/redis-leader-deployment.yaml", "testdata/check/cases/guestbook/redis-leader-service.yaml", "testdata/check/cases/guestbook/all-in-one/guestbook-all-in-one.yaml"}, exitOK},
		{"check-pools-addresses", []string{"check", "testdata/check/cases/pools-addresses.yml"}, exitOK},
		{"check-pool-start-order", []string{"check", "testdata/check/cases/pool-start-order.yml"}, exitOK},
		{"check-pool-start-order-json", []string{"check", "--format", "json", "testdata/check/cases/pool-start-order.yml"}, exitOK},
		{"check-pool-start-order-more", []string{"check", "testdata/check/cases/start-order/compose.yaml", "testdata/check/cases/start-order/pod.yaml"}, exitOK},
		{"check-replicas", []string{"check", "testdata/check/cases/replicas.yml"}, exitFindings},
		{"check-replicas-more", []string{"check", "testdata/check/cases/replicas-more.yml"}, exitFindings},
		{"check-replicas-json", []string{"check", "--format", "json", "testdata/check/cases/replicas.yml"}, exitFindings},
		{"check-pool-registry", []string{"check", "testdata/check/cases/pool-registry/compose.yaml", "testdata/check/cases/pool-registry/ports.yaml"}, exitOK},
		{"check-pool-order-ab", []string{"check", "testdata/check/cases/pool-order/a.yaml", "testdata/check/cases/pool-order/b.yaml"}, exitOK},
		{"check-pool-order-ba", []string{"check", "testdata/check/cases/pool-order/b.yaml", "testdata/check/cases/pool-order/a.yaml"}, exitOK},
		{"check-registry-two-protocols", []string{"check", "testdata/check/cases/registry-two-protocols.yaml"}, exitFindings},
		{"check-nodeport-range", []string{"check", "--nodeport-range", "8000-32767", "testdata/check/nodeport.yaml"}, exitFindings},
		{"check-broken", []string{"check", "testdata/check/broken.yml"}, exitUsage},
		{"check-missing-file", []string{"check", "testdata/check/no-such-file.yml"}, exitUsage},
		{"check-missing-files", []string{"check", "testdata/check/no-such-1.yml", "testdata/check/no-such-2.yml"}, exitUsage},
		{"check-flag-after-file", []string{"check", "testdata/check/cases/one-service-twice.yml", "--format", "json"}, exitFindings},
		{"check-file-after-terminator", []string{"check", "--", "--format"}, exitUsage},
		{"check-no-files", []string{"check"}, exitUsage},
		{"check-bad-format", []string{"check", "--format", "xml", "x.yml"}, exitUsage},
		{"check-bad-os", []string{"check", "--os", "plan9", "testdata/check/unresolved.yml"}, exitUsage},
		{"check-bad-nodeport-range", []string{"check", "--nodeport-range", "32767-30000", "x.yml"}, exitUsage},
		{"check-help", []string{"check", "--help"}, exitOK},
	})
}

// TestCheckPlatforms holds "ports check" to the collisions that the seed
// documents describe (examples/platforms/README.md): exactly ClickHouse and
// MinIO on 9000 in Hopwhistle; none in the ALPR pipeline (cAdvisor was moved
// to 8082) or the PMS platform; and, with the resolutions undone, Grafana
// against Web on 3000 and cAdvisor against Kafka UI on 8080.
func TestCheckPlatforms(t *testing.T) {
	const dir = "../../examples/platforms/"
	tests := []struct {
		name  string
		files []string
		want  []string // "ports/proto: owner, owner"
	}{
		{"hopwhistle", []string{dir + "hopwhistle/docker-compose.yml", dir + "hopwhistle/ports.yaml"},
			[]string{"9000/tcp: hopwhistle/clickhouse, hopwhistle/minio"}},
		{"hopwhistle compose only", []string{dir + "hopwhistle/docker-compose.yml"},
			[]string{"9000/tcp: hopwhistle/clickhouse, hopwhistle/minio"}},
		{"alpr", []string{dir + "alpr/docker-compose.yml", dir + "alpr/ports.yaml"}, nil},
		{"pms", []string{dir + "pms/k8s/backend.yaml", dir + "pms/k8s/frontend.yaml", dir + "pms/k8s/monitoring.yaml"}, nil},
		{"resolutions undone", []string{"testdata/check/unresolved.yml"},
			[]string{"3000/tcp: unresolved/web, unresolved/grafana", "8080/tcp: unresolved/kafka-ui, unresolved/cadvisor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := testApp(&stdout, &stderr).main(append([]string{"check", "--format", "json"}, tt.files...))
			var rep checkReport
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("exit %d, output not JSON: %v\n%s%s", code, err, stdout.String(), stderr.String())
			}
			var got []string
			for _, c := range rep.Collisions {
				var owners []string
				for _, m := range c.Members {
					if !slices.Contains(owners, m.Service) {
						owners = append(owners, m.Service)
					}
				}
				got = append(got, c.Ports+"/"+c.Protocol+": "+strings.Join(owners, ", "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("collisions (-want +got):\n%s", diff)
			}
			wantCode := exitOK
			if len(tt.want) > 0 {
				wantCode = exitFindings
			}
			if code != wantCode {
				t.Errorf("exit status %d, want %d", code, wantCode)
			}
		})
	}
}

func TestDoc(t *testing.T) {
	const (
		hop  = "../../examples/platforms/hopwhistle/"
		alpr = "../../examples/platforms/alpr/"
		pms  = "../../examples/platforms/pms/k8s/"
	)
	runGolden(t, []golden{
		{"doc-hopwhistle", []string{"doc", "--profile", "*", hop + "docker-compose.yml", hop + "ports.yaml"}, exitOK},
		{"doc-alpr", []string{"doc", "--title", "ALPR System Port Reference", alpr + "docker-compose.yml", alpr + "ports.yaml"}, exitOK},
		{"doc-pms", []string{"doc", pms + "backend.yaml", pms + "frontend.yaml", pms + "monitoring.yaml"}, exitOK},
		{"doc-host-network-images", []string{"doc", "testdata/check/cases/host-network-images/compose.yaml"}, exitOK},
		{"doc-unresolved", []string{"doc", "testdata/check/unresolved.yml"}, exitOK},
		{"doc-selectors", []string{"doc", "testdata/check/cases/selectors.yaml"}, exitOK},
		{"doc-title-dashes", []string{"doc", "--title", "--", "testdata/check/cases/selectors.yaml"}, exitOK},
		{"doc-selectors-two", []string{"doc", "testdata/check/cases/selectors-two.yaml"}, exitOK},
		{"doc-broken", []string{"doc", "testdata/check/broken.yml"}, exitUsage},
		{"doc-no-files", []string{"doc"}, exitUsage},
		{"doc-help", []string{"doc", "--help"}, exitOK},
	})
}

func TestDocToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "PORTS.md")
	var stdout, stderr bytes.Buffer
	if code := testApp(&stdout, &stderr).main([]string{"doc", "-o", out, "testdata/check/unresolved.yml"}); code != exitOK {
		t.Fatalf("ports doc -o: exit status %d; stderr: %s", code, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/golden/doc-unresolved.txt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" || stdout.Len() != 0 {
		t.Errorf("ports doc -o wrote (-want +got):\n%s\nand printed %q", diff, stdout.String())
	}
}

// TestDocOutputRefused checks that -o never names a file that doc reads,
// and that "-o -" is standard output.
func TestDocOutputRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "compose.yml")
	data, err := os.ReadFile("testdata/check/unresolved.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := testApp(&stdout, &stderr).main([]string{"doc", "-o", in, in}); code != exitUsage ||
		!strings.Contains(stderr.String(), "one of the files read") {
		t.Errorf("ports doc -o INPUT INPUT: exit status %d, stderr %q; want 2 and a refusal", code, stderr.String())
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, data) {
		t.Errorf("ports doc -o INPUT changed the input")
	}
	stdout.Reset()
	stderr.Reset()
	if code := testApp(&stdout, &stderr).main([]string{"doc", "-o", "-", "testdata/check/unresolved.yml"}); code != exitOK || stdout.Len() == 0 {
		t.Errorf("ports doc -o -: exit status %d, %d bytes on stdout; stderr %q", code, stdout.Len(), stderr.String())
	}
	if _, err := os.Stat("-"); err == nil {
		t.Errorf(`ports doc -o - wrote a file named "-"`)
	}
}

// failWriter fails every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestOutputErrors checks that a command whose output cannot be written
// fails with status 2 and says so, to standard output and to -o's file.
func TestOutputErrors(t *testing.T) {
	for _, args := range [][]string{{"whois", "80"}, {"scheme"}, {"doc", "testdata/check/unresolved.yml"}, {"version"}} {
		var stderr bytes.Buffer
		a := testApp(nil, &stderr)
		a.stdout = failWriter{}
		if code := a.main(args); code != exitUsage || !strings.Contains(stderr.String(), "writing standard output: no space left on device") {
			t.Errorf("ports %s to a full disk: exit status %d, stderr %q; want 2 and the error", strings.Join(args, " "), code, stderr.String())
		}
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		var stdout, stderr bytes.Buffer
		code := testApp(&stdout, &stderr).main([]string{"doc", "-o", "/dev/full", "testdata/check/unresolved.yml"})
		if code != exitUsage || !strings.Contains(stderr.String(), "writing /dev/full") {
			t.Errorf("ports doc -o /dev/full: exit status %d, stderr %q; want 2 and the error", code, stderr.String())
		}
	}
}

func TestFreeErrors(t *testing.T) {
	runGolden(t, []golden{
		{"free-help", []string{"free", "--help"}, exitOK},
		{"free-n-zero", []string{"free", "-n", "0"}, exitUsage},
		{"free-run-negative", []string{"free", "--run", "-1"}, exitUsage},
		{"free-bad-range", []string{"free", "--range", "9-1"}, exitUsage},
		{"free-bad-format", []string{"free", "--format", "csv"}, exitUsage},
		{"free-argument", []string{"free", "8080"}, exitUsage},
		{"free-no-candidates", []string{"free", "--range", "80-90"}, exitFindings},
		{"free-no-candidates-json", []string{"free", "--format", "json", "--range", "80-90"}, exitFindings},
	})
}

// TestFree runs "ports free" for real: every port it prints must be in the
// range asked for, distinct, outside what the host keeps, and bindable.
func TestFree(t *testing.T) {
	tests := []struct {
		args []string
		n, k int
	}{
		{[]string{"free", "-n", "5", "--range", "61000-65535"}, 5, 1},
		{[]string{"free", "-n", "2", "--run", "10", "--range", "61000-65535"}, 2, 10},
		{[]string{"free", "-n", "3", "--udp", "--format", "json", "--range", "61000-65535"}, 3, 1},
	}
	limits, _ := hostports.Defaults("linux")
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			a := testApp(&stdout, &stderr)
			a.lockDir = filepath.Join(t.TempDir(), "locks")
			if code := a.main(tt.args); code != exitOK {
				t.Fatalf("exit status %d; stderr: %s", code, stderr.String())
			}
			var lines []string
			if slices.Contains(tt.args, "json") {
				if err := json.Unmarshal(stdout.Bytes(), &lines); err != nil {
					t.Fatalf("output is not a JSON list of ranges: %v\n%s", err, stdout.String())
				}
			} else {
				lines = strings.Fields(stdout.String())
			}
			if len(lines) != tt.n {
				t.Fatalf("printed %d lines, want %d:\n%s", len(lines), tt.n, stdout.String())
			}
			var seen ports.RangeSetBuilder
			total := 0
			for _, l := range lines {
				r, err := ports.ParseRange(l)
				if err != nil {
					t.Fatalf("line %q: %v", l, err)
				}
				if r.Len() != tt.k || !ports.MustParseRange("61000-65535").ContainsRange(r) {
					t.Errorf("line %q: want %d ports within 61000-65535", l, tt.k)
				}
				proto := ports.TCP
				if slices.Contains(tt.args, "--udp") {
					proto = ports.UDP
				}
				if porttest.AvoidedFor(limits, proto).Overlaps(r) {
					t.Errorf("line %q lies in the ports the host keeps", l)
				}
				seen.Add(r)
				total += r.Len()
				for p := range r.All() {
					pr := hostports.Prober{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}
					if err := pr.Check(p); err != nil {
						t.Errorf("port %d printed as free: %v", p, err)
					}
				}
			}
			if got := seen.RangeSet().Len(); got != total {
				t.Errorf("the ranges printed overlap: %v", lines)
			}
		})
	}
}

func TestColorFor(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if colorFor(f, env()) {
		t.Errorf("colorFor(a regular file) = true, want false")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !colorFor(tty, env()) {
			t.Errorf("colorFor(/dev/tty) = false, want true")
		}
		if colorFor(tty, env("NO_COLOR", "1")) || colorFor(tty, env("TERM", "dumb")) {
			t.Errorf("colorFor(/dev/tty) ignores NO_COLOR or TERM=dumb")
		}
	}
	a := &app{color: true}
	if got := a.paint(styleRed, "x"); got != "\x1b[31mx\x1b[0m" {
		t.Errorf("paint with colour = %q", got)
	}
	a.color = false
	if got := a.paint(styleRed, "x"); got != "x" {
		t.Errorf("paint without colour = %q", got)
	}
}

// TestDependencyWarnings checks that a warning compose-go logs through
// logrus comes out as the command's own line, not logrus's timestamped one.
func TestDependencyWarnings(t *testing.T) {
	var log bytes.Buffer
	logDependencies(&log)
	t.Cleanup(func() { logDependencies(os.Stderr) })
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, lookupEnv: func(string) (string, bool) { return "", false }}
	// compose-go warns of a file's obsolete version once in a process's
	// life, so each run of the test checks a copy of its own.
	data, err := os.ReadFile("testdata/check/obsolete-version.yml")
	if err != nil {
		t.Fatal(err)
	}
	obsolete := filepath.Join(t.TempDir(), "obsolete-version.yml")
	if err := os.WriteFile(obsolete, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code := a.main([]string{"check", obsolete}); code != exitOK {
		t.Fatalf("check: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	got := log.String()
	if !strings.HasPrefix(got, "ports: warning: ") || !strings.Contains(got, "`version` is obsolete") || strings.Contains(got, "time=") {
		t.Errorf("compose-go's warning came out as %q", got)
	}

	// A variable that is not set and has no default is warned of, as
	// Docker Compose does, by the loader, on standard error; one with a
	// default is not; a variable used twice is warned of once.
	for _, file := range []string{"testdata/check/unset-variable.yml", "testdata/check/unset-variable-twice.yml"} {
		log.Reset()
		stderr.Reset()
		a.env = func() map[string]string { return nil }
		if code := a.main([]string{"check", file}); code != exitOK {
			t.Fatalf("check: exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
		want := "ports: warning: " + file + ": variables not set, taken as blank strings: WEB_PORT\n"
		if got := stderr.String(); got != want {
			t.Errorf("warnings of unset variables in %s: %q, want %q", file, got, want)
		}
		if log.Len() > 0 {
			t.Errorf("compose-go logged %q", log.String())
		}
	}
}

func TestTerminated(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.String("title", "", "")
	fs.String("o", "", "")
	fs.Bool("env", false, "")
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"--"}, true},
		{[]string{"--title", "--"}, false},      // the title is "--"
		{[]string{"--title", "-o", "--"}, true}, // the title is "-o"
		{[]string{"--title=-o", "--"}, true},    // likewise
		{[]string{"--env", "--"}, true},         // a bool flag takes no value
		{[]string{"-o", "x", "--title", "--"}, false},
		{[]string{"--title", "a"}, false},
	} {
		if got := terminated(fs, tt.args); got != tt.want {
			t.Errorf("terminated(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
