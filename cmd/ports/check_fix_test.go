package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
)

// TestCheckFix runs ports check --fix on a project with collisions to fix
// in an override (one in the short syntax, one in the long, whose keys are
// kept) and one to fix in a variable, checks the files it
// writes against testdata/check/fix/want.*, that the project's own file
// is untouched, that a second check with the written files finds no
// collision, and that a second --fix overwrites nothing.
func TestCheckFix(t *testing.T) {
	dir := t.TempDir()
	compose := filepath.Join(dir, "compose.yaml")
	orig, err := os.ReadFile("testdata/check/fix/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(compose, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	override, env := filepath.Join(dir, fixOverrideFile), filepath.Join(dir, fixEnvFile)

	code, stdout, stderr := runArgs(t, "check", "--fix", compose)
	if code != exitFindings {
		t.Fatalf("check --fix: exit %d, want %d\n%s%s", code, exitFindings, stdout, stderr)
	}
	wantErr := "ports: check --fix: wrote " + override + " (2 moves)\nports: check --fix: wrote " + env + " (1 variable)\n"
	if diff := cmp.Diff(wantErr, stderr); diff != "" {
		t.Errorf("check --fix: standard error (-want +got):\n%s", diff)
	}
	for _, f := range []struct{ got, want string }{
		{override, "testdata/check/fix/want.compose.ports-fix.yaml"},
		{env, "testdata/check/fix/want.ports-fix.env"},
	} {
		got, err := os.ReadFile(f.got)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(f.want, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(f.want)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", filepath.Base(f.got), diff)
		}
	}
	untouched := func(when string) {
		t.Helper()
		now, err := os.ReadFile(compose)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(orig, now) {
			t.Errorf("%s: compose.yaml changed:\n%s", when, now)
		}
	}
	untouched("check --fix")

	collisions := func(args ...string) int {
		t.Helper()
		code, stdout, stderr := runArgs(t, append([]string{"check", "--format", "json"}, args...)...)
		var rep checkReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("check %s: exit %d, %v\n%s", strings.Join(args, " "), code, err, stderr)
		}
		if len(rep.Collisions) == 0 && code != exitOK {
			t.Errorf("check %s: no collision but exit %d", strings.Join(args, " "), code)
		}
		return len(rep.Collisions)
	}
	if n := collisions("-f", compose, "-f", override, "--env-file", env); n != 0 {
		t.Errorf("check with the override and the env file: %d collisions, want 0", n)
	}
	// Each file fixes its own collision.
	if n := collisions("-f", compose, "-f", override); n != 1 {
		t.Errorf("check with the override alone: %d collisions, want 1 (the variable's)", n)
	}
	if n := collisions("--env-file", env, "-f", compose); n != 2 {
		t.Errorf("check with the env file alone: %d collisions, want 2 (the override's)", n)
	}

	// A second --fix finds the files and writes nothing.
	before, _ := os.ReadFile(override)
	code, _, stderr = runArgs(t, "check", "--fix", compose)
	if code != exitUsage || !strings.Contains(stderr, override+" exists already; it is never overwritten") {
		t.Errorf("check --fix again: exit %d, stderr %q; want exit %d and the file named", code, stderr, exitUsage)
	}
	if after, _ := os.ReadFile(override); !bytes.Equal(before, after) {
		t.Errorf("check --fix again changed %s", fixOverrideFile)
	}
	untouched("check --fix again")
}

// TestCheckFixByHand checks that --fix writes nothing for Kubernetes
// objects and says what to move.
func TestCheckFixByHand(t *testing.T) {
	dir, k8s := copyFixture(t, "testdata/check/fix/k8s.yaml")
	code, _, stderr := runArgs(t, "check", "--fix", k8s)
	want := "ports: check --fix: move default/b 30080/tcp to 30079/tcp by hand (" + k8s + ":19:17)\n"
	if code != exitFindings || stderr != want {
		t.Errorf("check --fix k8s.yaml: exit %d, stderr %q; want exit %d, %q", code, stderr, exitFindings, want)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("check --fix k8s.yaml wrote files: %v", ents)
	}
}

