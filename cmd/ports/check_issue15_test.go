package main

import (
	"os"
	"strings"
	"testing"
)

// The failures of "ports check" on real projects (issue 15), each run
// through the command and held to a golden file. Where the library's
// tests have a fixture laid out like the projects (manifest's
// testdata/projects), it is reused.
const (
	projects = "../../manifest/testdata/projects/"
	issue15  = "testdata/check/issue15/"
)

// envApp returns what makes an app see env as its process environment.
func envApp(env map[string]string) func(*app) {
	return func(a *app) { a.env = func() map[string]string { return env } }
}

// 1. Layered compose files: an add-on that only adds ports to a service of
// the base file is merged into it, as docker compose -f merges.
func TestIssue15Layered(t *testing.T) {
	elk := projects + "elk/"
	runGolden(t, []golden{
		{"issue15-1-layered", []string{"check", "-f", elk + "docker-compose.yml", "-f", elk + "extensions/fleet/fleet-compose.yml", "-f", elk + "extensions/heartbeat/heartbeat-compose.yml"}, exitOK},
		{"issue15-1-layered-doc", []string{"doc", "-f", elk + "docker-compose.yml", "-f", elk + "extensions/fleet/fleet-compose.yml"}, exitOK},
		{"issue15-1-layered-json", []string{"check", "--format", "json", "-f", elk + "docker-compose.yml", "-f", elk + "extensions/fleet/fleet-compose.yml"}, exitOK},
		// The add-on alone is what failed: read on its own, it is still
		// refused, naming the service.
		{"issue15-1-add-on-alone", []string{"check", elk + "extensions/fleet/fleet-compose.yml"}, exitUsage},
	})
}

// 2. One bad file of many: the others are checked and reported, in text
// and in JSON (check-one-bad-of-two and its JSON form hold two files;
// this holds a directory of projects with one broken).
func TestIssue15OneBad(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-2-one-bad-json", []string{"check", "--format", "json", projects + "many/broken/compose.yaml", projects + "many/workers", projects + "many/web"}, exitUsage},
	})
}

// 3. The environment as Docker Compose takes it.
func TestIssue15Environment(t *testing.T) {
	prof := projects + "profiles/compose.yaml"
	runGoldenWith(t, envApp(map[string]string{"APP_PORT": "9999"}), []golden{
		// .env enables the observability profile and names the project
		// shop; the process environment's APP_PORT wins over .env's.
		{"issue15-3-process-env-over-dotenv", []string{"check", prof}, exitOK},
		// Files only, for CI.
		{"issue15-3-no-process-env", []string{"check", "--no-process-env", prof}, exitOK},
		// ports doc shows the ports each run took.
		{"issue15-3-process-env-over-dotenv-doc", []string{"doc", prof}, exitOK},
		{"issue15-3-no-process-env-doc", []string{"doc", "--no-process-env", prof}, exitOK},
	})
	runGoldenWith(t, envApp(map[string]string{"COMPOSE_PROFILES": "debug", "COMPOSE_PROJECT_NAME": "env-name"}), []golden{
		// app and app-debug (profile debug) on one port is a collision
		// only when debug is on, as here.
		{"issue15-3-compose-profiles-env", []string{"check", prof}, exitFindings},
	})
	runGoldenWith(t, envApp(map[string]string{"COMPOSE_PROFILES": ""}), []golden{
		// With no profile enabled, app-debug is off: no false collision.
		{"issue15-3-profiles-off", []string{"check", "--no-process-env", "--env-file", projects + "cfile/.env", prof}, exitOK},
		{"issue15-3-profile-star", []string{"check", "--profile", "*", prof}, exitFindings},
	})
	runGoldenWith(t, envApp(nil), []golden{
		// COMPOSE_FILE in .env names the project's files.
		{"issue15-3-compose-file-dotenv", []string{"check", "--project-directory", projects + "cfile"}, exitOK},
		{"issue15-3-compose-file-dotenv-doc", []string{"doc", "--project-directory", projects + "cfile"}, exitOK},
		// The override beside the base defines the secret the base needs.
		{"issue15-3-override-beside", []string{"check", projects + "secret/compose.yaml"}, exitOK},
	})
	runGoldenWith(t, envApp(map[string]string{"COMPOSE_FILE": "base.yaml"}), []golden{
		// COMPOSE_FILE in the environment wins over .env's.
		{"issue15-3-compose-file-env", []string{"check", "--project-directory", projects + "cfile"}, exitOK},
		{"issue15-3-compose-file-env-doc", []string{"doc", "--project-directory", projects + "cfile"}, exitOK},
	})
}

