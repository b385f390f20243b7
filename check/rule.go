package check

import (
	"fmt"
	"strings"

	"github.com/portalloc/ports/wellknown"
)

// Severity is how much a finding matters: an [Error] fails a check, a
// [Warning] is reported and does not, and [Off] turns a rule off.
//
// The zero Severity is Off.
type Severity uint8

// The severities, from the least.
const (
	Off Severity = iota
	Warning
	Error
)

var severityNames = [...]string{Off: "off", Warning: "warning", Error: "error"}

// String returns "off", "warning" or "error"; "Severity(N)" for any other
// value.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// ParseSeverity parses "off", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if s == n {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("check: unknown severity %q; want error, warning or off", s)
}

// MarshalText returns the name of s.
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) {
		return nil, fmt.Errorf("check: cannot marshal %v", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Category groups rules for people reading a report.
type Category uint8

// The categories.
const (
	// Collisions: ports that two bindings cannot both have.
	Collisions Category = iota + 1
	// Platform: what Docker or Kubernetes refuses to run.
	Platform
	// Security: ports published wider than they should be.
	Security
	// Portability: ports that work here and fail on another host or
	// client.
	Portability
)

var categoryNames = [...]string{Collisions: "collision", Platform: "platform", Security: "security", Portability: "warning"}

// String returns "collision", "platform", "security" or "warning" (for
// Portability, as the text report labels it).
func (c Category) String() string {
	if c >= 1 && int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return fmt.Sprintf("Category(%d)", uint8(c))
}

// Rule is one kind of finding, with a stable ID that reports, suppressions
// and configuration name it by.
type Rule struct {
	ID       string
	Category Category
	// Severity is the rule's default severity.
	Severity Severity
	// Summary is one line on what the rule finds.
	Summary string
	// Help says why it matters and how to fix it.
	Help string
}

// The rules, in the order reports list them.
var rules = []Rule{
	{"collision", Collisions, Error,
		"two bindings need the same port on the same protocol and address",
		"Two services (or one service twice: two mappings to one host port, two containers of a pod on one port, a fixed host port of a service with several replicas) bind overlapping ports on one protocol and overlapping addresses in one network namespace. Whichever starts second fails. Move one of them; the finding suggests the nearest port that is free and keeps the port's convention."},
	{"network-mode-ports", Platform, Error,
		"a compose service publishes ports but shares another container's network",
		"A service with network_mode service:NAME or container:NAME has no network of its own; Docker refuses to create it (\"conflicting options: port publishing and the container type network mode\"). Publish the ports on the service whose network it shares."},
	{"nodeport-range", Platform, Error,
		"a nodePort lies outside the cluster's NodePort range",
		"The API server refuses a Service whose nodePort lies outside --service-node-port-range (" + wellknown.NodePortRange().String() + " unless the cluster says otherwise). Pick a nodePort inside the range, or leave it out and let the cluster allocate one."},
	{"hostnetwork-port-mismatch", Platform, Error,
		"a pod on the host network gives a hostPort that differs from its containerPort",
		"With hostNetwork: true the container binds the node's port itself, so the API server requires hostPort to equal containerPort. Drop the hostPort or make it equal."},
	{"port-in-use", Platform, Error,
		"a socket of this host holds the port now",
		"Checked against the host's socket table (ports check --live): the port is held by another program, or by a container of another service, so the service would fail to bind it. Stop the holder, or move the service."},
	{"exposed-database", Security, Warning,
		"a database is published on every interface",
		"Databases are meant for the services beside them, not the network. Bind the port to 127.0.0.1 or drop the host port and reach it over the service network."},
	{"exposed-cache", Security, Warning,
		"a cache is published on every interface",
		"Caches often have no authentication. Bind the port to 127.0.0.1 or drop the host port and reach it over the service network."},
	{"exposed-message-broker", Security, Warning,
		"a message broker is published on every interface",
		"Brokers are meant for the services beside them. Bind the port to 127.0.0.1 or drop the host port and reach it over the service network."},
	{"exposed-admin-ui", Security, Warning,
		"an admin UI is published on every interface",
		"An admin UI on every interface is a door to the whole system. Bind it to 127.0.0.1 and reach it through a tunnel or an authenticating proxy."},
	{"registry-exposure", Security, Warning,
		"a file publishes a port wider than the port registry says",
		"The registry marks the port internal or localhost-only, but a compose file or manifest publishes it on every interface (or a localhost-only port on a private address). Bind it as the registry says, or correct the registry."},
	{"duplicate-object", Portability, Warning,
		"one Kubernetes object is written differently in two files",
		"The same apiVersion, kind, namespace and name appear in two files with different content: whichever is applied last wins. Keep one copy, or make them the same."},
	{"ephemeral", Portability, Warning,
		"a host port lies in the host's ephemeral range",
		"The OS lends ports of its ephemeral range to outgoing connections, so one may hold the port when the service starts. Move the port out of the range."},
	{"browser-refused", Portability, Warning,
		"browsers refuse to fetch from this port",
		"Browsers refuse the Fetch standard's bad ports. Fine for a non-HTTP protocol; pick another port for anything a browser opens."},
	{"privileged", Portability, Warning,
		"binding the port needs privileges the runtime does not have",
		"Ports below the host's unprivileged start (1024 unless changed) need root or CAP_NET_BIND_SERVICE. Docker's root daemon and the kubelet bind them for you; rootless Docker and Podman, and programs run directly, cannot. Pick a port of 1024 or more, or lower net.ipv4.ip_unprivileged_port_start."},
	{"image-port-collision", Portability, Warning,
		"a port an image listens on by default, on the host network, is bound by another",
		"A compose service on network_mode: host that declares no port, or a container of a Kubernetes pod with hostNetwork that lists none, binds the ports its image listens on by default, on the host itself; another binding of the same port fails when both run, unless the service is configured to listen elsewhere. The default is known from the image, not the service's configuration, so this warns only. Declare the port the service is configured for (expose:, or the container's ports), which replaces the image's default, or move the other binding."},
	{"pool-start-order", Portability, Warning,
		"a pool of host ports may take another service's port if it starts first",
		"Docker gives each container of a pool (\"9000-9005:80\") the first free port of the range when it starts. A service that binds a port of that range and starts later then fails. Start the pool's service after it (depends_on), or keep the pool off that port. Pools that may take one port of one service, for one reason, are one warning that names them all."},
	{"unused-suppression", Portability, Warning,
		"a suppression suppresses no finding",
		"A suppression that matches nothing hides nothing today and may hide a finding tomorrow. A # ports:ignore comment covers findings of its rules on its own line (a comment after YAML) or on the next line (a comment on a line of its own); a Kubernetes object's ports.portalloc.io/ignore annotation covers findings of its rules that have a port of the object among their members; a registry's accepted conflict covers findings of its rules whose members all belong to its services. Remove it, or move it to where the finding is."},
}

// Rules returns every rule, in the order reports list them.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

// RuleByID returns the rule with the given ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// ruleIDs lists every rule ID, for messages.
func ruleIDs() string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}
