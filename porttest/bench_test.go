package porttest

import (
	"strconv"
	"testing"
)

func reportPortsPerSecond(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "ports/s")
}

// BenchmarkLease measures a lease and its release from the default pool:
// lock, check TCP and UDP on 127.0.0.1, ::1, 0.0.0.0 and ::, unlock.
func BenchmarkLease(b *testing.B) {
	pool, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l, err := pool.Lease()
		if err != nil {
			b.Fatal(err)
		}
		l.Release()
	}
	reportPortsPerSecond(b, 1)
}

func BenchmarkLeaseRange(b *testing.B) {
	pool, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{2, 10} {
		b.Run("k="+strconv.Itoa(k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				run, err := pool.LeaseRange(k)
				if err != nil {
					b.Fatal(err)
				}
				releaseAll(run)
			}
			reportPortsPerSecond(b, k)
		})
	}
}

// BenchmarkListen measures a held listener: lease, listen on 127.0.0.1,
// close and release.
func BenchmarkListen(b *testing.B) {
	pool, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l, err := pool.Lease()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.ListenTCP(loopback4); err != nil {
			b.Fatal(err)
		}
		l.Release()
	}
	reportPortsPerSecond(b, 1)
}
