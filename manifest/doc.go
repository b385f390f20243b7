// Package manifest reads the ports that a platform declares — in compose
// files, Kubernetes manifests and a port registry — into one model,
// [Declaration], so that they can be checked for collisions, linted and
// written up as a port reference.
//
//	res, err := manifest.Loader{}.LoadPaths("compose.yaml", "k8s", "ports.yaml")
//	for _, d := range res.Decls { // every input that loaded, even when err != nil
//		fmt.Println(d) // compose.yaml:91:9: shop/grafana 3002/tcp -> 3000 (compose, host, public)
//	}
//
// [Load] reads one file in the format that [DetectFormat] finds;
// [Loader.ReadCompose], [ReadKubernetes] and [ParseRegistry] read one format.
//
// # Declarations
//
// A [Declaration] says what is bound ([Declaration.Endpoint]), what it
// forwards to ([Declaration.Target]), who binds it ([Declaration.Service]),
// which construct declared it ([Kind]), who may reach it ([Exposure]: [Public],
// [Internal] or [Localhost]) and where it is written ([Declaration.Pos]);
// a port that the runtime picks at start is [Declaration.Ephemeral]; a
// compose service on the host network that declares no port gets the ports
// its image listens on by default ([KindImage]). Two
// declarations collide only in one [Scope]: the host ([HostScope]), a
// Service's cluster IP ([ServiceScope]), a pod ([PodScope]) or a compose
// container ([ContainerScope]).
//
// # Formats
//
// Compose files are read with the variables, .env file, profiles and
// project name that the [Loader] gives (the process environment counts only
// when passed in as [Environ](); a required variable that is not set fails
// only where a port depends on it), Kubernetes manifests for the ports of
// Services and of the pods of workloads, and a port registry (ports.yaml)
// for a platform's ports listed by hand, collisions included:
//
//	version: 1
//	ports:
//	  - {service: grafana, port: 3002, target: 3000, exposure: internal}
//	accepted:               # conflicts a check is not to report
//	  - {services: [grafana, web], reason: never run together}
//
// [RegistrySchema] is the registry's JSON Schema; [ParseRegistry] checks it
// and the rules it cannot state.
//
// # Errors, bounds and costs
//
// Every error is an [*Error] naming the file, and the line and column when
// known. Files are untrusted: each is a regular file of at most
// [Loader].MaxFileSize bytes, a compose project's references stay inside
// [Loader].Root, and no input makes a reader panic. What the API server
// would refuse is an error, except what a check reports (a nodePort outside
// [wellknown.NodePortRange], a hostPort under hostNetwork). Reading n bytes
// takes O(n) time and memory, aliases expanded.
//
// The zero [Loader] is ready to use, and safe for concurrent use while no
// one writes to its fields.
package manifest
