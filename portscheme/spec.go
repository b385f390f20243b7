package portscheme

import (
	"github.com/portalloc/ports"
)

// Spec is the plain description of a scheme, from which [New] builds a
// [Scheme] and which [Scheme.Spec] gives back. It is data only: nothing in it
// is checked until [New] validates it.
//
// The zero Spec describes nothing and is not a valid scheme (it has no
// slots). A Spec holds slices; it is safe for concurrent use only if no one
// modifies it.
type Spec struct {
	// Slots is the number of ports of every pod, 1 to 65536: a pod's ports
	// are its base and the Slots-1 ports after it.
	Slots int
	// Roles gives roles to slots, in any order. A slot without a role is
	// reserved: pods own its port but nothing listens on it.
	Roles []Role
	// Languages are the language ranges, in the order the scheme lists them.
	Languages []LanguageSpec
	// InfraPorts are the fixed infrastructure ports outside the pods.
	InfraPorts []InfraPort
}

// Role is what one slot of every pod is for.
//
// The zero Role is slot 0 with no name, which [New] rejects.
type Role struct {
	// Slot is the offset the role holds.
	Slot Slot
	// Name is the port name in Kubernetes manifests, a valid IANA service
	// name: 1 to 15 characters of a-z, 0-9 and '-', with at least one
	// letter, and no '-' at either end or twice in a row.
	Name string
	// Purpose is the short title of the role, as "Coordinator gRPC".
	Purpose string
	// ServicePolicy says whether the port goes in the pod's Service.
	ServicePolicy ServicePolicy
	// Env is the environment variable that hands the port to the service,
	// as "REST_PORT"; empty if none does. If any role has one, slot 0 must
	// have one too: the others default to it plus their offset.
	Env string
	// Description says more, as "Sidecar coordinator".
	Description string
}

// LanguageSpec is the range of one language and its components.
//
// The zero LanguageSpec has no name and no range, which [New] rejects.
type LanguageSpec struct {
	// Name is the language, a lower-case DNS label.
	Name Language
	// Title is how people write it, as "C#".
	Title string
	// Range holds every port of the language, components and unassigned room.
	// Its size must be a multiple of the slot count.
	Range ports.Range
	// Components are the language's components, in the order the scheme
	// lists them.
	Components []ComponentSpec
}

// ComponentSpec is the range of one component within its language. Its
// pods are laid out from the range's low port up: pod i has base
// Lo + i*Slots.
//
// The zero ComponentSpec has no name and no range, which [New] rejects.
type ComponentSpec struct {
	// Name is the component, a lower-case DNS label, unique within its
	// language.
	Name Component
	// Range holds the component's pods; its size, a multiple of the slot
	// count, gives the component's capacity in pods.
	Range ports.Range
}

// InfraPort is a fixed infrastructure port that lies outside the pod ranges,
// as the default scheme's aggregate coordinator on 1310.
//
// The zero InfraPort has no name, which [New] rejects.
type InfraPort struct {
	// Name is a lower-case DNS label, as "aggregate-coordinator".
	Name string
	// Title is how people write it, as "Aggregate Coordinator".
	Title string
	// Port is the service's port.
	Port ports.Port
	// NodePort is the Kubernetes NodePort that exposes it, or 0 for none.
	NodePort ports.Port
	// Description says more, as "Per-domain command handling".
	Description string
}

// clone returns a deep copy of s in which empty slices are nil, so that two
// Specs that describe the same scheme compare equal.
func (s Spec) clone() Spec {
	c := Spec{
		Slots:      s.Slots,
		Roles:      cloneSlice(s.Roles),
		Languages:  cloneSlice(s.Languages),
		InfraPorts: cloneSlice(s.InfraPorts),
	}
	for i := range c.Languages {
		c.Languages[i].Components = cloneSlice(c.Languages[i].Components)
	}
	return c
}

func cloneSlice[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}
