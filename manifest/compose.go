package manifest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
)

// A compose file is read twice. compose-go's loader reads it as Docker
// Compose does (interpolation, profiles, extends, include, overrides, the
// short and long port syntax, ranges) into a types.Project, but the project
// keeps no positions. So the package also decodes each file into a
// yaml.Node tree, finds services.NAME.ports and services.NAME.expose, and
// expands each entry on its own (interpolated with the same variables,
// parsed by compose-go's own ParsePortConfig for the short syntax). Every
// port of the loaded project is then matched to the first entry, in file
// order, whose expansion contains it (same target, published port, host IP
// and protocol); the entry's node gives the line, the column and the
// comment. The scan follows include (whose services join the project) and
// extends (along the chain of base services) to local files. A port no
// entry accounts for is given the position of its service's key, or the
// first file alone if the service is in no file scanned.
//
// The loader expands a short-syntax range into one port per number. A long
// range in a given file reaches it as a stand-in of one port instead
// (span.go); the ports it does expand, of short ranges and of included and
// extended files, are merged back into ranges once matched to their entry,
// so that "10000-20000:10000-20000/udp" is one declaration, not 10001.
//
// A service on network_mode "host" binds its ports' targets and its expose
// entries on the host, as Docker runs it, or where it has neither, the
// ports its image listens on by default (KindImage); one on
// "service:NAME" runs in NAME's container, so its expose entries are
// bound in NAME's scope. A service's env_file is not read
// (SkipResolveEnvironment): it sets the container's environment, and no
// port comes from it.

// composeFile is one compose file given to readCompose.
type composeFile struct {
	name string
	data []byte
}

// ReadCompose reads one compose file from r; name is used for messages, for
// the default project name (the base name of its directory, as Docker
// Compose does) and to resolve extends and include.
func (l Loader) ReadCompose(name string, r io.Reader) ([]Declaration, error) {
	data, err := readCapped(name, r, l.maxSize())
	if err != nil {
		return nil, err
	}
	return l.readCompose([]composeFile{{name, data}})
}

// LoadCompose reads the compose files at paths as one project, as
// "docker compose -f a.yaml -f b.yaml" does: later files override and
// extend earlier ones. The project name, unless [Loader.ProjectName] is
// set, comes from a "name:" in the files or else from the directory of the
// first file.
func (l Loader) LoadCompose(paths ...string) ([]Declaration, error) {
	if len(paths) == 0 {
		return nil, &Error{Msg: "LoadCompose: no compose file given"}
	}
	files := make([]composeFile, 0, len(paths))
	for _, p := range paths {
		data, err := readRegular(p, l.maxSize())
		if err != nil {
			return nil, err
		}
		files = append(files, composeFile{p, data})
	}
	return l.readCompose(files)
}

// rawPort is one entry of a ports or expose list as written in a file.
type rawPort struct {
	file    string
	node    *yaml.Node
	doc     int
	expose  bool
	configs []types.ServicePortConfig // ports: the entry's expansion
	value   string                    // expose: the entry, interpolated
	span    *portSpan                 // ports: the entry held as a range, instead of configs
	marker  string                    // the address of the span's stand-in, if compose-go is given one
	block   string                    // the comment above the entry's block: the list's key, or an earlier entry
}

// rawService is where a service is written in the files.
type rawService struct {
	file  string
	key   *yaml.Node
	doc   int
	ports []*rawPort // ports and expose entries, in file order

	// extends: the scan of the file (resolved; the service's own file if
	// the extends names none) and the service it extends, if any.
	ext        fileKey
	extService string
	extNode    *yaml.Node // the extends key
}

// A fileKey names the scan of a file with one set of variables: compose-go
// may read one file for two projects that interpolate it differently, as
// a file that both the main project and an included one extend.
type fileKey struct {
	path string
	env  string // the variables, in a canonical form (see envKey)
}

// envKey returns env in a canonical form, to tell scans apart.
func envKey(env map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		b.WriteString(k + "=" + env[k] + "\x00")
	}
	return b.String()
}

// maxComposeDepth bounds how deep the scan follows include and extends.
const maxComposeDepth = 16

// composeScan finds the positions of the ports of a compose project: in the
// files given, in the files they include (whose services are the
// project's too), and in the files their services extend.
type composeScan struct {
	files     []composeFile                      // every file scanned, given, included or extended
	project   map[string]*rawService             // the project's services, merged over files
	byFile    map[fileKey]map[string]*rawService // each scan's own services
	inProject map[fileKey]bool                   // the scans whose services joined the project
	order     []string                           // the files scanned, in the order met

	root     fileRoot          // where references must stay
	max      int64             // the cap on a file's size
	approved map[string]bool   // references read and passed, as written once interpolated
	vars     map[string]string // every variable that some file was read with, for redact

	docs     map[string][]yamlDoc             // the given files' trees, to hand compose-go with stand-ins
	rewrite  map[string]map[*yaml.Node]string // stand-ins, by file and the node of their entry
	markers  map[string]string                // the stand-in address of each span's text
	expanded int                              // ports that compose-go expands itself
}

// entries returns the ports and expose entries that may declare the ports
// of service name: its own, in file order, then those of the services it
// extends, along the chain.
func (cs *composeScan) entries(name string) (*rawService, []*rawPort) {
	rs := cs.project[name]
	if rs == nil {
		return nil, nil
	}
	out := slices.Clone(rs.ports)
	seen := map[*rawService]bool{rs: true}
	cur := rs
	for range maxComposeDepth {
		if cur.extService == "" {
			break
		}
		next := cs.byFile[cur.ext][cur.extService]
		if next == nil || seen[next] {
			break
		}
		seen[next] = true
		out = append(out, next.ports...)
		cur = next
	}
	return rs, out
}

func (l Loader) readCompose(files []composeFile) ([]Declaration, error) {
	p, err := l.project(files)
	if err != nil {
		return nil, err
	}
	decls, _, err := p.load()
	return decls, err
}

