package manifest

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The Kubernetes reader's fast path: most manifests are written in a small
// part of YAML (block mappings and lists by indentation, one-line plain
// and quoted scalars, one-line flow collections, comments after values),
// and for a stream of many objects, yaml.Unmarshal building each tree was
// two thirds of the reading. kubeFast builds the tree that yaml.Unmarshal
// builds for such a document — the same kinds, tags, values, styles,
// lines, columns and line comments — in a few passes over its bytes, its
// nodes taken from slabs that the next document reuses, and its values
// substrings of one string per document. Anything outside that part of
// YAML makes it give up, at once and without a word, and the document is
// parsed by yaml.Unmarshal as before: anchors, aliases, tags, block
// scalars, scalars over several lines, escapes, comments on lines of their
// own (but for those between "---" and the content, as Helm writes its
// "# Source:" lines), tabs, carriage returns, bytes outside printable
// ASCII, directives, empty documents, and whatever it does not know to be
// valid. It so never
// accepts a document that yaml.Unmarshal refuses, and what it accepts it
// reads alike; FuzzKubeFast holds it to that.
//
// The tree is valid until the next call: the reader keeps no node past
// the document, and the strings it keeps go through kubeFast.keep, which
// copies them out of the document's string.

// kubeFast parses the documents of one stream.
type kubeFast struct {
	src   string // the document being parsed
	lines []kubeLine
	at    int // the line being parsed, an index of lines

	nodes []yaml.Node  // the slab nodes are taken from
	ptrs  []*yaml.Node // the slab Content slices are taken from
	stack []*yaml.Node // the children of the collections being parsed
	depth int          // the block collections open
	// The comments between "---" and the content, src[headFrom:headTo],
	// if any.
	headFrom, headTo int
	kept             map[string]string // what keep returned, by value
}

// kubeLine is a line of content: its number (from 1), the offset of its
// first character other than a space, and of its end.
type kubeLine struct {
	num, indent, start, end int
}

// kubeFastGiveUp is what a step of kubeFast panics with when the document
// is not in the part of YAML that it reads; parse recovers it.
type kubeFastGiveUp struct{}

// parse returns the root of the document piece, or false if kubeFast does
// not read it.
func (p *kubeFast) parse(piece []byte) (root *yaml.Node, ok bool) {
	if !p.split(piece) {
		return nil, false
	}
	p.src = string(piece)
	p.nodes, p.ptrs, p.stack = p.nodes[:0], p.ptrs[:0], p.stack[:0]
	p.at, p.depth = 0, 0
	defer func() {
		if r := recover(); r != nil {
			if _, giveUp := r.(kubeFastGiveUp); !giveUp {
				panic(r)
			}
			root, ok = nil, false
		}
	}()
	l := p.lines[0]
	root = p.block(l, l.start, l.indent)
	if p.at != len(p.lines) {
		return nil, false
	}
	if p.headTo > 0 {
		if root.Kind != yaml.MappingNode {
			return nil, false
		}
		root.Content[0].HeadComment = p.src[p.headFrom:p.headTo]
	}
	return root, true
}

// giveUp abandons the document.
func giveUp() { panic(kubeFastGiveUp{}) }

