package manifest

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown"
	"go.yaml.in/yaml/v3"
)

// The Kubernetes reader walks yaml.Node trees into the few fields it needs,
// rather than decoding into k8s.io/api types: that module is large, and the
// Node keeps the line of every field.

// ReadKubernetes reads Kubernetes manifests from r: one or more YAML (or
// JSON) documents, and the items of kind List. name is used for messages.
//
// It reads the ports of Services (port, targetPort, nodePort, type) and the
// container ports of Pods, Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs, CronJobs and ReplicationControllers (containerPort,
// hostPort, hostIP, hostNetwork); it ignores other kinds. A namespace left
// out is "default".
func ReadKubernetes(name string, r io.Reader) ([]Declaration, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{File: name, Msg: "reading manifests", Err: err}
	}
	docs, err := decodeYAML(name, data)
	if err != nil {
		return nil, err
	}
	var out []Declaration
	for _, d := range docs {
		kr := &kubeReader{file: name, doc: d.doc}
		if err := kr.object(d.root, 0); err != nil {
			return nil, err
		}
		out = append(out, kr.out...)
	}
	return out, nil
}

// kubeReader reads one document.
type kubeReader struct {
	file string
	doc  int
	out  []Declaration
}

// errAt returns an *Error at node n.
func (kr *kubeReader) errAt(n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: kr.file, Doc: kr.doc, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

func (kr *kubeReader) src(n *yaml.Node) Source {
	return Source{File: kr.file, Line: n.Line, Column: n.Column, Doc: kr.doc}
}

// kubeObject is what every object says about itself.
type kubeObject struct {
	kind, name, namespace, group string
	labels                       string // the pods' labels, as labelString
	node                         *yaml.Node
}

func (o kubeObject) String() string {
	return o.kind + " " + strconv.Quote(o.namespace+"/"+o.name)
}

// object reads one object; depth counts List nesting.
func (kr *kubeReader) object(root *yaml.Node, depth int) error {
	root = resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return kr.errAt(root, "want a Kubernetes object (a mapping with apiVersion and kind), got %s", kindName(root))
	}
	kindKey, kindNode := get(root, "kind")
	kind, ok := scalar(kindNode)
	if !ok {
		if kindKey != nil {
			return kr.errAt(kindKey, "kind: want a string, got %s", kindName(kindNode))
		}
		return kr.errAt(root, "object has no kind")
	}
	if kind == "List" || (len(kind) > 4 && kind[len(kind)-4:] == "List") {
		if depth > 0 {
			return kr.errAt(kindKey, "a %s inside a List", kind)
		}
		_, list := get(root, "items")
		for _, it := range items(list) {
			if err := kr.object(it, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	obj := kubeObject{kind: kind, node: root, namespace: "default"}
	_, meta := get(root, "metadata")
	if s, ok := scalar(valueOf(meta, "name")); ok {
		obj.name = s
	} else if s, ok := scalar(valueOf(meta, "generateName")); ok {
		obj.name = s
	}
	if s, ok := scalar(valueOf(meta, "namespace")); ok && s != "" {
		obj.namespace = s
	}
	if s, ok := scalar(valueOf(valueOf(meta, "labels"), "app.kubernetes.io/part-of")); ok {
		obj.group = s
	}
	_, spec := get(root, "spec")
	switch kind {
	case "Service":
		return kr.service(obj, spec)
	case "Pod":
		return kr.podTemplate(obj, root) // a Pod is its own template
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController":
		return kr.podTemplate(obj, valueOf(spec, "template"))
	case "CronJob":
		return kr.podTemplate(obj, valueOf(valueOf(valueOf(spec, "jobTemplate"), "spec"), "template"))
	}
	return nil
}

// podTemplate reads the pod template of a workload: its pods' labels, then
// its pod spec.
func (kr *kubeReader) podTemplate(obj kubeObject, tmpl *yaml.Node) error {
	obj.labels = labelString(valueOf(valueOf(tmpl, "metadata"), "labels"))
	return kr.podSpec(obj, valueOf(tmpl, "spec"))
}

// labelString writes the string-to-string mapping m (labels, a selector) as
// "key=value,key=value", sorted by key; "" for none.
func labelString(m *yaml.Node) string {
	var kv []string
	for _, p := range pairs(m) {
		if v, ok := scalar(p.value); ok {
			kv = append(kv, p.key.Value+"="+v)
		}
	}
	slices.Sort(kv)
	return strings.Join(kv, ",")
}

// DefaultNodePortRange returns 30000-32767, the range Kubernetes allocates
// nodePorts from unless kube-apiserver's --service-node-port-range says
// otherwise: [wellknown.NodePortRange], here beside the reader that needs it.
// A nodePort outside the cluster's range is refused by the API server; the
// declarations of [KindNodePort] carry the values to check.
func DefaultNodePortRange() ports.Range {
	return wellknown.NodePortRange()
}

// valueOf returns the value of key in mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	_, v := get(m, key)
	return v
}

// portField reads key of mapping m as a port number. It returns 0, nil when
// the key is absent.
func (kr *kubeReader) portField(m *yaml.Node, key, where string) (ports.Port, *yaml.Node, error) {
	k, v := get(m, key)
	if k == nil {
		return 0, nil, nil
	}
	return kr.port(k, v, key, where)
}

// optionalPortField is portField for a field that Kubernetes takes as not
// set when it is 0 or null (hostPort, nodePort, targetPort): those give 0
// and no error, as an absent key does.
func (kr *kubeReader) optionalPortField(m *yaml.Node, key, where string) (ports.Port, *yaml.Node, error) {
	k, v := get(m, key)
	if k == nil || v == nil || v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Tag == "!!int" && isZero(v.Value)) {
		return 0, v, nil
	}
	return kr.port(k, v, key, where)
}

// isZero reports whether s, an integer's text, is zero: 0, 00, +0, -0.
func isZero(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0") == ""
}

// port reads v, the value of key k, as a port number.
func (kr *kubeReader) port(k, v *yaml.Node, key, where string) (ports.Port, *yaml.Node, error) {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		return 0, v, kr.errAt(k, "%s.%s: want a port number, got %s", where, key, kindName(v))
	}
	var n int64
	if err := v.Decode(&n); err != nil || n < 1 || n > int64(ports.MaxPort) {
		return 0, v, kr.errAt(v, "%s.%s: %s is not a port; want 1 to 65535", where, key, v.Value)
	}
	return ports.Port(n), v, nil
}

