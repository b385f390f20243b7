package claims

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"pgregory.net/rapid"
)

// testStore returns a store in a new directory that judges the host by
// Linux's defaults and takes every port as bindable, unless bindable says
// otherwise.
func testStore(t *testing.T, bindable func(ports.Range) bool) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "claims"))
	if err != nil {
		t.Fatal(err)
	}
	s.limits = func() (hostports.Limits, error) {
		l, _ := hostports.Defaults("linux")
		return l, nil
	}
	s.bindable = bindable
	if bindable == nil {
		s.bindable = func(ports.Range) bool { return true }
	}
	return s
}

func mustClaim(t *testing.T, s *Store, r Request) Claim {
	t.Helper()
	c, err := s.Claim(r)
	if err != nil {
		t.Fatalf("Claim(%+v): %v", r, err)
	}
	return c
}

// TestStable checks that a name keeps its port over 1,000 calls while
// other names come and go, and that a new store on the same directory (a
// restart) reads the same claims back.
func TestStable(t *testing.T) {
	s := testStore(t, nil)
	first := mustClaim(t, s, Request{Name: "api"})
	for i := range 1000 {
		other := fmt.Sprintf("svc-%d", i%37)
		if i%3 == 0 {
			if _, err := s.Unclaim(other, ""); err != nil {
				t.Fatal(err)
			}
		} else {
			mustClaim(t, s, Request{Name: other})
		}
		if got := mustClaim(t, s, Request{Name: "api"}); got != first {
			t.Fatalf("call %d: Claim(api) = %v, want %v", i, got, first)
		}
	}
	again, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	again.limits, again.bindable = s.limits, s.bindable
	if got := mustClaim(t, again, Request{Name: "api"}); got != first {
		t.Errorf("after reopening: Claim(api) = %v, want %v", got, first)
	}
}

// TestFirstChoiceFromName checks that a name's first choice depends on
// the name only: claimed in two stores, in two orders among others, it gets
// the same port.
func TestFirstChoiceFromName(t *testing.T) {
	a, b := testStore(t, nil), testStore(t, nil)
	names := []string{"web", "api", "worker", "db", "cache", "queue"}
	for _, n := range names {
		mustClaim(t, a, Request{Name: n})
	}
	for i := len(names) - 1; i >= 0; i-- {
		mustClaim(t, b, Request{Name: names[i]})
	}
	la, _ := a.List()
	lb, _ := b.List()
	if diff := cmp.Diff(portsOf(la), portsOf(lb)); diff != "" {
		t.Errorf("claims made in two orders differ (-forward +reverse):\n%s", diff)
	}
}

func portsOf(cs []Claim) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		out[c.Key()] = c.Ports.String()
	}
	return out
}

// TestCollisionResolvedOnce checks that two names whose first choices are
// one port get two ports, and keep them.
func TestCollisionResolvedOnce(t *testing.T) {
	within := ports.RangeFrom(61000, 61003)
	s := testStore(t, nil)
	cands, err := s.candidates(within)
	if err != nil {
		t.Fatal(err)
	}
	// Two names whose hashes pick the same start.
	byStart := map[ports.Range]string{}
	var x, y string
	for i := 0; y == ""; i++ {
		n := fmt.Sprint("n", i)
		r, _ := pick(n, 1, cands, ports.RangeSet{}, nil)
		if o, ok := byStart[r]; ok {
			x, y = o, n
		}
		byStart[r] = n
	}
	cx := mustClaim(t, s, Request{Name: x, Within: within})
	cy := mustClaim(t, s, Request{Name: y, Within: within})
	if cx.Ports.Overlaps(cy.Ports) {
		t.Fatalf("%s and %s share %v / %v", x, y, cx.Ports, cy.Ports)
	}
	for range 10 {
		if got := mustClaim(t, s, Request{Name: y, Within: within}); got != cy {
			t.Fatalf("Claim(%s) moved: %v, want %v", y, got, cy)
		}
	}
}

