package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"

	"go.yaml.in/yaml/v3"
)

// An object's digest (Declaration.ObjectDigest) is the SHA-256 of a
// canonical encoding of the object as Kubernetes decodes it, so that two
// copies that differ only in how they are written digest alike:
//
//   - mappings are written in the order of their keys' encodings, with
//     merge keys applied and aliases followed; comments, styles (block or
//     flow, quoted or plain) and anchors leave no trace;
//   - a scalar is written by the type Kubernetes reads it as: null, a
//     boolean (YAML 1.1's yes and on included), an integer in decimal
//     (0x50 and 80 are one), a float, or text; 80 and "80" differ, as they
//     do to the API server;
//   - what the cluster writes rather than the author is left out: the
//     object's status, and metadata's uid, resourceVersion, generation,
//     creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds,
//     selfLink and managedFields, so that an object exported with kubectl
//     get -o yaml digests as the manifest it was applied from.
//
// Each token is framed (a type letter, and a length before text), so that
// no two contents share an encoding.

// kubeServerFields are the fields of metadata that the cluster sets.
var kubeServerFields = []string{
	"creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp",
	"generation", "managedFields", "resourceVersion", "selfLink", "uid",
}

// kubeLevel says where in an object a mapping is, for what the digest
// leaves out.
type kubeLevel uint8

const (
	levelInner kubeLevel = iota
	levelRoot
	levelMeta
)

// digest returns "sha256:" and the hex digest of object root's canonical
// encoding. It visits the whole object, aliases followed, and so charges
// it to the document's budget. The encoding is written to a buffer and
// hashed at once: written token by token to the hash, each a call and a
// small allocation, it cost more than the hashing.
func (d *kubeDoc) digest(root *yaml.Node) (string, error) {
	c := kubeCanons.Get().(*kubeCanon)
	defer func() {
		if cap(c.buf) > 1<<20 || cap(c.keys) > 1<<20 {
			c.buf, c.keys, c.ents = nil, nil, nil // not kept for the next object
		}
		kubeCanons.Put(c)
	}()
	c.d, c.buf, c.keys, c.ents = d, c.buf[:0], c.keys[:0], c.ents[:0]
	err := c.node(&c.buf, root, 0, levelRoot)
	c.d = nil
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c.buf)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// kubeCanons holds kubeCanons to reuse, with their buffers.
var kubeCanons = sync.Pool{New: func() any { return new(kubeCanon) }}

type kubeCanon struct {
	d    *kubeDoc
	buf  []byte      // the object's encoding
	keys []byte      // the encodings of the keys of the mappings being written, as a stack
	ents []kubeEntry // their entries, as a stack
}

// kubeEntry is a pair of a mapping being written: its key's encoding
// (c.keys[from:to]) and its value.
type kubeEntry struct {
	from, to int
	value    *yaml.Node
	level    kubeLevel
}

// node appends the encoding of n to *w: c.buf, or c.keys for a key.
func (c *kubeCanon) node(w *[]byte, n *yaml.Node, depth int, level kubeLevel) error {
	n, done, err := c.d.follow(n)
	if err != nil {
		return err
	}
	defer done()
	if n == nil {
		*w = append(*w, 'n')
		return nil
	}
	if err := c.d.count(n); err != nil {
		return err
	}
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && depth >= kubeMaxDepth {
		return c.d.errAt(n, "nested more than %d levels deep", kubeMaxDepth)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		c.scalar(w, n)
		return nil
	case yaml.SequenceNode:
		*w = append(*w, '[')
		for _, e := range n.Content {
			if err := c.node(w, e, depth+1, levelInner); err != nil {
				return err
			}
		}
		*w = append(*w, ']')
		return nil
	case yaml.MappingNode:
		return c.mapping(w, n, depth, level)
	}
	return c.d.errAt(n, "unexpected YAML node")
}

func (c *kubeCanon) mapping(w *[]byte, m *yaml.Node, depth int, level kubeLevel) error {
	ps, err := c.d.pairs(m)
	if err != nil {
		return err
	}
	keys0, ents0 := len(c.keys), len(c.ents)
	defer func() { c.keys, c.ents = c.keys[:keys0], c.ents[:ents0] }()
	for _, p := range ps {
		next := levelInner
		if p.key.Kind == yaml.ScalarNode {
			switch {
			case level == levelRoot && p.key.Value == "status":
				continue
			case level == levelRoot && p.key.Value == "metadata":
				next = levelMeta
			case level == levelMeta && slices.Contains(kubeServerFields, p.key.Value):
				continue
			}
		}
		from := len(c.keys)
		if err := c.node(&c.keys, p.key, depth+1, levelInner); err != nil {
			return err
		}
		c.ents = append(c.ents, kubeEntry{from, len(c.keys), p.value, next})
	}
	es := c.ents[ents0:]
	slices.SortFunc(es, func(a, b kubeEntry) int {
		return bytes.Compare(c.keys[a.from:a.to], c.keys[b.from:b.to])
	})
	*w = append(*w, '{')
	for i := range es {
		e := c.ents[ents0+i] // the stack may move as values are written
		*w = append(*w, c.keys[e.from:e.to]...)
		if err := c.node(w, e.value, depth+1, e.level); err != nil {
			return err
		}
	}
	*w = append(*w, '}')
	return nil
}

// scalar appends the canonical encoding of scalar n to *w.
func (c *kubeCanon) scalar(w *[]byte, n *yaml.Node) {
	b := *w
	defer func() { *w = b }()
	if v, ok := kubeBool11(n); ok {
		if v {
			b = append(b, 't')
		} else {
			b = append(b, 'f')
		}
		return
	}
	switch n.Tag {
	case "!!null":
		b = append(b, 'n')
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			b = strconv.AppendInt(append(b, 'i'), i, 10)
		} else if u, err := strconv.ParseUint(n.Value, 0, 64); err == nil {
			b = strconv.AppendUint(append(b, 'i'), u, 10)
		} else {
			b = append(strconv.AppendInt(append(b, 'I'), int64(len(n.Value)), 10), ':')
			b = append(b, n.Value...)
		}
		b = append(b, ';')
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			b = strconv.AppendFloat(append(b, 'd'), f, 'g', -1, 64)
		} else {
			b = append(strconv.AppendInt(append(b, 'D'), int64(len(n.Value)), 10), ':')
			b = append(b, n.Value...)
		}
		b = append(b, ';')
	case "!!str", "!!timestamp":
		b = append(strconv.AppendInt(append(b, 's'), int64(len(n.Value)), 10), ':')
		b = append(b, n.Value...)
	default:
		b = append(strconv.AppendInt(append(b, 'x'), int64(len(n.Tag)), 10), ':')
		b = append(b, n.Tag...)
		b = append(strconv.AppendInt(b, int64(len(n.Value)), 10), ':')
		b = append(b, n.Value...)
	}
}
