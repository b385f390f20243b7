package allocator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/portalloc/ports"
)

// SnapshotVersion is the version of the snapshot format that
// [Allocator.Snapshot] writes and [Allocator.Restore] reads.
const SnapshotVersion = 1

// snapshot is the JSON form of an allocator's state.
type snapshot struct {
	Version       int                            `json:"version"`
	Reservations  []Reservation                  `json:"reservations"`
	NextFit       map[ports.Protocol]*ports.Port `json:"next_fit,omitempty"`
	NextFitRanges []fitJSON                      `json:"next_fit_ranges,omitempty"`
}

// fitJSON is the JSON form of a fitCursor.
type fitJSON struct {
	Protocol ports.Protocol `json:"protocol"`
	Range    ports.Range    `json:"range"`
	Port     *ports.Port    `json:"port"`
}

// Snapshot returns the allocator's reservations, and the positions of the
// NextFit order, of each protocol and of each range it keeps one for (least
// recently used first), as versioned JSON:
//
//	{"version":1,"reservations":[{"owner":"grafana","endpoint":"0.0.0.0:3000/tcp"}],
//	 "next_fit":{"tcp":3000},"next_fit_ranges":[{"protocol":"tcp","range":"3000-3999","port":3000}]}
//
// Ports are numbers; endpoints, protocols and ranges are in their text
// forms, as strings (a port written as a string, as snapshots had it
// before, is read too). The reservations come in the order of [ports.Endpoint.Compare],
// so equal states give equal snapshots. The policy and the state of a
// random source are not part of a snapshot. O(n).
func (a *Allocator) Snapshot() ([]byte, error) {
	snap := snapshot{Version: SnapshotVersion, Reservations: []Reservation{}}
	a.mu.RLock()
	if s := a.st; s != nil {
		for _, p := range ports.Protocols() {
			var c rcursor
			s.trees[uint8(p)-1].walk(&c, 0, 65535)
			for x := c.step(); x != 0; x = c.step() {
				snap.Reservations = append(snap.Reservations, s.reservation(c.at()))
			}
			if l := s.fit.last[p-1]; l >= 0 {
				if snap.NextFit == nil {
					snap.NextFit = make(map[ports.Protocol]*ports.Port)
				}
				port := ports.Port(l)
				snap.NextFit[p] = &port
			}
		}
		for _, f := range s.fit.ranges {
			port := ports.Port(f.last)
			snap.NextFitRanges = append(snap.NextFitRanges, fitJSON{ports.Protocol(f.p), f.r, &port})
		}
	}
	a.mu.RUnlock()
	return json.Marshal(snap)
}

// Restore replaces every reservation of the allocator by those of a snapshot
// written by [Allocator.Snapshot]. It refuses, with an error that says what is
// wrong and where, a snapshot that is not valid JSON of the current version,
// has unknown fields, a key twice in one object, no list of reservations,
// text that is not UTF-8, an empty owner name, an invalid endpoint, a null
// port, two reservations that conflict, or NextFit positions that Snapshot
// would not write: more than 64 ranges, a range listed twice, one without
// its protocol, its range or its port, a port outside its range, or a
// protocol whose position is not that of its last range. The allocator is
// then left as it was. Field names match as encoding/json matches them,
// without regard to case (so "Owner" and "owner" are one key twice).
// O(n log n) for n reservations, however many hold the same ports on
// distinct addresses.
func (a *Allocator) Restore(data []byte) error {
	s, err := a.load(data)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.st = s
	a.mu.Unlock()
	return nil
}

// loneSurrogate returns the offset in data of the first \u escape of half a
// UTF-16 surrogate pair without its other half, or -1. Escapes appear only
// in strings, so data is scanned whole; data that is not JSON is refused
// later.
func loneSurrogate(data []byte) int {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		switch {
		case !ok:
			i++ // an escape of one character, as \\ or \"
		case 0xd800 <= r && r < 0xdc00:
			if r2, ok := hex4(i + 6); !ok || r2 < 0xdc00 || r2 >= 0xe000 {
				return i
			}
			i += 11
		case 0xdc00 <= r && r < 0xe000:
			return i
		default:
			i += 5
		}
	}
	return -1
}

