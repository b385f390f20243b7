package intervals

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/Workiva/go-datastructures/augmentedtree"
	"github.com/google/btree"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/rdleal/intervalst/interval"
	"go.etcd.io/etcd/pkg/v3/adt"
)

var sizes = []int{1000, 10000, 50000}

// fixture is the workload at one size: the intervals, and 1024 of each kind
// of query drawn at random from a seeded source.
type fixture struct {
	n       int
	rs      []Interval
	held    Bitmap
	free    []int      // single free ports, to insert and delete again
	unique  []int      // free without its repeats, for Insert and Delete
	queries []Interval // ranges of width 1-8 anywhere in 0-65535
	points  []int      // ports anywhere in 0-65535
}

var fixtures = map[int]*fixture{}

func getFixture(n int) *fixture {
	if f := fixtures[n]; f != nil {
		return f
	}
	f := &fixture{n: n, rs: Layout(n, 42)}
	for _, r := range f.rs {
		f.held.Set(r.Lo, r.Hi)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for len(f.free) < 1024 {
		if p := rng.IntN(Space); !f.held.Test(p) {
			f.free = append(f.free, p)
		}
	}
	seen := make(map[int]bool)
	for _, p := range f.free {
		if !seen[p] {
			seen[p] = true
			f.unique = append(f.unique, p)
		}
	}
	for range 1024 {
		lo := rng.IntN(65536 - 8)
		f.queries = append(f.queries, Interval{lo, lo + rng.IntN(8)})
		f.points = append(f.points, rng.IntN(65536))
	}
	fixtures[n] = f
	return f
}

func tcp(lo, hi int) ports.Endpoint {
	return ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
}

// Builders of each structure holding the workload's intervals.

func buildOurs(b *testing.B, f *fixture, p allocator.Policy) *allocator.Allocator {
	a := allocator.New(p)
	for i, r := range f.rs {
		if _, err := a.Reserve(fmt.Sprint("svc-", i), tcp(r.Lo, r.Hi)); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

func buildEtcd(f *fixture) adt.IntervalTree {
	t := adt.NewIntervalTree()
	for i, r := range f.rs {
		t.Insert(adt.NewInt64Interval(int64(r.Lo), int64(r.Hi)+1), i) // half-open
	}
	return t
}

func cmpInt(a, b int) int { return a - b }

func buildRdleal(f *fixture) *interval.SearchTree[int, int] {
	t := interval.NewSearchTreeWithOptions[int](cmpInt, interval.TreeWithIntervalPoint())
	for i, r := range f.rs {
		t.Insert(r.Lo, r.Hi, i)
	}
	return t
}

// wiv is an interval for Workiva's augmentedtree: closed, one dimension.
type wiv struct {
	lo, hi int64
	id     uint64
}

func (w wiv) LowAtDimension(uint64) int64  { return w.lo }
func (w wiv) HighAtDimension(uint64) int64 { return w.hi }
func (w wiv) OverlapsAtDimension(o augmentedtree.Interval, d uint64) bool {
	return w.hi >= o.LowAtDimension(d) && w.lo <= o.HighAtDimension(d)
}
func (w wiv) ID() uint64 { return w.id }

func buildWorkiva(f *fixture) augmentedtree.Tree {
	t := augmentedtree.New(1)
	for i, r := range f.rs {
		t.Add(wiv{int64(r.Lo), int64(r.Hi), uint64(i + 1)})
	}
	return t
}

// bt is google/btree as an ordered map of intervals keyed by low port. It
// answers overlap queries only because the workload's intervals are
// disjoint: the one starting at or before a port is the only candidate to
// cover it.
func lessIv(a, b Interval) bool { return a.Lo < b.Lo }

func buildBtree(f *fixture) *btree.BTreeG[Interval] {
	t := btree.NewG(32, lessIv)
	for _, r := range f.rs {
		t.ReplaceOrInsert(r)
	}
	return t
}

func btreeOverlap(t *btree.BTreeG[Interval], lo, hi int) int {
	n := 0
	t.DescendLessOrEqual(Interval{Lo: lo}, func(r Interval) bool {
		if r.Hi >= lo {
			n++
		}
		return false
	})
	t.AscendRange(Interval{Lo: lo + 1}, Interval{Lo: hi + 1}, func(Interval) bool {
		n++
		return true
	})
	return n
}

func buildBitmap(f *fixture) *Bitmap {
	bm := new(Bitmap)
	*bm = f.held
	return bm
}

func buildK8s(f *fixture) *K8s {
	k := NewK8s(1)
	k.bits = f.held
	for _, r := range f.rs {
		k.count += r.Hi - r.Lo + 1
	}
	return k
}

func forSizes(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, n := range sizes {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) { fn(b, getFixture(n)) })
	}
}

var sink int

// BenchmarkOverlap lists every interval overlapping a random range of 1-8
// ports. The bitmap cannot list holders; it answers whether any port is held.
func BenchmarkOverlap(b *testing.B) {
	forSizes(b, func(b *testing.B, f *fixture) {
		b.Run("impl=ours", func(b *testing.B) {
			a := buildOurs(b, f, allocator.Policy{})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				for range a.Overlapping(tcp(q.Lo, q.Hi)) {
					sink++
				}
				i++
			}
		})
		b.Run("impl=ours-append", func(b *testing.B) {
			a := buildOurs(b, f, allocator.Policy{})
			b.ReportAllocs()
			i := 0
			var buf []allocator.Reservation
			for b.Loop() {
				q := f.queries[i&1023]
				buf = a.AppendOverlapping(buf[:0], tcp(q.Lo, q.Hi))
				sink += len(buf)
				i++
			}
		})
		b.Run("impl=etcd", func(b *testing.B) {
			t := buildEtcd(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				t.Visit(adt.NewInt64Interval(int64(q.Lo), int64(q.Hi)+1), func(*adt.IntervalValue) bool {
					sink++
					return true
				})
				i++
			}
		})
		b.Run("impl=rdleal", func(b *testing.B) {
			t := buildRdleal(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				vs, _ := t.AllIntersections(q.Lo, q.Hi)
				sink += len(vs)
				i++
			}
		})
		b.Run("impl=workiva", func(b *testing.B) {
			t := buildWorkiva(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				res := t.Query(wiv{int64(q.Lo), int64(q.Hi), 0})
				sink += len(res)
				res.Dispose()
				i++
			}
		})
		b.Run("impl=btree", func(b *testing.B) {
			t := buildBtree(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				sink += btreeOverlap(t, q.Lo, q.Hi)
				i++
			}
		})
		b.Run("impl=bitmap", func(b *testing.B) {
			bm := buildBitmap(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := f.queries[i&1023]
				if bm.Any(q.Lo, q.Hi) {
					sink++
				}
				i++
			}
		})
	})
}

