package hostports

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/portalloc/ports"
)

func benchFixture(b *testing.B, name string) string {
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

func BenchmarkParse(b *testing.B) {
	b.Run("LinuxPortRange", func(b *testing.B) {
		s := benchFixture(b, "linux/ip_local_port_range")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseLinuxPortRange(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LinuxReservedPorts", func(b *testing.B) {
		s := benchFixture(b, "linux/ip_local_reserved_ports.set")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseLinuxReservedPorts(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SysctlPortRange", func(b *testing.B) {
		s := benchFixture(b, "darwin/sysctl.txt")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseSysctlPortRange(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NetshDynamicPortRange", func(b *testing.B) {
		s := benchFixture(b, "windows/dynamicport-tcp.txt")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseNetshDynamicPortRange(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NetshExcludedPortRanges", func(b *testing.B) {
		s := benchFixture(b, "windows/excludedportrange-tcp-hyperv.txt")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseNetshExcludedPortRanges(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReadProcFS(b *testing.B) {
	fsys := os.DirFS("/proc")
	if _, err := ReadProcFS(fsys); err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadProcFS(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// freePort finds a port that probes bindable, for the benchmarks of the
// successful path.
func freePort(b testing.TB) ports.Port {
	for range 10 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		p := ports.Port(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		if Probe(p).Bindable() {
			return p
		}
	}
	b.Fatal("no free port")
	return 0
}

// BenchmarkCheck measures a whole check of a free port, TCP and UDP on the
// four default addresses: as Check does it (on Linux, one dual-stack socket
// on :: per protocol), and address by address (eight sockets).
func BenchmarkCheck(b *testing.B) {
	p := freePort(b)
	var pr Prober
	b.Run("path=Check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := pr.Check(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("path=each", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := checkEach(pr.protocols(), pr.addrs(), p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBindOnce compares one TCP bind and listen on 127.0.0.1 done
// with raw system calls (as the probe does) and with package net.
func BenchmarkBindOnce(b *testing.B) {
	p := freePort(b)
	addr := netip.MustParseAddr("127.0.0.1")
	b.Run("impl=probe", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bindOnce(ports.TCP, addr, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=net.ListenTCP", func(b *testing.B) {
		ta := net.TCPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(p)))
		b.ReportAllocs()
		for b.Loop() {
			ln, err := net.ListenTCP("tcp4", ta)
			if err != nil {
				b.Fatal(err)
			}
			ln.Close()
		}
	})
}
