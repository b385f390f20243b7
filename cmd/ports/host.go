package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// hostLimits returns what this host keeps for itself. Tests replace it
// through app.limits so that their output does not depend on the machine.
func (a *app) hostLimits() (hostports.Limits, error) {
	if a.limits != nil {
		return a.limits()
	}
	return hostports.Read()
}

// probe tries to bind p now on TCP and UDP on the default addresses.
func (a *app) probe(p ports.Port) hostports.Report {
	if a.prober != nil {
		return a.prober(p)
	}
	return hostports.Probe(p)
}

// socketTable reads this host's sockets with their owners. Tests replace
// it through app.table.
func (a *app) socketTable() (hostports.Table, error) {
	if a.table != nil {
		return a.table()
	}
	return hostports.ReadTable(hostports.TableOptions{})
}

// rootlessHere reports whether this host's container runtime is rootless,
// found with the environment the command was given (app.env, so that tests
// decide what it sees), and says so on standard error with what the
// privileged ports of lim are then.
func (a *app) rootlessHere(lim hostports.Limits) bool {
	env := a.environ()
	rt := hostports.FindRuntime(hostports.RuntimeEnv{
		Getenv: func(k string) string { return env[k] },
		UID:    os.Geteuid(),
		FS:     os.DirFS("/"),
	})
	if !rt.Rootless {
		return false
	}
	what := "it can publish every port here (no port is privileged: net.ipv4.ip_unprivileged_port_start is 0)"
	if !lim.Privileged.IsEmpty() {
		what = fmt.Sprintf("it cannot publish ports %s here, which the privileged rule reports", lim.Privileged)
	}
	fmt.Fprintf(a.stderr, "ports: note: %s found (%s): %s; --rootless=false if the project runs elsewhere\n", rt, safe(rt.Evidence), what)
	return true
}

// liveReadsMax is the most declared host ports that check --live reads one
// by one (each a read of the kernel's sockets of one port and a short
// search for their holders); more, and it reads the whole table once.
const liveReadsMax = 8

// liveTable reads the sockets that check --live compares decls with: those
// of each host port the declarations bind, when they are few, or the
// whole table. Tests replace it through app.table.
func (a *app) liveTable(decls []manifest.Declaration) (hostports.Table, error) {
	if a.table != nil {
		return a.table()
	}
	var want []ports.Port
	for _, d := range decls {
		if d.Scope != manifest.HostScope() || !d.Endpoint.IsValid() {
			continue
		}
		if d.Endpoint.Range().Len() > liveReadsMax {
			return a.socketTable()
		}
		for p := range d.Endpoint.Range().All() {
			if !slices.Contains(want, p) {
				want = append(want, p)
			}
		}
		if len(want) > liveReadsMax {
			return a.socketTable()
		}
	}
	slices.Sort(want)
	var t hostports.Table
	for _, p := range want {
		pt, err := hostports.ReadTable(hostports.TableOptions{Port: p, FirstOwner: true})
		if err != nil {
			return t, err
		}
		t.Sockets = append(t.Sockets, pt.Sockets...)
		t.Source = pt.Source
		t.Hidden = max(t.Hidden, pt.Hidden)
	}
	return t, nil
}
