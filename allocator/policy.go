package allocator

import (
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/portalloc/ports"
)

// Order is the order in which [Allocator.Allocate] tries the candidate runs
// of a range. The zero value is [FirstFit]. An Order is a plain value, safe
// to share.
type Order uint8

const (
	// FirstFit takes the lowest free run of the range.
	FirstFit Order = iota
	// NextFit goes round each range, so that a released port is not handed
	// out again at once: it starts after the run it handed out last for the
	// protocol, if that lies in the range; otherwise after the run it
	// handed out last in the same range (it keeps that position for the
	// last 64 ranges it allocated from), and at the bottom if it has
	// none. From there it takes the first free run, wrapping around to the
	// bottom of the range.
	NextFit
	// Random starts at a random port of the range, drawn from the policy's
	// source, and takes the first free run from there, wrapping around, as
	// Kubernetes' port allocator does. Runs that follow a long taken stretch
	// are therefore likelier than others.
	Random
	// StableByKey starts at a run picked by a hash (64-bit FNV-1a) of the
	// owner's name among the candidates, the runs of the range that the
	// policy's avoid set leaves whole, and takes the first free run from
	// there, wrapping around: a service asking again for the same range
	// gets the same port while it is free, across restarts and checkouts,
	// and the next free one when it is not. An owner's port depends only
	// on its name, the range, the avoid set (fixed for the allocator's
	// life) and the ports held when it asks: not on the order in which
	// owners came. What remains is a collision: when another owner holds
	// the run an owner's hash picks (two names picking one run, or one
	// moved there from its own), that owner takes the next free run, and
	// which of the two comes first decides who moves. With 200 owners over
	// 20,000 candidates, about one pair of names is expected to pick one
	// run. It costs O(r) more for the r avoided ranges in the range.
	StableByKey
)

var orderNames = [...]string{"first-fit", "next-fit", "random", "stable-by-key"}

// String returns "first-fit", "next-fit", "random" or "stable-by-key", and
// "Order(N)" for any other value.
func (o Order) String() string {
	if int(o) < len(orderNames) {
		return orderNames[o]
	}
	return "Order(" + strconv.Itoa(int(o)) + ")"
}

// IsValid reports whether o is one of the four orders.
func (o Order) IsValid() bool { return int(o) < len(orderNames) }

// Policy says how an [Allocator] picks ports for [Allocator.Allocate]. It does
// not restrict [Allocator.Reserve], which holds exactly what it is asked for.
//
// The zero Policy allocates first fit, avoids only port 0 and has no bands. A
// Policy is a plain value that an [Allocator] copies; only its Source, if
// any, is shared, and the allocator calls it only under its lock.
type Policy struct {
	// Avoid holds ports that allocation never hands out: well-known ports,
	// the OS's ephemeral range, ports browsers refuse, excluded ranges.
	// Conflict suggestions avoid them too. Port 0, which asks the system
	// for any free port, is avoided whether Avoid holds it or not.
	Avoid ports.RangeSet

	// Order is the order in which candidate runs are tried.
	Order Order

	// Source is the random source of the Random order. If it is nil, the
	// allocator uses a PCG seeded with Seed, so that a seed alone makes
	// allocation reproducible. The allocator calls Source only while it
	// holds its lock.
	Source rand.Source

	// Seed seeds the allocator's own source when Source is nil.
	Seed uint64

	// Bands splits each range searched by Allocate into a static band at
	// its bottom, of StaticBandSize ports, and a dynamic band above it, as
	// Kubernetes does for NodePorts: allocation tries the dynamic band
	// first and the whole range last, so ports in the static band are
	// left for explicit reservations as long as possible.
	Bands bool
}

// StaticBandSize returns the size of the static band that a policy with Bands
// keeps at the bottom of r: r.Len()/32, at least 16 and at most 128, and never
// more than r.Len(). This is the formula of Kubernetes' NodePort allocator
// (KEP-3668); for the default NodePort range 30000-32767 it is 86.
func StaticBandSize(r ports.Range) int {
	return min(max(16, r.Len()/32), 128, r.Len())
}

// fnv1a hashes s with 64-bit FNV-1a.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// candidates counts the candidates of the StableByKey order in [lo, cmax]:
// the starts of runs of k ports that the sorted, disjoint ranges avoid
// leave whole. If j >= 0 it also returns the candidate j places after the
// first (j = 0 is the first), which must exist. O(log r + r') for r ranges,
// r' of them near [lo, cmax].
func candidates(avoid []ports.Range, lo, cmax, k, j int) (n, nth int) {
	// A start is bad when its run meets an avoided range: from k-1 ports
	// before the range to its end.
	i := sort.Search(len(avoid), func(i int) bool { return int(avoid[i].Hi()) >= lo })
	pos := lo              // the first start not yet counted
	good := func(hi int) { // counts the starts of [pos, hi]
		if hi < pos {
			return
		}
		if l := hi - pos + 1; j >= n && j < n+l {
			nth = pos + j - n
		}
		n += hi - pos + 1
	}
	for ; i < len(avoid) && pos <= cmax; i++ {
		badLo := int(avoid[i].Lo()) - k + 1
		if badLo > cmax {
			break
		}
		good(min(badLo-1, cmax))
		pos = max(pos, int(avoid[i].Hi())+1)
	}
	if pos <= cmax {
		good(cmax)
	}
	return n, nth
}