// protocolField reads the protocol of a port entry; Kubernetes' default is
// TCP.
func (kr *kubeReader) protocolField(m *yaml.Node, where string) (ports.Protocol, error) {
	k, v := get(m, "protocol")
	if k == nil {
		return ports.TCP, nil
	}
	s, ok := scalar(v)
	if !ok {
		return 0, kr.errAt(k, "%s.protocol: want TCP, UDP or SCTP, got %s", where, kindName(v))
	}
	// The API server takes these three, spelt in capitals, and no other.
	switch s {
	case "TCP":
		return ports.TCP, nil
	case "UDP":
		return ports.UDP, nil
	case "SCTP":
		return ports.SCTP, nil
	}
	if p, err := ports.ParseProtocol(s); err == nil && p != ports.DCCP {
		return 0, kr.errAt(v, "%s.protocol: %q must be written %q; want TCP, UDP or SCTP", where, s, strings.ToUpper(s))
	}
	return 0, kr.errAt(v, "%s.protocol: unknown protocol %q; want TCP, UDP or SCTP", where, s)
}

func (kr *kubeReader) service(obj kubeObject, spec *yaml.Node) error {
	typ := "ClusterIP"
	if s, ok := scalar(valueOf(spec, "type")); ok && s != "" {
		typ = s // an empty type is the default, as for Kubernetes
	}
	switch typ {
	case "ClusterIP", "NodePort", "LoadBalancer":
	case "ExternalName":
		return nil // an alias for a name elsewhere: binds nothing
	default:
		return kr.errAt(valueOf(spec, "type"), "%s: spec.type: unknown Service type %q; want ClusterIP, NodePort, LoadBalancer or ExternalName", obj, typ)
	}
	selector := labelString(valueOf(spec, "selector"))
	allocNodePorts := true
	if typ == "LoadBalancer" {
		k, n := get(spec, "allocateLoadBalancerNodePorts")
		v, ok, valid := boolean(n)
		if !valid {
			return kr.errAt(k, "%s: spec.allocateLoadBalancerNodePorts: want true or false", obj)
		}
		allocNodePorts = v || !ok
	}
	exposure := Internal
	if typ == "LoadBalancer" {
		exposure = Public
	}
	for i, it := range items(valueOf(spec, "ports")) {
		where := fmt.Sprintf("%s: spec.ports[%d]", obj, i)
		if it.Kind != yaml.MappingNode {
			return kr.errAt(it, "%s: want a mapping, got %s", where, kindName(it))
		}
		port, portNode, err := kr.portField(it, "port", where)
		if err != nil {
			return err
		}
		if port == 0 {
			return kr.errAt(it, "%s: no port", where)
		}
		proto, err := kr.protocolField(it, where)
		if err != nil {
			return err
		}
		name, _ := scalar(valueOf(it, "name"))
		target, targetName := port.Range(), ""
		// A targetPort of 0, "" or null is not set, and the port is its
		// target, as Kubernetes takes it.
		if tk, tv := get(it, "targetPort"); tk != nil {
			s, ok := scalar(tv)
			switch {
			case tv != nil && tv.Kind == yaml.ScalarNode && tv.Tag == "!!null":
			case !ok:
				return kr.errAt(tk, "%s.targetPort: want a port number or name, got %s", where, kindName(tv))
			case tv.Tag == "!!int":
				tp, _, err := kr.optionalPortField(it, "targetPort", where)
				if err != nil {
					return err
				}
				if tp != 0 {
					target = tp.Range()
				}
			case s == "":
			case strings.Trim(s, "0123456789") == "":
				// The API server refuses it: a name needs a letter.
				return kr.errAt(tv, "%s.targetPort: %q is a string of digits, which is neither a port number nor a port name; write it without quotes", where, s)
			default:
				target, targetName = ports.Range{}, s
			}
		}
		nodePort, npNode, err := kr.optionalPortField(it, "nodePort", where)
		if err != nil {
			return err
		}
		if nodePort != 0 && typ == "ClusterIP" {
			return kr.errAt(npNode, "%s.nodePort: a ClusterIP Service has no node ports; use type NodePort or LoadBalancer", where)
		}
		base := Declaration{
			Protocol:    proto,
			Target:      target,
			TargetName:  targetName,
			Project:     obj.namespace,
			Service:     obj.name,
			Name:        name,
			Description: comment(it),
			Group:       obj.group,
			Selector:    selector,
		}
		d := base
		d.Endpoint = ports.EndpointFrom(proto, netip.Addr{}, port.Range())
		d.Scope, d.Kind, d.Exposure, d.Source = ServiceScope(obj.namespace, obj.name), KindService, exposure, kr.src(portNode)
		kr.out = append(kr.out, d)
		if typ == "ClusterIP" || (nodePort == 0 && !allocNodePorts) {
			continue
		}
		np := base
		np.Scope, np.Kind, np.Exposure, np.Source = HostScope(), KindNodePort, Public, kr.src(portNode)
		if nodePort == 0 {
			np.Ephemeral = true
		} else {
			np.Endpoint = ports.EndpointFrom(proto, netip.Addr{}, nodePort.Range())
			np.Source = kr.src(npNode)
		}
		kr.out = append(kr.out, np)
	}
	return nil
}

