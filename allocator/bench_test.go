package allocator_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/internal/workload"
)

// The workload of every benchmark, the same as in benchmarks/intervals
// (internal/workload): n disjoint intervals laid out at random in ports
// 0-57343, of width 1 to 8 (width 1 when 1-8 would not fit, as at
// n = 50,000), leaving 57344-65535 free; reserved in random order, each by
// its own owner.

const space = workload.Space

var sizes = []int{1000, 10000, 50000}

var layout = workload.Layout

type fixture struct {
	a       *allocator.Allocator
	rs      []ports.Range
	held    [65536]bool
	owners  []string
	free    []ports.Endpoint // single free ports, for reserve+release
	unique  []ports.Endpoint // free without its repeats, for reserve and release alone
	queries []ports.Endpoint // random ranges of width 1-8
	ports   []ports.Port     // random ports
}

func newFixture(b *testing.B, n int, p allocator.Policy) *fixture {
	f := &fixture{a: allocator.New(p), rs: layout(n, 42)}
	for i, r := range f.rs {
		f.owners = append(f.owners, fmt.Sprint("svc-", i))
		if _, err := f.a.Reserve(f.owners[i], ports.EndpointFrom(ports.TCP, netip.Addr{}, r)); err != nil {
			b.Fatal(err)
		}
		for q := range r.All() {
			f.held[q] = true
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for len(f.free) < 1024 {
		if q := rng.IntN(space); !f.held[q] {
			f.free = append(f.free, ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.Port(q).Range()))
		}
	}
	seen := make(map[ports.Endpoint]bool)
	for _, e := range f.free {
		if !seen[e] {
			seen[e] = true
			f.unique = append(f.unique, e)
		}
	}
	for range 1024 {
		lo := rng.IntN(65536 - 8)
		f.queries = append(f.queries, ports.EndpointFrom(ports.TCP, netip.Addr{},
			ports.RangeFrom(ports.Port(lo), ports.Port(lo+rng.IntN(8)))))
		f.ports = append(f.ports, ports.Port(rng.IntN(65536)))
	}
	return f
}

func forSizes(b *testing.B, fn func(b *testing.B, n int)) {
	for _, n := range sizes {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) { fn(b, n) })
	}
}

// BenchmarkReserveRelease reserves a free port and releases it again: one op
// is the pair, so that n stays put.
func BenchmarkReserveRelease(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e := f.free[i&1023]
			if _, err := f.a.Reserve("bench", e); err != nil {
				b.Fatal(err)
			}
			f.a.Release(e)
			i++
		}
	})
}

// BenchmarkReserve reserves the fixture's free ports (about 1,000) one at a
// time; after each pass, the timer stops while they are released again.
func BenchmarkReserve(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := f.a.Reserve("bench", f.unique[i]); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(f.unique) {
				b.StopTimer()
				for _, e := range f.unique {
					f.a.Release(e)
				}
				b.StartTimer()
				i = 0
			}
		}
	})
}

// BenchmarkRelease releases the fixture's free ports one at a time, the
// timer stopping while they are reserved before each pass.
func BenchmarkRelease(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i := len(f.unique)
		for b.Loop() {
			if i == len(f.unique) {
				b.StopTimer()
				for _, e := range f.unique {
					if _, err := f.a.Reserve("bench", e); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				i = 0
			}
			if _, ok := f.a.Release(f.unique[i]); !ok {
				b.Fatal("not held")
			}
			i++
		}
	})
}

// BenchmarkOverlap lists the reservations overlapping a random range of
// 1-8 ports.
func BenchmarkOverlap(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i, found := 0, 0
		for b.Loop() {
			for range f.a.Overlapping(f.queries[i&1023]) {
				found++
			}
			i++
		}
		_ = found
	})
}

// BenchmarkStab lists the holders of a random port.
func BenchmarkStab(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i, found := 0, 0
		for b.Loop() {
			for range f.a.Holders(ports.TCP, f.ports[i&1023]) {
				found++
			}
			i++
		}
		_ = found
	})
}

// BenchmarkOverlapAppend is BenchmarkOverlap through AppendOverlapping,
// into a slice reused from query to query.
func BenchmarkOverlapAppend(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i, found := 0, 0
		var buf []allocator.Reservation
		for b.Loop() {
			buf = f.a.AppendOverlapping(buf[:0], f.queries[i&1023])
			found += len(buf)
			i++
		}
		_ = found
	})
}

// BenchmarkStabAppend is BenchmarkStab through AppendHolders, into a slice
// reused from query to query.
func BenchmarkStabAppend(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i, found := 0, 0
		var buf []allocator.Reservation
		for b.Loop() {
			buf = f.a.AppendHolders(buf[:0], ports.TCP, f.ports[i&1023])
			found += len(buf)
			i++
		}
		_ = found
	})
}

// BenchmarkConflictCheck asks whether a random range of 1-8 ports is free:
// the first holder, if any, answers.
func BenchmarkConflictCheck(b *testing.B) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{})
		b.ReportAllocs()
		i, busy := 0, 0
		for b.Loop() {
			for range f.a.Overlapping(f.queries[i&1023]) {
				busy++
				break
			}
			i++
		}
		_ = busy
	})
}

func benchAllocate(b *testing.B, k int, order allocator.Order, commit bool) {
	forSizes(b, func(b *testing.B, n int) {
		f := newFixture(b, n, allocator.Policy{Order: order, Seed: 1})
		within := ports.EndpointFrom(ports.TCP, netip.Addr{}, ports.FullRange())
		b.ReportAllocs()
		for b.Loop() {
			if !commit {
				if _, err := f.a.Suggest("bench", within, k); err != nil {
					b.Fatal(err)
				}
				continue
			}
			r, err := f.a.AllocateIn("bench", within, k)
			if err != nil {
				b.Fatal(err)
			}
			f.a.Release(r.Endpoint)
		}
	})
}

