package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPreCommitHooks runs the hook definition with the pre-commit tool
// itself (pre-commit try-repo), which builds the command from this
// repository as a project pinning it would: a project with a collision
// fails the hook and a clean one passes. It is skipped where pre-commit is
// not installed (Debian: apt-get install pre-commit) and with -short, as
// the build takes minutes.
func TestPreCommitHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command through pre-commit; skipped with -short")
	}
	if tc := os.Getenv("GOTOOLCHAIN"); tc != "" && tc != "auto" && tc != "local" {
		// pre-commit's Go support looks for a toolchain of its own when the
		// go command is not the system's, and reaches for the network.
		t.Skipf("GOTOOLCHAIN=%s pins a toolchain other than the system's, which pre-commit would download", tc)
	}
	tool, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not installed; apt-get install pre-commit runs this test")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	gomodcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	try := func(compose string) (string, error) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x"}} {
			cmd := exec.Command("git", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		cmd := exec.Command(tool, "try-repo", root, "ports-check", "--all-files")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PRE_COMMIT_HOME="+home, "GOMODCACHE="+strings.TrimSpace(string(gomodcache)), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := try("services:\n  a:\n    image: a\n    ports: [\"8080:80\"]\n  b:\n    image: b\n    ports: [\"8080:81\"]\n")
	if err == nil || !strings.Contains(out, "collision 8080/tcp") || !strings.Contains(out, "exit code: 1") {
		t.Errorf("the hook on a collision: %v\n%s", err, out)
	}
	out, err = try("services:\n  a:\n    image: a\n    ports: [\"127.0.0.1:8080:80\"]\n")
	if err != nil || !strings.Contains(out, "Passed") {
		t.Errorf("the hook on a clean project: %v\n%s", err, out)
	}
}

// TestHookFilesPattern checks the files pattern of the hooks against the
// names of compose files, registries and the configuration.
func TestHookFilesPattern(t *testing.T) {
	var hooks []struct {
		ID    string   `yaml:"id"`
		Entry string   `yaml:"entry"`
		Files string   `yaml:"files"`
		Args  []string `yaml:"args"`
		Lang  string   `yaml:"language"`
	}
	b, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 2 || hooks[0].ID != "ports-check" || hooks[0].Lang != "golang" || hooks[0].Entry != "ports check" {
		t.Fatalf("hooks: %+v", hooks)
	}
	re := regexp.MustCompile(hooks[0].Files)
	for name, want := range map[string]bool{
		"compose.yaml": true, "deploy/docker-compose.yml": true, "compose.override.yaml": true,
		"docker-compose.prod.yml": true, "docker-compose-dev.yaml": true, "ports.yaml": true,
		"infra/ports.yml": true, ".ports-check.yaml": true,
		"README.md": false, ".github/workflows/ci.yml": false, "mycompose.yaml": false, "compose.yaml.bak": false,
	} {
		if got := re.MatchString(name); got != want {
			t.Errorf("files pattern matches %q: %v, want %v", name, got, want)
		}
	}
}

// TestActionDefinition checks action.yml: a composite action whose
// scripts take the inputs from the environment only (an input spliced
// into a script's text could run as shell), and whose ports check line
// uses flags the command has.
func TestActionDefinition(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Name   string
		Inputs map[string]struct{ Default string }
		Runs   struct {
			Using string
			Steps []struct {
				Uses string
				Run  string
				Env  map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	var help, stderr bytes.Buffer
	testApp(&help, &stderr).main([]string{"check", "--help"})
	var uploads, checks int
	for _, s := range action.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("a script splices an expression into its text:\n%s", s.Run)
		}
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
			uploads++
		}
		for _, line := range strings.Split(s.Run, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "ports check ") {
				continue
			}
			checks++
			for _, f := range strings.Fields(line)[2:] {
				if strings.HasPrefix(f, "--") && !strings.Contains(help.String(), "\n  "+f+" ") && !strings.Contains(help.String(), "\n  "+f+"\n") {
					t.Errorf("action.yml runs ports check with %s, which it does not have", f)
				}
			}
		}
	}
	if uploads != 1 || checks != 1 {
		t.Errorf("%d SARIF uploads and %d ports check runs, want 1 and 1", uploads, checks)
	}
	for _, in := range []string{"paths", "args", "sarif-file", "version"} {
		if _, ok := action.Inputs[in]; !ok {
			t.Errorf("no input %q", in)
		}
	}
}
