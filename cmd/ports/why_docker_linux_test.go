package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// TestWhyDockerContainer publishes a port of a real container on
// 127.0.0.1 and checks that the socket table names the container holding
// it, as the Docker Engine API on the daemon's socket names it, and that
// ports why prints it. It runs only where the docker command is installed
// and a daemon answers it, and skips, saying why, elsewhere. The image is
// built here, from a static server compiled for the test, so that no
// registry is needed.
func TestWhyDockerContainer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a container")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker command: a Docker daemon is needed")
	}
	run := func(stdin []byte, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, docker, args...)
		if stdin != nil {
			cmd.Stdin = bytes.NewReader(stdin)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return strings.TrimSpace(string(out)), nil
	}
	if v, err := run(nil, "version", "--format", "{{.Server.Version}}"); err != nil || v == "" {
		t.Skipf("no Docker daemon answers: %v", err)
	}

	// The image: one static program that listens on port 80.
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	server := "package main\n\nimport \"net\"\n\nfunc main() {\n\tl, err := net.Listen(\"tcp\", \":80\")\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfor {\n\t\tc, err := l.Accept()\n\t\tif err == nil {\n\t\t\tc.Close()\n\t\t}\n\t}\n}\n"
	if err := os.WriteFile(src, []byte(server), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "server"), src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the container's server: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "server"))
	if err != nil {
		t.Fatal(err)
	}
	var image bytes.Buffer
	tw := tar.NewWriter(&image)
	if err := tw.WriteHeader(&tar.Header{Name: "server", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(bin)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tag := "ports-test-why:" + strconv.Itoa(os.Getpid())
	if _, err := run(image.Bytes(), "import", "-", tag); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run(nil, "rmi", "-f", tag) })

	name := "ports-test-why-" + strconv.Itoa(os.Getpid())
	id, err := run(nil, "run", "-d", "--name", name, "-p", "127.0.0.1::80", tag, "/server")
	t.Cleanup(func() { run(nil, "rm", "-f", name) })
	if err != nil {
		t.Fatal(err)
	}
	published, err := run(nil, "port", name, "80/tcp")
	if err != nil {
		t.Fatal(err)
	}
	_, portText, _ := strings.Cut(strings.Fields(published)[0], "127.0.0.1:")
	p, err := ports.ParsePort(portText)
	if err != nil {
		t.Fatalf("docker port %s 80/tcp = %q: %v", name, published, err)
	}

	// The library: the socket of the port names the container.
	tab, err := hostports.ReadTable(hostports.TableOptions{Port: p, FirstOwner: true, Listening: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Sockets) == 0 {
		t.Skipf("nothing on the host listens on %d: the daemon publishes without docker-proxy (userland-proxy false)", p)
	}
	s := tab.Sockets[0]
	if s.Owner == hostports.OwnerHidden {
		t.Skipf("the process holding %d belongs to uid %d, which this test (uid %d) may not inspect: run it as root", p, s.UID, os.Geteuid())
	}
	if s.Owner != hostports.OwnerFound || len(s.Processes) == 0 {
		t.Fatalf("ReadTable(%d): %+v, want a process", p, s)
	}
	c := s.Processes[0].Container
	if c.Runtime != "docker" || c.Name != name || c.ID != id {
		t.Errorf("ReadTable(%d): held by %s (%s), container %+v; want docker container %s (%s)", p, s.Processes[0].Program, strings.Join(s.Processes[0].Cmdline, " "), c, name, id)
	}

	// The command: ports why names it.
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	if code := a.main([]string{"why", p.String() + "/tcp"}); code != exitFindings {
		t.Errorf("ports why %d: exit status %d, want %d\n%s%s", p, code, exitFindings, stdout.String(), stderr.String())
	}
	want := fmt.Sprintf("docker %s (%s)", name, id[:12])
	if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "docker stop "+name) {
		t.Errorf("ports why %d does not name the container %q:\n%s%s", p, want, stdout.String(), stderr.String())
	}
}
