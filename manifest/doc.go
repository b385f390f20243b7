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
// a port that the runtime picks at start is [Declaration.Ephemeral]. Two
// declarations collide only in one [Scope]: the host ([HostScope]), a
// Service's cluster IP ([ServiceScope]), a pod ([PodScope]) or a compose
// container ([ContainerScope]).
//
// # Formats
//
// Compose files are read as docker compose reads them, by the compose
// specification's own loader, with the variables, .env file, profiles and
// project name that the [Loader] gives: the process environment counts only
// when passed in as [Environ](). Kubernetes manifests give the ports of
// Services and of the pods of workloads. A port registry (ports.yaml) lists a
// platform's ports by hand, collisions included, for a check to find them:
//
//	version: 1
//	ports:
//	  - service: grafana
//	    port: 3002          # on the host; "LO-HI" for a range
//	    target: 3000        # in the container, if mapped
//	    exposure: internal  # also: project, protocol, address, group, description
//	accepted:               # conflicts a check is not to report
//	  - services: [grafana, web]
//	    reason: never run together
//
// [RegistrySchema] is its JSON Schema, whose description adds the rules a
// schema cannot state; [ParseRegistry] checks them all.
//
// # Errors and bounds
//
// Every error is an [*Error] naming the file, and the line and column when
// known. Files are untrusted: each is a regular file of at most
// [Loader].MaxFileSize bytes, a compose project's references stay inside
// [Loader].Root, aliases cannot make a manifest much larger than it is
// written, and no input makes a reader panic. In the fields read, what the
// API server would refuse is an error, except where a check reports it: a
// nodePort outside [DefaultNodePortRange], a hostPort other than its
// containerPort under hostNetwork ([Declaration.HostPort]).
//
// # Concurrency and cost
//
// The zero [Loader] is ready to use, and safe for concurrent use while no one
// writes to its fields. Reading n bytes takes O(n) time and memory, aliases
// expanded: a port range is one declaration whatever its length, and a
// Kubernetes stream is held one document at a time.
package manifest
