package manifest

import (
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown"
)

// Declaration is one port that a file declares: a compose service's published
// port, a Kubernetes Service port or a container's hostPort, an entry of a
// port registry. Every reader of the package produces Declarations, so that a
// conflict check, a security lint or a port reference can treat them alike.
//
// Endpoint is what the declaration binds in its Scope; two declarations can
// only collide when their scopes are equal (see [Scope]). Target is where the
// traffic goes on the other side of a mapping: the container port of a
// compose "8082:8080", the targetPort of a Kubernetes Service port.
//
// The zero Declaration declares nothing: its Endpoint is invalid and its
// Scope is the zero Scope. A Declaration is a plain value, safe for
// concurrent use once built; its copies share the slices Selector, Labels
// and DependsOn, which the package never modifies once it has returned
// them, and neither should a caller.
type Declaration struct {
	// Endpoint is the protocol, ports and address bound in Scope. It is the
	// zero Endpoint when the port is chosen at run time (see Ephemeral).
	// An Endpoint without an address binds every address of the host, as
	// compose's "5432:5432" does.
	Endpoint ports.Endpoint

	// Ephemeral reports that the runtime picks the host port when the
	// service starts: compose's "80" or "127.0.0.1::80" (no host port), a
	// Kubernetes NodePort Service without a nodePort. Endpoint is then the
	// zero Endpoint; Protocol, Addr and Target say what is known.
	Ephemeral bool

	// Protocol is the declaration's protocol. It equals Endpoint.Protocol()
	// when Endpoint is valid, and is the only record of the protocol when
	// the declaration is Ephemeral.
	Protocol ports.Protocol

	// Addr is the host address of an Ephemeral declaration
	// ("127.0.0.1::80" gives 127.0.0.1); the zero Addr means every address.
	// For other declarations it equals Endpoint.Addr().
	Addr netip.Addr

	// Target is the port range on the far side of a mapping: the container
	// port of a compose mapping, the targetPort of a Service port, the
	// containerPort behind a hostPort or a nodePort. It is the zero Range
	// when nothing is forwarded or the target is named (see TargetName)
	// and not resolved ([ResolveTargetNames]).
	Target ports.Range

	// TargetName is a named Kubernetes targetPort ("http"), resolved by the
	// cluster against the pods' container port names; empty otherwise.
	TargetName string

	// Scope is the network namespace that Endpoint is bound in.
	Scope Scope

	// Kind says which construct of which format declared the port.
	Kind Kind

	// Exposure is who can reach Endpoint: see [Exposure] for how each
	// reader derives it. The zero value means the file does not say.
	Exposure Exposure

	// Project is the compose project, the Kubernetes namespace or the
	// registry's project. It qualifies Service: two projects may both have
	// a service called "minio".
	Project string

	// Service is the compose service, the Kubernetes object (Service, Pod,
	// Deployment…) or the registry entry's service.
	Service string

	// Container is the Kubernetes container that declares a containerPort
	// or hostPort; empty for other kinds.
	Container string
	// Replicas is how many containers of a compose service publish a
	// mapping (or, on the host network, bind an exposed port), from the
	// service's scale or deploy.replicas, when that is more than one; 0
	// otherwise. Each binds the mapping's host ports (a pool gives each
	// its own port; see PicksOne). A service scaled to 0 runs no
	// container, and the reader declares none of its ports.
	Replicas int

	// Image is the container image that serves the port, as the file
	// names it after interpolation: a compose service's image, a
	// Kubernetes container's image. It is empty where the file names none
	// (a registry entry, a Service port, a compose service built from
	// source without an image name). A check identifies software by it
	// rather than by the port number alone.
	Image string

	// NetworkMode is a compose service's network_mode as written after
	// interpolation ("host", "none", "bridge", "service:vpn",
	// "container:abc"); empty when it sets none and for other kinds.
	NetworkMode string

	// Object names the Kubernetes object that declares the port as the
	// cluster identifies it: "GROUP/KIND/NAMESPACE/NAME", the group
	// "core" for the core API ("core/Service/shop/web",
	// "apps/Deployment/default/redis"). The version is left out, and the
	// workloads of extensions/v1beta1 are named in the groups that keep
	// them today (apps, batch), since the cluster holds one object
	// whichever version writes it. It is empty for other kinds of
	// declaration, and for an object named by metadata.generateName alone,
	// which is a new object each time it is created.
	//
	// Declarations of one Object read from several files describe one
	// object, applied more than once, not several: a check should count
	// copies with equal ObjectDigests once, and warn of copies that differ.
	Object string

	// ObjectDigest is "sha256:" and the hexadecimal SHA-256 of the
	// content of the object named by Object, in a canonical form that
	// leaves out how it is written (key order, comments, quoting, flow or
	// block style, anchors, aliases and merge keys) and what the cluster
	// writes rather than the author (status, and the server's fields of
	// metadata such as uid and resourceVersion), and keeps the types of
	// values (80 and "80" differ). It is empty when Object is.
	ObjectDigest string

	// HostPort is the hostPort written on a containerPort of a Kubernetes
	// pod with hostNetwork ([KindHostNetwork]), 0 when none is written
	// (and for other kinds). Under hostNetwork the port is bound on the
	// node as the containerPort, and the API server refuses a pod whose
	// hostPort is set and differs from it ("must match containerPort
	// when hostNetwork is true"): such a declaration has a HostPort that
	// is neither 0 nor its Endpoint's port.
	HostPort ports.Port

	// InitContainer reports that Container is an init container, which
	// runs to completion, one at a time, before the pod's other containers
	// start; a sidecar (an init container with restartPolicy Always) runs
	// beside them and is not one.
	InitContainer bool

	// Name is the port's own name, if the file gives one (compose long
	// syntax "name", Kubernetes port "name").
	Name string

	// Description says what the port is for: the registry's description,
	// or the comment on the port's line in a compose file or a manifest
	// ("- '3001:3001' # API" gives "API").
	Description string

	// Group is the registry entry's group, or the Kubernetes label
	// app.kubernetes.io/part-of of the object; empty otherwise.
	Group string
	// Selector is a Kubernetes Service's spec.selector, and Labels the
	// labels of the pods that declare a container port (a Pod's own, a
	// workload's pod template's), each sorted by key; nil otherwise. A
	// Service forwards to the pods whose Labels hold every pair of its
	// Selector, and to none when it has none (see [Declaration.Selects]).
	Selector, Labels []Label

	// DependsOn names the services of a compose service's project that its
	// containers start after: those of its depends_on, whatever the
	// condition, and of what compose-go counts as dependencies too (links,
	// volumes_from, network_mode "service:…"), and theirs in turn, sorted;
	// nil otherwise. docker compose up starts those first, so their ports
	// are bound before this service's pools pick theirs.
	DependsOn []string

	// Ignore is the value of the annotation ports.portalloc.io/ignore of
	// the Kubernetes object that declares the port, as written
	// ("collision,exposed-database -- shared with the canary"), and
	// IgnoreLine the line of that value in Pos's file; a check reads
	// it as a suppression of those rules for the object's ports. Empty
	// and 0 when the object has no such annotation, and for other kinds.
	Ignore     string
	IgnoreLine int

	// Pos is where in which file the declaration was read.
	Pos Position
}

