package claims

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// DirEnv names the environment variable that overrides [DefaultDir].
const DirEnv = "PORTS_CLAIMS_DIR"

// DefaultDir returns where the user's claims live unless told otherwise:
// $PORTS_CLAIMS_DIR if set, else "ports" in the user's state directory
// ($XDG_STATE_HOME, or ~/.local/state), else in the user's configuration
// directory. Claims outlive reboots, so they are not kept beside the
// test-lease locks in a memory file system.
func DefaultDir() string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "ports")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "ports")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "ports")
	}
	return filepath.Join(os.TempDir(), "ports-claims")
}

// DefaultRange is the range claims are made in when a request names none:
// every port above the system ports. The candidates are what the host and
// widely used software leave of it (see the package documentation).
func DefaultRange() ports.Range { return ports.RangeFrom(1024, 65535) }

// maxStoreSize bounds the store file read: far more than any machine's
// claims need.
const maxStoreSize = 4 << 20

// Claim is a name's ports on this machine.
type Claim struct {
	// Name is the name claimed.
	Name string `json:"name"`
	// Worktree is the git worktree the claim is scoped to, an absolute
	// path; empty for a claim of the whole machine.
	Worktree string `json:"worktree,omitempty"`
	// Ports are the ports claimed, a run of one or more.
	Ports ports.Range `json:"ports"`
	// Created is when the claim was first made.
	Created time.Time `json:"created"`
}

// Key returns the claim's name, with "@" and its worktree if it has one.
func (c Claim) Key() string { return key(c.Name, c.Worktree) }

func key(name, worktree string) string {
	if worktree == "" {
		return name
	}
	return name + "@" + worktree
}

// Request asks for a claim.
type Request struct {
	// Name is the name to claim: letters, digits and "._-/:", 1 to 128
	// bytes.
	Name string
	// N is how many ports, a run; 0 means 1.
	N int
	// Within is the range to claim in; the zero Range means
	// [DefaultRange].
	Within ports.Range
	// Worktree scopes the claim to a git worktree (an absolute path, as
	// [Worktree] returns); empty for the whole machine.
	Worktree string
}

// Store is the claims of one user on this machine, in a directory. It is
// safe for concurrent use, by goroutines and by processes.
type Store struct {
	dir string
	mu  sync.Mutex // serialises the goroutines of this process; the file lock, the processes

	// limits and bindable are the host's limits and the bind check; tests
	// replace them.
	limits   func() (hostports.Limits, error)
	bindable func(ports.Range) bool
}