// 4. Security findings by what runs, not the number alone.
func TestIssue15Identified(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-4-identified", []string{"check", issue15 + "identified/compose.yaml"}, exitOK},
	})
}

// 5. One Kubernetes object in two files is one object
// (check-object-in-two-files holds the guestbook layout); identical copies
// count once.
func TestIssue15ObjectInTwoFiles(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-5-object-in-two-files-dir", []string{"check", "testdata/check/cases/guestbook"}, exitOK},
	})
}

// 6. What the platform refuses, as the platform words it
// (check-rules-text holds network_mode "service:" with ports and a
// nodePort out of range among other rules); here each alone.
func TestIssue15Refused(t *testing.T) {
	stdin := func(s string) func(*app) { return func(a *app) { a.stdin = strings.NewReader(s) } }
	runGoldenWith(t, stdin("services:\n  vpn:\n    image: vpn\n    ports: [\"1194:1194/udp\"]\n  tunnel:\n    image: tunnel\n    network_mode: \"service:vpn\"\n    ports: [\"8888:8888\"]\n"), []golden{
		{"issue15-6-network-mode-service", []string{"check", "-"}, exitFindings},
	})
	runGolden(t, []golden{
		{"issue15-6-nodeport-out-of-range", []string{"check", fixture + "k8s.yaml"}, exitFindings},
	})
}

// 7. Suggestions a person would take.
func TestIssue15Suggestions(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-7-suggestions", []string{"check", issue15 + "suggestions/compose.yaml"}, exitFindings},
	})
}

// 8. Noise: ordinary mail and web ports under Docker's root daemon, and
// hostPorts the kubelet binds, are not warned of.
func TestIssue15Noise(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-8-noise", []string{"check", issue15 + "noise/compose.yaml"}, exitOK},
		{"issue15-8-noise-hostport", []string{"check", issue15 + "noise/hostport.yaml"}, exitOK},
		// Under rootless Docker the privileged ports are warned of, and
		// still not the browser's; the kubelet's hostPorts are not.
		{"issue15-8-noise-rootless", []string{"check", "--rootless", issue15 + "noise/compose.yaml"}, exitOK},
		{"issue15-8-noise-hostport-rootless", []string{"check", "--rootless", issue15 + "noise/hostport.yaml"}, exitOK},
	})
}

// 9. Output: 40 pools in one collision, summarised; standard error the
// same on every run.
func TestIssue15Output(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-9-pool-of-40", []string{"check", issue15 + "pool40/compose.yaml"}, exitFindings},
	})
	for i := range 5 {
		// Five runs, each to the one golden file: the order of what is
		// named must not change from run to run.
		if i > 0 && *update {
			break
		}
		runGoldenWith(t, envApp(nil), []golden{
			{"issue15-9-stderr", []string{"check", issue15 + "stderr/compose.yaml"}, exitUsage},
		})
	}
}

// 10. Inputs: a directory, standard input, a kustomization, a Helm
// template.
func TestIssue15Inputs(t *testing.T) {
	k8s, err := os.ReadFile(projects + "many/k8s/service.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runGoldenWith(t, envApp(nil), []golden{
		{"issue15-10-directory", []string{"check", projects + "many"}, exitUsage},
		{"issue15-10-kustomization", []string{"check", projects + "many/kustomize"}, exitOK},
		{"issue15-10-helm-template", []string{"check", projects + "many/chart/templates/service.yaml"}, exitUsage},
	})
	runGoldenWith(t, func(a *app) { a.stdin = strings.NewReader(string(k8s)) }, []golden{
		{"issue15-10-stdin", []string{"check", "-"}, exitOK},
	})
}

// 11. ports doc: named targetPorts as numbers, a NodePort Service's
// cluster port as cluster-internal, a comment above a block for each port
// of it, long-syntax ports at published:.
func TestIssue15Doc(t *testing.T) {
	runGolden(t, []golden{
		{"issue15-11-doc", []string{"doc", issue15 + "doc/compose.yaml", issue15 + "doc/k8s.yaml"}, exitOK},
		{"issue15-11-doc-check", []string{"check", issue15 + "doc/compose.yaml"}, exitOK},
		{"issue15-11-doc-k8s-block", []string{"doc", issue15 + "doc/k8s-block.yaml"}, exitOK},
	})
}