// BenchmarkStab lists the holders of a random port; the bitmap tests its bit.
func BenchmarkStab(b *testing.B) {
	forSizes(b, func(b *testing.B, f *fixture) {
		b.Run("impl=ours", func(b *testing.B) {
			a := buildOurs(b, f, allocator.Policy{})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				for range a.Holders(ports.TCP, ports.Port(f.points[i&1023])) {
					sink++
				}
				i++
			}
		})
		b.Run("impl=ours-append", func(b *testing.B) {
			a := buildOurs(b, f, allocator.Policy{})
			b.ReportAllocs()
			i := 0
			var buf []allocator.Reservation
			for b.Loop() {
				buf = a.AppendHolders(buf[:0], ports.TCP, ports.Port(f.points[i&1023]))
				sink += len(buf)
				i++
			}
		})
		b.Run("impl=etcd", func(b *testing.B) {
			t := buildEtcd(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sink += len(t.Stab(adt.NewInt64Point(int64(f.points[i&1023]))))
				i++
			}
		})
		b.Run("impl=rdleal", func(b *testing.B) {
			t := buildRdleal(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.points[i&1023]
				vs, _ := t.AllIntersections(p, p)
				sink += len(vs)
				i++
			}
		})
		b.Run("impl=workiva", func(b *testing.B) {
			t := buildWorkiva(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := int64(f.points[i&1023])
				res := t.Query(wiv{p, p, 0})
				sink += len(res)
				res.Dispose()
				i++
			}
		})
		b.Run("impl=btree", func(b *testing.B) {
			t := buildBtree(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.points[i&1023]
				sink += btreeOverlap(t, p, p)
				i++
			}
		})
		b.Run("impl=bitmap", func(b *testing.B) {
			bm := buildBitmap(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if bm.Test(f.points[i&1023]) {
					sink++
				}
				i++
			}
		})
	})
}

