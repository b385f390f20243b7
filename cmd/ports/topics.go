package main

// Help topics: what a subcommand's help is too short to say, printed by
// "ports help TOPIC".

import "github.com/portalloc/ports/wellknown"

// helpTopic is one topic of "ports help".
type helpTopic struct {
	name, summary, text string
}

func helpTopics() []helpTopic {
	return []helpTopic{
		{"collisions", "how ports check judges collisions, pools, start order and files", topicCollisions},
		{"check-config", "the .ports-check.yaml file: rule severities, NodePort range, OS, paths to skip", topicCheckConfig},
		{"suppressions", "# ports:ignore comments, the ignore annotation, a registry's accepted conflicts", topicSuppressions},
		{"inputs", "what ports check and ports doc read: arguments, directories, the runtime", topicInputs},
		{"fix", "the files ports check --fix writes, and how to use them", topicFix},
		{"host", "what ports whois and ports free know of this host, and how they try a port", topicHost},
		{"reference", "the groups, rows and sections of the reference ports doc writes", topicReference},
	}
}

const topicCollisions = `Reads docker compose files, Kubernetes manifests and port registry files
(ports.yaml), and reports:

  collisions  two or more services that bind overlapping ports on the same
              protocol and overlapping addresses in one network namespace
              (the host, a pod, a Service's cluster IP, a container), or one
              service that binds them twice (two mappings of a compose
              service to one host port, two containers of a pod on one
              port, a fixed host port in a compose service of more than one
              replica), each member named by file, line and service, with
              the nearest free alternative for every member that clashes
              with one declared before it;
  warnings    host ports in this machine's ephemeral range, ports browsers
              refuse, privileged ports, pools that may take another
              service's port if they start before it, ports that a service
              on the host network binds by its image's default and another
              binds too (image-port-collision);
  security    database, cache, broker and admin ports published on every
              interface; ports that a compose file or manifest publishes
              wider than the registry says (internal or localhost-only on
              every interface, localhost-only on a private address);
              NodePorts outside the cluster's NodePort range.

Compose projects are built as docker compose builds them: the files of -f
merged in order, or a directory's compose file with its override; the
process environment over the project's .env (--no-process-env reads the
files only); profiles off unless enabled (--profile, COMPOSE_PROFILES). A
required variable (${PG_PASS:?…}) that is not set fails the check only
where a port depends on it. A service on network_mode: host binds its
ports' targets and expose entries, or with neither, the ports its image
listens on by default, where the de-facto table knows the image ("ports
whois"). All files are taken to run together on one host. A compose file
and the registry that describes it may be checked together: a port that
both declare for one service is one holder, not a collision. A range of
host ports mapped to one container port ("9000-9005:80") is a pool, as
Docker takes it: each container of the service (scale, deploy.replicas)
binds one port of the range, and a pool collides only when the pools cannot
all get ports apart from every other declaration (for pools on addresses
that overlap in part, as 127.0.0.1 and every address, the choices are
searched up to 100,000 ports tried, so that only a larger case may be
reported where some choice of ports would fit). Docker gives each container
the first free port of its range when it starts, so a pool whose range
holds another service's port below the highest port the pool gets may take
that port if it starts first: a warning, unless the pool's service depends
on that one (depends_on, links, volumes_from, directly or through others),
which docker compose up then starts first; pools that may take one
service's port, for one reason, are one warning that names them all. A
restart by the Docker daemon follows no such order. Pools whose ranges
overlap each other's may still collide in some start orders; those are not
reported. A service scaled to 0 binds nothing.
`

var topicCheckConfig = `A .ports-check.yaml file configures "ports check". It is looked up from the
current directory upward to the root of the repository (the directory that
holds .git), or named with --config FILE; flags given on the command line
win over it.

  # .ports-check.yaml
  rules:                  # severity of rules by ID: error, warning or off
    privileged: off
    ephemeral: error
  nodeport-range: ` + wellknown.NodePortRange().String() + `
  os: linux               # judge the host by this OS's documented defaults
  rootless: true          # containers are run by rootless Docker or Podman
  skip:                   # paths not to check, relative to the file
    - legacy/
    - "*.generated.yaml"

"ports check --list-rules" lists the rules with their severities. A skip
pattern (as path.Match reads it, "*" not crossing a "/") skips the files it
matches and everything under a directory it matches; a pattern without a
"/" matches any element of a path, as in .gitignore. A finding is dropped
when the file it is reported in is skipped. The exit status follows the
severities: 1 when a finding of severity error remains.
`

