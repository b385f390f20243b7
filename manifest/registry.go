package manifest

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
)

// RegistryVersion is the version of the registry format that this package
// reads and writes.
const RegistryVersion = 1

// Registry is a port registry file: the list of the ports a platform uses,
// kept by hand in its repository as the one source of truth. The format is
// described in the package documentation and by [RegistrySchema].
//
// The zero Registry is an empty registry without a project name; it
// marshals to a valid file. A Registry is a plain value: safe for
// concurrent reads, not for concurrent writes.
type Registry struct {
	// Project names the platform, as a compose project name does. Empty
	// means the base name of the file's directory (see
	// [Registry.Declarations]).
	Project string

	// Entries are the ports, in file order.
	Entries []Entry

	// Accepted are the conflicts between services that the platform
	// accepts, in file order.
	Accepted []Accepted

	// File is the name the registry was parsed from; [Registry.Marshal]
	// ignores it.
	File string
}

// Entry is one port of a registry: a service's port or range, published on
// the host (Port) or kept inside its container (Target only).
//
// The zero Entry is not valid: an entry needs a service and a port or a
// target. Like Registry, an Entry is a plain value: safe for concurrent
// reads, not for concurrent writes.
type Entry struct {
	// Service names the program that binds the port.
	Service string
	// Port is the host-side port or range; the zero Range if the port is
	// not published on the host.
	Port ports.Range
	// Target is the container-side port or range, if the port is mapped
	// (as compose's "3002:3000" maps 3002 to 3000); the zero Range if not.
	Target ports.Range
	// Protocols are the protocols the port is bound on; empty means TCP.
	Protocols []ports.Protocol
	// Address is the host address the port is bound to; the zero Addr means
	// every address.
	Address netip.Addr
	// Exposure is who may reach the port; zero if the entry does not say.
	Exposure Exposure
	// Group is the heading the port is listed under ("Monitoring").
	Group string
	// Description says what the port is for.
	Description string
	// Pos is where the entry's port (or, without one, its target) is
	// written; Marshal ignores it.
	Pos Position
}

// Accepted is a conflict between named services that a registry accepts,
// with its reason: the services never run at the same time, say, or
// share the port on purpose. A check reports no finding of Rules whose
// declarations all belong to Services (see package check).
//
// The zero Accepted is not valid: it needs two services and a reason.
type Accepted struct {
	// Services names the services, two or more, each as a registry entry,
	// a compose service or a Kubernetes object names it ("grafana"), or
	// qualified by its project or namespace ("shop/grafana").
	Services []string
	// Rules are the IDs of the rules whose findings are accepted; empty
	// means the collision rule alone. The package does not know the
	// rules: a check says which IDs exist.
	Rules []string
	// Reason says why the conflict is accepted.
	Reason string
	// Pos is where the accepted entry is written; Marshal ignores it.
	Pos Position
}

// ParseRegistry parses a registry file; name is used for messages and as
// [Registry.File]. Every rule of the format is checked; the first broken
// one is returned as an [*Error] that names the file, the line and column,
// and what is wrong.
func ParseRegistry(name string, data []byte) (*Registry, error) {
	docs, err := decodeYAML(name, data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, &Error{File: name, Msg: "empty registry; want a mapping with version and ports"}
	}
	if len(docs) > 1 {
		return nil, &Error{File: name, Line: docs[1].root.Line, Doc: docs[1].doc,
			Msg: "a registry is one YAML document; found another"}
	}
	p := regParser{file: name}
	reg, err := p.registry(docs[0].root)
	if err != nil {
		return nil, err
	}
	reg.File = name
	return reg, nil
}

type regParser struct {
	file string
}

