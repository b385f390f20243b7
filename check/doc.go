// Package check finds what keeps a set of services from getting their
// ports: collisions, configurations the platform refuses, ports published
// wider than they should be, and ports that work on one host and fail on
// another. It takes the declarations that package manifest reads from
// compose files, Kubernetes manifests and port registries, and returns a
// report of typed findings; it prints nothing and reads no file.
//
//	decls, _ := manifest.Loader{}.LoadAll("compose.yaml", "ports.yaml")
//	rep, err := check.Run(decls, check.Options{Limits: limits})
//	for _, f := range rep.Findings {
//		fmt.Println(f.Rule, f.Members[0].Declaration.Pos, f.Message)
//	}
//	if rep.Failed() { … }
//
// # Rules
//
// Every finding comes from a rule with a stable ID and a default
// [Severity]; [Rules] lists them, and [Options].Severities changes a
// rule's severity or turns it [Off]. A report fails ([Report.Failed]) when
// some finding is an [Error]: by default collisions and what Docker or
// Kubernetes refuses to run.
//
// # Collisions
//
// Declarations collide when they bind overlapping ports on one protocol
// and overlapping addresses in one network namespace (the host, a pod, a
// Service's cluster IP): [ports.Endpoint.Conflicts] is the rule. One owner
// declaring a port in several files is one holder; a range of host ports
// mapped to one container port ("9000-9005:80") is a pool that collides
// only when its replicas cannot all get ports. Each member that should move
// gets a [Member].Suggestion: the nearest free port in the same convention
// (25 to 2525, a nodePort inside the NodePort range), off the ports that
// hostports.Avoided lists. A collision with a port guessed from an image's
// default ([manifest.KindImage]) is an image-port-collision warning instead.
//
// # Suppressions
//
// [Report.Suppress] removes the findings that a [Suppression] covers and
// reports each one that covers nothing under the rule unused-suppression.
// Suppressions are written three ways: a "# ports:ignore RULE -- reason"
// comment ([ScanSuppressions]), a Kubernetes object's annotation
// ports.portalloc.io/ignore ([AnnotationSuppressions]), and a registry's
// accepted conflict between named services ([RegistrySuppressions]).
//
// # Software
//
// Security rules identify what a port serves with [Identify]: by the
// container's image where package wellknown knows it, else by the de-facto
// table at the port the program listens on, with the service's name.
//
// # Cost and concurrency
//
// Run takes O(n log n) time in the number n of declarations, plus a
// bounded search for pools that share addresses in part. It keeps no
// state between calls, which may run concurrently.
package check
