package manifest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
)

// The Kubernetes reader walks yaml.Node trees into the few fields it needs,
// rather than decoding into k8s.io/api types: that module is large, and the
// Node keeps the line of every field. The stream is read one document at
// a time (kube_stream.go); each document is walked through kubeDoc
// (kube_node.go), which types every field it reads and bounds the work
// that aliases make; kube_api.go says which apiVersions serve which kinds,
// kube_digest.go how an object is digested, and kube_render.go how a
// kustomization or a Helm template is told apart. A document written in
// the plain YAML most manifests are written in is parsed by kube_fast.go,
// which builds the parser's tree several times faster; the others by
// yaml.Unmarshal.
//
// What the API server refuses whatever the cluster is an error at its line,
// since applying the file would fail: a nodePort on a ClusterIP Service, a
// protocol other than TCP, UDP and SCTP in capitals, a quoted targetPort of
// digits alone (neither a number nor a name), a hostIP with a zone, and a
// kind under an apiVersion of Kubernetes' own that does not serve it. Two
// refusals are left to a check instead, the reader declaring the port as
// written: a nodePort outside the cluster's range, which only the cluster
// knows, and a hostPort that differs from its containerPort under
// hostNetwork. A containerPort with a hostPort is bound twice, in the pod
// and on the node, so it gives two declarations. A container of a pod on
// the host network that lists no ports gets those its image listens on by
// default (KindImage).

// ReadKubernetes reads Kubernetes manifests from r: one or more YAML (or
// JSON) documents, and the items of lists. name is used for messages. It
// reads r one document at a time and keeps only declarations.
//
// It reads the ports of Services (port, targetPort, nodePort, type) and the
// container ports of Pods, Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs, CronJobs and ReplicationControllers (containerPort,
// hostPort, hostIP, hostNetwork, and each container's image), at the
// apiVersions that serve them: v1, apps/v1, batch/v1 and the beta and alpha
// versions that served them before (apps/v1beta1, apps/v1beta2,
// extensions/v1beta1, batch/v1beta1, batch/v2alpha1). An object of another
// apiVersion, a custom resource named Service say, and objects of other
// kinds are skipped. A list is a v1 List or the list of one of those kinds
// (v1 ServiceList, apps/v1 DeploymentList). A namespace left out is
// "default".
//
// Each declaration names its object ([Declaration.Object]) and the digest
// of its content ([Declaration.ObjectDigest]), so that one object met in
// several files can be told from two.
//
// A field of the wrong type, a port out of range, what the API server
// refuses whatever the cluster (see the package documentation), a
// document nested deeper than 1,000 levels or whose aliases expand to
// much more than itself, and a kustomization or a Helm template
// ([ErrKustomization], [ErrHelmTemplate]) are errors, each an [*Error]
// naming the file and the line.
func ReadKubernetes(name string, r io.Reader) ([]Declaration, error) {
	if kustomizationName(name) {
		return nil, kustomizationError(name, 1, 0, 0)
	}
	s := newKubeSplitter(r)
	var out kubeOut
	var fast kubeFast
	var pairBuf []kubePair // the pairs of the last document's mappings, whose array the next reuses
	doc := 0
	for {
		piece, first, err := s.next()
		if err != nil {
			return nil, &Error{File: name, Msg: "reading manifests", Err: err}
		}
		if piece == nil {
			return out.all(), nil
		}
		if root, ok := fast.parse(piece); ok {
			d := &kubeDoc{file: name, doc: doc, lineOff: first - 1, pairBuf: pairBuf[:0]}
			doc++
			block := out.tail()
			n0 := len(block)
			tail, err := d.read(root, block)
			fast.keepDecls(tail[n0:])
			pairBuf = d.pairBuf
			out.setTail(tail)
			if err != nil {
				if h := helmError(name, d.doc, piece, first); h != nil && !errors.Is(err, ErrKustomization) {
					return nil, h
				}
				return nil, err
			}
			continue
		}
		next := kubeDocuments(piece)
		for {
			var n yaml.Node
			err := next(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if h := helmError(name, doc, piece, first); h != nil {
					return nil, h
				}
				e := kubeYAMLError(name, doc, first-1, err)
				// At the end of a piece without a final newline the parser
				// points past its last line: the fault is on that line.
				if last := first - 1 + yamlBreaks(piece) + 1; e.Line > last {
					e.Line = last
				}
				if e.Line == 0 {
					e.Line, e.Column = kubeUnknownAnchor(err, piece, first)
				}
				return nil, e
			}
			d := &kubeDoc{file: name, doc: doc, lineOff: first - 1, pairBuf: pairBuf[:0]}
			doc++
			if len(n.Content) != 1 || kubeIsNull(n.Content[0]) {
				continue
			}
			tail, err := d.read(n.Content[0], out.tail())
			out.setTail(tail)
			pairBuf = d.pairBuf
			if err != nil {
				if h := helmError(name, d.doc, piece, first); h != nil && !errors.Is(err, ErrKustomization) {
					return nil, h
				}
				return nil, err
			}
		}
	}
}

