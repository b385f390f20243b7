package manifest

import "strconv"

// Scope is the network namespace a declaration binds its Endpoint in. Two
// declarations can collide only when their scopes are equal: two compose
// services both publishing 9000 collide on the host; two Kubernetes Services
// both with port 80 do not, since each has its own cluster IP; two
// containers of one pod both listening on 8080 do.
//
// Scope is a comparable value, safe for concurrent use. The zero Scope is
// not a scope; its String is "invalid Scope".
type Scope struct {
	// Kind is the kind of namespace.
	Kind ScopeKind
	// Name names the namespace: "namespace/name" for a Kubernetes Service
	// or pod, "project/service" for a compose container; empty for the
	// host.
	Name string
}

// ScopeKind is a kind of network namespace.
//
// The zero value is not a kind.
type ScopeKind uint8

// The kinds of network namespace.
const (
	// ScopeHost is the machine itself: compose's published ports, a port
	// registry's ports, Kubernetes nodePorts, hostPorts and hostNetwork
	// pods. It is one namespace for every file checked together: the
	// question a check answers is whether all of them can run on one host.
	ScopeHost ScopeKind = iota + 1
	// ScopeService is a Kubernetes Service's cluster IP (and its load
	// balancer, if any).
	ScopeService
	// ScopePod is a Kubernetes pod: all its containers share it.
	ScopePod
	// ScopeContainer is a compose container, or a registry entry's
	// service when the entry gives only a target port.
	ScopeContainer
)

// HostScope returns the scope of the host.
func HostScope() Scope { return Scope{Kind: ScopeHost} }

// ServiceScope returns the scope of the Kubernetes Service namespace/name.
func ServiceScope(namespace, name string) Scope {
	return Scope{Kind: ScopeService, Name: namespace + "/" + name}
}

// PodScope returns the scope of the pods of the Kubernetes workload
// namespace/name. The Kubernetes reader names a bare Pod by its name alone
// and any other workload by its kind, in lower case, and its name, as
// kubectl does ("deployment/web"): a Pod, a Deployment and a StatefulSet of
// one name run different pods.
func PodScope(namespace, name string) Scope {
	return Scope{Kind: ScopePod, Name: namespace + "/" + name}
}

// ContainerScope returns the scope of the container of the compose service
// project/service.
func ContainerScope(project, service string) Scope {
	return Scope{Kind: ScopeContainer, Name: project + "/" + service}
}

// IsValid reports whether s is a scope.
func (s Scope) IsValid() bool {
	return s.Kind >= ScopeHost && s.Kind <= ScopeContainer
}

// String returns "host", "service NAME", "pod NAME" or "container NAME".
func (s Scope) String() string {
	switch s.Kind {
	case ScopeHost:
		return "host"
	case ScopeService:
		return "service " + s.Name
	case ScopePod:
		return "pod " + s.Name
	case ScopeContainer:
		return "container " + s.Name
	case 0:
		return "invalid Scope"
	}
	return "Scope(" + strconv.Itoa(int(s.Kind)) + ")"
}
