package manifest

import "strconv"

// Kind says which construct of which file format declared a port.
//
// The zero value is not a kind; its String is "Kind(0)". Kind, like Format,
// Exposure and ScopeKind, is a plain value, safe for concurrent use.
type Kind uint8

// The kinds of declaration, one per construct the readers understand.
const (
	// KindCompose is an entry of a compose service's ports list, short or
	// long syntax: published on the host unless the service shares the
	// network of another.
	KindCompose Kind = iota + 1
	// KindComposeExpose is an entry of a compose service's expose list: a
	// port reachable from other containers only.
	KindComposeExpose
	// KindService is a port of a Kubernetes Service, bound on the
	// Service's cluster IP (or its load balancer).
	KindService
	// KindNodePort is the nodePort of a Kubernetes Service of type NodePort
	// or LoadBalancer, bound on every node.
	KindNodePort
	// KindHostPort is the hostPort of a Kubernetes container, bound on the
	// node the pod runs on.
	KindHostPort
	// KindHostNetwork is a containerPort of a pod with hostNetwork: true,
	// bound on the node itself.
	KindHostNetwork
	// KindContainerPort is a containerPort of a Kubernetes container,
	// bound in the pod's own network namespace.
	KindContainerPort
	// KindRegistry is an entry of a port registry file.
	KindRegistry
	// KindImage is a port that the image of a container on the host
	// network listens on by default, as package wellknown knows the image,
	// given for a container that declares no port of its own: a compose
	// service on network_mode host with no ports and no expose, or a
	// container of a pod with hostNetwork and no ports. The container
	// binds the host's ports itself, and the file does not say which.
	KindImage
)

var kindNames = [...]string{
	KindCompose:       "compose",
	KindComposeExpose: "compose expose",
	KindService:       "Service",
	KindNodePort:      "NodePort",
	KindHostPort:      "hostPort",
	KindHostNetwork:   "hostNetwork",
	KindContainerPort: "containerPort",
	KindRegistry:      "registry",
	KindImage:         "image default",
}

// Kinds returns every kind in constant order.
func Kinds() []Kind {
	return []Kind{KindCompose, KindComposeExpose, KindService, KindNodePort,
		KindHostPort, KindHostNetwork, KindContainerPort, KindRegistry, KindImage}
}

// String returns the name of k as the files spell the construct: "compose",
// "compose expose", "Service", "NodePort", "hostPort", "hostNetwork",
// "containerPort", "registry", "image default"; "Kind(N)" for any other
// value.
func (k Kind) String() string {
	if k >= 1 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Format is a file format that the package reads.
//
// The zero value means "unknown".
type Format uint8

// The file formats.
const (
	FormatCompose    Format = iota + 1 // a compose file (compose specification)
	FormatKubernetes                   // Kubernetes manifests, one or more YAML documents
	FormatRegistry                     // a port registry file; see the package documentation
)

// String returns "compose", "kubernetes" or "registry"; "unknown" for the
// zero value and "Format(N)" for any other.
func (f Format) String() string {
	switch f {
	case 0:
		return "unknown"
	case FormatCompose:
		return "compose"
	case FormatKubernetes:
		return "kubernetes"
	case FormatRegistry:
		return "registry"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}