// TestCheckFixImageDefault checks that --fix writes nothing for an
// image-port-collision, whose move rests on an image's default port.
func TestCheckFixImageDefault(t *testing.T) {
	dir, compose := copyFixture(t, "testdata/check/cases/host-network-images/compose.yaml")
	code, stdout, stderr := runArgs(t, "check", "--fix", compose)
	if code != exitOK || !strings.Contains(stdout, "[image-port-collision]") || stderr != "" {
		t.Errorf("check --fix: exit %d, want %d\n%s%s", code, exitOK, stdout, stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("check --fix wrote files: %v", ents)
	}
}

// copyFixture copies the file src into a new temporary directory, under
// its own name, and returns the directory and the copy's path.
func copyFixture(t *testing.T, src string) (dir, path string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	path = filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// runArgs runs the command with args and returns its exit status, standard
// output and standard error.
func runArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := testApp(&stdout, &stderr).main(args)
	return code, stdout.String(), stderr.String()
}

func TestPortVariable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		line string
		col  int
		want string // "" for none
	}{
		{`      - "${WEB_PORT:-3000}:3000"`, 9, "WEB_PORT"},
		{`      - ${WEB_PORT}:3000 # web`, 9, "WEB_PORT"},
		{`      - "127.0.0.1:$WEB_PORT:3000/udp"`, 9, "WEB_PORT"},
		{`      - "${HOST_IP}:${WEB_PORT:-3000}:3000"`, 9, "WEB_PORT"},
		{`      - "${HOST_IP}:3000:3000"`, 9, ""},
		{`      - "3000:${TARGET}"`, 9, ""},
		{`      - "3000:3000"`, 9, ""},
		{`      - "${LO}-${HI}:3000"`, 9, ""},
		{`        published: ${WEB_PORT:-3000}`, 9, "WEB_PORT"},
		{`        published: "${WEB_PORT}"`, 9, "WEB_PORT"},
		{`        published: "80${N}"`, 9, ""},
	}
	for i, tt := range tests {
		f := filepath.Join(dir, strconv.Itoa(i)+".yaml")
		if err := os.WriteFile(f, []byte("services:\n"+tt.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, ok := portVariable(sourceFiles{}, manifest.Declaration{Pos: manifest.Position{File: f, Line: 2, Column: tt.col}})
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("portVariable(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
		}
	}
}

func TestShortPort(t *testing.T) {
	decl := func(e string, target string) manifest.Declaration {
		d := manifest.Declaration{Protocol: ports.TCP, Target: ports.MustParseRange(target)}
		if strings.HasPrefix(e, "*") {
			d.Ephemeral = true
			if a, ok := strings.CutPrefix(e, "*@"); ok {
				d.Addr = netip.MustParseAddr(a)
			}
			return d
		}
		d.Endpoint = ports.MustParseEndpoint(e)
		d.Protocol = d.Endpoint.Protocol()
		return d
	}
	tests := []struct {
		d    manifest.Declaration
		to   string
		want string
	}{
		{decl("8080/tcp", "80"), "", "8080:80"},
		{decl("8080/tcp", "80"), "8079/tcp", "8079:80"},
		{decl("127.0.0.1:53/udp", "53"), "", "127.0.0.1:53:53/udp"},
		{decl("[::1]:6060/tcp", "6060"), "6061/tcp", "[::1]:6061:6060"},
		{decl("9000-9005/tcp", "80"), "", "9000-9005:80"},
		{decl("*", "9229"), "", "9229"},
		{decl("*@127.0.0.1", "9229"), "", "127.0.0.1::9229"},
	}
	for _, tt := range tests {
		var to ports.Endpoint
		if tt.to != "" {
			to = ports.MustParseEndpoint(tt.to)
		}
		if got := shortPort(tt.d, to); got != tt.want {
			t.Errorf("shortPort(%v, %q) = %q, want %q", tt.d, tt.to, got, tt.want)
		}
	}
}

// FuzzLineVariable checks that lineVariable never panics and that what
// it returns is a variable's name that the line refers to.
func FuzzLineVariable(f *testing.F) {
	for _, s := range []string{`- "${WEB_PORT:-3000}:3000"`, `published: $P`, `- "${A}:${B}:80/udp"`, `- "${}:80"`, "- ::\x00:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		name, ok := lineVariable(line)
		if ok && (name == "" || !strings.Contains(line, "$"+name) && !strings.Contains(line, "${"+name)) {
			t.Fatalf("lineVariable(%q) = %q, which the line does not refer to", line, name)
		}
	})
}

// TestCheckFixPools checks that --fix moves a pool, and a fixed port of a
// service of several replicas, to the pools the check suggests, and that
// the project checked again with the override is clean.
func TestCheckFixPools(t *testing.T) {
	dir := t.TempDir()
	compose := filepath.Join(dir, "compose.yaml")
	orig, err := os.ReadFile("testdata/check/fix/pools.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(compose, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runArgs(t, "check", "--fix", compose); code != exitFindings || !strings.Contains(stderr, "(2 moves)") {
		t.Fatalf("check --fix: exit %d\n%s%s", code, stdout, stderr)
	}
	override := filepath.Join(dir, fixOverrideFile)
	got, err := os.ReadFile(override)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`- "8998-8999:80" # moved from 9000-9001/tcp`, `- "7001-7002:80" # moved from 7000/tcp`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("%s has no line %s:\n%s", fixOverrideFile, want, got)
		}
	}
	code, stdout, stderr := runArgs(t, "check", "-f", compose, "-f", override)
	if code != exitOK || !strings.HasPrefix(stdout, "0 collisions") {
		t.Errorf("check with the override: exit %d\n%s%s", code, stdout, stderr)
	}
	if now, _ := os.ReadFile(compose); !bytes.Equal(orig, now) {
		t.Errorf("compose.yaml changed:\n%s", now)
	}
}

func TestShortScalar(t *testing.T) {
	for _, tt := range []struct{ rest, want string }{
		{`"${WEB_PORT:-3000}:3000" # web`, "${WEB_PORT:-3000}:3000"},
		{`'127.0.0.1:$P:80/udp'`, "127.0.0.1:$P:80/udp"},
		{`${P}:80 # a comment`, "${P}:80"},
		{`"9000:80", "9001:81"]`, "9000:80"},
		{`${P}:80, "9001:81"]`, "${P}:80"},
		{`published: ${P}`, ""},
		{`"a\"b"`, ""},
		{`"unterminated`, ""},
		{``, ""},
	} {
		got, ok := shortScalar(tt.rest)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("shortScalar(%q) = %q, %v; want %q", tt.rest, got, ok, tt.want)
		}
	}
}