// Open returns the store in dir, creating the directory (mode 0700) if it
// is missing; "" means [DefaultDir]. The directory must belong to the
// user and be closed to everyone else, since whoever can write it can
// change the user's ports.
func Open(dir string) (*Store, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	return &Store{dir: dir, limits: hostports.Read, bindable: Bindable}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Bindable reports whether every port of r can be bound now on TCP, on
// the addresses of [hostports.DefaultAddrs]: whether no program holds any
// of a claim's ports. It binds each port in turn, so it costs O(r.Len())
// binds, and says what is true when it runs.
func Bindable(r ports.Range) bool {
	pr := hostports.Prober{Protocols: []ports.Protocol{ports.TCP}}
	for p := range r.All() {
		if !pr.Probe(p).Bindable() {
			return false
		}
	}
	return true
}

// file is the store's content.
type file struct {
	Version int     `json:"version"`
	Claims  []Claim `json:"claims"`
}

func (s *Store) path() string { return filepath.Join(s.dir, "claims.json") }

// update runs fn on the claims under the store's lock and writes them back
// if fn reports a change.
func (s *Store) update(fn func(f *file) (changed bool, err error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(filepath.Join(s.dir, "claims.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	f, err := s.read()
	if err != nil {
		return err
	}
	changed, err := fn(&f)
	if err != nil || !changed {
		return err
	}
	return s.write(f)
}

// read reads the store file; a missing one is an empty store.
func (s *Store) read() (file, error) {
	var f file
	fd, err := openRegular(s.path())
	if errors.Is(err, fs.ErrNotExist) {
		return file{Version: 1}, nil
	}
	if err != nil {
		return f, err
	}
	defer fd.Close()
	data, err := io.ReadAll(io.LimitReader(fd, maxStoreSize+1))
	if err != nil {
		return f, fmt.Errorf("claims: reading %s: %w", s.path(), err)
	}
	if len(data) > maxStoreSize {
		return f, fmt.Errorf("claims: %s is larger than %d bytes; it is not a store of claims", s.path(), maxStoreSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("claims: %s: %v (move it away to start afresh)", s.path(), err)
	}
	if f.Version != 1 {
		return f, fmt.Errorf("claims: %s: version %d; this program reads version 1", s.path(), f.Version)
	}
	seen := map[string]bool{}
	for _, c := range f.Claims {
		if err := checkName(c.Name); err != nil || !c.Ports.IsValid() || seen[c.Key()] {
			return f, fmt.Errorf("claims: %s: claim %q is not valid or is listed twice (move the file away to start afresh)", s.path(), c.Key())
		}
		seen[c.Key()] = true
	}
	return f, nil
}

// write replaces the store file, atomically.
func (s *Store) write(f file) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, "claims-*.tmp")
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("claims: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("claims: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("claims: writing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), s.path()); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	return nil
}

// checkName refuses names that could not be told apart in a listing or an
// environment variable.
func checkName(name string) error {
	if name == "" || len(name) > 128 {
		return fmt.Errorf("claims: name %q: want 1 to 128 bytes", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/:", r)) {
			return fmt.Errorf("claims: name %q: %q is not allowed; use letters, digits and the characters \"._-/:\" only", name, r)
		}
	}
	return nil
}

// Claim returns the claim of r.Name (in r.Worktree), making it if there is
// none. An existing claim is returned as it is, whatever r.N and r.Within
// say; unclaim it first to change it.
func (s *Store) Claim(r Request) (Claim, error) {
	if err := checkName(r.Name); err != nil {
		return Claim{}, err
	}
	if r.N == 0 {
		r.N = 1
	}
	if r.N < 0 || r.N > 1024 {
		return Claim{}, fmt.Errorf("claims: claim %q: %d ports; want 1 to 1024", r.Name, r.N)
	}
	if !r.Within.IsValid() {
		r.Within = DefaultRange()
	}
	var out Claim
	err := s.update(func(f *file) (bool, error) {
		k := key(r.Name, r.Worktree)
		var held ports.RangeSetBuilder
		for _, c := range f.Claims {
			if c.Key() == k {
				out = c
				return false, nil
			}
			held.Add(c.Ports)
		}
		cands, err := s.candidates(r.Within)
		if err != nil {
			return false, err
		}
		got, ok := pick(k, r.N, cands, held.RangeSet(), s.bindable)
		if !ok {
			return false, fmt.Errorf("claims: no run of %d free ports in %s for %q: the host's own ports, widely used software's and %d claims leave none; unclaim some or name a wider range", r.N, r.Within, k, len(f.Claims))
		}
		out = Claim{Name: r.Name, Worktree: r.Worktree, Ports: got, Created: time.Now().UTC().Truncate(time.Second)}
		f.Claims = append(f.Claims, out)
		return true, nil
	})
	return out, err
}

// candidates returns the ports of within that a claim may take: those
// outside [hostports.Avoided] for every transport.
func (s *Store) candidates(within ports.Range) (ports.RangeSet, error) {
	l, err := s.limits()
	if err != nil && l.GOOS == "" {
		return ports.RangeSet{}, fmt.Errorf("claims: reading the host's port limits: %w", err)
	}
	return ports.RangeSetOf(within).Difference(hostports.Avoided(l, hostports.AvoidOptions{})), nil
}

// Unclaim removes the claim of name in worktree, and reports whether there
// was one.
func (s *Store) Unclaim(name, worktree string) (bool, error) {
	found := false
	err := s.update(func(f *file) (bool, error) {
		k := key(name, worktree)
		i := slices.IndexFunc(f.Claims, func(c Claim) bool { return c.Key() == k })
		if i < 0 {
			return false, nil
		}
		f.Claims = slices.Delete(f.Claims, i, i+1)
		found = true
		return true, nil
	})
	return found, err
}

// List returns every claim, by name and then worktree.
func (s *Store) List() ([]Claim, error) {
	var out []Claim
	err := s.update(func(f *file) (bool, error) {
		out = slices.Clone(f.Claims)
		return false, nil
	})
	slices.SortFunc(out, func(a, b Claim) int {
		return strings.Compare(a.Name+"\x00"+a.Worktree, b.Name+"\x00"+b.Worktree)
	})
	return out, err
}

// Prune removes the claims of worktrees that no longer exist (a checkout
// that was deleted, a git worktree removed), and returns them.
func (s *Store) Prune() ([]Claim, error) {
	var gone []Claim
	err := s.update(func(f *file) (bool, error) {
		f.Claims = slices.DeleteFunc(f.Claims, func(c Claim) bool {
			if c.Worktree == "" {
				return false
			}
			if _, err := os.Stat(c.Worktree); errors.Is(err, fs.ErrNotExist) {
				gone = append(gone, c)
				return true
			}
			return false
		})
		return len(gone) > 0, nil
	})
	return gone, err
}
