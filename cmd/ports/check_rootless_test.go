package main

import (
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

// TestCheckRootlessFound runs check where the environment points the
// Docker CLI at rootless Docker: the privileged rule then applies to
// compose services without --rootless, a note says what was found, and
// --rootless=false, the configuration or --os override it.
func TestCheckRootlessFound(t *testing.T) {
	rootless := func(a *app) {
		a.env = func() map[string]string {
			return map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "DOCKER_HOST": "unix:///run/user/1000/docker.sock"}
		}
	}
	compose := fixture + "compose.yaml"
	runGoldenWith(t, rootless, []golden{
		{"check-rootless-found", []string{"check", compose}, exitFindings},
		{"check-rootless-found-false", []string{"check", "--rootless=false", compose}, exitFindings},
		{"check-rootless-found-os", []string{"check", "--os", "linux", compose}, exitFindings},
	})
	// The host's net.ipv4.ip_unprivileged_port_start at 0: nothing is
	// privileged, and the note says so.
	runGoldenWith(t, func(a *app) {
		rootless(a)
		a.limits = func() (hostports.Limits, error) {
			l, _ := hostports.Defaults("linux")
			l.Privileged = ports.RangeSet{}
			return l, nil
		}
	}, []golden{
		{"check-rootless-found-unprivileged-0", []string{"check", compose}, exitFindings},
	})
	// The default test app finds no runtime: no note, no privileged finding.
	runGolden(t, []golden{
		{"check-rootless-not-found", []string{"check", compose}, exitFindings},
	})
}
