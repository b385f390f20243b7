package allocator

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"strconv"

	"github.com/portalloc/ports"
)

// Restore builds a state from a snapshot's reservations in bulk: it checks
// each for itself and records it (its record, owner and address, in the
// order of the snapshot, as Reserve would), sorts them once by key, sweeps each
// protocol in that order for two that conflict, and then builds each tree
// from its sorted reservations bottom up, the block index and the view of
// every address from the same order. O(n log n) for n reservations, the
// sort; the rest is O(n).
//
// A refused snapshot names the first reservation, in its order, that a
// sequence of Reserves would refuse: one that is invalid by itself, or that
// conflicts with one before it, and then the first of those, in key order,
// that it conflicts with. Finding the first that conflicts with an earlier
// one takes a binary search over prefixes of the snapshot, each checked by
// a sweep: O(n log n) too.

// sorted is a reservation of a snapshot in the sort of build: its protocol
// and key, and its index in the snapshot, from which its id follows.
type sorted struct {
	pk uint64 // protocol << 32 | key
	i  int32  // index in the snapshot
}

// build returns the state holding rs, or the error that refuses them.
func (a *Allocator) build(rs []Reservation) (*state, error) {
	s := newState()
	s.recs.grow(len(rs))
	owners := make([]int32, 0, len(rs))
	// Why the first reservation refused for itself is, and the prefix that
	// must be free of conflicts for that to be the answer (a conflict is
	// checked before the owner limit).
	checked := len(rs)
	var refusal error
	for i, r := range rs {
		where := "reservation " + strconv.Itoa(i)
		if r.Owner == "" {
			checked, refusal = i, errors.New("allocator: Restore: "+where+": empty owner name")
			break
		}
		if !r.Endpoint.IsValid() {
			checked, refusal = i, errors.New("allocator: Restore: "+where+" ("+strconv.Quote(r.Owner)+"): missing or empty endpoint")
			break
		}
		if !s.own.room(r.Owner) {
			checked, refusal = i+1, errors.New("allocator: Restore: "+where+": more than "+strconv.Itoa(maxOwners)+" owners")
			break
		}
		_, o := s.hold(r.Owner, r.Endpoint)
		owners = append(owners, o)
	}
	order := make([]sorted, checked)
	for i, r := range rs[:checked] {
		k := r.Endpoint.Range()
		order[i] = sorted{uint64(r.Endpoint.Protocol())<<32 | uint64(rkey(uint16(k.Lo()), uint16(k.Hi()))), int32(i)}
	}
	slices.SortFunc(order, func(x, y sorted) int {
		if c := cmp.Compare(x.pk, y.pk); c != 0 {
			return c
		}
		return rs[x.i].Endpoint.Addr().Compare(rs[y.i].Endpoint.Addr())
	})
	var sw clashSweep
	if sw.clash(rs, order, checked) {
		// The first reservation that conflicts with one before it: the
		// last of the shortest prefix with a conflict.
		lo, hi := 1, checked // a prefix of hi has a conflict, of lo-1 none
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if sw.clash(rs, order, mid) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		i := hi - 1
		r := rs[i]
		return nil, errors.New("allocator: Restore: inconsistent snapshot: reservation " + strconv.Itoa(i) + " " + r.String() +
			" conflicts with " + firstConflictIn(rs[:i], r.Endpoint).String())
	}
	if refusal != nil {
		return nil, refusal
	}
	// Build each protocol's tree, block index and view from its part of
	// the order.
	entries := make([]leafEntry, 0, len(order))
	for len(order) > 0 {
		p := uint8(order[0].pk >> 32)
		j := 0
		for j < len(order) && uint8(order[j].pk>>32) == p {
			j++
		}
		entries = entries[:0]
		for _, x := range order[:j] {
			n := x.i + 1 // the id hold gave it, in a new state
			entries = append(entries, leafEntry{key: uint32(x.pk), x: n, tag: leafTag(owners[x.i], s.recs.at(n).addr())})
		}
		s.trees[p-1].build(entries)
		s.used[p-1] = unionLen(entries)
		s.views[p-1].all = s.buildView(p, netip.Addr{}, true, a.avoided())
		order = order[j:]
	}
	return s, nil
}