// split checks the bytes of piece and finds its lines of content. An
// optional "---" line may come first, after blank lines, and comments at
// the start of their lines after it, right before the content.
func (p *kubeFast) split(piece []byte) bool {
	p.lines = p.lines[:0]
	marker := false
	p.headFrom, p.headTo = 0, 0
	blank := false // a blank line since the last comment
	for start, num := 0, 1; start < len(piece); num++ {
		end, ind := start, -1
		for ; end < len(piece) && piece[end] != '\n'; end++ {
			c := piece[end]
			if c < 0x20 || c > 0x7e {
				return false
			}
			if ind < 0 && c != ' ' {
				ind = end - start
			}
		}
		if end == len(piece) {
			return false // no final line break: let the parser say where it ends
		}
		if ind >= 0 {
			first := piece[start+ind]
			switch {
			case first == '#' && marker && len(p.lines) == 0 && ind == 0 && piece[end-1] != ' ' && (p.headTo == 0 || !blank):
				// Comments right after "---" and right before the
				// content (Helm's "# Source:" lines), which the parser
				// gives the first key.
				if p.headTo == 0 {
					p.headFrom = start
				}
				p.headTo, blank = end, false
			case first == '#' || first == '%':
				return false // another comment on a line of its own, a directive
			case kubeMarker(piece[start:end+1], "---"):
				if marker || len(p.lines) > 0 || len(bytes.TrimRight(piece[start+3:end], " ")) > 0 {
					return false
				}
				marker = true
			case kubeMarker(piece[start:end+1], "..."):
				return false
			default:
				if len(p.lines) == 0 && p.headTo > 0 && (blank || ind != 0) {
					return false
				}
				p.lines = append(p.lines, kubeLine{num: num, indent: ind, start: start + ind, end: end})
			}
		} else {
			blank = true
		}
		start = end + 1
	}
	return len(p.lines) > 0
}

// node returns a new node from the slab.
func (p *kubeFast) node(kind yaml.Kind, tag string, line, col int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, max(64, 2*cap(p.nodes)))
	}
	p.nodes = append(p.nodes, yaml.Node{Kind: kind, Tag: tag, Line: line, Column: col})
	return &p.nodes[len(p.nodes)-1]
}

// content moves the children pushed on the stack since from into a
// Content slice of the slab.
func (p *kubeFast) content(from int) []*yaml.Node {
	kids := p.stack[from:]
	if len(p.ptrs)+len(kids) > cap(p.ptrs) {
		p.ptrs = make([]*yaml.Node, 0, max(256, 2*cap(p.ptrs), len(kids)))
	}
	n := len(p.ptrs)
	p.ptrs = append(p.ptrs, kids...)
	p.stack = p.stack[:from]
	return p.ptrs[n:len(p.ptrs):len(p.ptrs)]
}

// block parses the block node that starts at offset at of line l, in
// column col (from 0): a mapping or a list.
func (p *kubeFast) block(l kubeLine, at, col int) *yaml.Node {
	if p.src[at] == '-' && (at+1 == l.end || p.src[at+1] == ' ') {
		return p.list(l, at, col)
	}
	return p.mapping(l, at, col)
}

// col returns the column (from 0) of offset at of line l.
func (p *kubeFast) col(l kubeLine, at int) int { return l.indent + at - l.start }

// mapping parses a block mapping whose first key is at offset at of line
// l, in column col; the others start lines of their own in that column.
func (p *kubeFast) mapping(l kubeLine, at, col int) *yaml.Node {
	p.enter()
	defer p.leave()
	m := p.node(yaml.MappingNode, "!!map", l.num, col+1)
	from := len(p.stack)
	for {
		key, colon := p.key(l, at)
		p.stack = append(p.stack, key)
		v := colon + 1
		for v < l.end && p.src[v] == ' ' {
			v++
		}
		if v < l.end {
			if v == colon+1 {
				giveUp() // "a:b" is no key
			}
			p.stack = append(p.stack, p.inline(l, v))
			p.at++
		} else {
			p.at++
			// The value is on the lines that follow: a block node further
			// in, or a list in the key's column; or it is null.
			switch {
			case p.at < len(p.lines) && p.lines[p.at].indent > col:
				n := p.lines[p.at]
				p.stack = append(p.stack, p.block(n, n.start, n.indent))
			case p.at < len(p.lines) && p.lines[p.at].indent == col && p.isItem(p.lines[p.at]):
				n := p.lines[p.at]
				p.stack = append(p.stack, p.list(n, n.start, n.indent))
			default:
				p.stack = append(p.stack, p.node(yaml.ScalarNode, "!!null", l.num, p.col(l, colon)+2))
			}
		}
		if p.at == len(p.lines) || p.lines[p.at].indent < col {
			break
		}
		l = p.lines[p.at]
		if l.indent > col || p.isItem(l) {
			giveUp()
		}
		at = l.start
	}
	m.Content = p.content(from)
	return m
}