func (p regParser) errAt(n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

func (p regParser) registry(root *yaml.Node) (*Registry, error) {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "want a mapping with version and ports, got %s", kindName(root))
	}
	reg := &Registry{}
	var sawVersion, sawPorts bool
	for _, kv := range pairs(root) {
		k, v := kv.key, resolve(kv.value)
		switch k.Value {
		case "version":
			sawVersion = true
			if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!int" || v.Value != strconv.Itoa(RegistryVersion) {
				return nil, p.errAt(v, "version: want %d, got %s", RegistryVersion, describe(v))
			}
		case "project":
			s, err := p.str(k, v, "project")
			if err != nil {
				return nil, err
			}
			if msg := checkName(s); msg != "" {
				return nil, p.errAt(v, "project: %s", msg)
			}
			reg.Project = s
		case "ports":
			sawPorts = true
			if v == nil || v.Kind != yaml.SequenceNode {
				return nil, p.errAt(k, "ports: want a list of entries, got %s", kindName(v))
			}
			for i, it := range v.Content {
				e, err := p.entry(resolve(it), i)
				if err != nil {
					return nil, err
				}
				reg.Entries = append(reg.Entries, e)
			}
		case "accepted":
			if v == nil || v.Kind != yaml.SequenceNode {
				return nil, p.errAt(k, "accepted: want a list of accepted conflicts, got %s", kindName(v))
			}
			for i, it := range v.Content {
				a, err := p.accepted(resolve(it), i)
				if err != nil {
					return nil, err
				}
				reg.Accepted = append(reg.Accepted, a)
			}
		default:
			if !strings.HasPrefix(k.Value, "x-") {
				return nil, p.errAt(k, "unknown key %q; want version, project, ports, accepted or an x- extension", k.Value)
			}
		}
	}
	if !sawVersion {
		return nil, p.errAt(root, "no version; want version: %d", RegistryVersion)
	}
	if !sawPorts {
		return nil, p.errAt(root, "no ports list")
	}
	return reg, nil
}

// describe shows a node in an error message.
func describe(n *yaml.Node) string {
	if s, ok := scalar(n); ok {
		return strconv.Quote(s)
	}
	return kindName(n)
}

// str reads a string. An unquoted date, and an unquoted << as a value, are
// strings too, as YAML 1.2 and JSON have them; YAML 1.1, which the decoder
// follows, would make them a timestamp and a merge key.
func (p regParser) str(k, v *yaml.Node, key string) (string, error) {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!str" && v.Tag != "!!timestamp" && v.Tag != "!!merge" {
		return "", p.errAt(k, "%s: want a string, got %s", key, kindName(v))
	}
	return v.Value, nil
}

// checkName checks a service or project name: not empty, no white space
// at either end, no line break.
func checkName(s string) string {
	switch {
	case s == "":
		return "empty name"
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("%q has white space at an end", s)
	case strings.ContainsAny(s, "\n\r"):
		return fmt.Sprintf("%q has a line break", s)
	}
	return ""
}

func (p regParser) entry(n *yaml.Node, i int) (Entry, error) {
	where := fmt.Sprintf("ports[%d]", i)
	if n == nil || n.Kind != yaml.MappingNode {
		return Entry{}, p.errAt(n, "%s: want a mapping with service and port, got %s", where, kindName(n))
	}
	e := Entry{Pos: Position{File: p.file, Line: n.Line, Column: n.Column}}
	var portNode, targetNode, addrNode, exposureNode *yaml.Node
	for _, kv := range pairs(n) {
		k, v := kv.key, resolve(kv.value)
		key := where + "." + k.Value
		switch k.Value {
		case "service":
			s, err := p.str(k, v, key)
			if err != nil {
				return e, err
			}
			if msg := checkName(s); msg != "" {
				return e, p.errAt(v, "%s: %s", key, msg)
			}
			e.Service = s
		case "port", "target":
			r, err := p.portRange(k, v, key)
			if err != nil {
				return e, err
			}
			if k.Value == "port" {
				e.Port, portNode = r, v
			} else {
				e.Target, targetNode = r, v
			}
		case "protocol":
			ps, err := p.protocols(k, v, key)
			if err != nil {
				return e, err
			}
			e.Protocols = ps
		case "address":
			s, err := p.str(k, v, key)
			if err != nil {
				return e, err
			}
			a, err := netip.ParseAddr(s)
			if err != nil || a.Zone() != "" {
				return e, p.errAt(v, "%s: %q is not an IPv4 or IPv6 address", key, s)
			}
			e.Address, addrNode = a, v
		case "exposure":
			s, err := p.str(k, v, key)
			if err != nil {
				return e, err
			}
			x, ok := exposureNames[s]
			if !ok {
				return e, p.errAt(v, "%s: %q: want public, internal or localhost", key, s)
			}
			e.Exposure, exposureNode = x, v
		case "group", "description":
			s, err := p.str(k, v, key)
			if err != nil {
				return e, err
			}
			if k.Value == "group" {
				e.Group = s
			} else {
				e.Description = s
			}
		default:
			if !strings.HasPrefix(k.Value, "x-") {
				return e, p.errAt(k, "%s: unknown key %q; want service, port, target, protocol, address, exposure, group, description or an x- extension", where, k.Value)
			}
		}
	}
	if e.Service == "" {
		return e, p.errAt(n, "%s: no service", where)
	}
	if at := cmp.Or(portNode, targetNode); at != nil {
		e.Pos.Line, e.Pos.Column = at.Line, at.Column
	}
	if msg, at := checkEntry(e); msg != "" {
		node := n
		switch at {
		case "target":
			node = targetNode
		case "address":
			node = addrNode
		case "exposure":
			node = exposureNode
		case "port":
			node = portNode
		}
		if node == nil {
			node = n
		}
		return e, p.errAt(node, "%s (service %q): %s", where, e.Service, msg)
	}
	return e, nil
}

