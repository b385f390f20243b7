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
// port). The image decides where d has one that the table knows
// (wellknown.ForImage): the software's entry at that port, or, when the
// software is known but not at that port, its entry if it has only one,
// and nothing otherwise. Without a known image, the service's name
// decides: the entry at the port whose software the name names
// ("clickhouse-server", "postgres").
func Identify(d manifest.Declaration) (wellknown.Service, bool) {
	if s, known := fromImage(d); known {
		return s, s.IsValid()
	}
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

// fromImage returns the service of d's image at the port d listens on, and
// whether the table knows the image at all. A known image whose software
// has one entry gives that entry at any port (pgAdmin's image, published
// on whatever port).
func fromImage(d manifest.Declaration) (wellknown.Service, bool) {
	if d.Image == "" {
		return wellknown.Service{}, false
	}
	p, hasPort := listenPort(d)
	var only, at wellknown.Service
	n := 0
	for s := range wellknown.ForImage(d.Image) {
		n++
		if n == 1 {
			only = s
		}
		if hasPort && !at.IsValid() && s.Range().Contains(p) && (d.Protocol == 0 || s.Protocol() == d.Protocol) {
			at = s
		}
	}
	switch {
	case n == 0:
		return wellknown.Service{}, false
	case at.IsValid():
		return at, true
	case n == 1:
		return only, true
	}
	return wellknown.Service{}, true
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

// imageName returns the last path element of an image reference, without
// its tag or digest, in lower case: "bitnami/postgresql:16" gives
// "postgresql".
func imageName(ref string) string {
	ref = strings.ToLower(ref)
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	ref = ref[strings.LastIndexByte(ref, '/')+1:]
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	return ref
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
// admin UI: the software [Identify] finds, or, when neither the image nor
// the name says, every de-facto entry at the port the service listens on
// (that an unknown image's name names, if d has an image). An image that
// says otherwise is believed over the port's number.
func sensitive(d manifest.Declaration) (wellknown.Service, bool) {
	if s, ok := Identify(d); ok {
		return s, isSensitive(s.Category())
	}
	if _, known := fromImage(d); known {
		return wellknown.Service{}, false
	}
	p, ok := listenPort(d)
	if !ok {
		return wellknown.Service{}, false
	}
	// An image the table does not know says what runs all the same: the
	// port's software counts only if the image's name names it
	// ("temporalio/server" on 8002 is not Kong).
	image := imageName(d.Image)
	var first wellknown.Service
	for s := range wellknown.Lookup(p, d.Protocol) {
		if s.Source() != wellknown.DeFacto {
			continue
		}
		if image != "" && !mentions(image, s) {
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
		host := ""
		if r := d.Endpoint.Range(); r.IsValid() {
			host = r.String()
		}
		// A random host port ("5432") stays random: "127.0.0.1::5432".
		return fmt.Sprintf("bind it to 127.0.0.1 (\"127.0.0.1:%s:%s\"), or drop the host port and reach it over the service network", host, targetOr(d))
	case manifest.KindHostPort:
		return "set hostIP: 127.0.0.1, or drop the hostPort and reach it through a Service"
	case manifest.KindNodePort:
		return "make the Service type ClusterIP and reach it from inside the cluster, or limit who may reach the nodes' port"
	case manifest.KindHostNetwork:
		return "drop hostNetwork and reach it through a Service, or have it listen on 127.0.0.1"
	case manifest.KindImage:
		if d.Container != "" {
			return "drop hostNetwork and reach it through a Service, or have it listen on 127.0.0.1"
		}
		return "have it listen on 127.0.0.1, or give it a network of its own and publish the port on 127.0.0.1"
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