// BenchmarkFind finds a free port or run of 16 from a random start (the
// Random order, as Kubernetes does), without reserving it.
func BenchmarkFind(b *testing.B) {
	b.Run("k=1", func(b *testing.B) { benchAllocate(b, 1, allocator.Random, false) })
	b.Run("k=16", func(b *testing.B) { benchAllocate(b, 16, allocator.Random, false) })
	b.Run("k=16/first-fit", func(b *testing.B) { benchAllocate(b, 16, allocator.FirstFit, false) })
}

// BenchmarkAllocateRelease allocates a free port or run of 16 from a random
// start and releases it: one op is the pair.
func BenchmarkAllocateRelease(b *testing.B) {
	b.Run("k=1", func(b *testing.B) { benchAllocate(b, 1, allocator.Random, true) })
	b.Run("k=16", func(b *testing.B) { benchAllocate(b, 16, allocator.Random, true) })
}

// auditDecls returns n declarations: blocks of at most 50,000 disjoint
// intervals, one block per address (every address if there is one block),
// then 1% of them declared again by another owner, so that they conflict.
func auditDecls(n int) []allocator.Usage[int] {
	dups := n / 100
	base := n - dups
	blocks := (base + 49999) / 50000
	var out []allocator.Usage[int]
	for blk := range blocks {
		addr := netip.Addr{}
		if blocks > 1 {
			addr = netip.AddrFrom4([4]byte{10, 0, 0, byte(blk + 1)})
		}
		m := base / blocks
		if blk == blocks-1 {
			m = base - m*(blocks-1)
		}
		for i, r := range layout(m, uint64(blk)) {
			out = append(out, allocator.Usage[int]{
				Owner: fmt.Sprint("svc-", blk, "-", i), Endpoint: ports.EndpointFrom(ports.TCP, addr, r), Value: len(out),
			})
		}
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range dups {
		d := out[rng.IntN(base)]
		d.Owner = fmt.Sprint("dup-", i)
		d.Value = len(out)
		out = append(out, d)
	}
	return out
}

// BenchmarkAudit finds the conflict groups of n declarations.
func BenchmarkAudit(b *testing.B) {
	for _, n := range append(sizes, 100000) {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			decls := auditDecls(n)
			b.ReportAllocs()
			for b.Loop() {
				groups, err := allocator.Audit(decls)
				if err != nil || len(groups) == 0 {
					b.Fatal(err, len(groups))
				}
			}
		})
	}
}

// BenchmarkBuild reserves n endpoints into an empty allocator, and reports
// the live heap per reservation beyond the owners' names, measured after a
// separate build: each owner holding one reservation, then four.
func BenchmarkBuild(b *testing.B) {
	for _, per := range []int{1, 4} {
		b.Run(fmt.Sprint("per-owner=", per), func(b *testing.B) {
			forSizes(b, func(b *testing.B, n int) {
				rs := layout(n, 42)
				names := make([]string, n)
				nameBytes := 0
				for i := range names {
					names[i] = fmt.Sprint("svc-", i/per)
					if i%per == 0 {
						nameBytes += len(names[i])
					}
				}
				build := func() *allocator.Allocator {
					a := allocator.New(allocator.Policy{})
					for i, r := range rs {
						if _, err := a.Reserve(names[i], ports.EndpointFrom(ports.TCP, netip.Addr{}, r)); err != nil {
							b.Fatal(err)
						}
					}
					return a
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				a := build()
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(a)
				perRes := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-int64(nameBytes)) / float64(n)
				b.ReportAllocs()
				for b.Loop() {
					build()
				}
				b.ReportMetric(perRes, "B/reservation")
			})
		})
	}
}

// onePortSizes are the sizes of the benchmarks of one port held on many
// addresses, whose cost once grew as n².
var onePortSizes = []int{1000, 10000, 40000}

// onePortAddr returns the i-th of n distinct addresses, IPv4 and IPv6 in
// turn.
func onePortAddr(i int) netip.Addr {
	if i%2 == 0 {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
}

// onePortSnapshot returns a snapshot of n reservations of port 8080/tcp,
// each on its own address and of its own owner.
func onePortSnapshot(n int) []byte {
	b := []byte(`{"version":1,"reservations":[`)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		e := ports.EndpointFrom(ports.TCP, onePortAddr(i), ports.Port(8080).Range())
		b = fmt.Appendf(b, `{"owner":"svc-%d","endpoint":%q}`, i, e)
	}
	return append(b, `]}`...)
}

// BenchmarkRestoreOnePort restores n reservations of one port, each on its
// own address: one op is the whole Restore.
func BenchmarkRestoreOnePort(b *testing.B) {
	for _, n := range onePortSizes {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			snap := onePortSnapshot(n)
			a := allocator.New(allocator.Policy{})
			b.ReportAllocs()
			for b.Loop() {
				if err := a.Restore(snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReserveOnePort reserves one port on one more address where n
// others hold it, and releases it again: one op is the pair.
func BenchmarkReserveOnePort(b *testing.B) {
	for _, n := range onePortSizes {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			a := allocator.New(allocator.Policy{})
			if err := a.Restore(onePortSnapshot(n)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e := ports.EndpointFrom(ports.TCP, onePortAddr(n+i%1024), ports.Port(8080).Range())
				if _, err := a.Reserve("bench", e); err != nil {
					b.Fatal(err)
				}
				a.Release(e)
				i++
			}
		})
	}
}