// accepted reads the i-th entry of the accepted list.
func (p regParser) accepted(n *yaml.Node, i int) (Accepted, error) {
	where := fmt.Sprintf("accepted[%d]", i)
	if n == nil || n.Kind != yaml.MappingNode {
		return Accepted{}, p.errAt(n, "%s: want a mapping with services and reason, got %s", where, kindName(n))
	}
	a := Accepted{Pos: Position{File: p.file, Line: n.Line, Column: n.Column}}
	var servicesNode *yaml.Node
	for _, kv := range pairs(n) {
		k, v := kv.key, resolve(kv.value)
		key := where + "." + k.Value
		switch k.Value {
		case "services", "rules":
			list, err := p.names(k, v, key)
			if err != nil {
				return a, err
			}
			if k.Value == "services" {
				a.Services, servicesNode = list, v
			} else if len(list) == 0 {
				return a, p.errAt(v, "%s: empty list; leave rules out for collision", key)
			} else {
				a.Rules = list
			}
		case "reason":
			s, err := p.str(k, v, key)
			if err != nil {
				return a, err
			}
			if strings.TrimSpace(s) == "" {
				return a, p.errAt(v, "%s: empty; say why the conflict is accepted", key)
			}
			a.Reason = s
		default:
			if !strings.HasPrefix(k.Value, "x-") {
				return a, p.errAt(k, "%s: unknown key %q; want services, rules, reason or an x- extension", where, k.Value)
			}
		}
	}
	if msg := checkAccepted(a); msg != "" {
		return a, p.errAt(cmp.Or(servicesNode, n), "%s: %s", where, msg)
	}
	return a, nil
}

