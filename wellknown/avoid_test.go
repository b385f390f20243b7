package wellknown

import (
	"testing"

	"github.com/portalloc/ports"
)

func TestBadPorts(t *testing.T) {
	bad := BadPorts()
	// The Fetch standard's table has 83 rows, one port each.
	if bad.Len() != 83 {
		t.Errorf("BadPorts().Len() = %d, want 83", bad.Len())
	}
	for _, p := range []ports.Port{0, 1, 22, 25, 53, 6000, 6665, 6669, 6679, 6697, 4190, 10080} {
		if !bad.Contains(p) {
			t.Errorf("BadPorts() misses %d", p)
		}
	}
	for _, p := range []ports.Port{80, 443, 2, 8080, 3000, 6664, 6670, 10081, 65535} {
		if bad.Contains(p) {
			t.Errorf("BadPorts() holds %d, which browsers fetch from", p)
		}
	}
	// Each call builds a new set.
	if !BadPorts().Equal(bad) {
		t.Error("two calls of BadPorts differ")
	}
}

func TestNodePortRange(t *testing.T) {
	if got, want := NodePortRange(), ports.MustParseRange("30000-32767"); got != want {
		t.Errorf("NodePortRange() = %v, want %v", got, want)
	}
}

func TestSystemPorts(t *testing.T) {
	if got, want := SystemPorts(), ports.MustParseRangeSet("0-1023"); !got.Equal(want) {
		t.Errorf("SystemPorts() = %v, want %v", got, want)
	}
}
