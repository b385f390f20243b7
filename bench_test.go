package ports

import (
	"testing"
)

var (
	sinkPort     Port
	sinkRange    Range
	sinkEndpoint Endpoint
	sinkBool     bool
	sinkBytes    []byte
	sinkErr      error
	sinkString   string
)

func BenchmarkParsePort(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkPort, sinkErr = ParsePort("50263")
	}
}

func BenchmarkParseRange(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkRange, sinkErr = ParseRange("50050-50199")
	}
}

func BenchmarkParseEndpoint(b *testing.B) {
	for _, s := range []string{"8080/tcp", "127.0.0.1:8000-8100/udp", "[::1]:53/udp"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkEndpoint, sinkErr = ParseEndpoint(s)
			}
		})
	}
}

func BenchmarkAppendText(b *testing.B) {
	buf := make([]byte, 0, 64)
	e := MustParseEndpoint("127.0.0.1:8000-8100/udp")
	b.Run("Port", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkBytes, _ = Port(50263).AppendText(buf[:0])
		}
	})
	b.Run("Range", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkBytes, _ = e.Range().AppendText(buf[:0])
		}
	})
	b.Run("Endpoint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkBytes, _ = e.AppendText(buf[:0])
		}
	})
}

func BenchmarkString(b *testing.B) {
	r := MustParseRange("8000-8100")
	b.ReportAllocs()
	for b.Loop() {
		sinkString = r.String()
	}
}

func BenchmarkRangeSetContains(b *testing.B) {
	for _, n := range []int{10, 1000} {
		var sb RangeSetBuilder
		for i := range n {
			lo := Port(i * 60)
			sb.Add(RangeFrom(lo, lo+29))
		}
		s := sb.RangeSet()
		b.Run("ranges="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			p := Port(0)
			for b.Loop() {
				sinkBool = s.Contains(p)
				p += 7919
			}
		})
	}
}

func BenchmarkConflicts(b *testing.B) {
	x := MustParseEndpoint("127.0.0.1:8000-8100/tcp")
	y := MustParseEndpoint("[::]:8100/tcp")
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = x.Conflicts(y)
	}
}

func itoa(n int) string { return Port(n).String() }

// TestZeroAllocs asserts that parsing and formatting into a buffer allocate
// nothing on success.
func TestZeroAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	e := MustParseEndpoint("[::1]:8000-8100/udp")
	s := MustParseRangeSet("1-10,20-30,40")
	tests := []struct {
		name string
		f    func()
	}{
		{"ParsePort", func() { sinkPort, sinkErr = ParsePort("65535") }},
		{"ParseProtocol", func() { _, sinkErr = ParseProtocol("SCTP") }},
		{"ParseRange", func() { sinkRange, sinkErr = ParseRange("8000-8100") }},
		{"ParseEndpoint v4", func() { sinkEndpoint, sinkErr = ParseEndpoint("127.0.0.1:8000-8100/udp") }},
		{"ParseEndpoint v6", func() { sinkEndpoint, sinkErr = ParseEndpoint("[::1]:53/udp") }},
		{"Port.AppendText", func() { sinkBytes, _ = Port(80).AppendText(buf[:0]) }},
		{"Range.AppendText", func() { sinkBytes, _ = e.Range().AppendText(buf[:0]) }},
		{"Endpoint.AppendText", func() { sinkBytes, _ = e.AppendText(buf[:0]) }},
		{"RangeSet.AppendText", func() { sinkBytes, _ = s.AppendText(buf[:0]) }},
		{"RangeSet.Contains", func() { sinkBool = s.Contains(25) }},
		{"RangeSet.Next", func() { sinkPort, sinkBool = s.Next(11) }},
		{"Conflicts", func() { sinkBool = e.Conflicts(e) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s allocates %v times per run, want 0", tt.name, n)
		}
	}
}

func BenchmarkPortUnmarshalJSON(b *testing.B) {
	for _, in := range []string{`8080`, `"8080"`} {
		b.Run("in="+in, func(b *testing.B) {
			data := []byte(in)
			b.ReportAllocs()
			var p Port
			for b.Loop() {
				if err := p.UnmarshalJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