// load builds the state of a snapshot without touching the allocator.
func (a *Allocator) load(data []byte) (*state, error) {
	// encoding/json would take bytes that are not UTF-8, and escapes of
	// half a UTF-16 surrogate pair, in a string as U+FFFD, and so could
	// make two owners one.
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, errors.New("allocator: Restore: corrupt snapshot: byte " + strconv.Itoa(i) + " is not valid UTF-8")
		}
		i += size
	}
	if i := loneSurrogate(data); i >= 0 {
		return nil, errors.New("allocator: Restore: corrupt snapshot: byte " + strconv.Itoa(i) + ": " +
			string(data[i:i+6]) + " is half of a UTF-16 surrogate pair, not a character")
	}
	if err := duplicateKey(data); err != nil {
		return nil, err
	}
	var snap snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return nil, errors.New("allocator: Restore: corrupt snapshot: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("allocator: Restore: corrupt snapshot: data after the JSON object")
	}
	if snap.Version != SnapshotVersion {
		return nil, errors.New("allocator: Restore: snapshot version " + strconv.Itoa(snap.Version) +
			" is not supported; want " + strconv.Itoa(SnapshotVersion))
	}
	if snap.Reservations == nil {
		return nil, errors.New("allocator: Restore: corrupt snapshot: no reservations; want a list, [] for none")
	}
	s, err := a.build(snap.Reservations)
	if err != nil {
		return nil, err
	}
	for p, port := range snap.NextFit {
		if !p.IsValid() {
			return nil, errors.New("allocator: Restore: next_fit: unknown protocol " + strconv.Quote(p.String()))
		}
		if port == nil {
			return nil, errors.New("allocator: Restore: next_fit: " + p.String() + ": null; want a port")
		}
		s.fit.last[p-1] = int32(*port)
	}
	if len(snap.NextFitRanges) > maxFits {
		return nil, errors.New("allocator: Restore: next_fit_ranges: " + strconv.Itoa(len(snap.NextFitRanges)) +
			" positions; want at most " + strconv.Itoa(maxFits))
	}
	for i, f := range snap.NextFitRanges {
		where := "allocator: Restore: next_fit_ranges[" + strconv.Itoa(i) + "]: "
		switch {
		case !f.Protocol.IsValid():
			return nil, errors.New(where + "missing or unknown protocol")
		case !f.Range.IsValid():
			return nil, errors.New(where + "missing or empty range")
		case f.Port == nil:
			return nil, errors.New(where + "missing or null port")
		case !f.Range.Contains(*f.Port):
			return nil, errors.New(where + "port " + f.Port.String() + " is outside the range " + f.Range.String())
		}
		p := uint8(f.Protocol)
		if slices.ContainsFunc(s.fit.ranges, func(g fitCursor) bool { return g.p == p && g.r == f.Range }) {
			return nil, errors.New(where + f.Protocol.String() + " " + f.Range.String() + " is listed twice")
		}
		s.fit.ranges = append(s.fit.ranges, fitCursor{p: p, r: f.Range, last: int32(*f.Port)})
	}
	// The newest position in a range of a protocol is the protocol's, as
	// Snapshot writes them.
	for i, f := range slices.Backward(s.fit.ranges) {
		if slices.ContainsFunc(s.fit.ranges[i+1:], func(g fitCursor) bool { return g.p == f.p }) {
			continue
		}
		if l := s.fit.last[f.p-1]; l != f.last {
			proto := ports.Protocol(f.p).String()
			return nil, errors.New("allocator: Restore: inconsistent snapshot: next_fit_ranges[" + strconv.Itoa(i) +
				"], the last position of " + proto + ", is " + strconv.Itoa(int(f.last)) + ", but next_fit has " + fitText(l) + " for " + proto)
		}
	}
	return s, nil
}

// fitText shows a protocol's NextFit position in an error message.
func fitText(l int32) string {
	if l < 0 {
		return "none"
	}
	return strconv.Itoa(int(l))
}
