package porttest

// How a pool works. A lease is a lock on "PORT.lock" in the lock directory:
// flock(2) on Unix-like systems (lock_flock.go, which also says how a lease
// survives its file being removed), LockFileEx on Windows. The lock belongs
// to the open file of the process that took it, so the kernel drops it when
// the process ends, kill -9 included. The files are left in place, empty,
// for the next holder: removing them would cost a file-system write per
// release. A lock file that is a symbolic link or not a regular file is
// refused (the port is passed over), never followed.
//
// A pool starts at a random candidate and goes round, passing over ports
// leased by others; processes start at different places so that they rarely
// meet. Each port taken is checked with hostports.Prober.Check, which on
// Linux answers for the four addresses with one dual-stack socket on :: per
// protocol; a lease so checked costs about 20 µs on a two-core Linux
// virtual machine. A pool whose prober checks only some protocols avoids
// only what those protocols should (AvoidedFor).

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// DirEnv names the environment variable that, when set, gives the lock
// directory of the default pool and of every pool whose Options.Dir is
// empty. Processes that must not share ports (containers sharing the host's
// network, say) set it to one directory. It must be an absolute path: go
// test runs each package's tests in the package's own directory, where a
// relative one would name a different directory, and NewPool refuses it.
const DirEnv = "PORTTEST_DIR"

// DefaultDir returns the lock directory that cooperating processes share
// unless told otherwise: $PORTTEST_DIR if set; else, on Unix-like systems,
// "porttest-UID" in a directory every process of the machine agrees on,
// /dev/shm where it exists (a memory file system, where creating a lock
// file costs microseconds rather than the milliseconds a journaling disk
// file system may take) and [os.TempDir] otherwise, one directory per user
// so that no user can tamper with another's locks; on Windows, "porttest"
// in the per-user temporary directory.
//
// Another user can create that directory first, in /dev/shm or /tmp, to
// keep this user's tests from running. When it cannot be used, and
// $PORTTEST_DIR is not set, [NewPool] falls back to "porttest" in
// $XDG_RUNTIME_DIR and then in [os.UserCacheDir], directories that only
// the user can create things in; [Pool.Dir] says which it took.
func DefaultDir() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return defaultDirs(os.Getenv, shmBase())[0]
}

// defaultDirs returns the lock directories NewPool tries, in order, when
// neither Options.Dir nor $PORTTEST_DIR names one: the shared one of the
// machine (under shm, if not "", else under the temporary directory), then
// the fallbacks under $XDG_RUNTIME_DIR and the user's cache directory.
// Every process of a user goes through the same list and stops at the same
// directory.
func defaultDirs(getenv func(string) string, shm string) []string {
	var dirs []string
	if uid := os.Getuid(); uid < 0 {
		dirs = append(dirs, filepath.Join(os.TempDir(), "porttest"))
	} else {
		base := os.TempDir()
		if shm != "" {
			base = shm
		}
		dirs = append(dirs, filepath.Join(base, "porttest-"+strconv.Itoa(uid)))
	}
	if d := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		dirs = append(dirs, filepath.Join(d, "porttest"))
	}
	if d, err := os.UserCacheDir(); err == nil && filepath.IsAbs(d) {
		dirs = append(dirs, filepath.Join(d, "porttest"))
	}
	return dirs
}

// openFirst opens the first of dirs that can be used as a lock directory,
// and otherwise says why none could.
func openFirst(dirs []string) (*lockDir, error) {
	var why []string
	for _, dir := range dirs {
		d, err := openLockDir(dir)
		if err == nil {
			return d, nil
		}
		why = append(why, strings.TrimPrefix(err.Error(), "porttest: "))
	}
	return nil, fmt.Errorf("porttest: no lock directory could be used; tried, in order:\n\t%s\nset $%s to a directory of your own (mode 0700)", strings.Join(why, "\n\t"), DirEnv)
}

// AvoidedFor returns the ports a [Pool] never hands out on a host with
// limits l, for ports that serve the given protocols (every transport if
// none): [hostports.Avoided] for those protocols. A [Pool] uses the
// protocols its [hostports.Prober] checks, so that a pool of TCP ports is
// not kept out of ranges only UDP software uses.
func AvoidedFor(l hostports.Limits, protos ...ports.Protocol) ports.RangeSet {
	return hostports.Avoided(l, hostports.AvoidOptions{Protocols: protos})
}