// kubeDocuments returns what decodes the documents of piece one by one,
// io.EOF after the last. A piece of one document (all but those that
// hold a "..." line) is parsed from its bytes by yaml.Unmarshal, without
// the copies and buffers of a Decoder reading it, which for a stream of
// many small objects were a tenth of the reading; both run the same parser.
func kubeDocuments(piece []byte) func(*yaml.Node) error {
	if bytes.HasPrefix(piece, []byte("...")) || bytes.Contains(piece, []byte("\n...")) || bytes.Contains(piece, []byte("\r...")) {
		dec := yaml.NewDecoder(bytes.NewReader(piece))
		return func(n *yaml.Node) error { return dec.Decode(n) }
	}
	done := false
	return func(n *yaml.Node) error {
		if done {
			return io.EOF
		}
		done = true
		if err := yaml.Unmarshal(piece, n); err != nil {
			return err
		}
		if n.Kind == 0 {
			return io.EOF // comments or directives only: no document
		}
		return nil
	}
}

// kubeOut gathers the declarations of a stream in blocks, into which each
// document's are read, and which all copies once into a slice of the
// length needed: appending each to one slice would copy them again each
// time it grows, which for a stream of many objects was a tenth of the
// reading.
type kubeOut struct {
	blocks [][]Declaration
	n      int
}

// tail returns the last block, with room for a document's declarations
// (a block that fills up as a document is read grows as a slice does);
// setTail takes it back with them.
func (o *kubeOut) tail() []Declaration {
	k := len(o.blocks)
	if k == 0 || cap(o.blocks[k-1])-len(o.blocks[k-1]) < 32 {
		o.blocks = append(o.blocks, make([]Declaration, 0, 256<<min(k, 6)))
		k++
	}
	return o.blocks[k-1]
}

// setTail stores b, the block tail returned with declarations appended.
func (o *kubeOut) setTail(b []Declaration) {
	k := len(o.blocks) - 1
	o.n += len(b) - len(o.blocks[k])
	o.blocks[k] = b
}

// all returns every declaration added, in order; nil for none.
func (o *kubeOut) all() []Declaration {
	if o.n == 0 {
		return nil
	}
	if len(o.blocks) == 1 {
		return o.blocks[0]
	}
	out := make([]Declaration, 0, o.n)
	for _, b := range o.blocks {
		out = append(out, b...)
	}
	return out
}

// read reads the document root, appending its declarations to out.
func (d *kubeDoc) read(root *yaml.Node, out []Declaration) ([]Declaration, error) {
	if err := d.checkTree(root, 0); err != nil {
		return out, err
	}
	return d.object(root, out, "", "", false)
}