// enter counts a block collection opened, leave one closed. A document
// nested deeper than the reader reads is left to the parser, whose errors
// say what is wrong with it.
func (p *kubeFast) enter() {
	if p.depth++; p.depth > kubeMaxDepth/2 {
		giveUp()
	}
}

func (p *kubeFast) leave() { p.depth-- }

// isItem reports whether line l starts an entry of a block list.
func (p *kubeFast) isItem(l kubeLine) bool {
	return p.src[l.start] == '-' && (l.start+1 == l.end || p.src[l.start+1] == ' ')
}

// list parses a block list whose first "-" is at offset at of line l, in
// column col; the others start lines of their own in that column.
func (p *kubeFast) list(l kubeLine, at, col int) *yaml.Node {
	p.enter()
	defer p.leave()
	s := p.node(yaml.SequenceNode, "!!seq", l.num, col+1)
	from := len(p.stack)
	for {
		v := at + 1
		for v < l.end && p.src[v] == ' ' {
			v++
		}
		if v == l.end || p.src[v] == '-' && (v+1 == l.end || p.src[v+1] == ' ') {
			giveUp() // an entry on the lines below, a list in a list
		}
		if p.startsKey(l, v) {
			p.stack = append(p.stack, p.mapping(l, v, p.col(l, v)))
		} else {
			p.stack = append(p.stack, p.inline(l, v))
			p.at++
		}
		if p.at == len(p.lines) || p.lines[p.at].indent < col {
			break
		}
		l = p.lines[p.at]
		if l.indent > col {
			giveUp()
		}
		if !p.isItem(l) {
			break // a key of the mapping that holds the list, in its column
		}
		at = l.start
	}
	s.Content = p.content(from)
	return s
}