// load reads the project: its declarations and the warnings of its load.
func (p *composeProject) load() (decls []Declaration, warnings []string, err error) {
	files, env := p.files, p.vars
	cs := &composeScan{project: map[string]*rawService{}, byFile: map[fileKey]map[string]*rawService{},
		inProject: map[fileKey]bool{}, root: p.root, max: p.max, approved: map[string]bool{}, vars: map[string]string{},
		docs: map[string][]yamlDoc{}, rewrite: map[string]map[*yaml.Node]string{}, markers: map[string]string{}}
	for _, f := range files {
		// compose-go resolves the paths of every given file from the
		// project's working directory.
		if err := cs.scan(f, env, p.dir, true, 0); err != nil {
			return nil, nil, err
		}
	}

	if err := cs.extendsCycle(); err != nil {
		return nil, nil, err
	}
	project, warnings, err := p.compose(cs)
	if err != nil {
		return nil, nil, err
	}

	main := files[0].name
	names := project.ServiceNames()
	slices.Sort(names)
	for _, name := range names {
		svc := project.Services[name]
		rs, entries := cs.entries(name)
		ds, err := composeService(project.Name, main, svc, startsAfter(project, name), rs, entries)
		if err != nil {
			return nil, nil, redactError(err, cs.vars)
		}
		decls = append(decls, ds...)
	}
	// Sort by position: the files given in their order, then those they
	// include or extend in the order met.
	rank := map[string]int{}
	for i, f := range files {
		if _, ok := rank[f.name]; !ok {
			rank[f.name] = i
		}
	}
	for i, name := range cs.order {
		if _, ok := rank[name]; !ok {
			rank[name] = len(files) + i
		}
	}
	slices.SortStableFunc(decls, func(a, b Declaration) int {
		return cmp.Or(cmp.Compare(rank[a.Pos.File], rank[b.Pos.File]), a.Pos.Compare(b.Pos))
	})
	return decls, warnings, nil
}

// compose runs compose-go's loader on the project. compose-go reads no file
// that is not given but those that extends and include name and the .env
// or env_file of an included project, each of which the scan cs has read
// and passed first; and no process environment: variables come from
// p.vars only. The warnings say which variables were not set and are
// used without a default (sorted, in one line). When the load fails, the
// error names them too, since an empty value is the likely cause.
func (p *composeProject) compose(cs *composeScan) (project *types.Project, warnings []string, err error) {
	files, main := p.files, p.files[0].name
	dir := p.dir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	env := types.Mapping{}
	maps.Copy(env, p.vars)
	details := types.ConfigDetails{WorkingDir: dir, Environment: env}
	for _, f := range files {
		data, err := cs.content(f)
		if err != nil {
			return nil, nil, err
		}
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: f.name, Content: data})
	}
	var missing []string
	required := map[string]string{} // required variables not set (required.go)
	opts := func(o *loader.Options) {
		if p.explicit {
			o.SetProjectName(p.name, true)
		} else {
			name := loader.NormalizeProjectName(filepath.Base(dir))
			if name == "" {
				name = "default"
			}
			o.SetProjectName(name, false)
		}
		o.Profiles = p.profiles
		o.ResolvePaths = false
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.ResourceLoaders = []loader.ResourceLoader{guardLoader{cs}}
		if o.Interpolate != nil {
			lookup := o.Interpolate.LookupValue
			o.Interpolate.LookupValue = func(k string) (string, bool) {
				v, ok := lookup(k)
				if !ok && !slices.Contains(missing, k) {
					missing = append(missing, k)
				}
				return v, ok
			}
			// compose-go warns through logrus, as Docker Compose does, of
			// a variable that is not set and has no default, at every use;
			// the warning is returned as data instead, once.
			budget := interpolationBudget
			o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
				if err := spend(&budget, s); err != nil {
					return "", err
				}
				return substituteRequired(s, m, required)
			}
		}
	}
	// compose-go is not ours to vouch for: a panic on input it did not
	// expect is turned into an error, never passed on.
	defer func() {
		if r := recover(); r != nil {
			project, err = nil, &Error{File: main, Msg: fmt.Sprintf("compose loader failed: %v", r)}
		}
	}()
	project, err = loader.LoadWithContext(context.Background(), details, opts)
	if err != nil {
		err = everyInconsistent(details, opts, err)
	}
	if err == nil {
		err = markedPort(project, required)
		unmarkImages(project, required)
	}
	missing = slices.DeleteFunc(missing, func(k string) bool { _, ok := required[k]; return ok })
	if len(missing) > 0 {
		defaulted := defaultedVars(cs.files)
		missing = slices.DeleteFunc(missing, func(k string) bool { return defaulted[k] })
	}
	slices.Sort(missing)
	if err != nil {
		e := cs.composeError(err, cs.vars)
		if msg, ok := unmarkRequired(e.Msg, required); ok {
			e.Msg = msg + " (required variables not set: " + requiredText(required) + ")"
		}
		if len(missing) > 0 {
			e.Msg += " (variables not set: " + strings.Join(missing, ", ") + ")"
		}
		return nil, nil, e
	}
	if len(required) > 0 {
		warnings = append(warnings, main+": required variables not set, which docker compose refuses to run without and no port depends on: "+requiredText(required))
	}
	if len(missing) > 0 {
		warnings = append(warnings, main+": variables not set, taken as blank strings: "+strings.Join(missing, ", "))
	}
	return project, warnings, nil
}

// references reports whether data refers to variable k: $k or ${k.
// A blank name, which an env_file line such as ":" can give, is referred
// to by nothing.
func references(data []byte, k string) bool {
	if k == "" {
		return false
	}
	for _, ref := range []string{"${" + k, "$" + k} {
		s := string(data)
		for {
			i := strings.Index(s, ref)
			if i < 0 {
				break
			}
			rest := s[i+len(ref):]
			if rest != "" && isVarChar(rest[0]) {
				s = rest // a longer name that begins with k
				continue
			}
			return true
		}
	}
	return false
}

// redactError returns err with the values of vars in its text written as
// their templates (see redact); err itself if it holds none.
func redactError(err error, vars map[string]string) error {
	text := err.Error()
	if redact(text, vars) == text {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return errors.New(redact(text, vars))
	}
	out := *e
	out.Msg = redact(e.Msg, vars)
	if e.Err != nil {
		out.Err = errors.New(redact(e.Err.Error(), vars))
	}
	return &out
}

