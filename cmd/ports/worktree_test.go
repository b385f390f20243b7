package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

// TestWorktreePods runs one pod of the scheme in two git worktrees of one
// repository: each gets the pod's layout on a block of its own, the same
// on every call, and removing a worktree frees its block.
func TestWorktreePods(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	repo, second := filepath.Join(dir, "shop"), filepath.Join(dir, "shop-fix")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", repo)
	git("-C", repo, "commit", "-q", "--allow-empty", "-m", "start")
	git("-C", repo, "worktree", "add", "-q", second)

	a, stdout, stderr := claimApp(t)
	env := func(in string) (string, ports.RangeSet) {
		t.Helper()
		t.Chdir(in)
		stdout.Reset()
		if code := a.main([]string{"scheme", "--lang", "go", "--kind", "saga", "--env", "0", "--worktree"}); code != exitOK {
			t.Fatalf("scheme --env in %s: exit %d\n%s", in, code, stderr)
		}
		var set ports.RangeSetBuilder
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			_, v, _ := strings.Cut(line, "=")
			p, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("scheme --env printed %q", stdout)
			}
			set.AddPort(ports.Port(p))
		}
		return stdout.String(), set.RangeSet()
	}
	outA, portsA := env(repo)
	outB, portsB := env(filepath.Join(second))
	if again, _ := env(repo); again != outA {
		t.Errorf("the main worktree's pod moved:\n%s\nthen\n%s", outA, again)
	}
	if !portsA.Intersect(portsB).IsEmpty() {
		t.Errorf("two worktrees share ports:\n%s\n%s", outA, outB)
	}
	for _, want := range []string{"PORT=", "REST_PORT=", "DEBUG_PORT=", "TARGET_PORT="} {
		if !strings.Contains(outA, want) {
			t.Errorf("the environment lacks %s:\n%s", want, outA)
		}
	}

	t.Chdir(repo)
	git("-C", repo, "worktree", "remove", second)
	stderr.Reset()
	if code := a.main([]string{"claims", "--prune"}); code != exitOK {
		t.Fatalf("claims --prune: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "shop-fix") {
		t.Errorf("claims --prune did not free the removed worktree's block:\n%s", stderr)
	}
}
