package porttest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// freeRun finds k contiguous ports that the default pool would hand out
// now, and gives them back, for tests that need known, free ports in a
// private lock directory.
func freeRun(t *testing.T, k int) ports.Range {
	t.Helper()
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	run, err := pool.LeaseRange(k)
	if err != nil {
		t.Fatal(err)
	}
	releaseAll(run)
	return ports.RangeFrom(run[0].Port(), run[len(run)-1].Port())
}

// privatePool returns a pool on a fresh lock directory, drawing from within.
func privatePool(t *testing.T, dir string, within ports.RangeSet) *Pool {
	t.Helper()
	p, err := NewPool(Options{Dir: dir, Within: within})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func leasedPorts(ls []*Lease) []ports.Port {
	out := make([]ports.Port, len(ls))
	for i, l := range ls {
		out[i] = l.Port()
	}
	return out
}

func TestLeaseUniqueAcrossGoroutinesAndPools(t *testing.T) {
	// 64 goroutines, half on each of two pools of one directory, compete
	// for 80 ports: flock locks belong to the open file, so leases of one
	// process exclude each other as leases of two processes do.
	r := freeRun(t, 80)
	dir := filepath.Join(tempLockDir(t), "locks")
	pools := []*Pool{privatePool(t, dir, ports.RangeSetOf(r)), privatePool(t, dir, ports.RangeSetOf(r))}
	var (
		mu   sync.Mutex
		got  []ports.Port
		errs []error
		wg   sync.WaitGroup
	)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := pools[i%2].Lease()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			t.Cleanup(func() { l.Release() })
			got = append(got, l.Port())
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("Lease: %v", errors.Join(errs...))
	}
	slices.Sort(got)
	if c := slices.Compact(slices.Clone(got)); len(c) != len(got) {
		t.Errorf("64 leases gave %d distinct ports: %v", len(c), got)
	}
	for _, p := range got {
		if !r.Contains(p) {
			t.Errorf("port %d is outside Within %v", p, r)
		}
	}
}

func TestExhaustedSaysWhatItTried(t *testing.T) {
	r := freeRun(t, 4)
	dir := filepath.Join(tempLockDir(t), "locks")
	a := privatePool(t, dir, ports.RangeSetOf(r))
	held, err := a.LeaseN(4)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(held)
	b := privatePool(t, dir, ports.RangeSetOf(r))
	_, err = b.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || !errors.Is(err, ErrExhausted) {
		t.Fatalf("Lease with every port leased = %v, want an *ExhaustedError", err)
	}
	want := &ExhaustedError{Dir: b.Dir(), Run: 1, Candidates: 4, Leased: 4}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("ExhaustedError (-want +got):\n%s", diff)
	}
	wantMsg := fmt.Sprintf("porttest: no free port among 4 candidates (lock directory %s): 4 leased already, 0 failed the bind check", b.Dir())
	if err.Error() != wantMsg {
		t.Errorf("error = %q\nwant    %q", err, wantMsg)
	}
	// Releasing one lets the other pool have exactly that port.
	held[2].Release()
	l, err := b.Lease()
	if err != nil {
		t.Fatalf("Lease after a release: %v", err)
	}
	defer l.Release()
	if l.Port() != held[2].Port() {
		t.Errorf("Lease after releasing %d = %d", held[2].Port(), l.Port())
	}
}

func TestPoolSkipsPortsInUse(t *testing.T) {
	r := freeRun(t, 2)
	// Something outside the pool binds the first port (TCP on 0.0.0.0).
	ln, err := net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", r.Lo()))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pool := privatePool(t, filepath.Join(tempLockDir(t), "locks"), ports.RangeSetOf(r))
	for range 5 { // wherever the cursor starts, the busy port is passed over
		l, err := pool.Lease()
		if err != nil {
			t.Fatal(err)
		}
		if l.Port() != r.Hi() {
			t.Errorf("Lease = %d, want %d (port %d is bound)", l.Port(), r.Hi(), r.Lo())
		}
		l.Release()
	}
	only := privatePool(t, filepath.Join(tempLockDir(t), "locks"), ports.RangeSetOf(r.Lo().Range()))
	_, err = only.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Failed != 1 || !errors.Is(err, hostports.ErrInUse) {
		t.Fatalf("Lease of a bound port = %v, want an *ExhaustedError with one failed check wrapping ErrInUse", err)
	}
	if !strings.Contains(err.Error(), "1 failed the bind check; last: hostports: cannot bind tcp") {
		t.Errorf("error %q does not say which check failed", err)
	}
}