// BenchmarkInsertDelete inserts an interval of one free port and deletes it
// again: one op is the pair, so that n stays put. Ours is Reserve, which
// also checks for conflicts, and Release.
func BenchmarkInsertDelete(b *testing.B) {
	forSizes(b, func(b *testing.B, f *fixture) {
		b.Run("impl=ours", func(b *testing.B) {
			a := buildOurs(b, f, allocator.Policy{})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := tcp(f.free[i&1023], f.free[i&1023])
				if _, err := a.Reserve("bench", e); err != nil {
					b.Fatal(err)
				}
				a.Release(e)
				i++
			}
		})
		b.Run("impl=etcd", func(b *testing.B) {
			t := buildEtcd(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := int64(f.free[i&1023])
				iv := adt.NewInt64Interval(p, p+1)
				t.Insert(iv, -1)
				t.Delete(iv)
				i++
			}
		})
		b.Run("impl=rdleal", func(b *testing.B) {
			t := buildRdleal(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.free[i&1023]
				t.Insert(p, p, -1)
				t.Delete(p, p)
				i++
			}
		})
		b.Run("impl=workiva", func(b *testing.B) {
			t := buildWorkiva(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := int64(f.free[i&1023])
				iv := wiv{p, p, uint64(1 << 40)}
				t.Add(iv)
				t.Delete(iv)
				i++
			}
		})
		b.Run("impl=btree", func(b *testing.B) {
			t := buildBtree(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.free[i&1023]
				t.ReplaceOrInsert(Interval{p, p})
				t.Delete(Interval{Lo: p})
				i++
			}
		})
		b.Run("impl=bitmap", func(b *testing.B) {
			bm := buildBitmap(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.free[i&1023]
				bm.Set(p, p)
				bm.Clear(p, p)
				i++
			}
		})
		b.Run("impl=k8s", func(b *testing.B) {
			k := buildK8s(f)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := f.free[i&1023]
				if !k.Allocate(p) {
					b.Fatal("taken")
				}
				k.Release(p)
				i++
			}
		})
	})
}

// insertDelete is how a structure inserts and deletes the interval of one
// port, for BenchmarkInsert and BenchmarkDelete. The call through a func
// value costs every structure the same few nanoseconds.
type insertDelete struct {
	insert, delete func(p int)
}

// peersInsertDelete returns the insert and delete of every structure, each
// built holding the workload's intervals. Workiva is left out: its delete
// is O(n) (BenchmarkInsertDelete shows it), and the untimed deletes of each
// batch would take minutes.
func peersInsertDelete(b *testing.B, f *fixture) []struct {
	impl string
	ops  func() insertDelete
} {
	return []struct {
		impl string
		ops  func() insertDelete
	}{
		{"ours", func() insertDelete {
			a := buildOurs(b, f, allocator.Policy{})
			return insertDelete{
				func(p int) {
					if _, err := a.Reserve("bench", tcp(p, p)); err != nil {
						b.Fatal(err)
					}
				},
				func(p int) { a.Release(tcp(p, p)) },
			}
		}},
		{"etcd", func() insertDelete {
			t := buildEtcd(f)
			return insertDelete{
				func(p int) { t.Insert(adt.NewInt64Interval(int64(p), int64(p)+1), -1) },
				func(p int) { t.Delete(adt.NewInt64Interval(int64(p), int64(p)+1)) },
			}
		}},
		{"rdleal", func() insertDelete {
			t := buildRdleal(f)
			return insertDelete{
				func(p int) { t.Insert(p, p, -1) },
				func(p int) { t.Delete(p, p) },
			}
		}},
		{"btree", func() insertDelete {
			t := buildBtree(f)
			return insertDelete{
				func(p int) { t.ReplaceOrInsert(Interval{p, p}) },
				func(p int) { t.Delete(Interval{Lo: p}) },
			}
		}},
		{"bitmap", func() insertDelete {
			bm := buildBitmap(f)
			return insertDelete{
				func(p int) { bm.Set(p, p) },
				func(p int) { bm.Clear(p, p) },
			}
		}},
	}
}