// extendsCycle returns an error, at the extends key that closes it, for a
// chain of extends that comes back to a service it passed, naming each
// service in the file that holds it (compose-go's own message pairs each
// service with the file it extends from).
func (cs *composeScan) extendsCycle() error {
	// From the files given first, in the order the scan met them.
	keys := slices.SortedFunc(maps.Keys(cs.byFile), func(a, b fileKey) int {
		return cmp.Or(cmp.Compare(slices.Index(cs.order, a.path), slices.Index(cs.order, b.path)), cmp.Compare(a.env, b.env))
	})
	for _, key := range keys {
		names := slices.Sorted(maps.Keys(cs.byFile[key]))
		for _, name := range names {
			rs := cs.byFile[key][name]
			var chain []*rawService
			var chainNames []string
			cur, curName := rs, name
			for cur != nil && len(chain) <= 4*maxComposeDepth {
				if i := slices.Index(chain, cur); i >= 0 {
					if i != 0 {
						break // a cycle further on; reported from its own start
					}
					var b strings.Builder
					for j, r := range chain {
						if j > 0 {
							b.WriteString(" extends ")
						}
						fmt.Fprintf(&b, "%s (%s:%d)", chainNames[j], r.file, r.key.Line)
					}
					fmt.Fprintf(&b, " extends %s", curName)
					last := chain[len(chain)-1]
					e := &Error{File: last.file, Doc: last.doc, Msg: "extends cycle: " + b.String()}
					if last.extNode != nil {
						e.Line, e.Column = last.extNode.Line, last.extNode.Column
					}
					return e
				}
				chain, chainNames = append(chain, cur), append(chainNames, curName)
				if cur.extService == "" {
					break
				}
				cur, curName = cs.byFile[cur.ext][cur.extService], cur.extService
			}
		}
	}
	return nil
}

// guardLoader is the resource loader that compose-go is given, ahead of
// its own for local files. compose-go asks it first for every path that
// include and extends name. It takes no remote resource (oci://, git,
// http): it refuses them all, with ErrRemote. A relative path that the
// scan read and passed is left to compose-go's local loader, which
// resolves it from the directory compose-go has at that point, as the
// scan did; an absolute one is checked again here; any other path was
// not seen by the scan and is refused.
type guardLoader struct {
	cs *composeScan
}

// Accept implements loader.ResourceLoader.
func (g guardLoader) Accept(p string) bool {
	return !localPath(p) || filepath.IsAbs(p) || !g.cs.approved[p]
}

// Load implements loader.ResourceLoader.
func (g guardLoader) Load(_ context.Context, p string) (string, error) {
	switch {
	case !localPath(p):
		return "", &Error{File: p, Err: ErrRemote}
	case !filepath.IsAbs(p):
		return "", &Error{File: p, Msg: "not read: not a reference that the scan of the project met"}
	}
	if _, err := g.cs.root.readRef(p, "reference", g.cs.max); err != nil {
		return "", err
	}
	return p, nil
}

// Dir implements loader.ResourceLoader, as compose-go's local loader does
// for an absolute path: the directory of a file, or the directory itself.
func (g guardLoader) Dir(p string) string {
	if isDir(p) {
		return p
	}
	return filepath.Dir(p)
}

// defaultedVars returns, for each variable that files refer to, whether
// every reference to it gives a value for it unset (${K:-v}, ${K-v},
// ${K:+v}, ${K+v}): then k being unset did not break the files. References
// in files the scan did not read (a .env file, a remote file) are not
// seen, and a variable missing from the map is kept. One pass over the
// files, whatever the number of variables.
func defaultedVars(files []composeFile) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		s := f.data
		for {
			i := bytes.IndexByte(s, '$')
			if i < 0 {
				break
			}
			s = s[i+1:]
			t := s
			braced := len(t) > 0 && t[0] == '{'
			if braced {
				t = t[1:]
			}
			n := 0
			for n < len(t) && isVarChar(t[n]) {
				n++
			}
			if n == 0 {
				continue
			}
			name, rest := t[:n], t[n:]
			defaulted := false
			switch next := bytes.TrimPrefix(rest, []byte(":")); {
			case !braced:
				// $K
			case len(next) > 0 && (next[0] == '-' || next[0] == '+'):
				defaulted = true
			case len(rest) == 0 || bytes.IndexByte([]byte("}?:"), rest[0]) >= 0:
				// ${K}, ${K?err}, ${K:?err}
			default:
				continue
			}
			if prev, ok := out[string(name)]; ok {
				if prev && !defaulted {
					out[string(name)] = false
				}
				continue
			}
			out[string(name)] = defaulted
		}
	}
	return out
}

func isVarChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// composePathRE finds the first dotted path into the model in a compose-go
// error message, as "services.web.ports" in "validating x.yaml:
// services.web.ports must be a array".
var composePathRE = regexp.MustCompile(`\bservices\.[^\s:]+`)

// validatingRE finds the file that compose-go names in a message about
// one file: "validating /abs/inc.yaml: services.web.ports ...".
var validatingRE = regexp.MustCompile(`^validating (.+?): `)

// composeError turns an error of compose-go into an *Error, with the line
// of the key it names if the message names one: in the file the message
// names, or else in the scanned file where the most of the key's path is
// found (an error of an included file is in the included file, not at the
// main file's services: key). The message quotes no variable's value: each
// value of vars that it holds is written as the variable's template, so
// that a secret substituted into a bad field is not printed.
func (cs *composeScan) composeError(err error, vars map[string]string) *Error {
	msg := err.Error()
	var named *composeFile
	if m := validatingRE.FindStringSubmatch(msg); m != nil {
		if f := cs.file(m[1]); f != nil {
			named = f
			msg = msg[len(m[0]):]
		}
	}
	msg = redact(msg, vars)
	// Several errors (a required variable missing in two places) come one
	// a line; the message is one line.
	var one strings.Builder
	for _, l := range strings.Split(msg, "\n") {
		switch l = strings.TrimSpace(l); {
		case l == "":
			continue
		case one.Len() == 0:
		case strings.HasSuffix(one.String(), "."):
			one.WriteString(" ") // the sentences of one error
		default:
			one.WriteString("; ")
		}
		one.WriteString(l)
	}
	msg = one.String()
	// The schema check words an unknown key as "services.web.portz false
	// schema"; say it plainly.
	if m, ok := strings.CutSuffix(msg, " false schema"); ok {
		msg = m + ": unknown key, not in the compose specification"
	}
	e := &Error{File: cs.files[0].name, Msg: msg}
	if named != nil {
		e.File = named.name
	}
	path := composePathRE.FindString(msg)
	if path == "" {
		return e
	}
	segs := strings.Split(path, ".")
	candidates := cs.files
	if named != nil {
		candidates = []composeFile{*named}
	}
	best := 0
	for _, f := range candidates {
		docs, _ := decodeYAML(f.name, f.data)
		for _, d := range docs {
			n, depth := findPathDepth(d.root, segs)
			if n != nil && depth > best {
				best = depth
				e.File, e.Line, e.Column, e.Doc = f.name, n.Line, n.Column, d.doc
			}
		}
	}
	return e
}

