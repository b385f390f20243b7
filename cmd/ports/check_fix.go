package main

// ports check --fix: the moves a check suggests, written beside each
// compose project as files of their own, never into the user's files.
//
// A move of a port that the compose file writes as a variable
// ("${WEB_PORT:-3000}:3000", or published: ${WEB_PORT}) is written as
// that variable to fixEnvFile. Any other move is written to
// fixOverrideFile: the service's whole ports list, under compose's
// !override tag (ports of an override file would be added to the base
// file's, not replace them), with the moved ports at their new place and
// the others as the project declares them now: in the short syntax (as
// written, where that names a variable), or as the long-syntax entry the
// file writes, every key kept. A
// file of that name that exists already is left alone and the fix
// refused. Ports of Kubernetes manifests and registries are not rewritten;
// their moves are printed for a person to make.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

// The files ports check --fix writes, in the directory of a compose
// project's first file.
const (
	fixOverrideFile = "compose.ports-fix.yaml"
	fixEnvFile      = "ports-fix.env"
)

// fixPlan is what --fix writes for one compose project.
type fixPlan struct {
	dir      string
	project  string
	services map[string][]manifest.Declaration    // by service: its ports, in file order
	moved    map[manifest.Position]ports.Endpoint // the moves written in the override
	vars     []fixVar                             // the moves written in the env file
	order    []string                             // the services of the override, in order met
	src      sourceFiles                          // the compose files as written
}

// sourceFiles reads each compose file once for all that --fix looks up in
// it, by path.
type sourceFiles map[string]*sourceFile

// sourceFile is a compose file as written: its lines and, once asked for,
// its long-syntax ports entries by line. Both are empty if it is
// unreadable.
type sourceFile struct {
	data    []byte
	lines   []string
	long    map[int]*yaml.Node
	indexed bool // long is built
}

// file returns the source of path, read on first use.
func (c sourceFiles) file(path string) *sourceFile {
	f, ok := c[path]
	if !ok {
		f = &sourceFile{}
		if data, err := readCapped(path, maxScanBytes); err == nil {
			f.data, f.lines = data, strings.Split(string(data), "\n")
		}
		c[path] = f
	}
	return f
}

// line returns line n (from 1) of path.
func (c sourceFiles) line(path string, n int) (string, bool) {
	lines := c.file(path).lines
	if n < 1 || n > len(lines) {
		return "", false
	}
	return lines[n-1], true
}

// fixVar is a variable to set: NAME=PORT.
type fixVar struct {
	name string
	port ports.Port
	from manifest.Declaration
}

// fix writes the moves of res's findings beside their compose projects
// and says on standard error what it wrote and what it left to do by
// hand. It returns an error, and writes nothing, when a file it would
// write exists.
func (a *app) fix(res *check.Report, decls []manifest.Declaration) error {
	plans := map[string]*fixPlan{} // by project
	src := sourceFiles{}
	var projects []string
	plan := func(d manifest.Declaration) *fixPlan {
		if p, ok := plans[d.Project]; ok {
			return p
		}
		p := &fixPlan{dir: filepath.Dir(d.Pos.File), project: d.Project, services: map[string][]manifest.Declaration{}, moved: map[manifest.Position]ports.Endpoint{}, src: src}
		plans[d.Project] = p
		projects = append(projects, d.Project)
		return p
	}
	// The project's first file is where its first declaration was read.
	for _, d := range decls {
		if d.Kind == manifest.KindCompose && d.Pos.File != "" && d.Pos.File != "-" {
			plan(d)
		}
	}
	var byHand []string
	done := map[manifest.Position]bool{}
	for _, f := range res.Findings {
		if r, _ := check.RuleByID(f.Rule); r.Category != check.Collisions {
			// An image-port-collision's moves rest on an image's default,
			// which the service's configuration may change: the report
			// says them, and no file is written for them.
			continue
		}
		for _, m := range f.Members {
			d := m.Declaration
			if !m.Suggestion.IsValid() || done[d.Pos] {
				continue
			}
			done[d.Pos] = true
			p, ok := plans[d.Project]
			// One port of a pool moves with its pool, whose member
			// carries the suggestion.
			if d.Kind != manifest.KindCompose || !ok || m.Pool.IsValid() && m.Pool != m.Endpoint {
				byHand = append(byHand, fmt.Sprintf("move %s %s to %s by hand (%s)", d.Owner(), endpointText(d), m.Suggestion, d.Pos))
				continue
			}
			if name, ok := portVariable(src, d); ok && m.Suggestion.Range().IsSingle() {
				p.vars = append(p.vars, fixVar{name, m.Suggestion.Range().Lo(), d})
				continue
			}
			if _, ok := p.services[d.Service]; !ok {
				p.order = append(p.order, d.Service)
				p.services[d.Service] = nil
			}
			p.moved[d.Pos] = m.Suggestion
		}
	}
	// Every port of a service in the override: its list replaces the
	// project's.
	for _, d := range decls {
		if p, ok := plans[d.Project]; ok && d.Kind == manifest.KindCompose {
			if list, ok := p.services[d.Service]; ok {
				p.services[d.Service] = append(list, d)
			}
		}
	}
	type file struct {
		path string
		data []byte
		what string
	}
	var files []file
	dirs := map[string]string{}
	for _, name := range projects {
		p := plans[name]
		if len(p.order) == 0 && len(p.vars) == 0 {
			continue
		}
		if other, ok := dirs[p.dir]; ok {
			return fmt.Errorf("--fix: the compose projects %s and %s are both in %s; fix them one at a time", other, p.project, p.dir)
		}
		dirs[p.dir] = p.project
		if len(p.order) > 0 {
			data, err := p.override()
			if err != nil {
				return err
			}
			files = append(files, file{filepath.Join(p.dir, fixOverrideFile), data, fmt.Sprintf("%d %s", len(p.moved), plural(len(p.moved), "move", "moves"))})
		}
		if len(p.vars) > 0 {
			files = append(files, file{filepath.Join(p.dir, fixEnvFile), p.env(), fmt.Sprintf("%d %s", len(p.vars), plural(len(p.vars), "variable", "variables"))})
		}
	}
	for _, f := range files {
		if _, err := os.Lstat(f.path); err == nil {
			return fmt.Errorf("--fix: %s exists already; it is never overwritten: remove it (or check with it: -f %s, --env-file %s) and run again", f.path, fixOverrideFile, fixEnvFile)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--fix: %v", err)
		}
	}
	for _, f := range files {
		w, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("--fix: %v", err)
		}
		_, err = w.Write(f.data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--fix: writing %s: %v", f.path, err)
		}
		fmt.Fprintf(a.stderr, "ports: check --fix: wrote %s (%s)\n", safe(f.path), f.what)
	}
	for _, s := range byHand {
		fmt.Fprintf(a.stderr, "ports: check --fix: %s\n", safe(s))
	}
	return nil
}

