package manifest

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Every reader keeps positions by decoding into yaml.Node trees and walking
// them, rather than into structs: a Node carries its line and column, and a
// walk can say which key of which entry is at fault.

// maxAliasDepth bounds alias chains, so that crafted input cannot make a
// walk loop or blow up.
const maxAliasDepth = 64

// yamlDoc is one document of a YAML stream: its root node (the content of
// the document node) and its index in the stream.
type yamlDoc struct {
	root *yaml.Node
	doc  int
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeYAML decodes every document of data. Empty documents are skipped.
// A syntax error becomes an *Error naming name and, when the parser gives
// it, the line.
func decodeYAML(name string, data []byte) ([]yamlDoc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []yamlDoc
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, yamlError(name, i, err)
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			root := n.Content[0]
			if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
				continue
			}
			if k, first := duplicateKey(root); k != nil {
				return docs, &Error{File: name, Line: k.Line, Column: k.Column, Doc: i,
					Msg: "key " + strconv.Quote(k.Value) + " is given twice in one mapping (first on line " + strconv.Itoa(first.Line) + ")"}
			}
			docs = append(docs, yamlDoc{root: root, doc: i})
		}
	}
}

// duplicateKey returns the second of two equal keys of a mapping under n,
// and the first, or nils. YAML wants the keys of a mapping distinct, and
// Kubernetes and compose refuse a file that repeats one; a walk that took
// the first would read what they never do. Merge keys ("<<") may repeat.
// Aliases are not followed (an alias node holds no content of its own): the
// node they name is walked where it stands, once.
func duplicateKey(n *yaml.Node) (second, first *yaml.Node) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				key := k.ShortTag() + " " + k.Value // 8080 and "8080" are two keys
				if f, ok := seen[key]; ok {
					return k, f
				}
				seen[key] = k
			}
			if s, f := duplicateKey(n.Content[i+1]); s != nil {
				return s, f
			}
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if s, f := duplicateKey(e); s != nil {
				return s, f
			}
		}
	}
	return nil, nil
}

func yamlError(name string, doc int, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Doc: doc, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Doc: doc, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// resolve follows alias nodes to the node they name. It returns nil for a
// nil node or an alias chain too long to be honest.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i == maxAliasDepth {
			return nil
		}
		n = n.Alias
	}
	return n
}

// pair is one key and value of a mapping.
type pair struct {
	key, value *yaml.Node
}

// pairs returns the entries of mapping m, own keys first and then those
// brought in by merge keys ("<<: *base"), without duplicates: an own key
// hides a merged one, as YAML's merge rule says. It returns nil if m is not
// a mapping.
//
// A mapping merged twice brings nothing the first time did not, so each is
// walked once: merge lists that name one anchor many times over, level upon
// level, cost what the distinct mappings cost, not their product.
func pairs(m *yaml.Node) []pair {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	return appendPairs(nil, m, map[string]bool{}, map[*yaml.Node]bool{}, 0)
}

// maxMergeDepth bounds the nesting of merges that a walk follows. An alias
// names an anchor defined before it, so merges cannot loop, and each
// mapping is walked once; the bound only keeps the walk's stack in reason.
// It is far above any honest file, where a depth limit cut short would
// change what the merges bring.
const maxMergeDepth = 10000

func appendPairs(out []pair, m *yaml.Node, seen map[string]bool, walked map[*yaml.Node]bool, depth int) []pair {
	if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth || walked[m] {
		return out
	}
	walked[m] = true
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), m.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k, v})
	}
	for _, v := range merges {
		v = resolve(v)
		if v == nil {
			continue
		}
		switch v.Kind {
		case yaml.MappingNode:
			out = appendPairs(out, v, seen, walked, depth+1)
		case yaml.SequenceNode:
			for _, e := range v.Content {
				out = appendPairs(out, resolve(e), seen, walked, depth+1)
			}
		}
	}
	return out
}

// get returns the key and value nodes of key in mapping m (following merge
// keys and aliases), or nils.
func get(m *yaml.Node, key string) (k, v *yaml.Node) {
	for _, p := range pairs(m) {
		if p.key.Value == key {
			return p.key, resolve(p.value)
		}
	}
	return nil, nil
}

// scalar returns the value of n if it is a non-null scalar.
func scalar(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// boolean returns the value of n if it is a boolean as Kubernetes reads
// one: a plain scalar of YAML 1.1 (true, True, TRUE, yes, on, y and their
// false counterparts). A missing or null n is absent, not false: ok reports
// whether n is there, and valid whether it is a boolean.
func boolean(n *yaml.Node) (v, ok, valid bool) {
	n = resolve(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return false, false, true
	}
	if n.Kind != yaml.ScalarNode || n.Style != 0 {
		return false, true, false // a mapping, a list, or quoted: a string
	}
	switch n.Value {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return true, true, true
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return false, true, true
	}
	return false, true, false
}

// items returns the entries of sequence n, aliases resolved (nil entries
// dropped), or nil if n is not a sequence.
func items(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, e := range n.Content {
		if e := resolve(e); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// comment returns the comment that describes entry n, without the leading
// "#" and white space: the comment on its line, or for a mapping (a compose
// long-syntax port, a Kubernetes port) the comment on the line of one of
// its keys or values, or else the comment on the lines just above it.
func comment(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if c := cleanComment(n.LineComment); c != "" {
		return c
	}
	if n.Kind == yaml.MappingNode {
		for _, c := range n.Content {
			if s := cleanComment(c.LineComment); s != "" {
				return s
			}
		}
	}
	if c := cleanComment(n.HeadComment); c != "" {
		return c
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		return cleanComment(n.Content[0].HeadComment)
	}
	return ""
}

// cleanComment strips the "#" of each line of c and joins the lines with
// spaces.
func cleanComment(c string) string {
	var parts []string
	for _, line := range strings.Split(c, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimLeft(line, "#"))
		if line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, " ")
}

// kindName names a node's kind for error messages.
func kindName(n *yaml.Node) string {
	n = resolve(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!float":
			return "a number"
		case "!!timestamp":
			return "a date"
		case "!!merge":
			return "the merge key <<"
		}
		return "a string"
	}
	return "a YAML node"
}

// fieldOf returns the value of key in mapping m (aliases resolved), or nil.
func fieldOf(m *yaml.Node, key string) *yaml.Node {
	_, v := get(m, key)
	return v
}