func TestLeaseRange(t *testing.T) {
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 2, 10, 32} {
		run, err := pool.LeaseRange(k)
		if err != nil {
			t.Fatalf("LeaseRange(%d): %v", k, err)
		}
		got := leasedPorts(run)
		releaseAll(run)
		if len(got) != k {
			t.Fatalf("LeaseRange(%d) gave %d ports", k, len(got))
		}
		for i, p := range got {
			if p != got[0]+ports.Port(i) {
				t.Errorf("LeaseRange(%d) = %v, not contiguous", k, got)
				break
			}
			if !pool.Candidates().Contains(p) {
				t.Errorf("LeaseRange(%d) gave port %d, not a candidate", k, p)
			}
		}
	}
	for _, k := range []int{0, -1, 65537} {
		if _, err := pool.LeaseRange(k); err == nil || !strings.HasPrefix(err.Error(), "porttest: LeaseRange(") {
			t.Errorf("LeaseRange(%d) = %v, want an error naming the call", k, err)
		}
	}
}

func TestLeaseRangePassesOverBusyPorts(t *testing.T) {
	r := freeRun(t, 11)
	dir := filepath.Join(tempLockDir(t), "locks")
	// Another holder has the 5th port: the only run of 6 left is the last six.
	other := privatePool(t, dir, ports.RangeSetOf((r.Lo() + 4).Range()))
	blocker, err := other.Lease()
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Release()
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	for range 4 {
		run, err := pool.LeaseRange(6)
		if err != nil {
			t.Fatalf("LeaseRange(6): %v", err)
		}
		got := leasedPorts(run)
		releaseAll(run)
		if want := r.Lo() + 5; got[0] != want {
			t.Errorf("LeaseRange(6) starts at %d, want %d", got[0], want)
		}
	}
	_, err = pool.LeaseRange(8)
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Run != 8 || e.Leased == 0 {
		t.Fatalf("LeaseRange(8) = %v, want an *ExhaustedError for a run of 8 that met the held port", err)
	}
	if !strings.HasPrefix(err.Error(), "porttest: no run of 8 free contiguous ports among 11 candidates") {
		t.Errorf("error = %q", err)
	}
}

func TestLeaseN(t *testing.T) {
	r := freeRun(t, 6)
	pool := privatePool(t, filepath.Join(tempLockDir(t), "locks"), ports.RangeSetOf(r))
	ls, err := pool.LeaseN(6)
	if err != nil {
		t.Fatal(err)
	}
	got := leasedPorts(ls)
	slices.Sort(got)
	var want []ports.Port
	for p := range r.All() {
		want = append(want, p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LeaseN(6) of 6 candidates (-want +got):\n%s", diff)
	}
	// Asking for more than is left takes nothing and keeps what is held.
	releaseAll(ls[:2])
	if _, err := pool.LeaseN(3); !errors.Is(err, ErrExhausted) {
		t.Errorf("LeaseN(3) with 2 left = %v, want ErrExhausted", err)
	}
	two, err := pool.LeaseN(2)
	if err != nil {
		t.Fatalf("LeaseN(2) after a failed LeaseN(3): %v (ports were not given back)", err)
	}
	releaseAll(two)
	releaseAll(ls[2:])
	for _, n := range []int{-1, 65537, 1 << 62} {
		if _, err := pool.LeaseN(n); err == nil || !strings.Contains(err.Error(), "want 0 to 65536 ports") {
			t.Errorf("LeaseN(%d) = %v, want an error", n, err)
		}
	}
}

func TestLeaseSockets(t *testing.T) {
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	l, err := pool.Lease()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.ListenTCP(loopback4)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := l.ListenUDP(loopback4)
	if err != nil {
		t.Fatal(err)
	}
	if got := ln.Addr().(*net.TCPAddr).Port; got != int(l.Port()) {
		t.Errorf("ListenTCP bound port %d, want %d", got, l.Port())
	}
	if got := pc.LocalAddr().(*net.UDPAddr).Port; got != int(l.Port()) {
		t.Errorf("ListenUDP bound port %d, want %d", got, l.Port())
	}
	// A second TCP socket on the same address cannot bind: the first holds it.
	if _, err := l.ListenTCP(loopback4); err == nil {
		t.Error("a second ListenTCP on the same address succeeded")
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Release = %v, want net.ErrClosed", err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release = %v, want nil", err)
	}
	if !strings.HasSuffix(l.String(), "(released)") {
		t.Errorf("String() after Release = %q", l.String())
	}
	if _, err := l.ListenTCP(loopback4); err == nil || !strings.Contains(err.Error(), "lease already released") {
		t.Errorf("ListenTCP after Release = %v, want an error", err)
	}
	var zero Lease
	if _, err := zero.ListenUDP(loopback4); err == nil || !strings.Contains(err.Error(), "the zero Lease") {
		t.Errorf("ListenUDP on the zero Lease = %v, want an error naming the zero Lease", err)
	}
	if err := zero.Release(); err != nil {
		t.Errorf("Release of the zero Lease = %v", err)
	}
}