// startsKey reports whether a key starts at offset at of line l: a plain
// or quoted scalar followed by ":" and a space or the end of the line.
func (p *kubeFast) startsKey(l kubeLine, at int) bool {
	switch c := p.src[at]; c {
	case '{', '[':
		return false
	case '"', '\'':
		e := strings.IndexByte(p.src[at+1:l.end], c)
		return e >= 0 && at+2+e < l.end && p.src[at+2+e] == ':'
	}
	i := strings.Index(p.src[at:l.end], ":")
	for i >= 0 {
		if j := at + i + 1; j == l.end || p.src[j] == ' ' {
			return true
		}
		k := strings.Index(p.src[at+i+1:l.end], ":")
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

// key parses the key at offset at of line l, and returns it with the
// offset of its ":".
func (p *kubeFast) key(l kubeLine, at int) (*yaml.Node, int) {
	switch c := p.src[at]; c {
	case '"', '\'':
		n, end := p.quoted(l, at)
		if end >= l.end || p.src[end] != ':' || end+1 < l.end && p.src[end+1] != ' ' {
			giveUp()
		}
		simpleKey(p.src[at:end])
		return n, end
	}
	i := strings.Index(p.src[at:l.end], ": ")
	if i < 0 {
		if !strings.HasSuffix(p.src[at:l.end], ":") {
			giveUp()
		}
		i = l.end - 1 - at
	}
	k := p.src[at : at+i]
	if strings.Contains(k, " #") || strings.HasSuffix(k, " ") || !plainStart(k) {
		giveUp()
	}
	simpleKey(p.src[at : at+i])
	return p.plain(l, at, k), at + i
}

// simpleKeyMax is the most characters YAML lets a key written without "?"
// take from its start to its ":"; the parser refuses a longer one.
const simpleKeyMax = 1024

// simpleKey gives up on the key whose text from its start to its ":" is
// s when YAML refuses it for its length.
func simpleKey(s string) {
	if len(s) > simpleKeyMax && utf8.RuneCountInString(s) > simpleKeyMax {
		giveUp()
	}
}

// plainStart reports whether s may be a plain scalar as kubeFast reads
// one: not empty, not starting with an indicator of YAML.
func plainStart(s string) bool {
	return s != "" && !strings.ContainsRune("-?:,[]{}#&*!|>'\"%@` ", rune(s[0]))
}

// inline parses the value at offset at of line l, which runs to the end
// of the line: a scalar or a flow collection, and a comment.
func (p *kubeFast) inline(l kubeLine, at int) *yaml.Node {
	var n *yaml.Node
	end := at
	switch p.src[at] {
	case '"', '\'':
		n, end = p.quoted(l, at)
	case '{', '[':
		n, end = p.flow(l, at, 0)
	default:
		e := strings.Index(p.src[at:l.end], " #")
		if e < 0 {
			e = l.end - at
		}
		s := strings.TrimRight(p.src[at:at+e], " ")
		if !plainStart(s) && !(s[0] == '-' && len(s) > 1 && s[1] != ' ') || strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
			giveUp()
		}
		n, end = p.plain(l, at, s), at+len(s)
	}
	for end < l.end && p.src[end] == ' ' {
		end++
	}
	if end < l.end {
		if p.src[end] != '#' || p.src[end-1] != ' ' {
			giveUp()
		}
		n.LineComment = p.src[end:l.end]
	}
	return n
}

// quoted parses the quoted scalar at offset at of line l, and returns it
// with the offset after its closing quote. Escapes give up.
func (p *kubeFast) quoted(l kubeLine, at int) (*yaml.Node, int) {
	q := p.src[at]
	e := strings.IndexByte(p.src[at+1:l.end], q)
	if e < 0 {
		giveUp()
	}
	s := p.src[at+1 : at+1+e]
	end := at + 2 + e
	if q == '"' && strings.IndexByte(s, '\\') >= 0 || q == '\'' && end < l.end && p.src[end] == '\'' {
		giveUp()
	}
	n := p.node(yaml.ScalarNode, "!!str", l.num, p.col(l, at)+1)
	n.Value = s
	if q == '"' {
		n.Style = yaml.DoubleQuotedStyle
	} else {
		n.Style = yaml.SingleQuotedStyle
	}
	return n, end
}

// plain returns the plain scalar s at offset at of line l, its tag
// resolved.
func (p *kubeFast) plain(l kubeLine, at int, s string) *yaml.Node {
	n := p.node(yaml.ScalarNode, kubeFastTag(s), l.num, p.col(l, at)+1)
	n.Value = s
	return n
}

// flow parses the flow collection at offset at of line l, which ends on
// that line, and returns it with the offset after it.
func (p *kubeFast) flow(l kubeLine, at, depth int) (*yaml.Node, int) {
	if depth > 50 {
		giveUp()
	}
	open := p.src[at]
	var n *yaml.Node
	closer := byte(']')
	if open == '{' {
		n = p.node(yaml.MappingNode, "!!map", l.num, p.col(l, at)+1)
		closer = '}'
	} else {
		n = p.node(yaml.SequenceNode, "!!seq", l.num, p.col(l, at)+1)
	}
	n.Style = yaml.FlowStyle
	from := len(p.stack)
	i := p.skip(l, at+1)
	if i < l.end && p.src[i] == closer {
		n.Content = p.content(from)
		return n, i + 1
	}
	for {
		start := i
		v, end := p.flowScalarOrFlow(l, i, depth)
		p.stack = append(p.stack, v)
		i = p.skip(l, end)
		if open == '{' {
			if v.Kind != yaml.ScalarNode || i >= l.end || p.src[i] != ':' || i+1 >= l.end || p.src[i+1] != ' ' || i != end {
				giveUp()
			}
			simpleKey(p.src[start:i])
			v, end = p.flowScalarOrFlow(l, p.skip(l, i+1), depth)
			p.stack = append(p.stack, v)
			i = p.skip(l, end)
		}
		if i >= l.end {
			giveUp()
		}
		switch p.src[i] {
		case ',':
			i = p.skip(l, i+1)
			if i >= l.end || p.src[i] == closer {
				giveUp() // a trailing comma
			}
			continue
		case closer:
			n.Content = p.content(from)
			return n, i + 1
		}
		giveUp()
	}
}

// skip returns the offset of the first character from at on line l that
// is not a space.
func (p *kubeFast) skip(l kubeLine, at int) int {
	for at < l.end && p.src[at] == ' ' {
		at++
	}
	return at
}

// flowScalarOrFlow parses a node inside a flow collection at offset at of
// line l.
func (p *kubeFast) flowScalarOrFlow(l kubeLine, at, depth int) (*yaml.Node, int) {
	if at >= l.end {
		giveUp()
	}
	switch p.src[at] {
	case '"', '\'':
		return p.quoted(l, at)
	case '{', '[':
		return p.flow(l, at, depth+1)
	}
	end := at
	for end < l.end && !strings.ContainsRune(",[]{}#:'\"", rune(p.src[end])) {
		end++
	}
	s := strings.TrimRight(p.src[at:end], " ")
	if !plainStart(s) && !(s != "" && s[0] == '-' && len(s) > 1 && s[1] != ' ') {
		giveUp()
	}
	if end < l.end && p.src[end] == ':' && (end+1 == l.end || p.src[end+1] != ' ') {
		giveUp()
	}
	return p.plain(l, at, s), at + len(s)
}

var kubeFastFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// kubeFastTag returns the tag that yaml.Unmarshal resolves the plain
// scalar s to, or gives up where kubeFast does not know it (a date, the
// merge key).
func kubeFastTag(s string) string {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	case "<<":
		giveUp()
	}
	switch c := s[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		if len(s) >= 5 && strings.Trim(s[:4], "0123456789") == "" && s[4] == '-' {
			giveUp() // perhaps a date
		}
		digits := s
		if c == '+' || c == '-' {
			digits = s[1:]
		}
		if digits != "" && len(digits) < 19 && strings.Trim(digits, "0123456789") == "" && (digits[0] != '0' || len(digits) == 1) {
			return "!!int" // decimal digits, as most numbers of a manifest are
		}
		if strings.Trim(s, "0123456789abcdefABCDEFxXoO_+-.") != "" {
			return "!!str" // a letter that no number holds: 100m, 128Mi
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int"
		}
		if kubeFastFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
		if strings.HasPrefix(plain, "0b") || strings.HasPrefix(plain, "-0b") || strings.HasPrefix(plain, "0o") || strings.HasPrefix(plain, "-0o") {
			giveUp()
		}
	}
	return "!!str"
}

