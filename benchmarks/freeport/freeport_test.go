package freeport

import (
	"net/netip"
	"testing"

	consul "github.com/hashicorp/consul/sdk/freeport"
	phayes "github.com/phayes/freeport"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/porttest"
)

func reportPortsPerSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ports/s")
}

// BenchmarkVerifiedPorts hands out one verified port per operation and
// gives it back, for each peer.
func BenchmarkVerifiedPorts(b *testing.B) {
	b.Run("peer=porttest/check=tcp+udp,4addrs", func(b *testing.B) {
		pool, err := porttest.Default()
		if err != nil {
			b.Fatal(err)
		}
		benchPool(b, pool)
	})
	b.Run("peer=porttest/check=tcp,127.0.0.1", func(b *testing.B) {
		pool, err := porttest.NewPool(porttest.Options{Prober: hostports.Prober{
			Protocols: []ports.Protocol{ports.TCP},
			Addrs:     []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		}})
		if err != nil {
			b.Fatal(err)
		}
		benchPool(b, pool)
	})
	b.Run("peer=consul/check=tcp,127.0.0.1", func(b *testing.B) {
		// The first Take reserves the process's block and checks its 1500
		// ports; keep that out of the measurement.
		warm, err := consul.Take(1)
		if err != nil {
			b.Fatal(err)
		}
		consul.Return(warm)
		b.ReportAllocs()
		for b.Loop() {
			p, err := consul.Take(1)
			if err != nil {
				b.Fatal(err)
			}
			consul.Return(p)
		}
		reportPortsPerSecond(b)
	})
	b.Run("peer=phayes/check=tcp,localhost", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := phayes.GetFreePort(); err != nil {
				b.Fatal(err)
			}
		}
		reportPortsPerSecond(b)
	})
}

func benchPool(b *testing.B, pool *porttest.Pool) {
	b.ReportAllocs()
	for b.Loop() {
		l, err := pool.Lease()
		if err != nil {
			b.Fatal(err)
		}
		l.Release()
	}
	reportPortsPerSecond(b)
}
