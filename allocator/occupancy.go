package allocator

import "math/bits"

// occupancy is the occupancy tree of one view: which of the 65536 ports an
// allocation on the view's address cannot use, and the free runs between
// them. It is a bitmap of the port space, one bit per port in 1024 words,
// under a complete binary tree whose leaves are the words. Each tree node
// summarizes the ports below it in a runSummary: the free run at its low end
// (pre), the free run at its high end (suf) and its longest free run (best),
// packed in one word. These are enough to find the first (or last) free run
// of k ports at or after (or before) a port by one climb and one descent,
// without visiting ports or words one by one: O(log U),
// 10 levels for U = 65536 ports, plus constant work with math/bits in the
// words at the bottom.
//
// The summaries are brought up to date lazily: marking w ports taken or free
// costs O(w/64) and records the words it changed as dirty; the next search
// first recomputes the dirty words' summaries and their ancestors, O(log U)
// per dirty word, climbing only while something changes. A reservation
// released before the next search, as a port held for a moment, costs the
// tree nothing.
//
// An occupancy takes 24 KiB whatever it holds. Its zero value is not ready
// until build has run.
type occupancy struct {
	w     [words]uint64 // bit i of w[j] set: port 64*j+i is taken
	t     [2 * words]runSummary
	dirty [words / 64]uint64 // bit j%64 of dirty[j/64]: word j changed since its summary
	ndirt int                // words marked dirty; the summaries are current when 0
}

const (
	words    = 1024
	portsAll = 65536
)

// runSummary summarizes the free runs of the ports under a tree node: pre,
// suf and best, 17 bits each. t[1] is the root, t[words+j] the leaf of word
// j, and the children of t[x] are t[2x] and t[2x+1].
type runSummary uint64

func packRuns(pre, suf, best int) runSummary {
	return runSummary(pre) | runSummary(suf)<<17 | runSummary(best)<<34
}

func (s runSummary) pre() int  { return int(s & 0x1ffff) }
func (s runSummary) suf() int  { return int(s >> 17 & 0x1ffff) }
func (s runSummary) best() int { return int(s >> 34 & 0x1ffff) }

// join summarizes two adjacent stretches of ln and rn ports.
func join(l, r runSummary, ln, rn int) runSummary {
	pre, suf := l.pre(), r.suf()
	if pre == ln {
		pre += r.pre()
	}
	if suf == rn {
		suf += l.suf()
	}
	return packRuns(pre, suf, max(l.best(), r.best(), l.suf()+r.pre()))
}

// longestZeros returns the length of the longest run of zero bits in w.
func longestZeros(w uint64) int {
	f := ^w
	if f == 0 {
		return 0
	}
	if f == ^uint64(0) {
		return 64
	}
	// p[i] has bit j set when bits j to j+2^i-1 of f are all set.
	var p [6]uint64
	p[0] = f
	for i := 1; i < 6; i++ {
		p[i] = p[i-1] & (p[i-1] >> (1 << (i - 1)))
	}
	n, g := 0, ^uint64(0)
	for i := 5; i >= 0; i-- {
		if h := g & (p[i] >> n); h != 0 {
			g, n = h, n+1<<i
		}
	}
	return n
}

func wordSum(w uint64) runSummary {
	return packRuns(bits.TrailingZeros64(w), bits.LeadingZeros64(w), longestZeros(w))
}

// fixWords recomputes the leaves of words j0 to j1 and their ancestors,
// climbing only while something changes.
func (o *occupancy) fixWords(j0, j1 int) {
	changed := false
	for j := j0; j <= j1; j++ {
		if s := wordSum(o.w[j]); s != o.t[words+j] {
			o.t[words+j] = s
			changed = true
		}
	}
	half := 64
	for x0, x1 := (words+j0)/2, (words+j1)/2; x0 >= 1 && changed; x0, x1 = x0/2, x1/2 {
		changed = false
		for x := x0; x <= x1; x++ {
			if s := join(o.t[2*x], o.t[2*x+1], half, half); s != o.t[x] {
				o.t[x] = s
				changed = true
			}
		}
		half *= 2
	}
}