// file returns the scanned file at path, by name or by absolute path.
func (cs *composeScan) file(path string) *composeFile {
	abs, _ := filepath.Abs(path)
	for i, f := range cs.files {
		if f.name == path {
			return &cs.files[i]
		}
		if a, err := filepath.Abs(f.name); err == nil && a == abs {
			return &cs.files[i]
		}
	}
	return nil
}

// redact replaces each value of vars found in msg by the variable's
// template ("${NAME}"), longest values first. Values of fewer than four
// characters are left: they say nothing secret and would garble the text.
func redact(msg string, vars map[string]string) string {
	keys := slices.Collect(maps.Keys(vars))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(vars[b]), len(vars[a])), cmp.Compare(a, b))
	})
	for _, k := range keys {
		if v := vars[k]; len(v) >= 4 && strings.Contains(msg, v) {
			msg = strings.ReplaceAll(msg, v, "${"+k+"}")
		}
	}
	return msg
}

// findPathDepth follows the keys of path from root as far as they go and
// returns the deepest key node found, or nil if not even the first is
// there, and how many keys it found. A segment that is a list index ("0",
// "[]") stops the walk.
func findPathDepth(root *yaml.Node, path []string) (*yaml.Node, int) {
	var found *yaml.Node
	depth := 0
	n := root
	for _, seg := range path {
		k, v := get(n, seg)
		if k == nil {
			break
		}
		found, n = k, v
		depth++
	}
	return found, depth
}

// startsAfter returns the services of project that Docker Compose starts
// before service name, which depends on them directly or through others,
// sorted; nil for none.
func startsAfter(project *types.Project, name string) []string {
	seen := map[string]bool{}
	todo := []string{name}
	for len(todo) > 0 {
		svc := project.Services[todo[len(todo)-1]]
		todo = todo[:len(todo)-1]
		for dep := range svc.DependsOn {
			if !seen[dep] && dep != name {
				seen[dep] = true
				todo = append(todo, dep)
			}
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(seen))
}

// substituter returns the interpolation of compose files with the
// variables of env, without compose-go's warnings, within the budget of a
// load (see interpolationBudget).
func substituter(env map[string]string) func(string) (string, error) {
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	budget := interpolationBudget
	return func(s string) (string, error) {
		if err := spend(&budget, s); err != nil {
			return "", err
		}
		return template.SubstituteWithOptions(s, lookup, template.WithoutLogging)
	}
}

// includeProject returns the directory of the project that include entry
// it of file f, whose paths are resolved from base, brings in, and the
// variables that the project is interpolated with, as compose-go has them.
// The directory is the entry's project_directory, or that of its first
// file. The variables are env, and under them those of the entry's env_file
// (paths from base; /dev/null is none) or, without one, of the .env file in
// the project's directory. Each env file is read as every reference is,
// inside the root and under the cap, or the include fails here; a missing
// one is left to the compose loader to report.
func (cs *composeScan) includeProject(f composeFile, doc int, it *yaml.Node, base string, env map[string]string, subst func(string) (string, error)) (string, map[string]string, error) {
	pd := ""
	if s, ok := scalar(fieldOf(it, "project_directory")); ok {
		if s, err := subst(s); err == nil && s != "" {
			pd = joinDir(base, s)
		}
	}
	if paths := includePaths(it); pd == "" && len(paths) > 0 {
		if p, err := subst(paths[0].Value); err == nil {
			pd = filepath.Dir(joinDir(base, p))
		}
	}
	type envFile struct {
		path, written string
		node          *yaml.Node
	}
	var files []envFile
	_, ef := get(it, "env_file")
	list := items(ef)
	if s, ok := scalar(ef); ok && s != "" {
		list = []*yaml.Node{resolve(ef)}
	}
	if len(list) > 0 {
		for _, n := range list {
			if s, ok := scalar(n); ok {
				if p, err := subst(s); err == nil && p != "/dev/null" {
					files = append(files, envFile{joinDir(base, p), s, n})
				}
			}
		}
	} else if p := filepath.Join(pd, ".env"); pd != "" { // none given, as an empty list or null too
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			files = append(files, envFile{p, p, it})
		}
	}
	if len(files) == 0 {
		return pd, env, nil
	}
	vars := map[string]string{}
	lookup := func(k string) (string, bool) {
		if v, ok := env[k]; ok {
			return v, true
		}
		v, ok := vars[k]
		return v, ok
	}
	for _, ef := range files {
		data, err := cs.root.readRef(ef.path, "env_file", cs.max)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			err = parseDotEnv(ef.path, data, vars, lookup)
		}
		if err != nil {
			return "", nil, refError(f, doc, ef.node, "include env_file", ef.written, err)
		}
	}
	maps.Copy(vars, env) // the including project's variables win
	return pd, vars, nil
}

// refError places the error of reading a file that f refers to (include,
// extends, env_file) at the reference.
func refError(f composeFile, doc int, ref *yaml.Node, what, written string, err error) error {
	e := &Error{File: f.name, Doc: doc, Msg: fmt.Sprintf("%s %q", what, written), Err: err}
	if ref != nil {
		e.Line, e.Column = ref.Line, ref.Column
	}
	var inner *Error
	if errors.As(err, &inner) && inner.File != "" {
		// Say what the reference resolved to, without the package prefix.
		msg := strings.TrimPrefix(inner.Msg, what+" ")
		if inner.Line > 0 {
			msg = fmt.Sprintf("line %d: %s", inner.Line, msg)
		}
		e.Msg += " (" + inner.File + ")"
		if msg != "" {
			e.Msg += ": " + msg
		}
		e.Err = inner.Err
	}
	return e
}

