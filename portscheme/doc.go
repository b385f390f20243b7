// Package portscheme is a deterministic port plan: every pod of a service
// owns a block of consecutive ports, one per slot, and the blocks are laid
// out in per-language ranges by component kind, so that the port of any
// (language, kind, pod index, slot) is known without asking anyone, and any
// port of the plan can be traced back to its pod.
//
//	s := portscheme.Default()
//	p, _ := s.Port(portscheme.Go, portscheme.Saga, 0, portscheme.Coordinator) // 50260
//	loc, _ := s.Locate(50263) // go/saga/0 slot 3: Go, Saga, 0, Logic
//
// The package is pure: it never reads the environment, the file system or
// the OS. What it needs from the world is passed in: an environment as a
// lookup function, the ranges to avoid as [ports.RangeSet] values.
//
// # The default scheme
//
// [Default] is the plan of the seed's port conventions. Ten slots per pod:
//
//	slot  role          purpose            exposed   variable
//	0     coordinator   Coordinator gRPC   yes       PORT
//	1     rest          REST Proxy         optional  REST_PORT (PORT+1)
//	2     debug         Coordinator Debug  no        DEBUG_PORT (PORT+2)
//	3     logic         Client Logic       internal  TARGET_PORT (PORT+3)
//	4     client-debug  Client Debug       no
//	5-8   reserved
//	9     control       Control/Meta UI    optional
//
// Six language ranges; in each, pods are numbered from 0 at the low end of
// their kind's range:
//
//	language  range        aggregates   sagas        projectors
//	rust      50050-50199  50050-50109  50110-50139  50140-50159
//	go        50200-50349  50200-50259  50260-50289  50290-50309
//	python    50400-50549  50400-50459  50460-50489  50490-50509
//	java      50550-50699  50550-50609  50610-50639  50640-50659
//	csharp    50700-50849  50700-50759  50760-50789  50790-50809
//	cpp       50850-50999  50850-50909  50910-50939  50940-50959
//
// So each kind holds 6, 3 and 2 pods; the top 40 ports of every language
// range belong to no kind, and 50350-50399, between Go and Python, to no
// language. Three infrastructure [Service] ports lie outside the pods:
// aggregate-coordinator 1310 (NodePort 31310), stream-grpc 1340 (NodePort
// 31340) and topology-rest 9099. The seed's example pods are Rust
// aggregates 0, 1 and 2: Player at 50050, Table at 50060 and Hand at 50070.
//
// [DefaultSpec] returns the same plan as data, to start a custom scheme
// from.
//
// # Ports and locations
//
// [Scheme.Port] gives the port of a slot of a pod and [Scheme.Locate] the
// [Location] (pod and slot) of a port; they are inverses. [Scheme.PodRange]
// gives a pod's block of ports and [Scheme.Pods] walks the pods of a
// language. A request the scheme cannot answer (unknown language or kind,
// pod index beyond the kind's capacity, slot beyond the slot count) is a
// [*PodError]. [Scheme.Role], [Scheme.Language], [Scheme.Capacity],
// [Scheme.Service] and [Scheme.ServiceAt] look the plan up.
//
// # Service bootstrap
//
// [Scheme.Env] gives the variables a pod is started with: PORT, REST_PORT,
// DEBUG_PORT and TARGET_PORT in the default scheme. [Scheme.ParseEnv] reads
// them back from a lookup function such as [os.LookupEnv]: PORT names the
// pod, the others default to PORT plus their slot, and every value that is
// malformed, beyond 65535 or not the port the scheme gives it is reported,
// all at once, as [*EnvError] values.
//
// # Kubernetes
//
// [Scheme.ContainerPorts] gives a pod's container ports (name, number,
// protocol, and whether the pod's Service carries them) for tooling to
// render into a manifest. Internal ports are never exposed.
//
// # Custom schemes and validation
//
// A [Spec] describes any plan of this shape: the slot count and the roles
// of the slots ([Role]: Kubernetes port name, [Exposure], environment
// variable), the languages with their kinds and ranges (the capacity of a
// kind is its range's size divided by the slot count), and the
// infrastructure services. [New] validates a Spec and reports every problem
// at once as a [*SchemeError] of [*Problem] values: bad slot count, names,
// duplicates, missing ranges, sizes that are not a multiple of the slot
// count, kinds outside their language, overlapping ranges, services inside
// a language range. [ParseJSON] reads the JSON form that
// [Scheme.MarshalJSON] writes, reporting besides every value beyond 65535;
// a scheme survives the round trip exactly.
//
// [Scheme.Spec] gives a scheme's description back, [Scheme.Equal] compares
// two schemes, and [Scheme.UnmarshalJSON] lets a scheme be a field of a
// larger JSON configuration.
//
// [Scheme.Validate] checks a built scheme against sets of ports to avoid
// ([Avoid]), such as an OS's ephemeral range or the ports of well-known
// services, and says which languages, kinds, pods and services lie in them.
// The default scheme lies wholly inside Linux's default ephemeral range,
// 32768-60999, and inside IANA's Dynamic range, 49152-65535, and Validate
// says so, language by language.
//
// # Errors
//
// Every error message starts with "portscheme: " and names what was asked
// and what stood in the way. The typed errors ([*PodError], [*Problem] in a
// [*SchemeError], [*EnvError]) unwrap to sentinels such as [ErrIndex],
// [ErrOverlap] or [ErrContradicts], for [errors.Is].
package portscheme
