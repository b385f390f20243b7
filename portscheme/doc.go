// Package portscheme is a deterministic port plan: every pod of a service
// owns a block of consecutive ports, one per slot, and the blocks are laid
// out in per-language ranges by component (aggregate, saga, …), so that the port of any
// pod and slot is known without asking anyone, and any port of the plan
// traces back to its pod. The package is pure: the environment is passed
// in as a lookup function, the ranges to avoid as [ports.RangeSet] values.
//
//	s := portscheme.Default()
//	saga := portscheme.Pod{Language: portscheme.Go, Component: portscheme.Saga, Index: 0}
//	p, _ := s.PodPort(saga, portscheme.Coordinator) // 50260
//	loc, _ := s.Locate(50263)                       // go/saga/0 slot 3 (logic)
//
// # The default scheme
//
// [Default] has ten slots a pod; slot 0 is the pod's base port, PORT:
//
//	slot  role          exposure  variable
//	0     coordinator   yes       PORT
//	1     rest          optional  REST_PORT (PORT+1)
//	2     debug         no        DEBUG_PORT (PORT+2)
//	3     logic         internal  TARGET_PORT (PORT+3)
//	4     client-debug  no
//	9     control       optional             (5-8 reserved)
//
// Six languages (rust 50050, go 50200, python 50400, java 50550, csharp
// 50700, cpp 50850) each hold, from their base up, 6 aggregate pods, 3 saga
// pods and 2 projector pods; three infrastructure ports ([InfraPort]) lie
// outside the pods. [DefaultSpec] gives the plan as data, to start a
// custom scheme from.
//
// # Ports, pods and the environment
//
// [Scheme.PodPort] and [Scheme.Port] give a slot's port and [Scheme.Locate]
// the pod and slot of a port; [Scheme.PodRange] gives a pod's block. A pod
// the scheme does not have is a [*PodError]. [Scheme.Env] gives the
// variables a pod is started with and [Scheme.ParseEnv] reads them back,
// reporting every bad value at once as [*EnvError] values;
// [Scheme.ParseEnvAllowBare] also takes a PORT that the platform chose
// outside the scheme as the service's own port. [Scheme.ContainerPorts]
// gives a pod's container ports, whose JSON and YAML forms are Kubernetes'.
//
// # Custom schemes
//
// A [Spec] describes any plan of this shape; [New] validates it and
// reports every problem at once as a [*SchemeError]. [ParseJSON] and
// [Scheme.MarshalJSON] give a scheme a JSON form that survives the round
// trip exactly. [Scheme.Validate] checks a scheme against ports to avoid
// ([Avoid]), such as an OS's ephemeral range.
//
// A Scheme is immutable and safe for concurrent use; its zero value has no
// pods. [Scheme.Port] and [Scheme.PodPort] cost O(1), [Scheme.Locate]
// O(log k) for k components; none of them allocates.
// Every error message starts with "portscheme: ", and the typed errors
// unwrap to the package's sentinel errors for [errors.Is].
package portscheme