// keep returns s, a value the reader keeps, as a string of its own rather
// than a part of the document's string, one copy for equal values of the
// stream.
func (p *kubeFast) keep(s string) string {
	if s == "" {
		return ""
	}
	if k, ok := p.kept[s]; ok {
		return k
	}
	if p.kept == nil {
		p.kept = map[string]string{}
	}
	k := strings.Clone(s)
	p.kept[k] = k
	return k
}

// keepDecls makes the strings of ds strings of their own (see keep).
func (p *kubeFast) keepDecls(ds []Declaration) {
	var labels, selector []Label // the last slices copied, shared by an object's declarations
	var labelsFrom, selectorFrom []Label
	for i := range ds {
		d := &ds[i]
		for _, s := range []*string{&d.TargetName, &d.Project, &d.Service, &d.Container, &d.Image, &d.Name, &d.Description, &d.Group, &d.Ignore} {
			*s = p.keep(*s)
		}
		if len(d.Labels) > 0 {
			if len(labelsFrom) == 0 || &labelsFrom[0] != &d.Labels[0] {
				labelsFrom, labels = d.Labels, p.keepLabels(d.Labels)
			}
			d.Labels = labels
		}
		if len(d.Selector) > 0 {
			if len(selectorFrom) == 0 || &selectorFrom[0] != &d.Selector[0] {
				selectorFrom, selector = d.Selector, p.keepLabels(d.Selector)
			}
			d.Selector = selector
		}
	}
}

func (p *kubeFast) keepLabels(ls []Label) []Label {
	out := make([]Label, len(ls))
	for i, l := range ls {
		out[i] = Label{p.keep(l.Key), p.keep(l.Value)}
	}
	return out
}
