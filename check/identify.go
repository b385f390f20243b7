package check

// Identifying software: what a published port serves, from the image that
// runs it or, without one, from the port's number.

import (
	"fmt"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

// Identify returns the software that d serves, as wellknown's de-facto
// table knows it, at the port it listens on (its target port, else its own
// port): the entry there whose software the service's name names
// ("clickhouse-server", "postgres"). It reports false when the name names
// none of them.
func Identify(d manifest.Declaration) (wellknown.Service, bool) {
	p, ok := listenPort(d)
	if !ok {
		return wellknown.Service{}, false
	}
	svc := strings.ToLower(d.Service[strings.LastIndexByte(d.Service, '/')+1:])
	for s := range wellknown.Lookup(p, d.Protocol) {
		if s.Source() == wellknown.DeFacto && mentions(svc, s) {
			return s, true
		}
	}
	return wellknown.Service{}, false
}

// listenPort returns the port d's program listens on: the target of a
// mapping, else the port itself.
func listenPort(d manifest.Declaration) (ports.Port, bool) {
	switch {
	case d.Target.IsValid():
		return d.Target.Lo(), true
	case d.Endpoint.IsValid():
		return d.Endpoint.Range().Lo(), true
	}
	return 0, false
}

// isSensitive reports whether software of category c should not be
// published on every interface.
func isSensitive(c wellknown.Category) bool {
	switch c {
	case wellknown.Database, wellknown.Cache, wellknown.MessageBroker, wellknown.AdminUI:
		return true
	}
	return false
}

// sensitive reports whether d serves a database, cache, message broker or
// admin UI, judged by the de-facto table at the port the service listens
// on: when the service's name names such software there, or when every
// entry there is of such a category.
func sensitive(d manifest.Declaration) (wellknown.Service, bool) {
	if s, ok := Identify(d); ok {
		return s, isSensitive(s.Category())
	}
	p, ok := listenPort(d)
	if !ok {
		return wellknown.Service{}, false
	}
	var first wellknown.Service
	for s := range wellknown.Lookup(p, d.Protocol) {
		if s.Source() != wellknown.DeFacto {
			continue
		}
		if !isSensitive(s.Category()) {
			return wellknown.Service{}, false
		}
		if !first.IsValid() {
			first = s
		}
	}
	return first, first.IsValid()
}

// mentions reports whether the service name svc (lower case) names the
// software of s: it holds the software's name ("clickhouse-server" holds
// "clickhouse"), or is the start of its project's name, three letters or
// more ("postgres" of PostgreSQL, "mongo" of MongoDB; not "b" of
// CockroachDB).
func mentions(svc string, s wellknown.Service) bool {
	if svc == "" {
		return false
	}
	project := strings.ToLower(s.Project())
	return strings.Contains(svc, strings.ToLower(s.Name())) ||
		len(svc) >= 3 && strings.HasPrefix(strings.ReplaceAll(project, " ", ""), svc)
}

// exposedFix says how to stop publishing d on every interface, in the terms
// of the construct that publishes it.
func exposedFix(d manifest.Declaration) string {
	switch d.Kind {
	case manifest.KindCompose:
		if !d.Target.IsValid() { // network_mode: host, where the mapping means nothing
			return "have it listen on 127.0.0.1, or give it a network of its own and publish the port on 127.0.0.1"
		}
		return fmt.Sprintf("bind it to 127.0.0.1 (\"127.0.0.1:%s:%s\"), or drop the host port and reach it over the service network", d.Endpoint.Range(), targetOr(d))
	case manifest.KindHostPort:
		return "set hostIP: 127.0.0.1, or drop the hostPort and reach it through a Service"
	case manifest.KindNodePort:
		return "make the Service type ClusterIP and reach it from inside the cluster, or limit who may reach the nodes' port"
	case manifest.KindHostNetwork:
		return "drop hostNetwork and reach it through a Service, or have it listen on 127.0.0.1"
	}
	return "have it listen on 127.0.0.1, or stop publishing it on the host"
}

func targetOr(d manifest.Declaration) string {
	if d.Target.IsValid() {
		return d.Target.String()
	}
	return d.Endpoint.Range().String()
}

func addrOrAll(d manifest.Declaration) string {
	if d.AllInterfaces() {
		return "every interface"
	}
	return d.Endpoint.Addr().String()
}

func exposureFix(e manifest.Exposure) string {
	if e == manifest.Localhost {
		return "bind it to 127.0.0.1, or correct the registry"
	}
	return "bind it to an internal address or drop the host port, or correct the registry"
}
