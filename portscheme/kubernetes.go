package portscheme

import (
	"slices"
	"strconv"

	"github.com/portalloc/ports"
)

// ContainerPort is one port of a pod as a Kubernetes manifest declares it:
// the fields of a container's ports entry, and whether the pod's Service
// should carry it. It is data for tooling to render; the package writes no
// manifests.
//
// The zero ContainerPort has no name and is not a port of any pod.
type ContainerPort struct {
	// Name is the role's port name, as "coordinator".
	Name string
	// Port is the container port.
	Port ports.Port
	// Protocol is always [ports.TCP]: every role of a scheme serves gRPC or
	// HTTP.
	Protocol ports.Protocol
	// Slot is the port's slot.
	Slot Slot
	// Exposure is the role's exposure.
	Exposure Exposure
	// Exposed reports whether the port belongs in the pod's Service.
	Exposed bool
}

// ContainerPorts returns the ports of pod p that have a role, in slot
// order; reserved slots have none. A port is exposed if its role is
// [Exposed], or if its role is [Optional] or [NotExposed] and its slot is
// among expose; [Internal] ports are never exposed.
//
// For the seed's Player pod (rust/aggregate/0) with expose REST, that is
// coordinator 50050 and rest 50051 exposed, and debug 50052, logic 50053,
// client-debug 50054 and control 50059 not.
//
// It fails with a [*PodError] if the scheme has no pod p, or if expose
// holds a slot that cannot be exposed: beyond the slot count, reserved, or
// internal ([ErrSlot]).
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
		case role.Exposure == Internal:
			detail = s.slotName(slot) + " is internal to the pod and can never be exposed"
		default:
			continue
		}
		return nil, &PodError{Pod: p, Slot: slot, HasSlot: true, Err: ErrSlot, Detail: detail}
	}
	out := make([]ContainerPort, 0, len(s.d.order))
	for _, i := range s.d.order {
		role := s.d.spec.Roles[i]
		exposed := role.Exposure == Exposed ||
			(role.Exposure != Internal && slices.Contains(expose, role.Slot))
		out = append(out, ContainerPort{Name: role.Name, Port: r.Lo() + ports.Port(role.Slot), Protocol: ports.TCP,
			Slot: role.Slot, Exposure: role.Exposure, Exposed: exposed})
	}
	return out, nil
}