func TestLeaseListenDualStack(t *testing.T) {
	l := NewLease(t)
	ln, err := l.ListenTCP(netip.IPv6Unspecified())
	if err != nil {
		t.Skipf("no IPv6 listener on ::: %v", err)
	}
	// The socket on :: is dual-stack: IPv4 clients reach it.
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", l.Port()))
	if err != nil {
		t.Fatalf("dialing 127.0.0.1 on a listener on ::: %v", err)
	}
	c.Close()
}

// TestEphemeralAvoided checks the candidates and the leases against the
// ephemeral range read from /proc without package hostports.
func TestEphemeralAvoided(t *testing.T) {
	lo, hi, ok := procEphemeral(t)
	if !ok {
		t.Skip("reads /proc; Linux only")
	}
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	eph := ports.RangeFrom(lo, hi)
	if pool.Candidates().Overlaps(eph) {
		t.Errorf("candidates %v overlap the ephemeral range %v", pool.Candidates(), eph)
	}
	ls, err := pool.LeaseN(200)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(ls)
	for _, l := range ls {
		if eph.Contains(l.Port()) {
			t.Errorf("leased port %d lies in the ephemeral range %v", l.Port(), eph)
		}
	}
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_reserved_ports")
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		reserved := ports.MustParseRangeSet(s)
		if !reserved.Intersect(pool.Candidates()).IsEmpty() {
			t.Errorf("candidates overlap the reserved ports %v", reserved)
		}
	}
}