// scan records where each service, ports entry and expose entry of f is,
// and checks each ports entry on its own so that a bad one is reported at
// its line, interpolating with env. inProject says whether f's services
// belong to the project (a given or included file) or are only there to be
// extended. It then scans the local files that f includes, each with the
// variables and directory of its include entry, and those that its
// services extend, with env; paths in f are resolved from base, as
// compose-go resolves them. A file it cannot read is left to the compose
// loader to report.
func (cs *composeScan) scan(f composeFile, env map[string]string, base string, inProject bool, depth int) error {
	for k, v := range env {
		if references(f.data, k) {
			cs.vars[k] = v // only what the files substitute can reach a message
		}
	}
	key := fileKey{f.name, envKey(env)}
	if _, done := cs.byFile[key]; done && (!inProject || cs.inProject[key]) {
		return nil // scanned already, as far as this visit needs
	}
	docs, err := decodeYAML(f.name, f.data)
	if err != nil {
		return err
	}
	if depth == 0 {
		cs.docs[f.name] = docs
	}
	// A scan for the project supersedes one for extends alone.
	own := map[string]*rawService{}
	cs.byFile[key] = own
	cs.inProject[key] = inProject
	if !slices.Contains(cs.order, f.name) {
		cs.order = append(cs.order, f.name)
		cs.files = append(cs.files, f)
	}
	subst := substituter(env)
	type next struct {
		path, base string
		env        map[string]string
		inProject  bool
		what       string     // "include" or "extends file"
		written    string     // the reference as written
		ref        *yaml.Node // where
		doc        int
	}
	var more []next // files to scan next: included, then extended
	for _, d := range docs {
		_, inc := get(d.root, "include")
		if !inProject {
			inc = nil // compose-go reads no include of a file it reads for extends
		}
		for _, it := range items(inc) {
			paths := includePaths(it)
			for _, pn := range paths {
				p, err := subst(pn.Value)
				if err != nil {
					continue // compose-go reports it
				}
				if !localPath(p) {
					return refError(f, d.doc, pn, "include", pn.Value, ErrRemote)
				}
			}
			pd, ienv, err := cs.includeProject(f, d.doc, it, base, env, subst)
			if err != nil {
				return err
			}
			for _, pn := range paths {
				if p, err := subst(pn.Value); err == nil {
					more = append(more, next{joinDir(base, p), pd, ienv, inProject, "include", pn.Value, pn, d.doc})
					cs.approve(p)
				}
			}
		}
		_, services := get(d.root, "services")
		for _, sp := range pairs(services) {
			name := sp.key.Value
			rs := &rawService{file: f.name, key: sp.key, doc: d.doc}
			if prev := own[name]; prev != nil {
				rs = prev
			}
			own[name] = rs
			svc := resolve(sp.value)
			ek, ev := get(svc, "extends")
			if ef, fn, es, ok := extends(ev, subst); ok {
				rs.ext, rs.extService, rs.extNode = key, es, ek
				if ef != "" {
					if !localPath(ef) {
						return refError(f, d.doc, fn, "extends file", fn.Value, ErrRemote)
					}
					path := joinDir(base, ef)
					rs.ext = fileKey{path, key.env}
					// compose-go resolves an extended file's paths from
					// its own directory.
					more = append(more, next{path, filepath.Dir(path), env, false, "extends file", fn.Value, fn, d.doc})
					cs.approve(ef)
				}
			}
			start := len(rs.ports)
			portKey, portList := get(svc, "ports")
			block := blockComment(portKey)
			for _, it := range items(portList) {
				if c := cleanComment(it.HeadComment); c != "" {
					block = c
				}
				rp := &rawPort{file: f.name, node: it, doc: d.doc, block: block}
				n, err := cs.entry(rp, subst, env, depth == 0)
				if err != nil {
					return &Error{File: f.name, Line: it.Line, Column: it.Column, Doc: d.doc,
						Msg: fmt.Sprintf("service %q: %s", name, err)}
				}
				if cs.expanded += n; cs.expanded > maxExpanded {
					return &Error{File: f.name, Line: it.Line, Column: it.Column, Doc: d.doc,
						Msg: fmt.Sprintf("service %q: the ports of the project's included and extended files expand to more than %d ports, one record each (ranges shared through YAML aliases count at every use)", name, maxExpanded)}
				}
				rs.ports = append(rs.ports, rp)
			}
			exposeKey, exposeList := get(svc, "expose")
			block = blockComment(exposeKey)
			for _, it := range items(exposeList) {
				if c := cleanComment(it.HeadComment); c != "" {
					block = c
				}
				s, ok := scalar(it)
				if !ok {
					continue // compose-go's schema check reports it
				}
				v, err := subst(s)
				if err != nil {
					return &Error{File: f.name, Line: it.Line, Column: it.Column, Doc: d.doc,
						Msg: fmt.Sprintf("service %q: expose %q", name, s), Err: err}
				}
				rs.ports = append(rs.ports, &rawPort{file: f.name, node: it, doc: d.doc, expose: true, value: v, block: block})
			}
			if inProject {
				ps := cs.project[name]
				if ps == nil {
					ps = &rawService{file: rs.file, key: rs.key, doc: rs.doc}
					cs.project[name] = ps
				}
				ps.ports = append(ps.ports, rs.ports[start:]...)
				if ps.extService == "" && rs.extService != "" {
					ps.ext, ps.extService, ps.extNode = rs.ext, rs.extService, rs.extNode
				}
			}
		}
	}
	for _, n := range more {
		if depth >= maxComposeDepth {
			return refError(f, n.doc, n.ref, n.what, n.written,
				fmt.Errorf("include and extends nested more than %d files deep", maxComposeDepth))
		}
		data, err := cs.root.readRef(n.path, n.what, cs.max)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNotRegular) && isDir(n.path) {
			continue // left to the compose loader to report
		}
		if err != nil {
			return refError(f, n.doc, n.ref, n.what, n.written, err)
		}
		if err := cs.scan(composeFile{n.path, data}, n.env, n.base, n.inProject, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// approve records that the scan has read and passed the file that the
// reference p, as written in some file once interpolated, resolves to; a
// reference the scan refused has failed the load before compose-go runs.
func (cs *composeScan) approve(p string) {
	cs.approved[p] = true
}

// extends reads a service's extends: "base", or {service: base, file: x};
// fn is the node of the file, if any.
func extends(n *yaml.Node, subst func(string) (string, error)) (file string, fn *yaml.Node, service string, ok bool) {
	if s, ok := scalar(n); ok {
		s, err := subst(s)
		return "", nil, s, err == nil && s != ""
	}
	svc, ok := scalar(fieldOf(n, "service"))
	if !ok {
		return "", nil, "", false
	}
	svc, err := subst(svc)
	if err != nil || svc == "" {
		return "", nil, "", false
	}
	fn = resolve(fieldOf(n, "file"))
	if f, ok := scalar(fn); ok {
		if f, err := subst(f); err == nil && f != "" {
			return f, fn, svc, true
		}
		return "", nil, "", false
	}
	return "", nil, svc, true
}

// includePaths returns the nodes of the paths of an include entry:
// "a.yaml", or {path: a.yaml} or {path: [a.yaml, b.yaml]}.
func includePaths(n *yaml.Node) []*yaml.Node {
	if _, ok := scalar(n); ok {
		return []*yaml.Node{resolve(n)}
	}
	p := fieldOf(n, "path")
	if _, ok := scalar(p); ok {
		return []*yaml.Node{resolve(p)}
	}
	var out []*yaml.Node
	for _, it := range items(p) {
		if _, ok := scalar(it); ok {
			out = append(out, it)
		}
	}
	return out
}

// localPath reports whether p names a local file rather than a remote
// resource (git, oci, http) that the compose loader would fetch.
func localPath(p string) bool {
	return p != "" && !strings.Contains(p, "://") && !strings.HasPrefix(p, "oci:") && !strings.HasPrefix(p, "git@")
}

func joinDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// entry reads the ports entry of rp, interpolated with subst: as a span
// if it is one, else expanded as compose-go expands it. In a file given
// to compose-go as content (given), a span gets a stand-in. It returns
// how many ports compose-go will expand the entry into.
func (cs *composeScan) entry(rp *rawPort, subst func(string) (string, error), env map[string]string, given bool) (int, error) {
	it := rp.node
	if it.Kind == yaml.ScalarNode {
		if v, err := subst(it.Value); err == nil {
			sp, ok, err := parseSpan(v)
			if err != nil {
				if v != it.Value {
					return 0, fmt.Errorf("port %q: %s", it.Value, redact(err.Error(), env))
				}
				return 0, fmt.Errorf("port %q: %w", v, err)
			}
			if ok {
				rp.span = &sp
				if !given {
					return sp.len(), nil
				}
				m, ok := cs.markers[v]
				if !ok {
					m = netip.AddrFrom16([16]byte{0: 0x01, 14: byte(len(cs.markers) >> 8), 15: byte(len(cs.markers))}).String()
					cs.markers[v] = m
				}
				rp.marker = m
				if cs.rewrite[rp.file] == nil {
					cs.rewrite[rp.file] = map[*yaml.Node]string{}
				}
				cs.rewrite[rp.file][it] = sp.standIn(m)
				return 1, nil
			}
		}
	}
	cfgs, err := expandPort(it, subst, env)
	rp.configs = cfgs
	return len(cfgs), err
}

// content returns what compose-go is given for the given file f: f's
// own bytes, or, if the scan gave some of its entries stand-ins, its
// trees written again with them.
func (cs *composeScan) content(f composeFile) ([]byte, error) {
	docs, rewrite := cs.docs[f.name], cs.rewrite[f.name]
	if len(rewrite) == 0 {
		return f.data, nil
	}
	type saved struct {
		value, tag string
		style      yaml.Style
	}
	old := map[*yaml.Node]saved{}
	for n, v := range rewrite {
		old[n] = saved{n.Value, n.Tag, n.Style}
		n.Value, n.Tag, n.Style = v, "!!str", yaml.DoubleQuotedStyle
	}
	defer func() {
		for n, o := range old {
			n.Value, n.Tag, n.Style = o.value, o.tag, o.style
		}
	}()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	for _, d := range docs {
		if err := enc.Encode(d.root); err != nil {
			return nil, &Error{File: f.name, Msg: "writing the file for the compose loader", Err: err}
		}
	}
	if err := enc.Close(); err != nil {
		return nil, &Error{File: f.name, Msg: "writing the file for the compose loader", Err: err}
	}
	return buf.Bytes(), nil
}

// expandPort expands one ports entry (short or long syntax) as the compose
// loader does, after interpolation with env. A message quotes the entry as
// written, never a variable's value.
func expandPort(n *yaml.Node, subst func(string) (string, error), env map[string]string) ([]types.ServicePortConfig, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := subst(n.Value)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", n.Value, err)
		}
		cfgs, err := types.ParsePortConfig(s)
		if err != nil {
			if s != n.Value {
				return nil, fmt.Errorf("port %q: %s", n.Value, redact(err.Error(), env))
			}
			return nil, fmt.Errorf("port %q: %w", s, err)
		}
		return cfgs, nil
	case yaml.MappingNode:
		var pc types.ServicePortConfig
		for _, p := range pairs(n) {
			tmpl, ok := scalar(p.value)
			if !ok {
				return nil, fmt.Errorf("port %s: want a single value, got %s", p.key.Value, kindName(p.value))
			}
			v, err := subst(tmpl)
			if err != nil {
				return nil, fmt.Errorf("port %s %q: %w", p.key.Value, tmpl, err)
			}
			switch p.key.Value {
			case "target":
				t, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, fmt.Errorf("port target %q: not a port number", tmpl)
				}
				pc.Target = uint32(t)
			case "published":
				pc.Published = v
			case "host_ip":
				pc.HostIP = v
			case "protocol":
				pc.Protocol = v
			case "name":
				pc.Name = v
			case "mode":
				pc.Mode = v
			case "app_protocol":
				pc.AppProtocol = v
			}
		}
		return []types.ServicePortConfig{pc}, nil
	}
	return nil, fmt.Errorf("port: want a string, a number or a mapping, got %s", kindName(n))
}