// override returns the compose override file of p.
func (p *fixPlan) override() ([]byte, error) {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	services := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range p.order {
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!override"}
		var seen []string
		for _, d := range p.services[name] {
			if long, at, ok := p.longEntry(d); ok {
				// The long syntax is kept as written, name, app_protocol,
				// mode and all, with its published port moved.
				key := "long " + at
				if slices.Contains(seen, key) {
					continue
				}
				seen = append(seen, key)
				if to, moved := p.moved[d.Pos]; moved {
					setPublished(long, to, "moved from "+endpointText(d))
				}
				list.Content = append(list.Content, long)
				continue
			}
			text := shortPort(d, p.moved[d.Pos])
			if _, moved := p.moved[d.Pos]; !moved {
				// A port that stays keeps the variables it is written
				// with, which compose interpolates in the override too.
				if raw, ok := rawShortPort(p.src, d); ok && strings.Contains(raw, "$") {
					text = raw
				}
			}
			if slices.Contains(seen, text) {
				continue // one entry that gave several declarations
			}
			seen = append(seen, text)
			n := str(text)
			n.Style = yaml.DoubleQuotedStyle
			if _, ok := p.moved[d.Pos]; ok {
				n.LineComment = "moved from " + endpointText(d)
			}
			list.Content = append(list.Content, n)
		}
		svc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("ports"), list}}
		services.Content = append(services.Content, str(name), svc)
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("services"), services}}
	root.HeadComment = fmt.Sprintf("Written by ports check --fix: the ports it moves so that nothing collides.\nUse it after the project's own files, as in\n  docker compose -f compose.yaml -f %s up\nEach service's ports are listed whole: !override replaces the project's list.", fixOverrideFile)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("--fix: %v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("--fix: %v", err)
	}
	return buf.Bytes(), nil
}

// longEntry returns a copy of the long-syntax ports entry that declares
// d, and where it is, if d's file writes d so: the mapping of the file's
// ports list that has a target and a key or value on d's line.
func (p *fixPlan) longEntry(d manifest.Declaration) (*yaml.Node, string, bool) {
	found := p.src.longAt(d.Pos.File)[d.Pos.Line]
	if found == nil {
		return nil, "", false
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: found.Tag, Style: found.Style}
	for _, c := range found.Content {
		cc := *c
		cc.Line, cc.Column = 0, 0
		out.Content = append(out.Content, &cc)
	}
	return out, fmt.Sprintf("%d:%d", found.Line, found.Column), true
}