// BenchmarkInsert inserts the intervals of the fixture's free ports (about
// 1,000) one at a time; after each pass, the timer stops while they are
// deleted again.
func BenchmarkInsert(b *testing.B) {
	forSizes(b, func(b *testing.B, f *fixture) {
		for _, peer := range peersInsertDelete(b, f) {
			b.Run("impl="+peer.impl, func(b *testing.B) {
				ops := peer.ops()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					ops.insert(f.unique[i])
					if i++; i == len(f.unique) {
						b.StopTimer()
						for _, p := range f.unique {
							ops.delete(p)
						}
						b.StartTimer()
						i = 0
					}
				}
			})
		}
	})
}

// BenchmarkDelete deletes the intervals of the fixture's free ports one at
// a time, the timer stopping while they are inserted before each pass.
func BenchmarkDelete(b *testing.B) {
	forSizes(b, func(b *testing.B, f *fixture) {
		for _, peer := range peersInsertDelete(b, f) {
			b.Run("impl="+peer.impl, func(b *testing.B) {
				ops := peer.ops()
				b.ReportAllocs()
				i := len(f.unique)
				for b.Loop() {
					if i == len(f.unique) {
						b.StopTimer()
						for _, p := range f.unique {
							ops.insert(p)
						}
						b.StartTimer()
						i = 0
					}
					ops.delete(f.unique[i])
					i++
				}
			})
		}
	})
}

// BenchmarkAllocate finds a free run of k ports from a random start, takes
// it and gives it back: ours allocates (Random order) and releases; the
// Kubernetes-style allocator scans port by port; the bitmap scans word by
// word. The interval trees cannot find free runs and are left out.
func BenchmarkAllocate(b *testing.B) {
	for _, k := range []int{1, 16} {
		b.Run(fmt.Sprint("k=", k), func(b *testing.B) {
			forSizes(b, func(b *testing.B, f *fixture) {
				b.Run("impl=ours", func(b *testing.B) {
					a := buildOurs(b, f, allocator.Policy{Order: allocator.Random, Seed: 1})
					b.ReportAllocs()
					for b.Loop() {
						r, err := a.Allocate("bench", ports.TCP, ports.FullRange(), k)
						if err != nil {
							b.Fatal(err)
						}
						a.Release(r.Endpoint)
					}
				})
				b.Run("impl=bitmap", func(b *testing.B) {
					bm := buildBitmap(f)
					rng := rand.New(rand.NewPCG(1, 3))
					b.ReportAllocs()
					for b.Loop() {
						c := bm.FirstRun(rng.IntN(65536-k+1), k)
						if c < 0 {
							b.Fatal("full")
						}
						bm.Set(c, c+k-1)
						bm.Clear(c, c+k-1)
					}
				})
				b.Run("impl=k8s", func(b *testing.B) {
					a := buildK8s(f)
					b.ReportAllocs()
					for b.Loop() {
						var c int
						if k == 1 {
							c = a.AllocateNext()
						} else {
							c = a.AllocateRun(k)
						}
						if c < 0 {
							b.Fatal("full")
						}
						for p := c; p < c+k; p++ {
							a.Release(p)
						}
					}
				})
			})
		})
	}
}