// names reads a list of distinct names.
func (p regParser) names(k, v *yaml.Node, key string) ([]string, error) {
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil, p.errAt(k, "%s: want a list of names, got %s", key, kindName(v))
	}
	var out []string
	for j, it := range v.Content {
		s, err := p.str(k, resolve(it), fmt.Sprintf("%s[%d]", key, j))
		if err != nil {
			return nil, err
		}
		if msg := checkName(s); msg != "" {
			return nil, p.errAt(it, "%s[%d]: %s", key, j, msg)
		}
		for _, o := range out {
			if o == s {
				return nil, p.errAt(it, "%s: %q listed twice", key, s)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// checkAccepted checks what an accepted conflict needs, and returns what
// is wrong or "".
func checkAccepted(a Accepted) string {
	if len(a.Services) < 2 {
		return "name the two or more services whose conflict is accepted (services: [a, b])"
	}
	for _, list := range [][]string{a.Services, a.Rules} {
		for i, s := range list {
			if msg := checkName(s); msg != "" {
				return msg
			}
			if slices.Contains(list[:i], s) {
				return fmt.Sprintf("%q listed twice", s)
			}
		}
	}
	if strings.TrimSpace(a.Reason) == "" {
		return "no reason; say why the conflict is accepted"
	}
	return ""
}

var exposureNames = map[string]Exposure{"public": Public, "internal": Internal, "localhost": Localhost}

// checkEntry checks the rules that tie an entry's fields together and
// returns what is wrong and the key at fault, or "".
func checkEntry(e Entry) (msg, at string) {
	if msg := checkName(e.Service); msg != "" {
		return "service: " + msg, "service"
	}
	if !e.Port.IsValid() && !e.Target.IsValid() {
		return "no port and no target; give the host port, the container port, or both", ""
	}
	for _, r := range []struct {
		r   ports.Range
		key string
	}{{e.Port, "port"}, {e.Target, "target"}} {
		if r.r.IsValid() && r.r.Lo() == 0 {
			return r.key + ": port 0 is not a port a service can declare", r.key
		}
	}
	if e.Port.IsValid() && e.Target.IsValid() && !e.Target.IsSingle() && e.Target.Len() != e.Port.Len() {
		return fmt.Sprintf("target %s has %d ports but port %s has %d; a target range must be as long as the port range",
			e.Target, e.Target.Len(), e.Port, e.Port.Len()), "target"
	}
	seen := map[ports.Protocol]bool{}
	for _, pr := range e.Protocols {
		if !pr.IsValid() {
			return "protocol: " + pr.String() + " is not a protocol", "protocol"
		}
		if seen[pr] {
			return "protocol: " + pr.String() + " listed twice", "protocol"
		}
		seen[pr] = true
	}
	if e.Address.IsValid() {
		if !e.Port.IsValid() {
			return "address without port; an address is where the host port is bound", "address"
		}
		if e.Address.Zone() != "" {
			return "address: zones are not allowed", "address"
		}
		switch {
		case e.Exposure == Localhost && !e.Address.IsLoopback():
			return fmt.Sprintf("exposure localhost but address %s is not a loopback address", e.Address), "exposure"
		case (e.Exposure == Public || e.Exposure == Internal) && e.Address.IsLoopback():
			return fmt.Sprintf("exposure %s but address %s is a loopback address; use exposure localhost", e.Exposure, e.Address), "exposure"
		}
	}
	if e.Exposure > Localhost {
		return "exposure: " + e.Exposure.String() + " is not an exposure", "exposure"
	}
	return "", ""
}

// portRange reads a port (1 to 65535, a number) or a range ("LO-HI" or a
// single port, a string).
func (p regParser) portRange(k, v *yaml.Node, key string) (ports.Range, error) {
	if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!float" {
		return ports.Range{}, p.errAt(v, "%s: %s is not written as a whole number; want a port number (1 to 65535) in decimal, or a range \"LO-HI\"", key, v.Value)
	}
	if v == nil || v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!str") {
		return ports.Range{}, p.errAt(k, "%s: want a port number or a range \"LO-HI\", got %s", key, kindName(v))
	}
	if v.Tag == "!!int" && strings.Trim(v.Value, "0123456789") != "" {
		return ports.Range{}, p.errAt(v, "%s: %s is not a port; want 1 to 65535 in decimal", key, v.Value)
	}
	r, err := ports.ParseRange(v.Value)
	if err != nil {
		return ports.Range{}, p.errAt(v, "%s: %s", key, plainParseError(err))
	}
	return r, nil
}

// protocols reads "tcp" or a list such as [udp, tcp].
func (p regParser) protocols(k, v *yaml.Node, key string) ([]ports.Protocol, error) {
	one := func(n *yaml.Node) (ports.Protocol, error) {
		s, ok := scalar(n)
		if !ok || n.Tag != "!!str" {
			return 0, p.errAt(n, "%s: want tcp, udp, sctp or dccp, got %s", key, kindName(n))
		}
		if pr, ok := protocolNames[s]; ok {
			return pr, nil
		}
		return 0, p.errAt(n, "%s: %q: want tcp, udp, sctp or dccp", key, s)
	}
	if v != nil && v.Kind == yaml.SequenceNode {
		if len(v.Content) == 0 {
			return nil, p.errAt(v, "%s: empty list; leave protocol out for tcp", key)
		}
		var out []ports.Protocol
		for _, n := range v.Content {
			pr, err := one(resolve(n))
			if err != nil {
				return nil, err
			}
			for _, q := range out {
				if q == pr {
					return nil, p.errAt(n, "%s: %s listed twice", key, pr)
				}
			}
			out = append(out, pr)
		}
		return out, nil
	}
	if v == nil {
		return nil, p.errAt(k, "%s: want tcp, udp, sctp or dccp, got nothing", key)
	}
	pr, err := one(v)
	if err != nil {
		return nil, err
	}
	return []ports.Protocol{pr}, nil
}

// protocolNames are the spellings the schema allows: all lower or all upper
// case.
var protocolNames = map[string]ports.Protocol{
	"tcp": ports.TCP, "udp": ports.UDP, "sctp": ports.SCTP, "dccp": ports.DCCP,
	"TCP": ports.TCP, "UDP": ports.UDP, "SCTP": ports.SCTP, "DCCP": ports.DCCP,
}

// ProjectName returns the project that r's declarations belong to: Project
// if set, else the base name of File's directory made into a compose
// project name (lower case; letters, digits, '-' and '_'), so that a
// registry and a compose file side by side name the same project.
func (r *Registry) ProjectName() string {
	if r.Project != "" {
		return r.Project
	}
	dir := filepath.Dir(r.File)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if name := loader.NormalizeProjectName(filepath.Base(dir)); name != "" {
		return name
	}
	return "default"
}

// Declarations returns one declaration per entry and protocol, in file
// order. An entry with a port is published on the host ([HostScope]); an
// entry with only a target is bound inside its service's container
// ([ContainerScope]).
func (r *Registry) Declarations() []Declaration {
	project := r.ProjectName()
	var out []Declaration
	for _, e := range r.Entries {
		protos := e.Protocols
		if len(protos) == 0 {
			protos = []ports.Protocol{ports.TCP}
		}
		for _, pr := range protos {
			d := Declaration{
				Protocol:    pr,
				Kind:        KindRegistry,
				Exposure:    e.Exposure,
				Project:     project,
				Service:     e.Service,
				Description: e.Description,
				Group:       e.Group,
				Pos:         e.Pos,
			}
			if e.Port.IsValid() {
				d.Endpoint = ports.EndpointFrom(pr, e.Address, e.Port)
				d.Addr = e.Address
				d.Target = e.Target
				d.Scope = HostScope()
			} else {
				d.Endpoint = ports.EndpointAnyAddr(pr, e.Target)
				d.Scope = ContainerScope(project, e.Service)
			}
			out = append(out, d)
		}
	}
	return out
}

// Marshal returns r in the registry format, keys in the documented order,
// with version first. It checks every entry as [ParseRegistry] does, so
// what it writes parses back to r (less File and Pos).
func (r *Registry) Marshal() ([]byte, error) {
	if r.Project != "" {
		if msg := checkName(r.Project); msg != "" {
			return nil, &Error{File: r.File, Msg: "Marshal: project: " + msg}
		}
	}
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(m *yaml.Node, key string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	}
	str := func(s string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
		if s == "<<" {
			// The encoder quotes every other string that would read back
			// as something else, but not the merge key.
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	}
	add(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(RegistryVersion)})
	if r.Project != "" {
		add(root, "project", str(r.Project))
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for i, e := range r.Entries {
		if msg, _ := checkEntry(e); msg != "" {
			return nil, &Error{File: r.File, Msg: fmt.Sprintf("Marshal: ports[%d]: %s", i, msg)}
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		add(m, "service", str(e.Service))
		for _, pr := range []struct {
			key string
			r   ports.Range
		}{{"port", e.Port}, {"target", e.Target}} {
			switch {
			case !pr.r.IsValid():
			case pr.r.IsSingle():
				add(m, pr.key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: pr.r.String()})
			default:
				add(m, pr.key, str(pr.r.String()))
			}
		}
		switch len(e.Protocols) {
		case 0:
		case 1:
			add(m, "protocol", str(e.Protocols[0].String()))
		default:
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, p := range e.Protocols {
				seq.Content = append(seq.Content, str(p.String()))
			}
			add(m, "protocol", seq)
		}
		if e.Address.IsValid() {
			add(m, "address", str(e.Address.String()))
		}
		if e.Exposure != 0 {
			add(m, "exposure", str(e.Exposure.String()))
		}
		if e.Group != "" {
			add(m, "group", str(e.Group))
		}
		if e.Description != "" {
			add(m, "description", str(e.Description))
		}
		list.Content = append(list.Content, m)
	}
	add(root, "ports", list)
	if len(r.Accepted) > 0 {
		acc := &yaml.Node{Kind: yaml.SequenceNode}
		for i, a := range r.Accepted {
			if msg := checkAccepted(a); msg != "" {
				return nil, &Error{File: r.File, Msg: fmt.Sprintf("Marshal: accepted[%d]: %s", i, msg)}
			}
			m := &yaml.Node{Kind: yaml.MappingNode}
			for _, l := range []struct {
				key  string
				list []string
			}{{"services", a.Services}, {"rules", a.Rules}} {
				if len(l.list) == 0 {
					continue
				}
				seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, s := range l.list {
					seq.Content = append(seq.Content, str(s))
				}
				add(m, l.key, seq)
			}
			add(m, "reason", str(a.Reason))
			acc.Content = append(acc.Content, m)
		}
		add(root, "accepted", acc)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, &Error{File: r.File, Msg: "Marshal", Err: err}
	}
	if err := enc.Close(); err != nil {
		return nil, &Error{File: r.File, Msg: "Marshal", Err: err}
	}
	return buf.Bytes(), nil
}