// longAt returns the long-syntax entries of path by line: each mapping
// with a target in a list, under every line that one of its keys or
// values is on, the first met where two share a line.
func (c sourceFiles) longAt(path string) map[int]*yaml.Node {
	f := c.file(path)
	if f.indexed {
		return f.long
	}
	f.indexed = true
	var doc yaml.Node
	if f.data == nil || yaml.Unmarshal(f.data, &doc) != nil {
		return nil
	}
	f.long = map[int]*yaml.Node{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				if item.Kind == yaml.MappingNode && mapValue(item, "target") != nil {
					for _, kv := range item.Content {
						if _, taken := f.long[kv.Line]; !taken {
							f.long[kv.Line] = item
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return f.long
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setPublished sets the published port of long-syntax entry m to the
// ports of to, with comment on it.
func setPublished(m *yaml.Node, to ports.Endpoint, comment string) {
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: to.Range().String(), Style: yaml.DoubleQuotedStyle, LineComment: comment}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "published" {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "published"}, v)
}

// env returns the env file of p.
func (p *fixPlan) env() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by ports check --fix: the port variables it moves so that nothing\n# collides. Use it after the project's .env, as in\n#   docker compose --env-file .env --env-file %s up\n# (a variable set in the environment wins over both).\n", fixEnvFile)
	for _, v := range p.vars {
		at := v.from.Pos
		if rel, err := filepath.Rel(p.dir, at.File); err == nil {
			at.File = rel
		}
		fmt.Fprintf(&b, "# %s %s, at %s\n%s=%d\n", v.from.Owner(), endpointText(v.from), at, v.name, v.port)
	}
	return []byte(b.String())
}

// shortPort writes d in compose's short syntax, "[IP:]PUBLISHED:TARGET[/PROTO]",
// with its host ports at to if to is valid.
func shortPort(d manifest.Declaration, to ports.Endpoint) string {
	var b strings.Builder
	addr := d.Addr
	if !d.Ephemeral {
		addr = d.Endpoint.Addr()
	}
	if addr.IsValid() {
		if addr.Is6() {
			b.WriteString("[" + addr.String() + "]:")
		} else {
			b.WriteString(addr.String() + ":")
		}
	}
	switch {
	case to.IsValid():
		b.WriteString(to.Range().String() + ":")
	case !d.Ephemeral:
		b.WriteString(d.Endpoint.Range().String() + ":")
	case addr.IsValid():
		b.WriteString(":")
	}
	b.WriteString(d.Target.String())
	if d.Protocol != ports.TCP {
		b.WriteString("/" + d.Protocol.String())
	}
	return b.String()
}

// rawShortPort returns the port d as its file writes it, when that is
// the short syntax: the scalar at d's line and column, unquoted.
func rawShortPort(src sourceFiles, d manifest.Declaration) (string, bool) {
	line, ok := src.line(d.Pos.File, d.Pos.Line)
	if !ok || d.Pos.Column < 1 || d.Pos.Column > len(line) {
		return "", false
	}
	return shortScalar(strings.TrimRight(line[d.Pos.Column-1:], "\r"))
}

// shortScalar returns the scalar that rest starts with, unquoted, if it
// is a port in the short syntax (not a key of the long syntax).
func shortScalar(rest string) (string, bool) {
	var v string
	switch {
	case rest == "":
		return "", false
	case rest[0] == '"' || rest[0] == '\'':
		end := strings.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return "", false
		}
		v = rest[1 : 1+end]
		if strings.ContainsAny(v, "\\'") {
			return "", false // escapes: let the parser's value stand
		}
	default:
		v = rest
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		if i := strings.IndexAny(v, ",]"); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimSpace(v)
		if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
			return "", false // a key of the long syntax
		}
	}
	if v == "" || strings.ContainsAny(v, "\n\"") {
		return "", false
	}
	return v, true
}

// varRef matches a reference to a variable as compose writes it: ${NAME},
// ${NAME:-default} and the other forms with braces, or $NAME.
var varRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))`)

// portVariable returns the variable that d's host port is written as, in
// the line of its file where it was read: the published part of a short
// syntax port ("${WEB_PORT:-3000}:3000", "127.0.0.1:$WEB_PORT:3000/udp")
// or the value of a long syntax published, when that is one variable and
// nothing else.
func portVariable(src sourceFiles, d manifest.Declaration) (string, bool) {
	if d.Ephemeral {
		return "", false
	}
	line, ok := src.line(d.Pos.File, d.Pos.Line)
	if !ok {
		return "", false
	}
	if c := d.Pos.Column - 1; c > 0 && c <= len(line) {
		line = line[c:]
	}
	return lineVariable(line)
}

// lineVariable returns the variable that the host port of the port
// written in line is, as portVariable says.
func lineVariable(line string) (string, bool) {
	var names []string
	text := varRef.ReplaceAllStringFunc(line, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		names = append(names, sub[1]+sub[2])
		return "\x00"
	})
	text = strings.TrimSpace(text)
	if i := strings.Index(text, " #"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	if v, ok := strings.CutPrefix(text, "published:"); ok {
		text = strings.TrimSpace(v)
		text = strings.Trim(text, `"'`)
		if text == "\x00" && len(names) == 1 {
			return names[0], true
		}
		return "", false
	}
	text = strings.TrimPrefix(text, "- ")
	text = strings.Trim(strings.TrimSpace(text), `"'`)
	text, _, _ = strings.Cut(text, "/")
	parts := strings.Split(text, ":")
	if len(parts) < 2 {
		return "", false
	}
	published := parts[len(parts)-2]
	if published != "\x00" {
		return "", false
	}
	// The variable of the published part is the one before it: count
	// the references up to it.
	n := strings.Count(strings.Join(parts[:len(parts)-2], ":"), "\x00")
	if n >= len(names) {
		return "", false
	}
	return names[n], true
}