const topicInputs = `ports check and ports doc read the files, directories and compose
projects named as arguments; with no argument (and no -f), the compose
project of this directory, found as docker compose finds it. -f FILE names
the files of one compose project, merged in order as docker compose -f
merges them; --env-file, --profile and -p build it as docker compose's own
flags do. A directory is searched for compose projects, manifests and
registries; - is standard input. An input that cannot be read is reported,
and the others are still read (exit status 2).

The privileged rule of ports check applies to compose services only under
rootless Docker or Podman. Unless --rootless, the configuration or --os
says, the runtime is found on this host as the Docker CLI finds it
(DOCKER_HOST, the current Docker context, a socket in the user's runtime
directory, Podman run by a user); a note on standard error says when it is
rootless.
`

const topicFix = `ports check --fix writes the moves that the check suggests beside each
compose project, in the directory of its first file, and never edits the
project's own files:

  ` + fixEnvFile + `           a port written as a variable ("${WEB_PORT:-3000}:3000",
                          published: ${WEB_PORT}) is moved by setting the
                          variable: WEB_PORT=2999
  ` + fixOverrideFile + `  any other move: each moved service's ports, listed
                          whole under !override (ports of an override are
                          otherwise added to the project's), the moved ones
                          at their new port; short-syntax entries written
                          short (those with a variable as written), long-
                          syntax ones with every key they have

Use them after the project's own files:

  docker compose -f compose.yaml -f ` + fixOverrideFile + ` --env-file .env --env-file ` + fixEnvFile + ` up
  ports check -f compose.yaml -f ` + fixOverrideFile + ` --env-file ` + fixEnvFile + `

A variable set in the environment wins over both env files. A file of
either name that exists already is never overwritten: the fix is refused
(exit status 2) and nothing is written, until it is removed. Nothing is
written when an input failed to load. Moves of Kubernetes manifests and
registries are printed, for a person to make.
`

const topicSuppressions = `A finding that is meant to be there is suppressed, with its reason, in one
of three ways:

  # ports:ignore RULE[,RULE] -- REASON
      a comment in a compose file, a manifest or a registry, on the line
      of the finding's port or alone on the line above it;

  metadata:
    annotations:
      ports.portalloc.io/ignore: "RULE[,RULE] -- REASON"
      an annotation of a Kubernetes object, for every finding that has a
      port of the object among its members; " -- REASON" may be left out;

  accepted:
    - services: [grafana, web]
      rules: [collision]
      reason: REASON
      in a port registry (ports.yaml), for every finding whose members all
      belong to the services named (a name, or PROJECT/NAME), two of them
      at least; rules may be left out for collision.

RULE is a rule's ID ("ports check --list-rules"). The text report counts
the findings suppressed, --show-suppressed lists them with their reasons
and what suppressed them, the JSON report has them under "suppressed", and
SARIF marks them suppressed. A suppression that matches nothing is itself
a finding of the rule unused-suppression, a warning by default.
`

const topicHost = `ports whois explains a port with the facts the library holds: its RFC 6335
class (System, User or Dynamic), the IANA registry's entries for it, the
widely used software that listens on it by default (the de-facto table), the
known collisions there, whether this machine keeps it (its ephemeral range,
reserved or excluded ranges, privileged ports) and whether browsers refuse
to fetch from it.

A PROTO is tcp, udp, sctp or dccp; without it every transport is shown. A
NAME is looked up, without regard to case, in the IANA registry and the
de-facto table ("grafana", "postgres", "http", "9pfs"), and each port it
names is explained in turn; digits alone are always a port.

With --probe, whois also tries to bind the port now, on TCP and UDP, on
127.0.0.1, ::1, 0.0.0.0 and :: (each failure on a line of its own); port 0,
which asks the system for any port, cannot be tried. ports why says who
holds a port and why a bind fails.

ports free prints ports outside this host's ephemeral, reserved and excluded
ranges and its privileged ports, away from the System ports, the ports of
widely used developer software and the ports browsers refuse, each verified
by binding it on 127.0.0.1, ::1, 0.0.0.0 and :: (IPv6 skipped on a host
without it). With --run K it prints runs of K consecutive ports.

free leases its ports through the lock directory of package porttest while
it checks them, so two "ports free" or test processes running at once never
print the same port. The leases end when the command does: the ports are
free when printed, and nothing holds them afterwards. A held port costs a
file descriptor or two: when the process runs out of them, free says so and
prints the ports it found.`

const topicReference = `ports doc writes the port reference document: a table per group of every
service with its internal (container) and external (host) port, protocol,
exposure and description; the firewall view (public, internal,
localhost-only); the collisions that remain and those that were resolved by
publishing a container port on another host port; and the security findings
of "ports check".

Groups come from the registry's group, a Kubernetes object's
app.kubernetes.io/part-of label, or else the kind of software that the
de-facto table knows at the port. A port that several files declare for one
service (a compose file and its registry) is one row, with the registry's
description, group and exposure.

Inputs are read as "ports check" reads them (-f, --profile, directories, -;
with no argument, the compose project of this directory): see 'ports help
inputs'. With --check FILE.md, doc compares the committed reference with what
it would write now, and exits 1 with a unified diff when they differ, so
that a hand-kept port table cannot rot.`