// any reports whether some port from a to b is taken. O(w/64).
func (o *occupancy) any(a, b int) bool {
	for j := a / 64; j <= b/64; j++ {
		if o.w[j]&mask(j, a, b) != 0 {
			return true
		}
	}
	return false
}

// mask returns the bits of word j that hold ports a to b.
func mask(j, a, b int) uint64 {
	lo, hi := max(a-64*j, 0), min(b-64*j, 63)
	return (^uint64(0) >> (63 - hi)) &^ (1<<lo - 1)
}

// add marks the ports a to b taken.
func (o *occupancy) add(a, b int) {
	for j := a / 64; j <= b/64; j++ {
		o.w[j] |= mask(j, a, b)
		o.touch(j)
	}
}

// remove marks the ports a to b free.
func (o *occupancy) remove(a, b int) {
	for j := a / 64; j <= b/64; j++ {
		o.w[j] &^= mask(j, a, b)
		o.touch(j)
	}
}

func (o *occupancy) touch(j int) {
	if d := &o.dirty[j/64]; *d&(1<<(j%64)) == 0 {
		*d |= 1 << (j % 64)
		o.ndirt++
	}
}

// flush brings the summaries of the dirty words and their ancestors up to
// date. When many words are dirty it rebuilds the tree bottom up instead.
func (o *occupancy) flush() {
	if o.ndirt == 0 {
		return
	}
	if o.ndirt > words/8 {
		o.rebuild()
		return
	}
	for i, d := range o.dirty {
		for d != 0 {
			j := i*64 + bits.TrailingZeros64(d)
			d &= d - 1
			o.fixWords(j, j)
		}
		o.dirty[i] = 0
	}
	o.ndirt = 0
}

// runStarts returns the bits i of f such that bits i to i+k-1 are all set
// (bits above 63 count as clear).
func runStarts(f uint64, k int) uint64 {
	if k > 64 {
		return 0
	}
	g, n := f, 1
	for n < k {
		s := min(n, k-n)
		g &= g >> s
		n += s
	}
	return g
}

// firstFit returns the smallest c >= a such that ports c to c+k-1 are all
// free, or -1. It searches the word of a, then climbs the tree, looking at
// each right sibling on the way, and descends into the first that holds the
// run: O(log d) for an answer d ports away, O(log U) at most.
func (o *occupancy) firstFit(a, k int) int {
	o.flush()
	j := a / 64
	w := o.w[j] | (1<<(a%64) - 1) // ports below a count as taken
	if g := runStarts(^w, k); g != 0 {
		return 64*j + bits.TrailingZeros64(g)
	}
	run := bits.LeadingZeros64(w) // free ports at the top of the word, all >= a
	x, width := words+j, 64
	for ; x > 1; x, width = x/2, width*2 {
		if x&1 == 1 {
			continue // a right child: its parent's right part is done
		}
		sib := x + 1
		base := (sib - portsAll/width) * width
		s := o.t[sib]
		switch {
		case run+s.pre() >= k:
			return base - run
		case s.best() >= k:
			return o.firstIn(sib, base, width, k, run)
		case s.pre() == width:
			run += width
		default:
			run = s.suf()
		}
	}
	return -1
}

// firstIn returns the first run of k free ports in node x, of width ports
// from base, counting the run free ports just below base; the node must hold
// such a run.
func (o *occupancy) firstIn(x, base, width, k, run int) int {
	for x < words {
		half := width / 2
		l := o.t[2*x]
		if run+l.pre() >= k {
			return base - run
		}
		if l.best() >= k {
			x, width = 2*x, half
			continue
		}
		if l.pre() == half {
			run += half
		} else {
			run = l.suf()
		}
		if r := o.t[2*x+1]; run+r.pre() >= k {
			return base + half - run
		}
		x, base, width = 2*x+1, base+half, half
	}
	w := o.w[x-words]
	if run+bits.TrailingZeros64(w) >= k {
		return base - run
	}
	return base + bits.TrailingZeros64(runStarts(^w, k))
}

