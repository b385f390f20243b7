package check

import (
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

func TestOutside(t *testing.T) {
	for _, tt := range []struct{ eph, want string }{
		{"32768-60999", "move it below 32768 or above 60999"},
		{"10000-65535", "move it below 10000"},
		{"0-1023", "move it above 1023"},
		{"0-65535", "the host lends out every port; set a narrower ephemeral range"},
	} {
		if got := outside(ports.MustParseRange(tt.eph)); got != tt.want {
			t.Errorf("outside(%s) = %q, want %q", tt.eph, got, tt.want)
		}
	}
}

// TestEphemeralWarning checks that the ephemeral warning says which part of
// a range lies in the ephemeral range when only part of it does.
func TestEphemeralWarning(t *testing.T) {
	l, _ := hostports.Defaults("linux") // 32768-60999
	for _, tt := range []struct{ port, want string }{
		{"40000-40002", "40000-40002 lies in the ephemeral range 32768-60999 of this linux host: an outgoing connection may hold it when the service starts"},
		{"32000-33000", "part of 32000-33000, 32768-33000, lies in the ephemeral range 32768-60999 of this linux host: an outgoing connection may hold it when the service starts"},
		{"60000-61000", "part of 60000-61000, 60000-60999, lies in the ephemeral range 32768-60999 of this linux host: an outgoing connection may hold it when the service starts"},
	} {
		d := manifest.Declaration{Endpoint: ports.MustParseEndpoint(tt.port + "/tcp"), Protocol: ports.TCP, Scope: manifest.HostScope(), Kind: manifest.KindCompose, Service: "s"}
		fs := (&checker{opts: Options{Limits: l}}).portability(d)
		if len(fs) == 0 || fs[0].Rule != "ephemeral" || fs[0].Message != tt.want {
			t.Errorf("warnings(%s) = %+v, want the ephemeral warning %q", tt.port, fs, tt.want)
		}
	}
}