func (kr *kubeReader) podSpec(obj kubeObject, spec *yaml.Node) error {
	spec = resolve(spec)
	if spec == nil {
		return nil
	}
	if spec.Kind != yaml.MappingNode {
		return kr.errAt(spec, "%s: pod spec: want a mapping, got %s", obj, kindName(spec))
	}
	hk, hn := get(spec, "hostNetwork")
	hostNet, _, valid := boolean(hn)
	if !valid {
		return kr.errAt(hk, "%s: pod spec: hostNetwork: want true or false", obj)
	}
	for _, list := range []string{"initContainers", "containers"} {
		for ci, c := range items(valueOf(spec, list)) {
			cname, _ := scalar(valueOf(c, "name"))
			restart, _ := scalar(valueOf(c, "restartPolicy"))
			init := list == "initContainers" && restart != "Always"
			for pi, it := range items(valueOf(c, "ports")) {
				where := fmt.Sprintf("%s: %s[%d].ports[%d]", obj, list, ci, pi)
				if err := kr.containerPort(obj, cname, init, it, hostNet, where); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (kr *kubeReader) containerPort(obj kubeObject, container string, init bool, it *yaml.Node, hostNet bool, where string) error {
	if it.Kind != yaml.MappingNode {
		return kr.errAt(it, "%s: want a mapping, got %s", where, kindName(it))
	}
	cp, cpNode, err := kr.portField(it, "containerPort", where)
	if err != nil {
		return err
	}
	if cp == 0 {
		return kr.errAt(it, "%s: no containerPort", where)
	}
	hp, hpNode, err := kr.optionalPortField(it, "hostPort", where)
	if err != nil {
		return err
	}
	proto, err := kr.protocolField(it, where)
	if err != nil {
		return err
	}
	var hostIP netip.Addr
	// An empty or null hostIP is the default: every address.
	if hk, hv := get(it, "hostIP"); hk != nil {
		if hv = resolve(hv); hv != nil && hv.Kind != yaml.ScalarNode {
			return kr.errAt(hk, "%s.hostIP: want an IP address, got %s", where, kindName(hv))
		}
		if s, _ := scalar(hv); s != "" {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return kr.errAt(hk, "%s.hostIP: %q is not an IP address", where, s)
			}
			if a.Zone() != "" {
				return kr.errAt(hk, "%s.hostIP: %q has a zone; want a plain IP address", where, s)
			}
			hostIP = a.Unmap()
		}
	}
	name, _ := scalar(valueOf(it, "name"))
	base := Declaration{
		Protocol:      proto,
		Project:       obj.namespace,
		Service:       obj.name,
		Container:     container,
		InitContainer: init,
		Name:          name,
		Description:   comment(it),
		Group:         obj.group,
		Labels:        obj.labels,
		Source:        kr.src(cpNode),
	}
	if hostNet {
		if hp != 0 && hp != cp {
			return kr.errAt(hpNode, "%s.hostPort: with hostNetwork, hostPort %d must equal containerPort %d", where, hp, cp)
		}
		d := base
		d.Endpoint = ports.EndpointFrom(proto, netip.Addr{}, cp.Range())
		d.Scope, d.Kind, d.Exposure = HostScope(), KindHostNetwork, Public
		kr.out = append(kr.out, d)
		return nil
	}
	d := base
	d.Endpoint = ports.EndpointFrom(proto, netip.Addr{}, cp.Range())
	pod := obj.name
	if obj.kind != "Pod" {
		pod = strings.ToLower(obj.kind) + "/" + obj.name
	}
	d.Scope, d.Kind, d.Exposure = PodScope(obj.namespace, pod), KindContainerPort, Internal
	kr.out = append(kr.out, d)
	if hp != 0 {
		h := base
		h.Endpoint = ports.EndpointFrom(proto, hostIP, hp.Range())
		h.Addr = hostIP
		h.Target = cp.Range()
		h.Scope, h.Kind, h.Exposure, h.Source = HostScope(), KindHostPort, exposureOfAddr(hostIP), kr.src(hpNode)
		kr.out = append(kr.out, h)
	}
	return nil
}