// portKey is what a loaded port and an entry's expansion are matched on.
type portKey struct {
	target               uint32
	published, ip, proto string
}

func keyOf(pc types.ServicePortConfig) portKey {
	proto := strings.ToLower(pc.Protocol)
	if proto == "" {
		proto = "tcp"
	}
	ip := strings.TrimSuffix(strings.TrimPrefix(pc.HostIP, "["), "]")
	return portKey{target: pc.Target, published: pc.Published, ip: ip, proto: proto}
}

// composeService turns the ports and expose lists of one loaded service into
// declarations, placing each at the entry it came from.
func composeService(project, mainFile string, svc types.ServiceConfig, dependsOn []string, rs *rawService, entries []*rawPort) ([]Declaration, error) {
	fallback := Position{File: mainFile}
	if rs != nil {
		fallback = Position{File: rs.file, Line: rs.key.Line, Column: rs.key.Column, Doc: rs.doc}
	}
	// A service scaled to 0 runs no container and binds nothing.
	replicas := svc.GetScale()
	if replicas == 0 {
		return nil, nil
	}
	if replicas == 1 {
		replicas = 0
	}
	hostNet := svc.NetworkMode == "host"
	exposeScope := ContainerScope(project, svc.Name)
	if other, ok := strings.CutPrefix(svc.NetworkMode, "service:"); ok {
		exposeScope = ContainerScope(project, other)
	}

	// Group the loaded ports by the entry that declares them; nil collects
	// those no entry accounts for. The first entry in file order wins.
	index := map[portKey]*rawPort{}
	for _, rp := range entries {
		for _, c := range rp.configs {
			if k := keyOf(c); index[k] == nil {
				index[k] = rp
			}
		}
	}
	markers := map[string]*rawPort{} // stand-in address -> first entry
	var spans []*rawPort
	for _, rp := range entries {
		if rp.span == nil {
			continue
		}
		spans = append(spans, rp)
		if rp.marker != "" && markers[rp.marker] == nil {
			markers[rp.marker] = rp
		}
	}
	groups := map[*rawPort][]types.ServicePortConfig{}
	standIn := map[*rawPort]bool{}
	var order []*rawPort
	for _, pc := range svc.Ports {
		k := keyOf(pc)
		from := index[k]
		stand := false
		if from == nil {
			if from = markers[k.ip]; from != nil {
				stand = true
			} else {
				for _, rp := range spans {
					if rp.span.contains(pc) {
						from = rp
						break
					}
				}
			}
		}
		_, seen := groups[from]
		if !seen && !standIn[from] {
			order = append(order, from)
		}
		if stand {
			standIn[from] = true
			continue
		}
		groups[from] = append(groups[from], pc)
	}

	var out []Declaration
	for _, rp := range order {
		src, desc := fallback, ""
		if rp != nil {
			at := rp.node
			if k, _ := get(at, "published"); k != nil {
				at = k // a long-syntax port is placed at what it publishes
			}
			src = Position{File: rp.file, Line: at.Line, Column: at.Column, Doc: rp.doc}
			desc = cmp.Or(comment(rp.node), rp.block)
		}
		ds, err := composePorts(groups[rp], hostNet)
		if err == nil && standIn[rp] {
			var d Declaration
			d, err = rp.span.declaration("", hostNet)
			ds = append(ds, d)
		}
		if err != nil {
			return nil, &Error{File: src.File, Line: src.Line, Column: src.Column, Doc: src.Doc,
				Msg: fmt.Sprintf("service %q", svc.Name), Err: err}
		}
		for _, d := range ds {
			d.Project, d.Service, d.Description, d.Pos = project, svc.Name, desc, src
			d.Replicas, d.DependsOn = replicas, dependsOn
			d.Image, d.NetworkMode = svc.Image, svc.NetworkMode
			out = append(out, d)
		}
	}

	for _, e := range svc.Expose {
		src, desc := fallback, ""
		for _, rp := range entries {
			if rp.expose && rp.value == e {
				src = Position{File: rp.file, Line: rp.node.Line, Column: rp.node.Column, Doc: rp.doc}
				desc = cmp.Or(comment(rp.node), rp.block)
				break
			}
		}
		proto, r, err := parseExpose(e)
		if err != nil {
			return nil, &Error{File: src.File, Line: src.Line, Column: src.Column, Doc: src.Doc,
				Msg: fmt.Sprintf("service %q: expose %q", svc.Name, e), Err: err}
		}
		d := Declaration{
			Endpoint: ports.EndpointAnyAddr(proto, r),
			Protocol: proto,
			Scope:    exposeScope,
			Kind:     KindComposeExpose,
			Exposure: Internal,
		}
		if hostNet {
			d.Scope, d.Exposure, d.Replicas = HostScope(), Public, replicas
		}
		d.Project, d.Service, d.Description, d.Pos = project, svc.Name, desc, src
		d.DependsOn = dependsOn
		d.Image, d.NetworkMode = svc.Image, svc.NetworkMode
		out = append(out, d)
	}
	if hostNet && len(svc.Ports) == 0 && len(svc.Expose) == 0 {
		out = imagePorts(nil, Declaration{
			Project: project, Service: svc.Name, Pos: fallback, Replicas: replicas,
			DependsOn: dependsOn, Image: svc.Image, NetworkMode: svc.NetworkMode,
		})
	}
	return out, nil
}

