package manifest

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// The Kubernetes reader's view of one YAML document: typed access to the
// fields it reads, each wrong type an error at the line of the value, and
// two bounds that hold whatever the input.
//
// Nesting: a document nested deeper than kubeMaxDepth is refused where the
// level that crosses the bound begins, both in the tree as written and in
// the walk that follows aliases (where an alias can nest its anchor's
// content inside itself).
//
// Aliases: the tree that the parser builds holds each alias as one node,
// but every walk that follows it visits what it names again. The walks
// that follow aliases (the object's digest, which visits everything, and
// the reading of its fields, which visits a part of the same) count every
// node they visit; the count may reach kubeAliasFloor, or kubeAliasFactor
// times the document's own nodes when that is more, and no further. The
// walks of a document without aliases visit each node a few times at
// most, far below the bound; a document whose aliases expand to much more
// than itself meets it, and the work of any document is so bounded by a
// constant times its size, the same rule as for the bytes of the file.
// Merge keys ("<<: *base") count too: a mapping brings its merged pairs
// once however often a merge names it (see kubeDoc.pairs).

const (
	kubeMaxDepth    = 1000
	kubeAliasFloor  = 20_000
	kubeAliasFactor = 10
)

// kubeDoc is one document of a Kubernetes stream being read.
type kubeDoc struct {
	file    string
	doc     int // index of the document in the stream, from 0
	lineOff int // lines of the stream before the chunk the parser saw

	own       int                 // nodes in the document as written
	visited   int                 // nodes visited by the walks that follow aliases
	lastAlias int                 // line of the alias last followed
	following map[*yaml.Node]bool // the nodes that aliases being followed name
	pairBuf   []kubePair          // where pairs takes the pairs of mappings without merges from
}

// errAt returns an *Error at node n (or with no line, for nil).
func (d *kubeDoc) errAt(n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: d.file, Doc: d.doc, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line+d.lineOff, n.Column
	}
	return e
}

// src returns the Position of node n.
func (d *kubeDoc) src(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line + d.lineOff, Column: n.Column, Doc: d.doc}
}

// checkTree walks the document as written, without following aliases: it
// counts its nodes, bounds its depth, and refuses a mapping that gives a
// key twice, as the API server does (a walk that read the first would read
// what Kubernetes never does).
func (d *kubeDoc) checkTree(n *yaml.Node, depth int) error {
	if n == nil {
		return nil
	}
	d.own++
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		if depth >= kubeMaxDepth {
			return d.errAt(n, "nested more than %d levels deep", kubeMaxDepth)
		}
	default:
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			if err := d.checkTree(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	var seen map[string]*yaml.Node
	if len(n.Content) > 16 {
		seen = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
			var first *yaml.Node
			if seen != nil {
				key := k.ShortTag() + " " + k.Value // 8080 and "8080" are two keys
				first = seen[key]
				if first == nil {
					seen[key] = k
				}
			} else {
				for j := 0; j < i; j += 2 {
					if o := n.Content[j]; o.Kind == yaml.ScalarNode && o.Value == k.Value && o.ShortTag() == k.ShortTag() {
						first = o
						break
					}
				}
			}
			if first != nil {
				return d.errAt(k, "key %q is given twice in one mapping (first on line %d)", k.Value, first.Line+d.lineOff)
			}
		}
		if err := d.checkTree(k, depth+1); err != nil {
			return err
		}
		if err := d.checkTree(n.Content[i+1], depth+1); err != nil {
			return err
		}
	}
	return nil
}

// follow resolves n, an alias or not, counting the alias: it returns the
// node to read and a function to call when done with it. It refuses an
// alias inside the node it names, and aliases that expand beyond the
// document's budget.
func (d *kubeDoc) follow(n *yaml.Node) (*yaml.Node, func(), error) {
	if n == nil || n.Kind != yaml.AliasNode {
		return n, func() {}, nil
	}
	t := n.Alias
	for i := 0; t != nil && t.Kind == yaml.AliasNode; i++ {
		if i == kubeMaxDepth {
			return nil, nil, d.errAt(n, "alias *%s: a chain of aliases more than %d long", n.Value, kubeMaxDepth)
		}
		t = t.Alias
	}
	if t == nil {
		return nil, nil, d.errAt(n, "alias *%s names nothing", n.Value)
	}
	if d.following[t] {
		return nil, nil, d.errAt(n, "alias *%s is inside the node it names", n.Value)
	}
	if d.following == nil {
		d.following = map[*yaml.Node]bool{}
	}
	d.following[t] = true
	d.lastAlias = n.Line + d.lineOff
	return t, func() { delete(d.following, t) }, nil
}