// unionLen returns the number of ports that the keys of entries, sorted,
// hold between them.
func unionLen(entries []leafEntry) int {
	n, end := 0, -1 // end: the last port counted
	for _, e := range entries {
		lo, hi := int(e.key>>16), int(uint16(e.key))
		if lo > end {
			n += hi - lo + 1
			end = hi
		} else if hi > end {
			n += hi - end
			end = hi
		}
	}
	return n
}

// firstConflictIn returns the first reservation of rs, in the order of
// [ports.Endpoint.Compare], that conflicts with e. O(len(rs)).
func firstConflictIn(rs []Reservation, e ports.Endpoint) Reservation {
	var first Reservation
	for _, r := range rs {
		if r.Endpoint.Conflicts(e) && (!first.Endpoint.IsValid() || r.Endpoint.Compare(first.Endpoint) < 0) {
			first = r
		}
	}
	return first
}

// addrClass sorts addresses by what they overlap (see
// [ports.AddrsOverlap]): every address, every IPv4 address, or one
// address, which overlaps only itself and those of the first two classes
// that hold it.
type addrClass uint8

const (
	classAll  addrClass = iota // the zero Addr and ::
	classV4                    // 0.0.0.0 and ::ffff:0.0.0.0
	classOne4                  // one IPv4 address, mapped or not
	classOne6                  // one IPv6 address, with its zone
)

// classOf returns the class of a and, for one address, the address with
// IPv4-mapped ones unmapped, which is the same for two that overlap.
func classOf(a netip.Addr) (addrClass, netip.Addr) {
	if !a.IsValid() {
		return classAll, a
	}
	u := a.Unmap()
	switch {
	case u == v6Zero:
		return classAll, u
	case u == v4Zero:
		return classV4, u
	case u.Is4():
		return classOne4, u
	}
	return classOne6, u
}

// clashSweep checks reservations sorted by protocol and key for two that
// conflict. Within a protocol, a reservation's ports overlap those of one
// before it in the order exactly when that one's hi is at least its lo,
// since its lo is at least that one's; so the sweep keeps, for each class
// of address, the largest hi so far, and for each single address its own.
type clashSweep struct {
	one map[netip.Addr]int
}

// clash reports whether two of the reservations of rs that come before
// limit conflict; order is rs sorted by protocol and key. O(n).
func (sw *clashSweep) clash(rs []Reservation, order []sorted, limit int) bool {
	if sw.one == nil {
		sw.one = make(map[netip.Addr]int)
	}
	clear(sw.one)
	// The largest hi so far in the protocol, of every class, of classAll,
	// of classV4, and of the IPv4 classes; -1 for none.
	var any, all, v4, v4s int
	proto := uint64(1 << 63) // none yet
	for _, x := range order {
		if int(x.i) >= limit {
			continue
		}
		if p := x.pk >> 32; p != proto {
			proto = p
			any, all, v4, v4s = -1, -1, -1, -1
			clear(sw.one)
		}
		lo, hi := int(uint16(x.pk>>16)), int(uint16(x.pk))
		c, u := classOf(rs[x.i].Endpoint.Addr())
		switch c {
		case classAll:
			if any >= lo {
				return true
			}
			all = max(all, hi)
		case classV4:
			if all >= lo || v4s >= lo {
				return true
			}
			v4, v4s = max(v4, hi), max(v4s, hi)
		default:
			if all >= lo || c == classOne4 && v4 >= lo {
				return true
			}
			if h, ok := sw.one[u]; ok && h >= lo {
				return true
			}
			sw.one[u] = max(sw.one[u], hi)
			if c == classOne4 {
				v4s = max(v4s, hi)
			}
		}
		any = max(any, hi)
	}
	return false
}
