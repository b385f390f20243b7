package portscheme

import (
	"sync"

	"github.com/portalloc/ports"
)

// defaultScheme builds the default scheme once; the Scheme it returns is
// immutable, so every caller may share it.
var defaultScheme = sync.OnceValue(func() Scheme {
	s, err := New(DefaultSpec())
	if err != nil {
		panic("portscheme: the default scheme is invalid: " + err.Error())
	}
	return s
})

// DefaultSpec returns the description of the [Default] scheme: a fresh copy
// that the caller may change to start a custom scheme from it.
//
// Its numbers: ten slots per pod; six language ranges of 150 ports, each with 60 ports
// (6 pods) of aggregates, 30 (3 pods) of sagas and 20 (2 pods) of projectors
// from its base up, and 40 unassigned; Go's range starts 150 ports after
// Rust's but Python's 200 after Go's, which leaves 50350-50399 to no
// language; and three infrastructure ports.
func DefaultSpec() Spec {
	r := func(lo, hi ports.Port) ports.Range { return ports.RangeFrom(lo, hi) }
	lang := func(name Language, title string, all, aggregates, sagas, projectors ports.Range) LanguageSpec {
		return LanguageSpec{
			Name:  name,
			Title: title,
			Range: all,
			Components: []ComponentSpec{
				{Name: Aggregate, Range: aggregates},
				{Name: Saga, Range: sagas},
				{Name: Projector, Range: projectors},
			},
		}
	}
	return Spec{
		Slots: 10,
		Roles: []Role{
			{Slot: Coordinator, Name: "coordinator", Purpose: "Coordinator gRPC", ServicePolicy: ServiceAlways, Env: "PORT",
				Description: "Sidecar coordinator"},
			{Slot: REST, Name: "rest", Purpose: "REST Proxy", ServicePolicy: ServiceOptional, Env: "REST_PORT",
				Description: "REST → gRPC proxy"},
			{Slot: Debug, Name: "debug", Purpose: "Coordinator Debug", ServicePolicy: ServiceOnRequest, Env: "DEBUG_PORT",
				Description: "Sidecar diagnostics"},
			{Slot: Logic, Name: "logic", Purpose: "Client Logic", ServicePolicy: ServiceNever, Env: "TARGET_PORT",
				Description: "Internal sidecar-to-logic"},
			{Slot: ClientDebug, Name: "client-debug", Purpose: "Client Debug", ServicePolicy: ServiceOnRequest,
				Description: "Logic diagnostics"},
			{Slot: Control, Name: "control", Purpose: "Control/Meta UI", ServicePolicy: ServiceOptional,
				Description: "Admin UI, metrics"},
		},
		Languages: []LanguageSpec{
			lang(Rust, "Rust", r(50050, 50199), r(50050, 50109), r(50110, 50139), r(50140, 50159)),
			lang(Go, "Go", r(50200, 50349), r(50200, 50259), r(50260, 50289), r(50290, 50309)),
			lang(Python, "Python", r(50400, 50549), r(50400, 50459), r(50460, 50489), r(50490, 50509)),
			lang(Java, "Java", r(50550, 50699), r(50550, 50609), r(50610, 50639), r(50640, 50659)),
			lang(CSharp, "C#", r(50700, 50849), r(50700, 50759), r(50760, 50789), r(50790, 50809)),
			lang(Cpp, "C++", r(50850, 50999), r(50850, 50909), r(50910, 50939), r(50940, 50959)),
		},
		InfraPorts: []InfraPort{
			{Name: "aggregate-coordinator", Title: "Aggregate Coordinator", Port: 1310, NodePort: 31310,
				Description: "Per-domain command handling"},
			{Name: "stream-grpc", Title: "Stream gRPC", Port: 1340, NodePort: 31340,
				Description: "Event streaming"},
			{Name: "topology-rest", Title: "Topology REST API", Port: 9099,
				Description: "Topology visualization"},
		},
	}
}