// Options configure a [Pool]. The zero value gives the default pool.
type Options struct {
	// Dir is the lock directory, shared by the processes that must not get
	// the same port. "" means [DefaultDir], or its fallbacks when it cannot
	// be used. It is created (mode 0700, and its missing parents too) if
	// missing, and refused if it is a symbolic link, is not owned by the
	// user, or is open to others. The pool holds it open: moving or
	// replacing it, or a directory above it, after NewPool does not move
	// the pool's locks.
	Dir string

	// Within restricts the ports handed out to this set; empty means every
	// port.
	Within ports.RangeSet

	// Avoid adds ports never to hand out, on top of [AvoidedFor].
	Avoid ports.RangeSet

	// Limits are the host's limits. nil means [hostports.Read]; if that
	// fails, the documented defaults of the OS are used.
	Limits *hostports.Limits

	// Prober checks every port before it is handed out. The zero value
	// checks TCP and UDP on 127.0.0.1, ::1, 0.0.0.0 and ::.
	Prober hostports.Prober
}

// Pool hands out ports that are free and unique across processes: each
// port handed out is held by a [Lease], a lock on a file named after the
// port in a directory that cooperating processes share. The lock belongs to
// the process that took it and dies with it, however it dies (kill -9
// included), so a lease never outlives its holder and never needs cleaning
// up.
//
// A Pool picks ports from its candidates (see [Pool.Candidates]), starting
// at a random one and going round, and checks each with a bind before
// handing it out.
//
// A Pool is safe for concurrent use. Build one with [NewPool] or use
// [Default]; the zero value is not usable.
type Pool struct {
	dir    string
	locks  *lockDir
	cands  ports.RangeSet
	list   []ports.Port // the candidates in order, for the cursor
	prober hostports.Prober
	cursor atomic.Uint64 // index into list of the next port to try, modulo len(list)
}

// NewPool returns a pool configured by o. It prepares the lock directory
// and reads the host's limits (unless o.Limits is set). It refuses a Prober
// of protocols other than TCP and UDP, which it cannot check. When the host's
// limits and o leave no candidate port, the error is an *[ExhaustedError]
// with no candidates, which says why.
func NewPool(o Options) (*Pool, error) {
	for _, proto := range o.Prober.Protocols {
		if proto != ports.TCP && proto != ports.UDP {
			return nil, fmt.Errorf("porttest: Options.Prober.Protocols: %v cannot be probed; want tcp or udp", proto)
		}
	}
	locks, err := openPoolDir(o.Dir)
	if err != nil {
		return nil, err
	}
	dir := locks.path
	var lim hostports.Limits
	if o.Limits != nil {
		lim = *o.Limits
	} else {
		lim, _ = hostports.Read() // on failure: the OS defaults, which is what we want
	}
	var b ports.RangeSetBuilder
	if o.Within.IsEmpty() {
		b.Add(ports.FullRange())
	} else {
		b.AddSet(o.Within)
	}
	avoided := AvoidedFor(lim, o.Prober.Protocols...)
	b.RemoveSet(avoided)
	b.RemoveSet(o.Avoid)
	cands := b.RangeSet()
	if cands.IsEmpty() {
		within, extra := "every port", ""
		if !o.Within.IsEmpty() {
			within = o.Within.String()
		}
		if !o.Avoid.IsEmpty() {
			extra = " and Options.Avoid " + o.Avoid.String()
		}
		return nil, &ExhaustedError{Dir: dir, Run: 1, Last: fmt.Errorf("no candidate ports: %s, less the %d ports avoided on this host (%s; reserved, excluded, privileged, System, de-facto and browser-refused ports)%s, leaves none",
			within, avoided.Len(), ephemeralText(lim), extra)}
	}
	p := &Pool{dir: dir, locks: locks, cands: cands, prober: o.Prober}
	p.list = make([]ports.Port, 0, cands.Len())
	for port := range cands.All() {
		p.list = append(p.list, port)
	}
	// Processes start at different places so that they rarely meet; the
	// locks keep them apart when they do.
	p.cursor.Store(rand.Uint64N(uint64(len(p.list))))
	return p, nil
}