// kubeObject is what every object says about itself.
type kubeObject struct {
	apiVersion, kind, name, namespace, group string
	id                                       string  // Declaration.Object
	labels                                   []Label // the pods' labels, sorted by key
	node                                     *yaml.Node
}

func (o kubeObject) String() string {
	return o.kind + " " + strconv.Quote(o.namespace+"/"+o.name)
}

// object reads the object n, appending its declarations to out. A list's
// items take defAPI and defKind (the list's element type) when they leave
// out their own.
func (d *kubeDoc) object(n *yaml.Node, out []Declaration, defAPI, defKind string, inList bool) ([]Declaration, error) {
	root, done, err := d.follow(n)
	if err != nil {
		return out, err
	}
	defer done()
	if root == nil || root.Kind != yaml.MappingNode {
		return out, d.errAt(root, "want a Kubernetes object (a mapping with apiVersion and kind), got %s", kubeKindName(root))
	}
	m, err := d.mapping(root, "object")
	if err != nil {
		return out, err
	}
	avKey, avNode := m.get("apiVersion")
	kindKey, kindNode := m.get("kind")
	apiVersion, err := d.str(avNode, "apiVersion")
	if err != nil {
		return out, err
	}
	kind, err := d.str(kindNode, "kind")
	if err != nil {
		return out, err
	}
	if kind == "" && apiVersion == "" && defKind != "" {
		apiVersion, kind = defAPI, defKind
	}
	if kind == "" {
		return out, d.errAt(firstNode(kindKey, root), "object has no kind")
	}
	if apiVersion == "" {
		return out, d.errAt(firstNode(avKey, kindKey), "%s: no apiVersion", kind)
	}
	if strings.HasPrefix(apiVersion, "kustomize.config.k8s.io/") && (kind == "Kustomization" || kind == "Component") {
		return out, kustomizationError(d.file, kindNode.Line+d.lineOff, kindNode.Column, d.doc)
	}
	if err := d.served(apiVersion, kind, avNode, kindNode); err != nil {
		return out, err
	}
	if apiVersion == "v1" && kind == "List" || strings.HasSuffix(kind, "List") && kubeListOf(apiVersion, kind) {
		if inList {
			return out, d.errAt(kindNode, "a %s inside a list", kind)
		}
		_, itemsNode := m.get("items")
		items, err := d.list(itemsNode, kind+": items")
		if err != nil {
			return out, err
		}
		elemAPI, elemKind := "", ""
		if kind != "List" {
			elemAPI, elemKind = apiVersion, strings.TrimSuffix(kind, "List")
		}
		for _, it := range items {
			if out, err = d.object(it, out, elemAPI, elemKind, true); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	shape, ok := kubeServed(apiVersion, kind)
	if !ok {
		return out, nil // someone else's kind, or one without ports
	}
	obj := kubeObject{apiVersion: apiVersion, kind: kind, node: root, namespace: "default"}
	_, metaNode := m.get("metadata")
	meta, err := d.mapping(metaNode, kind+": metadata")
	if err != nil {
		return out, err
	}
	var name, generateName string
	for _, f := range []struct {
		key string
		to  *string
	}{{"name", &name}, {"generateName", &generateName}, {"namespace", &obj.namespace}} {
		_, v := meta.get(f.key)
		s, err := d.str(v, kind+": metadata."+f.key)
		if err != nil {
			return out, err
		}
		if s != "" {
			*f.to = s
		}
	}
	obj.name = name
	if name == "" {
		obj.name = generateName
	}
	_, labelsNode := meta.get("labels")
	labels, err := d.stringMap(labelsNode, obj.String()+": metadata.labels")
	if err != nil {
		return out, err
	}
	obj.group = labels["app.kubernetes.io/part-of"]
	ignore, ignoreLine, err := d.ignoreAnnotation(meta, obj)
	if err != nil {
		return out, err
	}
	if name != "" {
		idKind := kind
		if kind == "ScheduledJob" {
			idKind = "CronJob" // renamed; the same objects
		}
		obj.id = kubeGroup(apiVersion, kind) + "/" + idKind + "/" + obj.namespace + "/" + name
	}
	_, specNode := m.get("spec")
	from := len(out)
	switch shape {
	case shapeService:
		out, err = d.service(obj, specNode, out)
	case shapePod:
		obj.labels = labelsOf(labels)
		out, err = d.podSpec(obj, specNode, "spec", out)
	case shapeTemplate:
		out, err = d.template(obj, specNode, "spec", out)
	case shapeJobTemplate:
		spec, err2 := d.mapping(specNode, obj.String()+": spec")
		if err2 != nil {
			return out, err2
		}
		_, jt := spec.get("jobTemplate")
		jtm, err2 := d.mapping(jt, obj.String()+": spec.jobTemplate")
		if err2 != nil {
			return out, err2
		}
		_, jspec := jtm.get("spec")
		out, err = d.template(obj, jspec, "spec.jobTemplate.spec", out)
	}
	if err != nil {
		return out, err
	}
	for i := from; i < len(out); i++ {
		out[i].Ignore, out[i].IgnoreLine = ignore, ignoreLine
	}
	if len(out) == from || obj.id == "" {
		return out, nil
	}
	sum, err := d.digest(root)
	if err != nil {
		return out, err
	}
	for i := from; i < len(out); i++ {
		out[i].Object, out[i].ObjectDigest = obj.id, sum
	}
	return out, nil
}

// IgnoreAnnotation is the annotation of a Kubernetes object that
// suppresses findings of a check on the object's ports; see
// [Declaration].Ignore.
const IgnoreAnnotation = "ports.portalloc.io/ignore"

// ignoreAnnotation returns the value of the object's IgnoreAnnotation and
// its line, or "" and 0. Other annotations are not read.
func (d *kubeDoc) ignoreAnnotation(meta kubeMap, obj kubeObject) (string, int, error) {
	_, an := meta.get("annotations")
	ann, err := d.mapping(an, obj.String()+": metadata.annotations")
	if err != nil {
		return "", 0, err
	}
	_, v := ann.get(IgnoreAnnotation)
	if v == nil {
		return "", 0, nil
	}
	s, err := d.str(v, obj.String()+": metadata.annotations."+IgnoreAnnotation)
	if err != nil {
		return "", 0, err
	}
	return s, v.Line + d.lineOff, nil
}

// served returns an error if kind (or the kind of the list kind names) is
// one the reader reads, apiVersion is of one of Kubernetes' own groups,
// and that apiVersion does not serve it: the API server refuses it.
func (d *kubeDoc) served(apiVersion, kind string, avNode, kindNode *yaml.Node) error {
	if !kubeOwnGroup(apiVersion) || apiVersion == "v1" && kind == "List" {
		return nil
	}
	base := kind
	if _, ok := kubeKnownKind(base); !ok {
		base = strings.TrimSuffix(kind, "List")
	}
	known, ok := kubeKnownKind(base)
	if !ok {
		return nil
	}
	if known != base {
		return d.errAt(kindNode, "kind %q: Kubernetes spells it %q", kind, strings.Replace(kind, base, known, 1))
	}
	if _, ok := kubeServed(apiVersion, base); ok {
		return nil
	}
	cur, _ := kubeCurrent(base)
	return d.errAt(avNode, "apiVersion %q does not serve kind %s; Kubernetes serves it as %s", apiVersion, base, cur)
}

// kubeListOf reports whether kind, ending in "List", is the list of a kind
// that apiVersion serves and the reader reads.
func kubeListOf(apiVersion, kind string) bool {
	_, ok := kubeServed(apiVersion, strings.TrimSuffix(kind, "List"))
	return ok
}

// firstNode returns the first of ns that is not nil.
func firstNode(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// stringMap reads v, the value of field path, as a mapping of strings to
// strings (labels, a selector).
func (d *kubeDoc) stringMap(v *yaml.Node, path string) (map[string]string, error) {
	m, err := d.mapping(v, path)
	if err != nil || m.node == nil {
		return nil, err
	}
	out := make(map[string]string, len(m.pairs))
	for _, p := range m.pairs {
		if p.key.Kind != yaml.ScalarNode {
			return nil, d.errAt(p.key, "%s: want string keys, got %s", path, kubeKindName(p.key))
		}
		if v := p.value; v != nil && v.Kind == yaml.ScalarNode && kubeIsText(v) {
			// What d.str does with text, without the path it would name.
			if err := d.count(v); err != nil {
				return nil, err
			}
			out[p.key.Value] = v.Value
			continue
		}
		s, err := d.str(p.value, path+"."+p.key.Value)
		if err != nil {
			return nil, err
		}
		out[p.key.Value] = s
	}
	return out, nil
}

// template reads the pod template of a workload, at path.template of the
// mapping spec: its pods' labels, then its pod spec.
func (d *kubeDoc) template(obj kubeObject, spec *yaml.Node, path string, out []Declaration) ([]Declaration, error) {
	sm, err := d.mapping(spec, obj.String()+": "+path)
	if err != nil {
		return out, err
	}
	_, tn := sm.get("template")
	tm, err := d.mapping(tn, obj.String()+": "+path+".template")
	if err != nil {
		return out, err
	}
	_, mn := tm.get("metadata")
	meta, err := d.mapping(mn, obj.String()+": "+path+".template.metadata")
	if err != nil {
		return out, err
	}
	_, ln := meta.get("labels")
	labels, err := d.stringMap(ln, obj.String()+": "+path+".template.metadata.labels")
	if err != nil {
		return out, err
	}
	obj.labels = labelsOf(labels)
	_, ps := tm.get("spec")
	return d.podSpec(obj, ps, path+".template.spec", out)
}

// port reads v, the value of field path, as a port number: 0 for an
// absent or null value, or, when unset is true, for 0 too (hostPort,
// nodePort and targetPort take 0 as not set).
func (d *kubeDoc) port(v *yaml.Node, path string, unset bool) (ports.Port, *yaml.Node, error) {
	n, err := d.scalarNode(v, path, "a port number")
	if err != nil || n == nil {
		return 0, n, err
	}
	if n.Tag != "!!int" {
		return 0, n, d.errAt(n, "%s: want a port number, got %s", path, kubeKindName(n))
	}
	if unset && isZero(n.Value) {
		return 0, n, nil
	}
	p, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || p < 1 || p > int64(ports.MaxPort) {
		return 0, n, d.errAt(n, "%s: %s is not a port; want 1 to 65535", path, n.Value)
	}
	return ports.Port(p), n, nil
}

// isZero reports whether s, an integer's text, is zero: 0, 00, +0, -0.
func isZero(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0") == ""
}

// protocol reads the protocol of a port entry; Kubernetes' default is
// TCP.
func (d *kubeDoc) protocol(v *yaml.Node, path string) (ports.Protocol, error) {
	n, err := d.scalarNode(v, path, "TCP, UDP or SCTP")
	if err != nil {
		return 0, err
	}
	if n == nil {
		return ports.TCP, nil
	}
	if !kubeIsText(n) {
		return 0, d.errAt(n, "%s: want TCP, UDP or SCTP, got %s", path, kubeKindName(n))
	}
	// The API server takes these three, spelt in capitals, and no other.
	switch s := n.Value; s {
	case "TCP":
		return ports.TCP, nil
	case "UDP":
		return ports.UDP, nil
	case "SCTP":
		return ports.SCTP, nil
	case "":
		return ports.TCP, nil
	default:
		if p, err := ports.ParseProtocol(s); err == nil && p != ports.DCCP {
			return 0, d.errAt(n, "%s: %q must be written %q; want TCP, UDP or SCTP", path, s, strings.ToUpper(s))
		}
		return 0, d.errAt(n, "%s: unknown protocol %q; want TCP, UDP or SCTP", path, s)
	}
}

func (d *kubeDoc) service(obj kubeObject, specNode *yaml.Node, out []Declaration) ([]Declaration, error) {
	at := obj.String() + ": spec"
	spec, err := d.mapping(specNode, at)
	if err != nil {
		return out, err
	}
	_, typeNode := spec.get("type")
	typ, err := d.str(typeNode, at+".type")
	if err != nil {
		return out, err
	}
	if typ == "" {
		typ = "ClusterIP" // an empty type is the default, as for Kubernetes
	}
	switch typ {
	case "ClusterIP", "NodePort", "LoadBalancer":
	case "ExternalName":
		return out, nil // an alias for a name elsewhere: binds nothing
	default:
		return out, d.errAt(typeNode, "%s.type: unknown Service type %q; want ClusterIP, NodePort, LoadBalancer or ExternalName", at, typ)
	}
	_, selNode := spec.get("selector")
	sel, err := d.stringMap(selNode, at+".selector")
	if err != nil {
		return out, err
	}
	selector := labelsOf(sel)
	allocNodePorts := true
	if typ == "LoadBalancer" {
		_, n := spec.get("allocateLoadBalancerNodePorts")
		v, set, err := d.boolean(n, at+".allocateLoadBalancerNodePorts")
		if err != nil {
			return out, err
		}
		allocNodePorts = v || !set
	}
	exposure := Internal
	if typ == "LoadBalancer" {
		exposure = Public
	}
	portsKey, portsNode := spec.get("ports")
	entries, err := d.list(portsNode, at+".ports")
	if err != nil {
		return out, err
	}
	block := blockComment(portsKey)
	for i, e := range entries {
		block = cmp.Or(kubeEntryComment(e), block)
		where := fmt.Sprintf("%s.ports[%d]", at, i)
		pm, err := d.mapping(e, where)
		if err != nil {
			return out, err
		}
		if pm.node == nil {
			return out, d.errAt(firstNode(e, portsNode), "%s: want a mapping, got null", where)
		}
		_, pn := pm.get("port")
		port, portNode, err := d.port(pn, where+".port", false)
		if err != nil {
			return out, err
		}
		if port == 0 {
			return out, d.errAt(pm.node, "%s: no port", where)
		}
		_, prn := pm.get("protocol")
		proto, err := d.protocol(prn, where+".protocol")
		if err != nil {
			return out, err
		}
		_, nn := pm.get("name")
		name, err := d.str(nn, where+".name")
		if err != nil {
			return out, err
		}
		target, targetName := port.Range(), ""
		// A targetPort of 0, "" or null is not set, and the port is its
		// target, as Kubernetes takes it.
		_, tn := pm.get("targetPort")
		tv, err := d.scalarNode(tn, where+".targetPort", "a port number or name")
		if err != nil {
			return out, err
		}
		switch {
		case tv == nil:
		case tv.Tag == "!!int":
			tp, _, err := d.port(tv, where+".targetPort", true)
			if err != nil {
				return out, err
			}
			if tp != 0 {
				target = tp.Range()
			}
		case !kubeIsText(tv):
			return out, d.errAt(tv, "%s.targetPort: want a port number or name, got %s", where, kubeKindName(tv))
		case tv.Value == "":
		case strings.Trim(tv.Value, "0123456789") == "":
			// The API server refuses it: a name needs a letter.
			return out, d.errAt(tv, "%s.targetPort: %q is a string of digits, which is neither a port number nor a port name; write it without quotes", where, tv.Value)
		default:
			target, targetName = ports.Range{}, tv.Value
		}
		_, npn := pm.get("nodePort")
		nodePort, npNode, err := d.port(npn, where+".nodePort", true)
		if err != nil {
			return out, err
		}
		if nodePort != 0 && typ == "ClusterIP" {
			return out, d.errAt(npNode, "%s.nodePort: a ClusterIP Service has no node ports; use type NodePort or LoadBalancer", where)
		}
		base := Declaration{
			Protocol:    proto,
			Target:      target,
			TargetName:  targetName,
			Project:     obj.namespace,
			Service:     obj.name,
			Name:        name,
			Description: cmp.Or(comment(pm.node), block),
			Group:       obj.group,
			Selector:    selector,
		}
		sd := base
		sd.Endpoint = ports.EndpointAnyAddr(proto, port.Range())
		sd.Scope, sd.Kind, sd.Exposure, sd.Pos = ServiceScope(obj.namespace, obj.name), KindService, exposure, d.src(portNode)
		out = append(out, sd)
		if typ == "ClusterIP" || (nodePort == 0 && !allocNodePorts) {
			continue
		}
		np := base
		np.Scope, np.Kind, np.Exposure, np.Pos = HostScope(), KindNodePort, Public, d.src(portNode)
		if nodePort == 0 {
			np.Ephemeral = true
		} else {
			np.Endpoint = ports.EndpointAnyAddr(proto, nodePort.Range())
			np.Pos = d.src(npNode)
		}
		out = append(out, np)
	}
	return out, nil
}

// podSpec reads the pod spec at path of obj.
func (d *kubeDoc) podSpec(obj kubeObject, specNode *yaml.Node, path string, out []Declaration) ([]Declaration, error) {
	at := obj.String() + ": " + path
	spec, err := d.mapping(specNode, at)
	if err != nil {
		return out, err
	}
	_, hn := spec.get("hostNetwork")
	hostNet, _, err := d.boolean(hn, at+".hostNetwork")
	if err != nil {
		return out, err
	}
	for _, list := range []string{"initContainers", "containers"} {
		_, cn := spec.get(list)
		cs, err := d.list(cn, at+"."+list)
		if err != nil {
			return out, err
		}
		for ci, c := range cs {
			where := fmt.Sprintf("%s.%s[%d]", at, list, ci)
			cm, err := d.mapping(c, where)
			if err != nil {
				return out, err
			}
			var name, image, restart string
			for _, f := range []struct {
				key string
				to  *string
			}{{"name", &name}, {"image", &image}, {"restartPolicy", &restart}} {
				_, v := cm.get(f.key)
				if *f.to, err = d.str(v, where+"."+f.key); err != nil {
					return out, err
				}
			}
			init := list == "initContainers" && restart != "Always"
			pk, pn := cm.get("ports")
			ps, err := d.list(pn, where+".ports")
			if err != nil {
				return out, err
			}
			block := blockComment(pk)
			for pi, p := range ps {
				block = cmp.Or(kubeEntryComment(p), block)
				c := kubeContainer{name: name, image: image, init: init, hostNet: hostNet, block: block}
				if out, err = d.containerPort(obj, c, p, fmt.Sprintf("%s.ports[%d]", where, pi), out); err != nil {
					return out, err
				}
			}
			if hostNet && !init && len(ps) == 0 {
				_, in := cm.get("image")
				out = imagePorts(out, Declaration{
					Project: obj.namespace, Service: obj.name, Container: name, Image: image,
					Group: obj.group, Labels: obj.labels, Pos: d.src(cmp.Or(in, c)),
				})
			}
		}
	}
	return out, nil
}

// kubeContainer is what a container's ports take from it and its pod,
// and the comment over the port's block.
type kubeContainer struct {
	name, image   string
	init, hostNet bool
	block         string
}

// kubeEntryComment returns the comment on the lines above entry e of a
// list of ports (which YAML gives the entry or its first key), or "". As
// for compose ports, such a comment, or the one above the list's key,
// describes each port of the list from there on that has no comment of
// its own.
func kubeEntryComment(e *yaml.Node) string {
	e = resolve(e)
	if e == nil {
		return ""
	}
	if c := cleanComment(e.HeadComment); c != "" {
		return c
	}
	if e.Kind == yaml.MappingNode && len(e.Content) > 0 {
		return cleanComment(e.Content[0].HeadComment)
	}
	return ""
}

func (d *kubeDoc) containerPort(obj kubeObject, c kubeContainer, entry *yaml.Node, where string, out []Declaration) ([]Declaration, error) {
	pm, err := d.mapping(entry, where)
	if err != nil {
		return out, err
	}
	if pm.node == nil {
		return out, d.errAt(entry, "%s: want a mapping, got null", where)
	}
	_, cpn := pm.get("containerPort")
	cp, cpNode, err := d.port(cpn, where+".containerPort", false)
	if err != nil {
		return out, err
	}
	if cp == 0 {
		return out, d.errAt(pm.node, "%s: no containerPort", where)
	}
	_, hpn := pm.get("hostPort")
	hp, hpNode, err := d.port(hpn, where+".hostPort", true)
	if err != nil {
		return out, err
	}
	_, prn := pm.get("protocol")
	proto, err := d.protocol(prn, where+".protocol")
	if err != nil {
		return out, err
	}
	var hostIP netip.Addr
	// An empty or null hostIP is the default: every address.
	_, hin := pm.get("hostIP")
	hv, err := d.scalarNode(hin, where+".hostIP", "an IP address")
	if err != nil {
		return out, err
	}
	if hv != nil {
		if !kubeIsText(hv) {
			return out, d.errAt(hv, "%s.hostIP: want an IP address, got %s", where, kubeKindName(hv))
		}
		if s := hv.Value; s != "" {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return out, d.errAt(hv, "%s.hostIP: %q is not an IP address", where, s)
			}
			if a.Zone() != "" {
				return out, d.errAt(hv, "%s.hostIP: %q has a zone; want a plain IP address", where, s)
			}
			hostIP = a.Unmap()
		}
	}
	_, nn := pm.get("name")
	name, err := d.str(nn, where+".name")
	if err != nil {
		return out, err
	}
	base := Declaration{
		Protocol:      proto,
		Project:       obj.namespace,
		Service:       obj.name,
		Container:     c.name,
		Image:         c.image,
		InitContainer: c.init,
		Name:          name,
		Description:   cmp.Or(comment(pm.node), c.block),
		Group:         obj.group,
		Labels:        obj.labels,
		Pos:           d.src(cpNode),
	}
	if c.hostNet {
		// The API server refuses a pod whose hostPort differs from its
		// containerPort under hostNetwork; the declaration keeps what was
		// written (HostPort), for a check to say so.
		h := base
		h.Endpoint = ports.EndpointAnyAddr(proto, cp.Range())
		h.Scope, h.Kind, h.Exposure = HostScope(), KindHostNetwork, Public
		h.HostPort = hp
		return append(out, h), nil
	}
	cd := base
	cd.Endpoint = ports.EndpointAnyAddr(proto, cp.Range())
	pod := obj.name
	if obj.kind != "Pod" {
		pod = strings.ToLower(obj.kind) + "/" + obj.name
	}
	cd.Scope, cd.Kind, cd.Exposure = PodScope(obj.namespace, pod), KindContainerPort, Internal
	out = append(out, cd)
	if hp != 0 {
		h := base
		h.Endpoint = ports.EndpointFrom(proto, hostIP, hp.Range())
		h.Addr = hostIP
		h.Target = cp.Range()
		h.Scope, h.Kind, h.Exposure, h.Pos = HostScope(), KindHostPort, exposureOfAddr(hostIP), d.src(hpNode)
		out = append(out, h)
	}
	return out, nil
}

// valueOf returns the value of key in mapping m, or nil. The compose
// reader uses it; the Kubernetes reader reads mappings through kubeDoc.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	_, v := get(m, key)
	return v
}