// parseExpose parses an expose entry: "8002", "4000-4002", "53/udp".
func parseExpose(s string) (ports.Protocol, ports.Range, error) {
	proto, what := ports.TCP, "" // the ports are the whole entry, which the message quotes
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		p, err := ports.ParseProtocol(s[i+1:])
		if err != nil {
			return 0, ports.Range{}, withDetail("protocol", err)
		}
		proto, s, what = p, s[:i], "ports"
	}
	r, err := ports.ParseRange(s)
	if err != nil {
		return 0, ports.Range{}, withDetail(what, err)
	}
	if r.Lo() == 0 {
		return 0, ports.Range{}, fmt.Errorf("port 0 cannot be exposed")
	}
	return proto, r, nil
}

// composePort is one loaded port, parsed.
type composePort struct {
	proto     ports.Protocol
	addr      netip.Addr
	published ports.Range // zero: ephemeral
	target    ports.Range
	name      string
}

// composePorts parses the loaded ports of one entry and merges runs (the
// expansion of a range) back into ranges. With host networking the
// container's target ports are bound on the host and published ports are
// ignored, as Docker does.
func composePorts(pcs []types.ServicePortConfig, hostNet bool) ([]Declaration, error) {
	cps := make([]composePort, 0, len(pcs))
	for _, pc := range pcs {
		cp, err := parseComposePort(pc)
		if err != nil {
			return nil, err
		}
		if hostNet {
			cp.addr, cp.published = netip.Addr{}, cp.target
		}
		cps = append(cps, cp)
	}
	slices.SortStableFunc(cps, func(a, b composePort) int {
		return cmp.Or(cmp.Compare(a.proto, b.proto), a.addr.Compare(b.addr),
			a.published.Compare(b.published), a.target.Compare(b.target))
	})
	var merged []composePort
	for _, cp := range cps {
		if n := len(merged); n > 0 && adjacent(merged[n-1], cp) {
			last := &merged[n-1]
			last.target = ports.RangeFrom(last.target.Lo(), cp.target.Hi())
			if cp.published.IsValid() {
				last.published = ports.RangeFrom(last.published.Lo(), cp.published.Hi())
			}
			continue
		}
		merged = append(merged, cp)
	}
	out := make([]Declaration, 0, len(merged))
	for _, cp := range merged {
		out = append(out, cp.declaration(hostNet))
	}
	return out, nil
}

