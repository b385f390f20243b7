package portscheme

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/portalloc/ports"
)

// ContainerPort is one port of a pod as a Kubernetes manifest declares it:
// the fields of a container's ports entry, and whether the pod's Service
// should carry it. Its JSON and YAML forms are the container's ports entry
// as Kubernetes reads it, {"name": "coordinator", "containerPort": 50050,
// "protocol": "TCP"}, so that a list of them renders into a manifest.
//
// The zero ContainerPort has no name and is not a port of any pod.
type ContainerPort struct {
	// Name is the role's port name, as "coordinator".
	Name string
	// Port is the container port.
	Port ports.Port
	// Protocol is always [ports.TCP]: every role of a scheme serves gRPC or
	// HTTP. [ContainerPort.KubernetesProtocol] spells it as Kubernetes does.
	Protocol ports.Protocol
	// Slot is the port's slot.
	Slot Slot
	// ServicePolicy is the role's, from which InService follows.
	ServicePolicy ServicePolicy
	// InService reports whether the port belongs in the pod's Service:
	// always for a [ServiceAlways] role, on request for a
	// [ServiceOptional] or [ServiceOnRequest] one, never for a
	// [ServiceNever] one.
	InService bool
}

// ContainerPorts returns the ports of pod p that have a role, in slot
// order; reserved slots have none. A port is in the pod's Service if its
// role is [ServiceAlways], or if its role is [ServiceOptional] or
// [ServiceOnRequest] and its slot is among expose; [ServiceNever] ports
// never are.
//
// For pod rust/aggregate/0 of the default scheme with expose REST, that is
// coordinator 50050 and rest 50051 in the Service, and debug 50052, logic
// 50053, client-debug 50054 and control 50059 not.
//
// It fails with a [*PodError] if the scheme has no pod p, or if expose
// holds a slot that cannot be exposed: beyond the slot count, reserved, or
// internal ([ErrNotInScheme]).
func (s Scheme) ContainerPorts(p Pod, expose ...Slot) ([]ContainerPort, error) {
	r, err := s.PodRange(p)
	if err != nil {
		return nil, err
	}
	for _, slot := range expose {
		detail := ""
		switch role, ok := s.Role(slot); {
		case int(slot) >= s.d.spec.Slots:
			detail = s.slotDetail(slot)
		case !ok:
			detail = "slot " + strconv.Itoa(int(slot)) + " is reserved: it has no role to expose"
		case role.ServicePolicy == ServiceNever:
			detail = s.slotName(slot) + " is internal to the pod and can never be exposed"
		default:
			continue
		}
		return nil, &PodError{Pod: p, Slot: slot, HasSlot: true, Err: ErrNotInScheme, Detail: detail}
	}
	out := make([]ContainerPort, 0, len(s.d.order))
	for _, i := range s.d.order {
		role := s.d.spec.Roles[i]
		exposed := role.ServicePolicy == ServiceAlways ||
			(role.ServicePolicy != ServiceNever && slices.Contains(expose, role.Slot))
		out = append(out, ContainerPort{Name: role.Name, Port: r.Lo() + ports.Port(role.Slot), Protocol: ports.TCP,
			Slot: role.Slot, ServicePolicy: role.ServicePolicy, InService: exposed})
	}
	return out, nil
}

// KubernetesProtocol returns the protocol as a Kubernetes manifest spells
// it: "TCP", "UDP" or "SCTP"; "" for a protocol Kubernetes does not know.
func (c ContainerPort) KubernetesProtocol() string {
	switch c.Protocol {
	case ports.TCP:
		return "TCP"
	case ports.UDP:
		return "UDP"
	case ports.SCTP:
		return "SCTP"
	}
	return ""
}

// kubePort is a container's ports entry, as Kubernetes reads it.
type kubePort struct {
	Name          string `json:"name,omitempty" yaml:"name,omitempty"`
	ContainerPort int    `json:"containerPort" yaml:"containerPort"`
	Protocol      string `json:"protocol,omitempty" yaml:"protocol,omitempty"`
}

func (c ContainerPort) kube() kubePort {
	return kubePort{Name: c.Name, ContainerPort: int(c.Port), Protocol: c.KubernetesProtocol()}
}

// MarshalJSON writes c as a container's ports entry of a Kubernetes
// manifest: name, containerPort (a number) and protocol ("TCP"). Slot,
// ServicePolicy and InService are not part of it.
func (c ContainerPort) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.kube())
}

// MarshalYAML gives YAML encoders the same container ports entry as
// [ContainerPort.MarshalJSON].
func (c ContainerPort) MarshalYAML() (any, error) {
	return c.kube(), nil
}