// count charges one visited node to the document's budget. The error
// names the line of the alias last followed.
func (d *kubeDoc) count(n *yaml.Node) error {
	d.visited++
	if limit := max(kubeAliasFloor, kubeAliasFactor*d.own); d.visited > limit {
		e := d.errAt(n, "aliases expand to more than %d nodes, in a document of %d; a manifest that repeats itself so much is refused", limit, d.own)
		e.Line, e.Column = d.lastAlias, 0
		return e
	}
	return nil
}

// kubePair is one key and value of a mapping, the value as written (an
// alias is not yet followed).
type kubePair struct {
	key, value *yaml.Node
}

// pairs returns the pairs of mapping m, merge keys applied: its own pairs
// first, then those its merges bring that it does not have, the first
// merge winning, as YAML's merge rule says. Each mapping a merge names is
// walked once, however many merges name it. Every node it visits is
// counted.
func (d *kubeDoc) pairs(m *yaml.Node) ([]kubePair, error) {
	merges := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = true
			break
		}
	}
	if !merges {
		// The pairs are taken from d.pairBuf, which only grows while
		// the document is read: each slice handed out stays as it is.
		n := len(m.Content) / 2
		if cap(d.pairBuf)-len(d.pairBuf) < n {
			d.pairBuf = make([]kubePair, 0, max(256, n))
		}
		from := len(d.pairBuf)
		for i := 0; i+1 < len(m.Content); i += 2 {
			if err := d.count(m.Content[i]); err != nil {
				return nil, err
			}
			d.pairBuf = append(d.pairBuf, kubePair{m.Content[i], m.Content[i+1]})
		}
		return d.pairBuf[from:len(d.pairBuf):len(d.pairBuf)], nil
	}
	var out []kubePair
	seen := map[string]bool{}
	walked := map[*yaml.Node]bool{}
	var walk func(m *yaml.Node, depth int) error
	walk = func(m *yaml.Node, depth int) error {
		if m == nil || m.Kind != yaml.MappingNode || walked[m] {
			return nil
		}
		if depth >= kubeMaxDepth {
			return d.errAt(m, "merges nested more than %d levels deep", kubeMaxDepth)
		}
		walked[m] = true
		var later []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if err := d.count(k); err != nil {
				return err
			}
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				later = append(later, v)
				continue
			}
			id := k.ShortTag() + " " + k.Value
			if k.Kind != yaml.ScalarNode {
				id = fmt.Sprintf("%p", k) // a complex key is its own
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, kubePair{k, v})
		}
		for _, v := range later {
			if err := d.mergeInto(v, depth, walk); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(m, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// mergeInto walks the value of a merge key: a mapping, or a list of them.
func (d *kubeDoc) mergeInto(v *yaml.Node, depth int, walk func(*yaml.Node, int) error) error {
	v, done, err := d.follow(v)
	if err != nil {
		return err
	}
	defer done()
	if v == nil {
		return nil
	}
	if err := d.count(v); err != nil {
		return err
	}
	switch v.Kind {
	case yaml.MappingNode:
		return walk(v, depth+1)
	case yaml.SequenceNode:
		for _, e := range v.Content {
			e, done, err := d.follow(e)
			if err != nil {
				return err
			}
			if err := d.count(e); err != nil {
				done()
				return err
			}
			if e.Kind != yaml.MappingNode {
				done()
				return d.errAt(e, "a merge key (<<) takes mappings, got %s", kubeKindName(e))
			}
			err = walk(e, depth+1)
			done()
			if err != nil {
				return err
			}
		}
		return nil
	}
	return d.errAt(v, "a merge key (<<) takes a mapping or a list of them, got %s", kubeKindName(v))
}

// kubeMap is a mapping of a document read for its fields: each field found
// by name, its value with aliases followed.
type kubeMap struct {
	node  *yaml.Node // nil for an absent or null mapping
	pairs []kubePair
}

// mapping reads v, the value of field path, as a mapping; an absent or
// null value gives an empty kubeMap.
func (d *kubeDoc) mapping(v *yaml.Node, path string) (kubeMap, error) {
	v, done, err := d.follow(v)
	if err != nil {
		return kubeMap{}, err
	}
	defer done()
	if kubeIsNull(v) {
		return kubeMap{}, nil
	}
	if err := d.count(v); err != nil {
		return kubeMap{}, err
	}
	if v.Kind != yaml.MappingNode {
		return kubeMap{}, d.errAt(v, "%s: want a mapping, got %s", path, kubeKindName(v))
	}
	ps, err := d.pairs(v)
	if err != nil {
		return kubeMap{}, err
	}
	return kubeMap{node: v, pairs: ps}, nil
}

// get returns the key and value (as written) of field name, or nils.
func (m kubeMap) get(name string) (k, v *yaml.Node) {
	for _, p := range m.pairs {
		if p.key.Kind == yaml.ScalarNode && p.key.Value == name && p.key.Tag != "!!merge" {
			return p.key, p.value
		}
	}
	return nil, nil
}

// list reads v, the value of field path, as a list: its entries as written.
// An absent or null value gives none.
func (d *kubeDoc) list(v *yaml.Node, path string) ([]*yaml.Node, error) {
	v, done, err := d.follow(v)
	if err != nil {
		return nil, err
	}
	defer done()
	if kubeIsNull(v) {
		return nil, nil
	}
	if err := d.count(v); err != nil {
		return nil, err
	}
	if v.Kind != yaml.SequenceNode {
		return nil, d.errAt(v, "%s: want a list, got %s", path, kubeKindName(v))
	}
	return v.Content, nil
}

// str reads v, the value of field path, as a string: "" for an absent or
// null value. A number, a boolean or a collection is refused, as the API
// server refuses it.
func (d *kubeDoc) str(v *yaml.Node, path string) (string, error) {
	v, done, err := d.follow(v)
	if err != nil {
		return "", err
	}
	defer done()
	if kubeIsNull(v) {
		return "", nil
	}
	if err := d.count(v); err != nil {
		return "", err
	}
	if v.Kind != yaml.ScalarNode || !kubeIsText(v) {
		return "", d.errAt(v, "%s: want a string, got %s", path, kubeKindName(v))
	}
	return v.Value, nil
}

// scalarNode reads v, the value of field path, as a scalar node, aliases
// followed; nil for an absent or null value.
func (d *kubeDoc) scalarNode(v *yaml.Node, path, want string) (*yaml.Node, error) {
	v, done, err := d.follow(v)
	if err != nil {
		return nil, err
	}
	defer done()
	if kubeIsNull(v) {
		return nil, nil
	}
	if err := d.count(v); err != nil {
		return nil, err
	}
	if v.Kind != yaml.ScalarNode {
		return nil, d.errAt(v, "%s: want %s, got %s", path, want, kubeKindName(v))
	}
	return v, nil
}

// boolean reads v, the value of field path, as a boolean as Kubernetes
// reads one: a plain scalar of YAML 1.1 (true, True, yes, on, y, and their
// false counterparts). set reports whether a value other than null is
// there.
func (d *kubeDoc) boolean(v *yaml.Node, path string) (val, set bool, err error) {
	n, err := d.scalarNode(v, path, "true or false")
	if err != nil || n == nil {
		return false, false, err
	}
	b, _, valid := boolean(n) // YAML 1.1's booleans, as the compose reader reads them
	if !valid {
		return false, false, d.errAt(n, "%s: want true or false, got %s", path, kubeKindName(n))
	}
	return b, true, nil
}

// kubeBool11 returns the value of n if it is a boolean of YAML 1.1, the
// YAML that Kubernetes reads: unquoted true, yes, on, y in their three
// cases, and their false counterparts.
func kubeBool11(n *yaml.Node) (v, ok bool) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return false, false
	}
	if n.Tag != "!!bool" && n.Tag != "!!str" {
		return false, false
	}
	switch n.Value {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return true, true
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return false, true
	}
	return false, false
}

// kubeIsNull reports whether n is absent or null.
func kubeIsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kubeIsText reports whether scalar n is text to Kubernetes: a string, or a
// date, which Kubernetes keeps as the text it is. A quoted scalar is text
// whatever it looks like; a plain true or 80 is not.
func kubeIsText(n *yaml.Node) bool {
	if n.Tag == "!!timestamp" {
		return true
	}
	if n.Tag != "!!str" {
		return false
	}
	_, isBool := kubeBool11(n)
	return !isBool
}

// kubeKindName names a node's kind for messages.
func kubeKindName(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if _, ok := kubeBool11(n); ok {
			return "a boolean"
		}
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!timestamp":
			return "a date"
		case "!!str":
			return "a string"
		case "!!merge":
			return "the merge key <<"
		}
		return "a value tagged " + strconv.Quote(n.Tag)
	}
	return "a YAML node"
}