// lastFit returns the largest c such that ports c to c+k-1 are all free and
// c+k-1 <= b, or -1. It mirrors firstFit: O(log d), O(log U) at most.
func (o *occupancy) lastFit(b, k int) int {
	o.flush()
	j := b / 64
	w := o.w[j]
	if b%64 < 63 {
		w |= ^uint64(0) << (b%64 + 1) // ports above b count as taken
	}
	if g := runStarts(^w, k); g != 0 {
		return 64*j + 63 - bits.LeadingZeros64(g)
	}
	run := bits.TrailingZeros64(w) // free ports at the bottom of the word, all <= b
	x, width := words+j, 64
	for ; x > 1; x, width = x/2, width*2 {
		if x&1 == 0 {
			continue
		}
		sib := x - 1
		base := (sib - portsAll/width) * width
		s := o.t[sib]
		switch {
		case run+s.suf() >= k:
			return base + width + run - k
		case s.best() >= k:
			return o.lastIn(sib, base, width, k, run)
		case s.suf() == width:
			run += width
		default:
			run = s.pre()
		}
	}
	return -1
}

// lastIn mirrors firstIn: run counts the free ports just above the node.
func (o *occupancy) lastIn(x, base, width, k, run int) int {
	for x < words {
		half := width / 2
		r := o.t[2*x+1]
		if run+r.suf() >= k {
			return base + width + run - k
		}
		if r.best() >= k {
			x, base, width = 2*x+1, base+half, half
			continue
		}
		if r.suf() == half {
			run += half
		} else {
			run = r.pre()
		}
		if l := o.t[2*x]; run+l.suf() >= k {
			return base + half + run - k
		}
		x, width = 2*x, half
	}
	w := o.w[x-words]
	if run+bits.LeadingZeros64(w) >= k {
		return base + 64 + run - k
	}
	return base + 63 - bits.LeadingZeros64(runStarts(^w, k))
}

// query returns the summary of the ports a to b, as if they were a node of
// their own. O(log U).
func (o *occupancy) query(x, base, n, a, b int) runSummary {
	if a <= base && base+n-1 <= b {
		return o.t[x]
	}
	if x >= words {
		m := mask(x-words, a, b)
		width := bits.OnesCount64(m)
		w := (o.w[x-words] & m) >> bits.TrailingZeros64(m)
		if width < 64 {
			w |= ^uint64(0) << width // the bits beyond the range count as taken
		}
		return packRuns(bits.TrailingZeros64(w), width-bits.Len64(w&(1<<width-1)), longestZeros(w))
	}
	half := n / 2
	switch {
	case b < base+half:
		return o.query(2*x, base, half, a, b)
	case a >= base+half:
		return o.query(2*x+1, base+half, half, a, b)
	}
	l := o.query(2*x, base, half, a, b)
	r := o.query(2*x+1, base+half, half, a, b)
	return join(l, r, base+half-max(a, base), min(b, base+n-1)-(base+half)+1)
}

// coveredIn returns the number of taken ports from a to b. O(w/64).
func (o *occupancy) coveredIn(a, b int) int {
	n := 0
	for j := a / 64; j <= b/64; j++ {
		n += bits.OnesCount64(o.w[j] & mask(j, a, b))
	}
	return n
}

// longestFree returns the length of the longest free run within a to b.
// O(log U).
func (o *occupancy) longestFree(a, b int) int {
	o.flush()
	return o.query(1, 0, portsAll, a, b).best()
}

// build marks taken the ports of the given runs, which must be sorted and
// disjoint, in an occupancy that is all free. O(U/64 + runs).
func (o *occupancy) build(segs [][2]uint16) {
	for _, s := range segs {
		a, b := int(s[0]), int(s[1])
		for j := a / 64; j <= b/64; j++ {
			o.w[j] |= mask(j, a, b)
		}
	}
	o.rebuild()
}

// rebuild recomputes every summary. O(U/64).
func (o *occupancy) rebuild() {
	for j := range o.w {
		o.t[words+j] = wordSum(o.w[j])
	}
	for x := words - 1; x >= 1; x-- {
		half := portsAll >> bits.Len(uint(x))
		o.t[x] = join(o.t[2*x], o.t[2*x+1], half, half)
	}
	o.dirty = [words / 64]uint64{}
	o.ndirt = 0
}