func TestAvoidedFor(t *testing.T) {
	l, _ := hostports.Defaults("linux")
	tcp, udp := AvoidedFor(l, ports.TCP), AvoidedFor(l, ports.UDP)
	if all, want := AvoidedFor(l), hostports.Avoided(l, hostports.AvoidOptions{}); !all.Equal(want) {
		t.Errorf("AvoidedFor(l) = %v, want hostports.Avoided(l) = %v", all, want)
	}
	if both := AvoidedFor(l, ports.TCP, ports.UDP); !both.Equal(tcp.Union(udp)) {
		t.Errorf("AvoidedFor(l, TCP, UDP) = %v, want the union %v", both, tcp.Union(udp))
	}
	// RTPEngine's media range is UDP only: a TCP pool may use it, a UDP
	// pool may not; Grafana's 3000 is TCP only.
	for _, tt := range []struct {
		set  ports.RangeSet
		name string
		p    ports.Port
		want bool
	}{
		{tcp, "tcp", 15000, false},
		{udp, "udp", 15000, true},
		{tcp, "tcp", 3000, true},
		{udp, "udp", 3000, false},
		{tcp, "tcp", 40000, true}, // the ephemeral range
		{udp, "udp", 80, true},    // System ports
	} {
		if got := tt.set.Contains(tt.p); got != tt.want {
			t.Errorf("AvoidedFor(l, %s).Contains(%d) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
	pool, err := NewPool(Options{Dir: tempLockDir(t) + "/locks", Limits: &l, Prober: hostports.Prober{Protocols: []ports.Protocol{ports.TCP}}})
	if err != nil {
		t.Fatal(err)
	}
	if !pool.Candidates().Contains(15000) {
		t.Errorf("a TCP pool's candidates leave out 15000, a UDP-only de-facto port")
	}
}

func TestNewPoolCandidates(t *testing.T) {
	lim := hostports.Limits{EphemeralTCP: ports.MustParseRange("49152-65535"), EphemeralUDP: ports.MustParseRange("49152-65535")}
	dir := filepath.Join(tempLockDir(t), "locks")
	pool, err := NewPool(Options{Dir: dir, Limits: &lim, Within: ports.MustParseRangeSet("2999-3002,40000-40009,60000"), Avoid: ports.MustParseRangeSet("40005")})
	if err != nil {
		t.Fatal(err)
	}
	// 3000 and 3001 are de-facto ports (Grafana and friends); 60000 is ephemeral here.
	want := ports.MustParseRangeSet("2999,3002,40000-40004,40006-40009")
	if got := pool.Candidates(); !got.Equal(want) {
		t.Errorf("Candidates() = %v, want %v", got, want)
	}
	if pool.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", pool.Dir(), dir)
	}
	_, err = NewPool(Options{Dir: dir, Limits: &lim, Within: ports.MustParseRangeSet("3000,50000-50010")})
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Candidates != 0 || !errors.Is(err, ErrExhausted) ||
		!strings.HasPrefix(err.Error(), "porttest: no free port: no candidate ports: 3000,50000-50010, less the ") {
		t.Errorf("NewPool with no candidates = %v, want an *ExhaustedError that says why", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(DirEnv, "/some/where")
	if got := DefaultDir(); got != "/some/where" {
		t.Errorf("DefaultDir() with %s set = %q", DirEnv, got)
	}
	t.Setenv(DirEnv, "")
	got := DefaultDir()
	if runtime.GOOS != "windows" {
		if want := fmt.Sprintf("porttest-%d", os.Getuid()); filepath.Base(got) != want {
			t.Errorf("DefaultDir() = %q, want a directory named %s", got, want)
		}
	}
	if runtime.GOOS == "linux" && shmUsable() && filepath.Dir(got) != "/dev/shm" {
		t.Errorf("DefaultDir() = %q, want it under /dev/shm", got)
	}
}

// TestLockFileSymlinkRefused plants a symbolic link where a port's lock
// file goes: the port is passed over, and the link's target is never
// created or touched.
func TestLockFileSymlinkRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	r := freeRun(t, 2)
	dir := filepath.Join(tempLockDir(t), "locks")
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	target := filepath.Join(tempLockDir(t), "target")
	if err := os.Symlink(target, lockPath(dir, r.Lo())); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lockPath(dir, r.Hi()), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Lease()
	var e *ExhaustedError
	if !errors.As(err, &e) || e.Refused != 2 {
		t.Fatalf("Lease with both lock files planted = %v, want an *ExhaustedError with 2 refused", err)
	}
	if !strings.Contains(err.Error(), "2 lock files refused") {
		t.Errorf("error %q does not count the refused files", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the symbolic link's target was created (Lstat: %v)", err)
	}
	// Taking the planted files away makes the ports available again.
	os.Remove(lockPath(dir, r.Lo()))
	l, err := pool.Lease()
	if err != nil {
		t.Fatalf("Lease after removing the link: %v", err)
	}
	defer l.Release()
	if l.Port() != r.Lo() {
		t.Errorf("Lease = %d, want %d", l.Port(), r.Lo())
	}
	fi, err := os.Lstat(lockPath(dir, r.Lo()))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want a regular file with mode 0600", fi.Mode(), err)
	}
}

// TestLockFileUnreadableRefused plants a lock file that this user may not
// open, as another user's lease leaves: the port is passed over, and the
// next one is leased.
func TestLockFileUnreadableRefused(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a Unix user without the power to open any file")
	}
	r := freeRun(t, 2)
	dir := filepath.Join(tempLockDir(t), "locks")
	pool := privatePool(t, dir, ports.RangeSetOf(r))
	if err := os.WriteFile(lockPath(dir, r.Lo()), nil, 0); err != nil {
		t.Fatal(err)
	}
	leasesOnly(t, pool, r.Hi(), "one lock file unreadable")
}

// leasesOnly checks that pool leases port p twice over, whichever port its
// cursor starts at: the other candidates are passed over (because of what,
// says why).
func leasesOnly(t *testing.T, pool *Pool, p ports.Port, why string) {
	t.Helper()
	for range 2 {
		l, err := pool.Lease()
		if err != nil {
			t.Fatalf("Lease with %s: %v", why, err)
		}
		if l.Port() != p {
			t.Errorf("Lease with %s = %d, want %d", why, l.Port(), p)
		}
		l.Release()
	}
}

// TestZeroPool checks that the zero Pool, which has no candidates, refuses
// every lease with an *ExhaustedError.
func TestZeroPool(t *testing.T) {
	var p Pool
	var e *ExhaustedError
	if _, err := p.Lease(); !errors.As(err, &e) {
		t.Errorf("Lease = %v, want an *ExhaustedError", err)
	}
	if _, err := p.LeaseRange(1); !errors.As(err, &e) {
		t.Errorf("LeaseRange(1) = %v, want an *ExhaustedError", err)
	}
}

func TestSocketNames(t *testing.T) {
	for _, name := range []string{"a", "api grpc", strings.Repeat("x", 255), "~!"} {
		if err := checkSocketName(name); err != nil {
			t.Errorf("checkSocketName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", "a:b", "tab\t", strings.Repeat("x", 256), "caf\u00e9"} {
		if err := checkSocketName(name); err == nil {
			t.Errorf("checkSocketName(%q) = nil, want an error", name)
		}
	}
}

// TestRelativeDirEnvRefused checks that a relative $PORTTEST_DIR is refused:
// go test runs each package in its own directory, where it would name a
// lock directory of that package's alone. Options.Dir may be relative.
func TestRelativeDirEnvRefused(t *testing.T) {
	t.Setenv(DirEnv, "locks")
	_, err := NewPool(Options{})
	if err == nil || !strings.Contains(err.Error(), `$PORTTEST_DIR "locks" is a relative path`) {
		t.Errorf("NewPool with %s=locks = %v, want an error that says it is relative", DirEnv, err)
	}
	t.Chdir(tempLockDir(t))
	if _, err := NewPool(Options{Dir: "locks"}); err != nil {
		t.Errorf("NewPool(Options{Dir: \"locks\"}) = %v", err)
	}
}

// TestUnprobedProtocolRefused checks that NewPool refuses a Prober of a
// protocol it cannot check at once, instead of failing every candidate.
func TestUnprobedProtocolRefused(t *testing.T) {
	for _, proto := range []ports.Protocol{ports.SCTP, ports.DCCP, 0} {
		_, err := NewPool(Options{Dir: tempLockDir(t), Prober: hostports.Prober{Protocols: []ports.Protocol{ports.TCP, proto}}})
		if err == nil || !strings.Contains(err.Error(), "cannot be probed; want tcp or udp") {
			t.Errorf("NewPool with a Prober of %v = %v, want an error", proto, err)
		}
	}
}

// TestNoCandidatesMessage checks the message of a pool left with no
// candidate, for the host's limits and for the zero Limits, which know no
// ephemeral range.
func TestNoCandidatesMessage(t *testing.T) {
	linux, _ := hostports.Defaults("linux")
	windows, _ := hostports.Defaults("windows")
	tests := []struct {
		name string
		lim  hostports.Limits
		want string
	}{
		{"zero Limits", hostports.Limits{}, "(no ephemeral range known; reserved"},
		{"linux", linux, "(ephemeral range " + linux.EphemeralTCP.String() + "; reserved"},
		{"windows", windows, "(ephemeral range " + windows.EphemeralTCP.String() + "; reserved"},
		{"tcp only", hostports.Limits{EphemeralTCP: ports.MustParseRange("40000-40999")}, "(ephemeral ranges: tcp 40000-40999, udp none; reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPool(Options{Dir: filepath.Join(tempLockDir(t), "locks"), Limits: &tt.lim, Within: ports.MustParseRangeSet("80-90")})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "invalid") {
				t.Errorf("NewPool with no candidates = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