// BenchmarkFind only finds the free run, without taking it: ours is Suggest.
func BenchmarkFind(b *testing.B) {
	for _, k := range []int{1, 16} {
		b.Run(fmt.Sprint("k=", k), func(b *testing.B) {
			forSizes(b, func(b *testing.B, f *fixture) {
				b.Run("impl=ours", func(b *testing.B) {
					a := buildOurs(b, f, allocator.Policy{Order: allocator.Random, Seed: 1})
					within := tcp(0, 65535)
					b.ReportAllocs()
					for b.Loop() {
						if _, err := a.Suggest("bench", within, k); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("impl=bitmap", func(b *testing.B) {
					bm := buildBitmap(f)
					rng := rand.New(rand.NewPCG(1, 3))
					b.ReportAllocs()
					for b.Loop() {
						if bm.FirstRun(rng.IntN(65536-k+1), k) < 0 {
							b.Fatal("full")
						}
					}
				})
			})
		})
	}
}

// auditDecls returns n declarations: the workload's intervals, 1% of them
// declared again by another owner so that they conflict.
func auditDecls(n int) []allocator.Usage[int] {
	dups := n / 100
	rs := Layout(n-dups, 42)
	rng := rand.New(rand.NewPCG(3, 3))
	for range dups {
		rs = append(rs, rs[rng.IntN(n-dups)])
	}
	out := make([]allocator.Usage[int], n)
	for i, r := range rs {
		out[i] = allocator.Usage[int]{Owner: fmt.Sprint("svc-", i), Endpoint: tcp(r.Lo, r.Hi), Value: i}
	}
	return out
}

// BenchmarkAudit finds the conflicts among n declarations. Ours returns the
// conflict groups; a peer tree is built from all of them and asked, for each,
// what else overlaps it, counting conflicting pairs.
func BenchmarkAudit(b *testing.B) {
	for _, n := range sizes {
		decls := auditDecls(n)
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			b.Run("impl=ours", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					groups, err := allocator.Audit(decls)
					if err != nil || len(groups) == 0 {
						b.Fatal(err)
					}
					sink += len(groups)
				}
			})
			b.Run("impl=etcd", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					t := adt.NewIntervalTree()
					for i, d := range decls {
						r := d.Endpoint.Range()
						iv := adt.NewInt64Interval(int64(r.Lo()), int64(r.Hi())+1)
						if t.Find(iv) != nil {
							sink++ // an exact duplicate: etcd holds one value per interval
							continue
						}
						t.Insert(iv, i)
					}
					for _, d := range decls {
						r := d.Endpoint.Range()
						t.Visit(adt.NewInt64Interval(int64(r.Lo()), int64(r.Hi())+1), func(*adt.IntervalValue) bool {
							sink++
							return true
						})
					}
				}
			})
			b.Run("impl=rdleal", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					t := interval.NewMultiValueSearchTreeWithOptions[int](cmpInt, interval.TreeWithIntervalPoint())
					for i, d := range decls {
						r := d.Endpoint.Range()
						t.Insert(int(r.Lo()), int(r.Hi()), i)
					}
					for _, d := range decls {
						r := d.Endpoint.Range()
						vs, _ := t.AllIntersections(int(r.Lo()), int(r.Hi()))
						sink += len(vs)
					}
				}
			})
			b.Run("impl=btree", func(b *testing.B) {
				// Keyed by (lo, index); overlaps are found by scanning
				// from lo-7, since no interval is wider than 8 ports.
				less := func(a, b [2]int) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }
				b.ReportAllocs()
				for b.Loop() {
					t := btree.NewG(32, less)
					his := make([]int, len(decls))
					for i, d := range decls {
						r := d.Endpoint.Range()
						t.ReplaceOrInsert([2]int{int(r.Lo()), i})
						his[i] = int(r.Hi())
					}
					for _, d := range decls {
						r := d.Endpoint.Range()
						lo, hi := int(r.Lo()), int(r.Hi())
						t.AscendRange([2]int{lo - 7, -1}, [2]int{hi + 1, -1}, func(k [2]int) bool {
							if his[k[1]] >= lo {
								sink++
							}
							return true
						})
					}
				}
			})
		})
	}
}