// Owner returns "project/service", the name under which a conflict check
// should hold the declaration's ports, or the service alone when there is no
// project. Declarations of one owner describe one program: the registry and
// the compose file of a platform naming the same service are one holder,
// not two.
func (d Declaration) Owner() string {
	if d.Project == "" {
		return d.Service
	}
	return d.Project + "/" + d.Service
}

// PicksOne reports whether the runtime binds one port of Endpoint's range,
// not all of them: a compose mapping of a range of host ports to a single
// container port, as "9000-9005:80". Docker takes the range as a pool and
// binds the first of its ports that is free when the container starts, one
// port for each of the service's Replicas.
func (d Declaration) PicksOne() bool {
	return d.Kind == KindCompose && d.Endpoint.Range().Len() > 1 && d.Target.Len() == 1
}

// Selects reports whether d, a port of a Kubernetes Service, forwards to the
// pods that declare pod, a container port: they are in one namespace, and
// the pods' labels hold every pair of the Service's selector. A Service
// without a selector selects no pod (its endpoints are kept by hand).
func (d Declaration) Selects(pod Declaration) bool {
	if len(d.Selector) == 0 || d.Project != pod.Project {
		return false
	}
	for _, l := range d.Selector {
		if !slices.Contains(pod.Labels, l) {
			return false
		}
	}
	return true
}

// Label is one pair of a Kubernetes object's labels or of a Service's
// selector: app.kubernetes.io/name=web is {"app.kubernetes.io/name",
// "web"}. The zero Label has an empty key, which Kubernetes refuses and
// the readers never produce. Label is a comparable value.
type Label struct {
	Key, Value string
}

