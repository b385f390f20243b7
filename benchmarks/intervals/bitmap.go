package intervals

import (
	"math/bits"
	"math/rand/v2"
)

// Bitmap is the practical floor: one bit per port, [1024]uint64, scanned a
// word at a time with math/bits.
type Bitmap [1024]uint64

// Set marks ports lo to hi taken.
func (b *Bitmap) Set(lo, hi int) {
	for p := lo; p <= hi; {
		j := p / 64
		end := min(hi, j*64+63)
		n := end - p + 1
		m := ^uint64(0)
		if n < 64 {
			m = (1<<n - 1) << (p % 64)
		}
		b[j] |= m
		p = end + 1
	}
}

// Clear marks ports lo to hi free.
func (b *Bitmap) Clear(lo, hi int) {
	for p := lo; p <= hi; {
		j := p / 64
		end := min(hi, j*64+63)
		n := end - p + 1
		m := ^uint64(0)
		if n < 64 {
			m = (1<<n - 1) << (p % 64)
		}
		b[j] &^= m
		p = end + 1
	}
}

// Test reports whether port p is taken.
func (b *Bitmap) Test(p int) bool { return b[p/64]>>(p%64)&1 == 1 }

// Any reports whether some port of lo to hi is taken.
func (b *Bitmap) Any(lo, hi int) bool {
	for p := lo; p <= hi; {
		j := p / 64
		end := min(hi, j*64+63)
		n := end - p + 1
		m := ^uint64(0)
		if n < 64 {
			m = (1<<n - 1) << (p % 64)
		}
		if b[j]&m != 0 {
			return true
		}
		p = end + 1
	}
	return false
}

// FirstRun returns the first start c >= from of k free ports, scanning up
// to the top and then from 0, word by word, or -1.
func (b *Bitmap) FirstRun(from, k int) int {
	if c := b.runIn(from, 65535, k); c >= 0 {
		return c
	}
	return b.runIn(0, min(65535, from+k-2), k)
}

// runIn finds the first run of k free ports within lo to hi.
func (b *Bitmap) runIn(lo, hi, k int) int {
	run, start := 0, lo
	for j := lo / 64; j <= hi/64; j++ {
		w := b[j]
		base := j * 64
		// Ports outside [lo, hi] count as taken.
		if base < lo {
			w |= 1<<(lo-base) - 1
		}
		if base+63 > hi {
			w |= ^uint64(0) << (hi - base + 1)
		}
		if w == 0 {
			if run == 0 {
				start = base
			}
			run += 64
			if run >= k {
				return start
			}
			continue
		}
		// The run carried in continues through the trailing free bits.
		if tz := bits.TrailingZeros64(w); run > 0 && run+tz >= k {
			return start
		}
		// Runs inside the word: bit i of g set when bits i..i+k-1 are free.
		if k <= 64 {
			g, n := ^w, 1
			for n < k {
				s := min(n, k-n)
				g &= g >> s
				n += s
			}
			if g != 0 {
				return base + bits.TrailingZeros64(g)
			}
		}
		run = bits.LeadingZeros64(w)
		start = base + 64 - run
	}
	return -1
}

// K8s is a Kubernetes-style port allocator, written after the strategy of
// its NodePort allocator: a bitmap, a random offset, then a linear scan one
// port at a time for the first free one.
type K8s struct {
	bits  [1024]uint64
	count int
	rng   *rand.Rand
}

// NewK8s returns an empty allocator whose random offsets come from seed.
func NewK8s(seed uint64) *K8s { return &K8s{rng: rand.New(rand.NewPCG(seed, 2))} }

func (a *K8s) taken(p int) bool { return a.bits[p/64]>>(p%64)&1 == 1 }

// Allocate marks p taken, reporting false if it was.
func (a *K8s) Allocate(p int) bool {
	if a.taken(p) {
		return false
	}
	a.bits[p/64] |= 1 << (p % 64)
	a.count++
	return true
}

// Release marks p free.
func (a *K8s) Release(p int) {
	if a.taken(p) {
		a.bits[p/64] &^= 1 << (p % 64)
		a.count--
	}
}

// AllocateNext takes the first free port after a random offset, wrapping
// around, scanning one port at a time; -1 if all are taken.
func (a *K8s) AllocateNext() int {
	if a.count == 65536 {
		return -1
	}
	off := a.rng.IntN(65536)
	for i := range 65536 {
		p := (off + i) % 65536
		if !a.taken(p) {
			a.Allocate(p)
			return p
		}
	}
	return -1
}

// AllocateRun takes the first run of k free ports after a random offset,
// scanning one port at a time; -1 if there is none.
func (a *K8s) AllocateRun(k int) int {
	off := a.rng.IntN(65536 - k + 1)
	for _, span := range [2][2]int{{off, 65535}, {0, off + k - 2}} {
		run := 0
		for p := span[0]; p <= span[1]; p++ {
			if a.taken(p) {
				run = 0
				continue
			}
			if run++; run == k {
				for q := p - k + 1; q <= p; q++ {
					a.Allocate(q)
				}
				return p - k + 1
			}
		}
	}
	return -1
}
