package allocator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"strconv"

	"github.com/portalloc/ports"
)

// SnapshotVersion is the version of the snapshot format that
// [Allocator.Snapshot] writes and [Allocator.Restore] reads.
const SnapshotVersion = 1

// snapshot is the JSON form of an allocator's state.
type snapshot struct {
	Version      int                            `json:"version"`
	Reservations []Reservation                  `json:"reservations"`
	NextFit      map[ports.Protocol]*ports.Port `json:"next_fit,omitempty"`
}

// Snapshot returns the allocator's reservations, and the position of the
// NextFit order, as versioned JSON:
//
//	{"version":1,"reservations":[{"owner":"grafana","endpoint":"0.0.0.0:3000/tcp"}],"next_fit":{"tcp":"3000"}}
//
// Endpoints, protocols and ports are in their text forms, ports too, as
// strings. The reservations come in the order of [ports.Endpoint.Compare],
// so equal states give equal snapshots. The policy and the state of a random source are
// not part of a snapshot. O(n).
func (a *Allocator) Snapshot() ([]byte, error) {
	snap := snapshot{Version: SnapshotVersion, Reservations: []Reservation{}}
	a.mu.RLock()
	if s := a.st; s != nil {
		for _, p := range ports.Protocols() {
			var c rcursor
			s.rwalk(&c, uint8(p), 0, 65535, false, 0, 0, netip.Addr{})
			for x := c.step(); x != 0; x = c.step() {
				snap.Reservations = append(snap.Reservations, s.reservation(c.at()))
			}
			if l := s.last[p-1]; l >= 0 {
				if snap.NextFit == nil {
					snap.NextFit = make(map[ports.Protocol]*ports.Port)
				}
				port := ports.Port(l)
				snap.NextFit[p] = &port
			}
		}
	}
	a.mu.RUnlock()
	return json.Marshal(snap)
}

// Restore replaces every reservation of the allocator by those of a snapshot
// written by [Allocator.Snapshot]. It refuses, with an error that says what is
// wrong and where, a snapshot that is not valid JSON of the current version,
// has unknown fields, an empty owner, an invalid endpoint or a null port, or
// holds two reservations that conflict; the allocator is then left as it
// was. Field names match as encoding/json matches them, without regard to
// case.
// O(n log n).
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

// load builds the state of a snapshot without touching the allocator.
func (a *Allocator) load(data []byte) (*state, error) {
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
	s := newState()
	for i, r := range snap.Reservations {
		where := "reservation " + strconv.Itoa(i)
		if r.Owner == "" {
			return nil, errors.New("allocator: Restore: " + where + ": empty owner name")
		}
		if !r.Endpoint.IsValid() {
			return nil, errors.New("allocator: Restore: " + where + " (" + strconv.Quote(r.Owner) + "): missing or empty endpoint")
		}
		conflict, held := s.scan(r.Endpoint)
		if conflict {
			var c rcursor
			e := r.Endpoint
			s.rwalk(&c, uint8(e.Protocol()), uint16(e.Range().Lo()), uint16(e.Range().Hi()), false, 0, 0, netip.Addr{})
			other := Reservation{}
			for x := c.step(); x != 0; x = c.step() {
				if ports.AddrsOverlap(s.addrs[s.info[x].addr()].addr, e.Addr()) {
					other = s.reservation(c.at())
					break
				}
			}
			return nil, errors.New("allocator: Restore: inconsistent snapshot: " + where + " " + r.String() +
				" conflicts with " + other.String())
		}
		if !s.own.room(r.Owner) {
			return nil, errors.New("allocator: Restore: " + where + ": more than " + strconv.Itoa(maxOwners) + " owners")
		}
		s.add(r.Owner, r.Endpoint, held, a.avoid)
	}
	for p, port := range snap.NextFit {
		if !p.IsValid() {
			return nil, errors.New("allocator: Restore: next_fit: unknown protocol " + strconv.Quote(p.String()))
		}
		if port == nil {
			return nil, errors.New("allocator: Restore: next_fit: " + p.String() + ": null; want a port")
		}
		s.last[p-1] = int32(*port)
	}
	return s, nil
}