// openPoolDir opens the lock directory of a pool given Options.Dir: that
// directory; else $PORTTEST_DIR; else the first of the default directories
// that can be used.
func openPoolDir(dir string) (*lockDir, error) {
	if dir == "" {
		dir = os.Getenv(DirEnv)
		if dir == "" {
			return openFirst(defaultDirs(os.Getenv, shmBase()))
		}
		if !filepath.IsAbs(dir) {
			return nil, fmt.Errorf("porttest: $%s %q is a relative path; give an absolute one, since go test runs each package's tests in that package's directory, so that a relative one names a different lock directory for each", DirEnv, dir)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("porttest: lock directory %q: %w", dir, err)
	}
	return openLockDir(abs)
}

// ephemeralText says which ephemeral ranges the limits l hold, for an
// error message.
func ephemeralText(l hostports.Limits) string {
	tcp, udp := l.EphemeralTCP, l.EphemeralUDP
	text := func(r ports.Range) string {
		if !r.IsValid() {
			return "none"
		}
		return r.String()
	}
	switch {
	case !tcp.IsValid() && !udp.IsValid():
		return "no ephemeral range known"
	case tcp == udp:
		return "ephemeral range " + tcp.String()
	}
	return "ephemeral ranges: tcp " + text(tcp) + ", udp " + text(udp)
}

var defaultPool = sync.OnceValues(func() (*Pool, error) { return NewPool(Options{}) })

// Default returns the process's default pool, built once with the zero
// [Options]; it returns the same pool, or the same error, every time.
func Default() (*Pool, error) {
	return defaultPool()
}

// Dir returns the lock directory of p, an absolute path.
func (p *Pool) Dir() string { return p.dir }

// Candidates returns the ports p may hand out: Options.Within (or every
// port), less [AvoidedFor] the host, less Options.Avoid.
func (p *Pool) Candidates() ports.RangeSet { return p.cands }

// ErrExhausted is what [*ExhaustedError] unwraps to.
var ErrExhausted = errors.New("porttest: no free port")

// ExhaustedError reports that a pool found no port, or no run of ports, that
// it could hand out, and says what it tried. Its counts are of the ports the
// search tried: a search for a run moves past the first port of a run that
// it cannot have, and counts that one alone, so its counts may add up to
// far fewer than the candidates.
type ExhaustedError struct {
	Dir        string // the lock directory
	Run        int    // the number of contiguous ports asked for
	Candidates int    // the number of candidate ports
	Leased     int    // ports the search found leased already, by this process or another
	Failed     int    // ports the search found failing the bind check
	Refused    int    // lock files refused (symbolic links, or unreadable)
	Last       error  // the last bind check or lock error, if any
}

// Error says what was asked for, what was tried and why nothing was handed out.
func (e *ExhaustedError) Error() string {
	var b strings.Builder
	if e.Run > 1 {
		fmt.Fprintf(&b, "porttest: no run of %d free contiguous ports", e.Run)
	} else {
		b.WriteString("porttest: no free port")
	}
	if e.Candidates == 0 && e.Last != nil {
		fmt.Fprintf(&b, ": %v", e.Last) // why there were none
		return b.String()
	}
	fmt.Fprintf(&b, " among %d candidates (lock directory %s): %d leased already, %d failed the bind check",
		e.Candidates, e.Dir, e.Leased, e.Failed)
	if e.Refused > 0 {
		fmt.Fprintf(&b, ", %d lock files refused", e.Refused)
	}
	if e.Last != nil {
		fmt.Fprintf(&b, "; last: %v", e.Last)
	}
	return b.String()
}

// Unwrap returns [ErrExhausted] and the last error, if any.
func (e *ExhaustedError) Unwrap() []error {
	if e.Last != nil {
		return []error{ErrExhausted, e.Last}
	}
	return []error{ErrExhausted}
}

// Lease takes one port: it locks the port's file in the lock directory,
// checks that the port can be bound, and returns the lease. A port locked
// by another holder or failing the check is passed over. If every
// candidate is passed over it returns an [*ExhaustedError].
func (p *Pool) Lease() (*Lease, error) {
	e := &ExhaustedError{Dir: p.dir, Run: 1, Candidates: len(p.list)}
	for range len(p.list) {
		i := p.cursor.Add(1) - 1
		port := p.list[i%uint64(len(p.list))]
		l, err := p.take(port, e)
		if err != nil {
			return nil, err
		}
		if l != nil {
			return l, nil
		}
	}
	return nil, e
}

// take tries to lease port. It returns the lease, or nil and no error if
// the port is leased elsewhere or fails its check (counted in e), or an
// error that should stop the search.
func (p *Pool) take(port ports.Port, e *ExhaustedError) (*Lease, error) {
	lk, err := p.locks.lock(port)
	switch {
	case errors.Is(err, errBusy):
		e.Leased++
		return nil, nil
	case errors.Is(err, errRefused):
		e.Refused++
		e.Last = err
		return nil, nil
	case err != nil:
		return nil, err
	}
	if err := p.prober.Check(port); err != nil {
		if errors.Is(err, hostports.ErrNoDescriptors) {
			// Not the port's doing: every port would fail the same way.
			lk.unlock()
			return nil, fmt.Errorf("porttest: checking port %d: %w; a lease holds %s until released: release leases, or raise the limit", port, err, fdsPerLease)
		}
		e.Failed++
		e.Last = err
		lk.unlock()
		return nil, nil
	}
	return &Lease{port: port, lock: lk}, nil
}

// LeaseN takes n ports, not necessarily contiguous, as [Pool.Lease] does.
// If it cannot take them all it releases those it took and returns the
// error.
func (p *Pool) LeaseN(n int) ([]*Lease, error) {
	if n < 0 || n > 65536 {
		return nil, fmt.Errorf("porttest: LeaseN(%d): want 0 to 65536 ports", n)
	}
	out := make([]*Lease, 0, min(n, len(p.list)))
	for range n {
		l, err := p.Lease()
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// LeaseRange takes k contiguous ports, lowest first: a run such as the ten
// ports of a pod in a slot scheme. Every port of the run is locked and
// checked; when one cannot be had, the ports before it are released and the
// search goes on past it. The search starts at a random candidate and goes
// round once.
func (p *Pool) LeaseRange(k int) ([]*Lease, error) {
	if k < 1 || k > 65536 {
		return nil, fmt.Errorf("porttest: LeaseRange(%d): want 1 to 65536 ports", k)
	}
	e := &ExhaustedError{Dir: p.dir, Run: k, Candidates: len(p.list)}
	if len(p.list) == 0 {
		return nil, e // the zero Pool
	}
	i := p.cursor.Add(uint64(k)) - uint64(k)
	from := p.list[i%uint64(len(p.list))]
	pos, wrapped := uint32(from), false
	for {
		start, ok := nextRun(p.cands, pos, k)
		if wrapped && ok && start >= from {
			ok = false // round once
		}
		if !ok {
			if wrapped || from == 0 {
				return nil, e
			}
			pos, wrapped = 0, true
			continue
		}
		run, failedAt, err := p.takeRun(start, k, e)
		switch {
		case err != nil:
			return nil, err
		case run != nil:
			return run, nil
		}
		pos = uint32(failedAt) + 1 // no run through failedAt can be had
	}
}

// takeRun tries to lease start to start+k-1. It returns the run; or nil and
// the port that could not be had (counted in e); or an error that should
// stop the search.
func (p *Pool) takeRun(start ports.Port, k int, e *ExhaustedError) ([]*Lease, ports.Port, error) {
	run := make([]*Lease, 0, k)
	for j := range k {
		port := start + ports.Port(j)
		l, err := p.take(port, e)
		if l == nil {
			releaseAll(run)
			return nil, port, err
		}
		run = append(run, l)
	}
	return run, 0, nil
}

// nextRun returns the lowest port s, not below from, such that the k ports
// s to s+k-1 all lie in cands; from may be 65536, past every port.
func nextRun(cands ports.RangeSet, from uint32, k int) (ports.Port, bool) {
	for r := range cands.Ranges() {
		if uint32(r.Hi()) < from {
			continue
		}
		lo := max(uint32(r.Lo()), from)
		if int(uint32(r.Hi())-lo)+1 >= k {
			return ports.Port(lo), true
		}
	}
	return 0, false
}

func releaseAll(ls []*Lease) {
	for _, l := range ls {
		l.Release()
	}
}
