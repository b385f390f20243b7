package check

import (
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// Options are what a check knows beyond the declarations: the host the
// files will run on and how the rules are configured.
//
// The zero Options judge a host that keeps no port for itself, with the
// default NodePort range, containers run by a root daemon, and every rule
// at its default severity.
type Options struct {
	// Limits is the host the files will run on: its ephemeral range for
	// the ephemeral rule, its privileged ports for the privileged rule,
	// and what suggestions stay out of. Use [hostports.Read] for this host
	// or [hostports.Defaults] for an OS's documented defaults.
	Limits hostports.Limits

	// NodePortRange is the cluster's NodePort range; the zero Range means
	// Kubernetes' default, [wellknown.NodePortRange].
	NodePortRange ports.Range

	// Rootless says that containers are run by rootless Docker or Podman,
	// which cannot bind privileged ports. A root Docker daemon and the
	// kubelet can, so without it the privileged rule is only about port
	// registry entries, which name programs run on the host.
	Rootless bool

	// Live, if not nil, is this host's socket table now
	// ([hostports.ReadTable]): every host port that the declarations bind
	// and that a socket of the table holds is a port-in-use finding naming
	// its holder, unless the holder is the declaring compose service's own
	// container, already running. Nil checks the files alone.
	Live *hostports.Table

	// Severities sets the severity of rules by ID, over their defaults;
	// [Off] turns a rule off. An ID that names no rule is an error of
	// [Run].
	Severities map[string]Severity
}

// Member is one declaration of a finding, with what the check made of it.
type Member struct {
	// Declaration is the declaration as read, with its file and line.
	Declaration manifest.Declaration

	// Endpoint is what the member binds in the finding: its declared
	// endpoint, or the port a pool ("9000-9005:80") would take.
	Endpoint ports.Endpoint

	// Pool is the pool's declared endpoint when Endpoint is a port of a
	// pool; the zero Endpoint otherwise.
	Pool ports.Endpoint

	// Suggestion is where the member should move, when it is the one
	// that should: the nearest free endpoint that keeps the port's class
	// and convention (25 to 2525, 443 to 8443, a nodePort inside the
	// NodePort range) and stays off ports that widely used software or
	// the host claims. The zero Endpoint when it stays.
	Suggestion ports.Endpoint
}

// Finding is one thing a check found.
type Finding struct {
	// Rule is the ID of the rule that found it; see [Rules].
	Rule string

	// Severity is the rule's severity, as configured.
	Severity Severity

	// Message says what was found, in a sentence without the location.
	Message string

	// Fix says what to do, if the rule knows; empty otherwise.
	Fix string

	// Members are the declarations the finding is about, the first one
	// being where it is reported. A collision has one member for each
	// binding that takes part, ordered by file and line.
	Members []Member

	// Scope, Protocol and Ports say, for a collision, where it happens
	// and the ports the members contend for. They are zero for other
	// rules.
	Scope    manifest.Scope
	Protocol ports.Protocol
	Ports    ports.Range
}

// Report is the result of [Run].
type Report struct {
	// Declarations is how many declarations were checked.
	Declarations int

	// Findings lists what was found: collisions first, in the order of
	// their scopes, then platform, security and portability findings in
	// the order of the declarations. Rules that are [Off] find nothing.
	Findings []Finding
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Failed reports whether some finding has severity [Error].
func (r *Report) Failed() bool { return r.Count(Error) > 0 }
