package main

import (
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
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