func TestUnbindableSkipped(t *testing.T) {
	var busy ports.Range
	s := testStore(t, func(r ports.Range) bool { return !r.Overlaps(busy) })
	within := ports.RangeFrom(61000, 61100)
	cands, _ := s.candidates(within)
	first, _ := pick("api", 3, cands, ports.RangeSet{}, nil)
	busy = first
	c := mustClaim(t, s, Request{Name: "api", N: 3, Within: within})
	if c.Ports.Overlaps(busy) || c.Ports.Len() != 3 {
		t.Errorf("Claim = %v, want a run of 3 off the busy %v", c.Ports, busy)
	}
}

func TestWorktreeScope(t *testing.T) {
	s := testStore(t, nil)
	a := mustClaim(t, s, Request{Name: "api", Worktree: "/src/one"})
	b := mustClaim(t, s, Request{Name: "api", Worktree: "/src/two"})
	if a.Ports.Overlaps(b.Ports) {
		t.Errorf("two worktrees share %v", a.Ports)
	}
	if ok, err := s.Unclaim("api", "/src/one"); !ok || err != nil {
		t.Errorf("Unclaim = %v, %v", ok, err)
	}
	if l, _ := s.List(); len(l) != 1 || l[0] != b {
		t.Errorf("List after unclaim = %v, want only %v", l, b)
	}
}

// TestWorktreeOfGit checks Worktree on two real git worktrees of one
// repository.
func TestWorktreeOfGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	main := filepath.Join(dir, "repo")
	second := filepath.Join(dir, "second")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", main)
	git("-C", main, "commit", "-q", "--allow-empty", "-m", "start")
	git("-C", main, "worktree", "add", "-q", second)
	if err := os.MkdirAll(filepath.Join(second, "cmd", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	wa, err := Worktree(main)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := Worktree(filepath.Join(second, "cmd", "api"))
	if err != nil {
		t.Fatal(err)
	}
	realMain, _ := filepath.EvalSymlinks(main)
	realSecond, _ := filepath.EvalSymlinks(second)
	if wa != realMain || wb != realSecond {
		t.Errorf("Worktree = %q, %q; want %q, %q", wa, wb, realMain, realSecond)
	}
	if _, err := Worktree(dir); err == nil {
		t.Errorf("Worktree(%s) outside any repository: no error", dir)
	}
}

func TestBadStore(t *testing.T) {
	for name, content := range map[string]string{
		"not json":      "{",
		"wrong version": `{"version": 2, "claims": []}`,
		"twice":         `{"version": 1, "claims": [{"name": "a", "ports": "20000"}, {"name": "a", "ports": "20001"}]}`,
		"bad name":      `{"version": 1, "claims": [{"name": "a\u001b", "ports": "20000"}]}`,
		"unknown field": `{"version": 1, "claims": [], "extra": 1}`,
	} {
		s := testStore(t, nil)
		if err := os.WriteFile(s.path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(); err == nil || !strings.Contains(err.Error(), s.path()) {
			t.Errorf("%s: List = %v, want an error naming %s", name, err, s.path())
		}
	}
	s := testStore(t, nil)
	if err := os.Symlink("/dev/zero", s.path()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); err == nil {
		t.Error("a store file that is a link to /dev/zero: no error")
	}
}

func TestBadRequests(t *testing.T) {
	s := testStore(t, nil)
	for _, r := range []Request{
		{Name: ""},
		{Name: "a b"},
		{Name: strings.Repeat("a", 129)},
		{Name: "a", N: -1},
		{Name: "a", N: 2000},
		{Name: "a", N: 5, Within: ports.RangeFrom(61000, 61002)},
	} {
		if c, err := s.Claim(r); err == nil {
			t.Errorf("Claim(%+v) = %v, want an error", r, c)
		}
	}
}

// TestPick checks pick's promises on random candidates and holdings: the
// run lies in the candidates, overlaps nothing held, has k ports, and is
// the first choice of the key whenever that is not held.
func TestPick(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var cb, hb ports.RangeSetBuilder
		for range rapid.IntRange(1, 6).Draw(t, "ranges") {
			lo := rapid.IntRange(1000, 1200).Draw(t, "lo")
			cb.Add(ports.RangeFrom(ports.Port(lo), ports.Port(lo+rapid.IntRange(0, 30).Draw(t, "len"))))
		}
		for range rapid.IntRange(0, 6).Draw(t, "held") {
			p := ports.Port(rapid.IntRange(1000, 1230).Draw(t, "p"))
			hb.Add(p.Range())
		}
		cands, held := cb.RangeSet(), hb.RangeSet()
		k := rapid.IntRange(1, 4).Draw(t, "k")
		key := rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "key")
		r, ok := pick(key, k, cands, held, nil)
		first, firstOK := pick(key, k, cands, ports.RangeSet{}, nil)
		if !ok {
			// No run fits: check by brute force.
			for p := range cands.All() {
				run := ports.RangeFrom(p, min(p+ports.Port(k-1), 65535))
				if run.Len() == k && cands.ContainsRange(run) && !held.Overlaps(run) {
					t.Fatalf("pick found nothing, but %v fits", run)
				}
			}
			return
		}
		if r.Len() != k || !cands.ContainsRange(r) || held.Overlaps(r) {
			t.Fatalf("pick = %v: not a free run of %d in %v (held %v)", r, k, cands, held)
		}
		if firstOK && !held.Overlaps(first) && r != first {
			t.Fatalf("pick = %v, but the first choice %v is free", r, first)
		}
	})
}