// declaration returns cp as a declaration of a host port; with host
// networking its target ports are what is bound.
func (cp composePort) declaration(hostNet bool) Declaration {
	d := Declaration{
		Protocol: cp.proto,
		Addr:     cp.addr,
		Target:   cp.target,
		Scope:    HostScope(),
		Kind:     KindCompose,
		Exposure: exposureOfAddr(cp.addr),
		Name:     cp.name,
	}
	if cp.published.IsValid() {
		d.Endpoint = ports.EndpointFrom(cp.proto, cp.addr, cp.published)
	} else {
		d.Ephemeral = true
	}
	if hostNet {
		d.Target = ports.Range{}
	}
	return d
}

// adjacent reports whether b continues the run a: same protocol, address
// and name, single target ports one apart, and published ports one apart
// (or both ephemeral).
func adjacent(a, b composePort) bool {
	if a.proto != b.proto || a.addr != b.addr || a.name != b.name {
		return false
	}
	if !b.target.IsSingle() || a.target.Hi() == ports.MaxPort || b.target.Lo() != a.target.Hi()+1 {
		return false
	}
	switch {
	case !a.published.IsValid() && !b.published.IsValid():
		return true
	case a.published.IsValid() && b.published.IsValid():
		return b.published.IsSingle() && a.published.Len() == a.target.Len() &&
			a.published.Hi() != ports.MaxPort && b.published.Lo() == a.published.Hi()+1
	}
	return false
}

func parseComposePort(pc types.ServicePortConfig) (composePort, error) {
	var cp composePort
	proto := pc.Protocol
	if proto == "" {
		proto = "tcp"
	}
	p, err := ports.ParseProtocol(proto)
	if err != nil {
		return cp, withDetail("protocol", err)
	}
	cp.proto, cp.name = p, pc.Name
	if pc.HostIP != "" {
		a, err := parseHostIP(pc.HostIP)
		if err != nil {
			return cp, err
		}
		cp.addr = a
	}
	if pc.Target == 0 || pc.Target > uint32(ports.MaxPort) {
		return cp, fmt.Errorf("target port %d: want 1 to 65535", pc.Target)
	}
	cp.target = ports.Port(pc.Target).Range()
	if pc.Published != "" {
		r, err := ports.ParseRange(pc.Published)
		if err != nil {
			return cp, withDetail("published port", err)
		}
		if r.Lo() == 0 {
			return cp, fmt.Errorf("published port %q: port 0 is not a host port", pc.Published)
		}
		cp.published = r
	}
	return cp, nil
}

// parseHostIP parses a compose host IP, "[::1]" or "::1" or "127.0.0.1".
func parseHostIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("host IP %q: not an IP address", s)
	}
	return a.Unmap(), nil
}

// inconsistentRE matches the messages of compose-go's consistency check
// that name one service of those that refer to a resource no file defines.
var inconsistentRE = regexp.MustCompile(`^service "[^"]*" refers to undefined (secret|build secret|config|network|volume|model) (.*): invalid compose project$`)

// everyInconsistent returns err, from compose-go's check of a project's
// consistency, naming every service at fault, in order, where err names one
// of them. compose-go walks the services in the random order of a map and
// names the first it finds at fault, so that with three services using a
// secret no file defines, a run names any of the three. The project is
// loaded again without the check to find them all; err is returned as it
// is when it is of another kind.
func everyInconsistent(details types.ConfigDetails, opts func(*loader.Options), err error) error {
	const noImage = "has neither an image nor a build context specified: invalid compose project"
	msg := err.Error()
	m := inconsistentRE.FindStringSubmatch(msg)
	if m == nil && !(strings.HasPrefix(msg, "service ") && strings.HasSuffix(msg, noImage)) {
		return err
	}
	project, lerr := loader.LoadWithContext(context.Background(), details, opts, func(o *loader.Options) { o.SkipConsistencyCheck = true })
	if lerr != nil {
		return err
	}
	var names []string
	for _, name := range slices.Sorted(maps.Keys(project.Services)) {
		if inconsistent(project, project.Services[name], m) {
			names = append(names, strconv.Quote(name))
		}
	}
	switch {
	case len(names) == 0:
		return err
	case m == nil && len(names) == 1:
		return fmt.Errorf("service %s %s", names[0], noImage)
	case m == nil:
		return fmt.Errorf("services %s have neither an image nor a build context specified: invalid compose project", andList(names))
	case len(names) == 1:
		return fmt.Errorf("service %s refers to undefined %s %s: invalid compose project", names[0], m[1], m[2])
	}
	return fmt.Errorf("services %s refer to undefined %s %s: invalid compose project", andList(names), m[1], m[2])
}

// inconsistent reports whether s refers to the undefined resource that m
// (inconsistentRE's match) names, or, with m nil, has neither an image nor
// a build context.
func inconsistent(p *types.Project, s types.ServiceConfig, m []string) bool {
	if m == nil {
		return s.Build == nil && s.Image == "" && s.Provider == nil
	}
	kind, name := m[1], m[2]
	switch kind {
	case "secret":
		_, defined := p.Secrets[name]
		return !defined && slices.ContainsFunc(s.Secrets, func(r types.ServiceSecretConfig) bool { return r.Source == name })
	case "build secret":
		_, defined := p.Secrets[name]
		return !defined && s.Build != nil && slices.ContainsFunc(s.Build.Secrets, func(r types.ServiceSecretConfig) bool { return r.Source == name })
	case "config":
		_, defined := p.Configs[name]
		return !defined && slices.ContainsFunc(s.Configs, func(r types.ServiceConfigObjConfig) bool { return r.Source == name })
	case "network":
		_, defined := p.Networks[name]
		_, uses := s.Networks[name]
		return !defined && uses
	case "volume":
		_, defined := p.Volumes[name]
		return !defined && slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Type == types.VolumeTypeVolume && v.Source == name
		})
	case "model":
		_, defined := p.Models[name]
		_, uses := s.Models[name]
		return !defined && uses
	}
	return false
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// blockComment returns the comment above the key of a list of ports
// ("# the gateway's public listeners" over "ports:"), which describes each
// entry of it that has no comment of its own; "" for a nil key.
func blockComment(key *yaml.Node) string {
	if key == nil {
		return ""
	}
	return cleanComment(key.HeadComment)
}