// String returns "key=value".
func (l Label) String() string { return l.Key + "=" + l.Value }

// labelsOf returns the pairs of m sorted by key; nil for none.
func labelsOf(m map[string]string) []Label {
	if len(m) == 0 {
		return nil
	}
	out := make([]Label, 0, len(m))
	for k, v := range m {
		out = append(out, Label{k, v})
	}
	slices.SortFunc(out, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// IsPublished reports whether the declaration binds a port on the host
// itself (its Scope is [HostScope]), whether the port number is fixed or
// chosen at run time.
func (d Declaration) IsPublished() bool {
	return d.Scope.Kind == ScopeHost
}

// AllInterfaces reports whether the declaration binds every address of the
// host: it is published and has no address or an unspecified one (0.0.0.0,
// ::). Compose's "5432:5432" binds all interfaces; so does a nodePort.
func (d Declaration) AllInterfaces() bool {
	if !d.IsPublished() {
		return false
	}
	a := d.Addr
	if !d.Ephemeral {
		a = d.Endpoint.Addr()
	}
	return !a.IsValid() || a.IsUnspecified()
}

// isZero reports whether d is the zero Declaration, every field zero
// (the slices nil).
func (d Declaration) isZero() bool {
	return reflect.ValueOf(d).IsZero()
}

// String returns a one-line description for messages, as
// "compose.yaml:12:9: alpr/cadvisor 8082/tcp -> 8080 (compose, host, public)".
// An Ephemeral declaration shows its port as "*": "127.0.0.1:*/tcp -> 80".
// The zero Declaration gives "invalid Declaration".
func (d Declaration) String() string {
	if d.isZero() {
		return "invalid Declaration"
	}
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString(d.Owner())
	if d.Container != "" {
		b.WriteString("[" + d.Container + "]")
	}
	b.WriteByte(' ')
	if d.Ephemeral || !d.Endpoint.IsValid() {
		if d.Addr.IsValid() {
			if d.Addr.Is6() {
				b.WriteString("[" + d.Addr.String() + "]:")
			} else {
				b.WriteString(d.Addr.String() + ":")
			}
		}
		b.WriteString("*/" + d.Protocol.String())
	} else {
		b.WriteString(d.Endpoint.String())
	}
	switch {
	case d.Target.IsValid():
		b.WriteString(" -> " + d.Target.String())
	case d.TargetName != "":
		b.WriteString(" -> " + d.TargetName)
	}
	b.WriteString(" (" + d.Kind.String() + ", " + d.Scope.String())
	if d.Exposure != 0 {
		b.WriteString(", " + d.Exposure.String())
	}
	b.WriteByte(')')
	return b.String()
}

// Position is where a declaration was read: a file, a line and a column
// counted from 1, and the index of the YAML document in a multi-document
// file counted from 0. Line and Column are 0 when unknown.
//
// The zero Position is "nowhere"; its String is empty. Position is a
// comparable value, safe for concurrent use.
type Position struct {
	File   string
	Line   int
	Column int
	Doc    int
}

// String returns "file:line:column", leaving out what is unknown.
func (s Position) String() string {
	if s.File == "" && s.Line == 0 {
		return ""
	}
	out := s.File
	if s.Line > 0 {
		out += ":" + strconv.Itoa(s.Line)
		if s.Column > 0 {
			out += ":" + strconv.Itoa(s.Column)
		}
	}
	return out
}

// Compare orders positions by file, line, column, then document.
func (s Position) Compare(o Position) int {
	if c := strings.Compare(s.File, o.File); c != 0 {
		return c
	}
	for _, p := range [][2]int{{s.Line, o.Line}, {s.Column, o.Column}, {s.Doc, o.Doc}} {
		if p[0] != p[1] {
			if p[0] < p[1] {
				return -1
			}
			return +1
		}
	}
	return 0
}

// imagePorts appends to out a declaration of each port that the image of
// base (a compose service or Kubernetes container on the host network that
// declares no port) listens on by default, as package wellknown knows it
// (see [KindImage]): base, with the port, bound on the host, public. It
// appends none for an image wellknown does not know.
func imagePorts(out []Declaration, base Declaration) []Declaration {
	for s := range wellknown.ForImage(base.Image) {
		d := base
		d.Endpoint, d.Protocol = ports.EndpointAnyAddr(s.Protocol(), s.Range()), s.Protocol()
		d.Scope, d.Kind, d.Exposure = HostScope(), KindImage, Public
		d.Description = s.Description() + ", the default of its image"
		out = append(out, d)
	}
	return out
}