// TestConcurrentProcesses runs 16 processes that claim 64 names each at
// once, on one store, with the real bind check: no two names get one port,
// and every claim is there when the store is read again.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 16 processes")
	}
	// A memory file system where there is one: each claim is written with
	// fsync, which a disk makes cost milliseconds.
	base := t.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "claims-test-"); err == nil {
			base = d
			t.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	dir := filepath.Join(base, "claims")
	var wg sync.WaitGroup
	errs := make([]error, 16)
	outs := make([][]byte, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestClaimer$")
			cmd.Env = append(os.Environ(), "CLAIMS_TEST_DIR="+dir, "CLAIMS_TEST_ID="+strconv.Itoa(i))
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 16*64 {
		t.Fatalf("%d claims after 16 processes of 64, want %d", len(cs), 16*64)
	}
	var all ports.RangeSetBuilder
	n := 0
	for _, c := range cs {
		all.Add(c.Ports)
		n += c.Ports.Len()
	}
	if got := all.RangeSet().Len(); got != n {
		t.Errorf("%d claims hold %d ports between them, want %d: some share", len(cs), got, n)
	}
}

// TestClaimer is the body of a process of TestConcurrentProcesses.
func TestClaimer(t *testing.T) {
	dir := os.Getenv("CLAIMS_TEST_DIR")
	if dir == "" {
		t.Skip("run by TestConcurrentProcesses")
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := os.Getenv("CLAIMS_TEST_ID")
	for i := range 64 {
		if _, err := s.Claim(Request{Name: fmt.Sprintf("p%s-n%d", id, i), N: 1 + i%3}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPrune(t *testing.T) {
	s := testStore(t, nil)
	here, gone := t.TempDir(), filepath.Join(t.TempDir(), "removed")
	if err := os.Mkdir(gone, 0o755); err != nil {
		t.Fatal(err)
	}
	a := mustClaim(t, s, Request{Name: "web", Worktree: here})
	mustClaim(t, s, Request{Name: "web", Worktree: gone})
	m := mustClaim(t, s, Request{Name: "db"})
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	pruned, err := s.Prune()
	if err != nil || len(pruned) != 1 || pruned[0].Worktree != gone {
		t.Fatalf("Prune = %v, %v; want the claim of %s", pruned, err, gone)
	}
	list, _ := s.List()
	if diff := cmp.Diff([]Claim{m, a}, list, cmpopts.EquateComparable(ports.Range{})); diff != "" {
		t.Errorf("claims after Prune (-want +got):\n%s", diff)
	}
}
