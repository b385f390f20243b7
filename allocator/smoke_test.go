package allocator

import (
	"testing"

	"github.com/portalloc/ports"
)

func TestSmoke(t *testing.T) {
	a := New(Policy{Avoid: ports.MustParseRangeSet("8005")})
	for _, s := range []string{"8000/tcp", "127.0.0.1:8001-8003/tcp", "10.0.0.1:8002/tcp", "0.0.0.0:9000/udp"} {
		if _, err := a.Reserve("x", ports.MustParseEndpoint(s)); err != nil {
			t.Fatal(err)
		}
		if err := a.check(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.Reserve("y", ports.MustParseEndpoint("8000-8002"))
	t.Log(err)
	r, err := a.Allocate("z", ports.TCP, 3, ports.MustParseRange("8000-8100"))
	t.Log(r, err)
	r, err = a.AllocateIn("z", ports.MustParseEndpoint("10.0.0.1:8000-8100"), 1)
	t.Log(r, err)
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	for h := range a.Holders(ports.TCP, 8002) {
		t.Log("holder", h)
	}
	b, _ := a.Snapshot()
	t.Log(string(b))
	_, err = a.Allocate("z", ports.TCP, 100, ports.MustParseRange("8000-8099"))
	t.Log(err)
	a.ReleaseOwner("x")
	if err := a.check(); err != nil {
		t.Fatal(err)
	}
	t.Log(a.Len())
}
