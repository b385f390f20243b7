// Package manifest reads the ports that a platform declares — in compose
// files, in Kubernetes manifests and in a port registry file — into one
// model, [Declaration], so that they can be checked for collisions, linted
// and written up as a port reference.
//
//	decls, err := manifest.LoadAll("docker-compose.yml", "k8s/services.yaml", "ports.yaml")
//	for _, d := range decls {
//		fmt.Println(d) // docker-compose.yml:91:9: hopwhistle/grafana 3002/tcp -> 3000 (compose, host, public)
//	}
//
// The package reads files (and only the files it is given, plus those a
// compose project pulls in with extends, include and .env, inside the
// project's directory); it never reads the process environment unless
// asked to with [Environ].
//
// # Declarations
//
// A [Declaration] says what is bound ([Declaration.Endpoint], a
// [ports.Endpoint]: protocol, range, address), where it is bound
// ([Declaration.Scope]), what it forwards to ([Declaration.Target]), who
// binds it ([Declaration.Project], [Declaration.Service],
// [Declaration.Container]), which construct declared it ([Declaration.Kind]),
// who may reach it ([Declaration.Exposure]), what it is for
// ([Declaration.Description], [Declaration.Group]) and where it was written
// ([Declaration.Source]: file, line, column, and document index in a
// multi-document file).
//
// A port that the runtime picks when the service starts (compose's "80",
// a NodePort Service without a nodePort) is [Declaration.Ephemeral]: it has
// no Endpoint, since it cannot collide with a fixed port.
//
// # Scopes
//
// Two declarations can collide only when they are bound in the same
// [Scope]. [HostScope] is the machine: compose's published ports, the
// registry's ports, Kubernetes nodePorts, hostPorts and hostNetwork pods, all
// files checked together being taken to run on one host. A Kubernetes
// Service's ports are bound on its own cluster IP ([ServiceScope]); a pod's
// containers share the pod's namespace ([PodScope]); a compose container's
// exposed ports are its own ([ContainerScope]). So the Service ports 80 of
// two Services do not collide, and two containers of one pod both on 8080 do.
//
// # Exposure
//
// [Exposure] is the firewall view of the seeds' port documents: [Public],
// [Internal] or [Localhost]. The readers derive it:
//
//   - compose: a published port bound to a loopback address is Localhost, to
//     a private or link-local address Internal, to any other address or to
//     every address (compose's "5432:5432" binds all interfaces) Public; an
//     expose entry is Internal.
//   - Kubernetes: a ClusterIP Service port and a containerPort are Internal;
//     a LoadBalancer Service port, a nodePort and a hostNetwork port are
//     Public; a hostPort is judged by its hostIP as in compose.
//   - registry: as written, and unspecified (zero) when not written.
//
// [Declaration.AllInterfaces] reports a published port bound on every
// interface, and [KindNodePort] declarations carry the nodePort, to be
// checked against the cluster's range ([DefaultNodePortRange] unless the
// cluster says otherwise): what the command's security lints need.
//
// # Compose files
//
// [Loader.LoadPaths] reads what a command line names, as docker compose
// would build it: the files of one project merged in order
// ([Loader].ComposeFiles, docker compose -f), the project docker compose
// looks up (COMPOSE_FILE, or compose.yaml and its override in a directory
// or one above), files, directories searched for projects, manifests and
// registries, and standard input; each input on its own, so that one that
// fails stops no other ([Result]). [Loader.ReadCompose] and
// [Loader.LoadCompose] read one project.
//
// Compose files are read with the compose specification's own loader,
// github.com/compose-spec/compose-go/v2: interpolation ("${PORT:-8080}")
// from [Loader].Env over the .env file ([Loader].DotEnv) or
// [Loader].EnvFiles, as Docker Compose puts the process environment over
// .env; profiles as Docker Compose enables them (none unless
// [Loader].Profiles or COMPOSE_PROFILES names them; "*" for all); the
// project name from [Loader].ProjectName, COMPOSE_PROJECT_NAME, the files'
// name: or the project directory; extends, include, overrides of later
// files, the short and the long port syntax. A service with network_mode
// "host" binds its target ports and expose entries on the host; one with
// network_mode "service:OTHER" shares OTHER's container scope. A service's
// env_file is not read: ports never come from it. Variables that are not
// set and have no default are warned of in [Result].Warnings, once per
// project, instead of through compose-go's logger.
//
// Files are input from whoever wrote the project, and are read as such:
// every file must be a regular file (not a device, a FIFO or a directory)
// of at most [Loader].MaxFileSize bytes; the files a project refers to
// (include, extends.file, an include's env_file, the .env file) must lie
// inside [Loader].Root (by default the project's directory), symbolic
// links resolved; remote includes are refused ([ErrRemote]); and messages
// quote what a user wrote ("${aws_secret_access_key}"), never a variable's
// value or an env file's content.
//
// compose-go keeps no line numbers, so each file is also decoded into a
// yaml.Node tree (go.yaml.in/yaml/v3), and every entry of
// services.NAME.ports and services.NAME.expose is read on its own, with
// the same variables. Each port of the loaded project is matched to the
// first entry, in file order, that declares it, and takes that entry's
// line, column (a long-syntax entry's published:) and comment; include and
// extends are followed to local files, so a port that a service inherits
// is placed where the base service writes it. A port range is held as one
// declaration ("10000-20000:10000-20000/udp"), and compose-go is not made
// to expand it port by port.
//
// The comment on a port's line (or on the lines just above it) becomes its
// [Declaration.Description]: "- '3001:3001' # API" describes port 3001 as
// "API". Kubernetes manifests are read the same way.
//
// # Kubernetes manifests
//
// [ReadKubernetes] reads one or more YAML (or JSON) documents, one at a
// time, and the items of lists, into small local structures walked from
// yaml.Node trees (so every field keeps its line). It reads Services
// (port, targetPort by number or name, nodePort, type ClusterIP, NodePort
// or LoadBalancer, and allocateLoadBalancerNodePorts; ExternalName binds
// nothing), and the pod specs of Pods, Deployments, ReplicaSets,
// StatefulSets, DaemonSets, Jobs, CronJobs and ReplicationControllers
// (containers and initContainers: containerPort, hostPort, hostIP,
// protocol, image; hostNetwork), at the apiVersions that serve those kinds
// or served them (v1, apps/v1, batch/v1, and their beta versions); a
// custom resource named Service is skipped, as are other kinds (Ingress,
// ConfigMap, …). A containerPort with a hostPort gives two declarations,
// [KindContainerPort] in the pod and [KindHostPort] on the host. Each
// declaration names its object and the digest of its content
// ([Declaration.Object], [Declaration.ObjectDigest]), so that a copy of
// one object in two files is seen as one. [ResolveTargetNames] resolves
// named targetPorts against the pods a Service selects.
//
// A field of the wrong type, a port out of range, a nodePort on a
// ClusterIP Service, a kind under an apiVersion of Kubernetes that does
// not serve it, a protocol other than TCP, UDP and SCTP (in capitals), a
// quoted targetPort of digits alone ("8080", neither number nor name) and
// a hostIP with a zone ("fe80::1%eth0") are errors that name the line. So
// are a document nested more than 1,000 levels deep and aliases that
// expand to much more than their document. Two things the API server
// refuses are declared as written, for a check to report: a nodePort
// outside the cluster's NodePort range (see [DefaultNodePortRange]), and a
// hostPort that differs from its containerPort under hostNetwork
// ([Declaration.HostPort]). A kustomization and a Helm
// template are errors that say how to render them ([ErrKustomization],
// [ErrHelmTemplate]).
//
// # The port registry
//
// A port registry is a YAML file, conventionally ports.yaml at the root of
// a repository, that lists every port of a platform: the single source of
// truth that the seeds keep as hand-written Markdown tables. [ParseRegistry]
// reads it, [Registry.Marshal] writes it, [Registry.Declarations] turns it
// into declarations, and [RegistrySchema] is its JSON Schema
// (schema/registry.schema.json in the module).
//
//	# ports.yaml
//	version: 1             # required; the format version
//	project: hopwhistle    # optional; default: the directory's name
//	ports:                 # required; a list of entries
//	  - service: grafana   # required; who binds the port
//	    port: 3002         # host port or "LO-HI" range; leave out if not published
//	    target: 3000       # container port or range, if mapped
//	    protocol: tcp      # tcp (the default), udp, sctp, dccp, or a list: [udp, tcp]
//	    address: 127.0.0.1 # host address bound; leave out for every address
//	    exposure: internal # public, internal or localhost
//	    group: Observability
//	    description: Dashboards; mapped to 3002 to avoid Web's 3000
//
// The rules, all checked by [ParseRegistry], which names the line of the
// first one broken:
//
//   - version is 1; the keys are those above, plus any key starting with
//     "x-", which is ignored;
//   - service (and project) is a non-empty string with no white space at
//     either end and no line break;
//   - an entry has a port, a target, or both; each is a whole number from 1
//     to 65535 (8080, not 8080.0) or a string "LO-HI" with LO <= HI (a
//     single port may be quoted);
//   - the other fields are strings; an unquoted date in one is taken as
//     the text it is, as YAML 1.2 has it;
//   - a target range is as long as the port range (a single target may
//     take a whole port range, as compose's "8000-8010:80");
//   - protocol is tcp, udp, sctp or dccp, in lower or upper case, or a
//     non-empty list of them without repeats (tcp and TCP are one);
//   - address is an IPv4 or IPv6 address without zone, and needs a port;
//   - with an address, exposure localhost needs a loopback address, and
//     exposure public or internal a non-loopback one;
//   - a registry is one YAML document.
//
// The schema states the shape; the parser also checks what a schema cannot
// (number ranges inside strings, lengths of ranges, the address and exposure
// pair). An entry with a port is published on the host ([HostScope]); one
// with only a target is bound inside its service's container
// ([ContainerScope]). Two entries may name the same port: the registry
// records a platform as it is, collisions included, for the check to find.
//
// # Formats and errors
//
// [Load], [LoadAll] and [Loader.Read] tell the formats apart with
// [DetectFormat], by file name first and content second. [LoadAll] reads
// each file on its own and keeps going past a bad file. Every error is an
// [*Error] naming the file, the line and column when known, and what is
// wrong; no input makes a reader panic (a panic inside compose-go is
// recovered and reported as an error).
//
// A [Loader] is safe for concurrent use; [Declaration], [Scope] and the
// enums are plain values.
package manifest
