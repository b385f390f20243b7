package manifest

import (
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

	"github.com/compose-spec/compose-go/v2/dotenv"
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
// The loader expands a short-syntax range into one port per number; the
// ports matched to one entry are merged back into ranges, so that
// "10000-20000:10000-20000/udp" is one declaration, not 10001.

// composeFile is one compose file given to readCompose.
type composeFile struct {
	name string
	data []byte
}

// ReadCompose reads one compose file from r; name is used for messages, for
// the default project name (the base name of its directory, as Docker
// Compose does) and to resolve extends and include.
func (l Loader) ReadCompose(name string, r io.Reader) ([]Declaration, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{File: name, Msg: "reading compose file", Err: err}
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
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, &Error{File: p, Msg: "reading compose file", Err: err}
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

func (l Loader) readCompose(files []composeFile) (decls []Declaration, err error) {
	env, err := l.composeEnv(files[0].name)
	if err != nil {
		return nil, err
	}
	cs := &composeScan{project: map[string]*rawService{}, byFile: map[fileKey]map[string]*rawService{}, inProject: map[fileKey]bool{}}
	for _, f := range files {
		// compose-go resolves the paths of every given file from the
		// first one's directory, the project's working directory.
		if err := cs.scan(f, env, filepath.Dir(files[0].name), true, 0); err != nil {
			return nil, err
		}
	}

	project, err := l.loadProject(files, env, cs.files)
	if err != nil {
		return nil, err
	}

	main := files[0].name
	names := project.ServiceNames()
	slices.Sort(names)
	for _, name := range names {
		svc := project.Services[name]
		rs, entries := cs.entries(name)
		ds, err := composeService(project.Name, main, svc, startsAfter(project, name), rs, entries)
		if err != nil {
			return nil, err
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
		return cmp.Or(cmp.Compare(rank[a.Source.File], rank[b.Source.File]), a.Source.Compare(b.Source))
	})
	return decls, nil
}

// composeEnv returns the variables a project whose first file is main
// interpolates: l.Env, over the .env file beside main if l.DotEnv.
func (l Loader) composeEnv(main string) (map[string]string, error) {
	if !l.DotEnv {
		return l.Env, nil
	}
	path := filepath.Join(filepath.Dir(main), ".env")
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return l.Env, nil // a directory called .env is not one, as for Docker Compose
	}
	vars, err := dotenv.ReadFile(path, func(k string) (string, bool) {
		v, ok := l.Env[k]
		return v, ok
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return l.Env, nil
	case err != nil:
		return nil, &Error{File: path, Msg: "reading the .env file: " + err.Error()}
	}
	maps.Copy(vars, l.Env)
	return vars, nil
}

// loadProject runs compose-go's loader on files. It reads no file that is
// not given, except those that extends and include name and the .env or
// env_file of an included project, and no process environment: variables
// come from env only. When the load fails, the error names the variables
// that were not set and that some file of scanned (every file the scan
// read) uses without a default.
func (l Loader) loadProject(files []composeFile, vars map[string]string, scanned []composeFile) (project *types.Project, err error) {
	main := files[0].name
	dir := filepath.Dir(main)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	env := types.Mapping{}
	maps.Copy(env, vars)
	details := types.ConfigDetails{WorkingDir: dir, Environment: env}
	for _, f := range files {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: f.name, Content: f.data})
	}
	profiles := l.Profiles
	if profiles == nil {
		profiles = []string{"*"}
	}
	var missing []string
	opts := func(o *loader.Options) {
		if l.ProjectName != "" {
			o.SetProjectName(l.ProjectName, true)
		} else {
			name := loader.NormalizeProjectName(filepath.Base(dir))
			if name == "" {
				name = "default"
			}
			o.SetProjectName(name, false)
		}
		o.Profiles = profiles
		o.ResolvePaths = false
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		if o.Interpolate != nil {
			lookup := o.Interpolate.LookupValue
			o.Interpolate.LookupValue = func(k string) (string, bool) {
				v, ok := lookup(k)
				if !ok && !slices.Contains(missing, k) {
					missing = append(missing, k)
				}
				return v, ok
			}
			// compose-go warns, as Docker Compose does, of a variable
			// that is not set and has no default; the scan of positions
			// substitutes the same strings without a word.
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
		e := composeError(files, err)
		missing = slices.DeleteFunc(missing, func(k string) bool { return defaultedIn(scanned, k) })
		if len(missing) > 0 {
			slices.Sort(missing)
			e.Msg += " (variables not set: " + strings.Join(missing, ", ") + ")"
		}
		return nil, e
	}
	return project, nil
}

// defaultedIn reports whether every reference to variable k in files gives
// a value for it unset (${K:-v}, ${K-v}, ${K:+v}, ${K+v}), and there is at
// least one: then k being unset did not break the files. References in
// files the scan did not read (a .env file, a remote file) are not seen,
// and k is then kept.
func defaultedIn(files []composeFile, k string) bool {
	seen := false
	for _, f := range files {
		s := string(f.data)
		for {
			i := strings.IndexByte(s, '$')
			if i < 0 {
				break
			}
			s = s[i+1:]
			braced := strings.HasPrefix(s, "{")
			if braced {
				s = s[1:]
			}
			rest, ok := strings.CutPrefix(s, k)
			if !ok {
				continue
			}
			switch next := strings.TrimPrefix(rest, ":"); {
			case braced && (strings.HasPrefix(next, "-") || strings.HasPrefix(next, "+")):
				seen = true
			case braced && (rest == "" || strings.ContainsRune("}?:", rune(rest[0]))):
				return false // ${K}, ${K?err}, ${K:?err}
			case !braced && (rest == "" || !isVarChar(rest[0])):
				return false // $K
			}
		}
	}
	return seen
}

// isVarChar reports whether c may continue a variable's name.
func isVarChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// composePathRE finds the first dotted path into the model in a compose-go
// error message, as "services.web.ports" in "validating x.yaml:
// services.web.ports must be a array".
var composePathRE = regexp.MustCompile(`\bservices\.[^\s:]+`)

// composeError turns an error of compose-go into an *Error, with the line
// of the key it names if the message names one.
func composeError(files []composeFile, err error) *Error {
	msg := err.Error()
	for _, f := range files {
		msg = strings.TrimPrefix(msg, "validating "+f.name+": ")
	}
	// The schema check words an unknown key as "services.web.portz false
	// schema"; say it plainly.
	if m, ok := strings.CutSuffix(msg, " false schema"); ok {
		msg = m + ": unknown key, not in the compose specification"
	}
	e := &Error{File: files[0].name, Msg: msg}
	path := composePathRE.FindString(msg)
	if path == "" {
		return e
	}
	for _, f := range files {
		docs, _ := decodeYAML(f.name, f.data)
		for _, d := range docs {
			if n := findPath(d.root, strings.Split(path, ".")); n != nil {
				e.File, e.Line, e.Column, e.Doc = f.name, n.Line, n.Column, d.doc
				return e
			}
		}
	}
	return e
}

// findPath follows the keys of path from root as far as they go and returns
// the deepest key node found, or nil if not even the first is there. A
// segment that is a list index ("0", "[]") stops the walk.
func findPath(root *yaml.Node, path []string) *yaml.Node {
	var found *yaml.Node
	n := root
	for _, seg := range path {
		k, v := get(n, seg)
		if k == nil {
			break
		}
		found, n = k, v
	}
	return found
}

// startsAfter returns the services of project that Docker Compose starts
// before service name, which depends on them directly or through others,
// as "a,b" sorted.
func startsAfter(project *types.Project, name string) string {
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
	return strings.Join(slices.Sorted(maps.Keys(seen)), ",")
}

// substituter returns the interpolation of compose files with the
// variables of env, without compose-go's warnings.
func substituter(env map[string]string) func(string) (string, error) {
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	return func(s string) (string, error) {
		return template.SubstituteWithOptions(s, lookup, template.WithoutLogging)
	}
}

// includeProject returns the directory of the project that include entry
// it of a file whose paths are resolved from base brings in, and the
// variables that the project is interpolated with, as compose-go has them.
// The directory is the entry's project_directory, or that of its first
// file. The variables are env, and under them those of the entry's env_file
// (paths from base; /dev/null is none) or, without one, of the .env file in
// the project's directory. A file that cannot be read adds nothing here;
// the compose loader reports it.
func includeProject(it *yaml.Node, base string, env map[string]string, subst func(string) (string, error)) (string, map[string]string) {
	pd := ""
	if s, ok := scalar(valueOf(it, "project_directory")); ok {
		if s, err := subst(s); err == nil && s != "" {
			pd = joinDir(base, s)
		}
	}
	if paths := includePaths(it); pd == "" && len(paths) > 0 {
		if p, err := subst(paths[0]); err == nil {
			pd = filepath.Dir(joinDir(base, p))
		}
	}
	var files []string
	_, ef := get(it, "env_file")
	list := items(ef)
	if s, ok := scalar(ef); ok && s != "" {
		list = []*yaml.Node{resolve(ef)}
	}
	if len(list) > 0 {
		for _, n := range list {
			if f, ok := scalar(n); ok {
				if f, err := subst(f); err == nil && f != "/dev/null" {
					files = append(files, joinDir(base, f))
				}
			}
		}
	} else if f := filepath.Join(pd, ".env"); pd != "" { // none given, as an empty list or null too
		if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return pd, env
	}
	vars, err := dotenv.GetEnvFromFile(env, files)
	if err != nil {
		return pd, env
	}
	maps.Copy(vars, env) // the including project's variables win
	return pd, vars
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
	key := fileKey{f.name, envKey(env)}
	if _, done := cs.byFile[key]; done && (!inProject || cs.inProject[key]) {
		return nil // scanned already, as far as this visit needs
	}
	docs, err := decodeYAML(f.name, f.data)
	if err != nil {
		return err
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
	}
	var more []next // files to scan next: included, then extended
	for _, d := range docs {
		_, inc := get(d.root, "include")
		if !inProject {
			inc = nil // compose-go reads no include of a file it reads for extends
		}
		for _, it := range items(inc) {
			pd, ienv := includeProject(it, base, env, subst)
			for _, p := range includePaths(it) {
				if p, err := subst(p); err == nil && localPath(p) {
					more = append(more, next{joinDir(base, p), pd, ienv, inProject})
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
			if ef, es, ok := extends(valueOf(svc, "extends"), subst); ok {
				rs.ext, rs.extService = key, es
				if ef != "" {
					path := joinDir(base, ef)
					rs.ext = fileKey{path, key.env}
					// compose-go resolves an extended file's paths from
					// its own directory.
					more = append(more, next{path, filepath.Dir(path), env, false})
				}
			}
			start := len(rs.ports)
			_, portList := get(svc, "ports")
			for _, it := range items(portList) {
				rp := &rawPort{file: f.name, node: it, doc: d.doc}
				cfgs, err := expandPort(it, subst)
				if err != nil {
					return &Error{File: f.name, Line: it.Line, Column: it.Column, Doc: d.doc,
						Msg: fmt.Sprintf("service %q: %s", name, err)}
				}
				rp.configs = cfgs
				rs.ports = append(rs.ports, rp)
			}
			_, exposeList := get(svc, "expose")
			for _, it := range items(exposeList) {
				s, ok := scalar(it)
				if !ok {
					continue // compose-go's schema check reports it
				}
				v, err := subst(s)
				if err != nil {
					return &Error{File: f.name, Line: it.Line, Column: it.Column, Doc: d.doc,
						Msg: fmt.Sprintf("service %q: expose %q", name, s), Err: err}
				}
				rs.ports = append(rs.ports, &rawPort{file: f.name, node: it, doc: d.doc, expose: true, value: v})
			}
			if inProject {
				ps := cs.project[name]
				if ps == nil {
					ps = &rawService{file: rs.file, key: rs.key, doc: rs.doc}
					cs.project[name] = ps
				}
				ps.ports = append(ps.ports, rs.ports[start:]...)
				if ps.extService == "" && rs.extService != "" {
					ps.ext, ps.extService = rs.ext, rs.extService
				}
			}
		}
	}
	if depth >= maxComposeDepth {
		return nil
	}
	for _, n := range more {
		if fi, err := os.Stat(n.path); err != nil || !fi.Mode().IsRegular() {
			continue // not a file to read (missing, a device, a directory)
		}
		data, err := os.ReadFile(n.path)
		if err != nil {
			continue
		}
		if err := cs.scan(composeFile{n.path, data}, n.env, n.base, n.inProject, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// extends reads a service's extends: "base", or {service: base, file: x}.
func extends(n *yaml.Node, subst func(string) (string, error)) (file, service string, ok bool) {
	if s, ok := scalar(n); ok {
		s, err := subst(s)
		return "", s, err == nil && s != ""
	}
	svc, ok := scalar(valueOf(n, "service"))
	if !ok {
		return "", "", false
	}
	svc, err := subst(svc)
	if err != nil || svc == "" {
		return "", "", false
	}
	if f, ok := scalar(valueOf(n, "file")); ok {
		if f, err := subst(f); err == nil && localPath(f) {
			return f, svc, true
		}
		return "", "", false // a remote file: not followed
	}
	return "", svc, true
}

// includePaths returns the paths of an include entry: "a.yaml", or
// {path: a.yaml} or {path: [a.yaml, b.yaml]}.
func includePaths(n *yaml.Node) []string {
	if s, ok := scalar(n); ok {
		return []string{s}
	}
	p := valueOf(n, "path")
	if s, ok := scalar(p); ok {
		return []string{s}
	}
	var out []string
	for _, it := range items(p) {
		if s, ok := scalar(it); ok {
			out = append(out, s)
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

// expandPort expands one ports entry (short or long syntax) as the compose
// loader does, after interpolation.
func expandPort(n *yaml.Node, subst func(string) (string, error)) ([]types.ServicePortConfig, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := subst(n.Value)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", n.Value, err)
		}
		cfgs, err := types.ParsePortConfig(s)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", s, err)
		}
		return cfgs, nil
	case yaml.MappingNode:
		var pc types.ServicePortConfig
		for _, p := range pairs(n) {
			v, ok := scalar(p.value)
			if !ok {
				return nil, fmt.Errorf("port %s: want a single value, got %s", p.key.Value, kindName(p.value))
			}
			v, err := subst(v)
			if err != nil {
				return nil, fmt.Errorf("port %s %q: %w", p.key.Value, v, err)
			}
			switch p.key.Value {
			case "target":
				t, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, fmt.Errorf("port target %q: not a port number", v)
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
func composeService(project, mainFile string, svc types.ServiceConfig, dependsOn string, rs *rawService, entries []*rawPort) ([]Declaration, error) {
	fallback := Source{File: mainFile}
	if rs != nil {
		fallback = Source{File: rs.file, Line: rs.key.Line, Column: rs.key.Column, Doc: rs.doc}
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
	groups := map[*rawPort][]types.ServicePortConfig{}
	var order []*rawPort
	for _, pc := range svc.Ports {
		from := index[keyOf(pc)]
		if _, seen := groups[from]; !seen {
			order = append(order, from)
		}
		groups[from] = append(groups[from], pc)
	}

	var out []Declaration
	for _, rp := range order {
		src, desc := fallback, ""
		if rp != nil {
			src = Source{File: rp.file, Line: rp.node.Line, Column: rp.node.Column, Doc: rp.doc}
			desc = comment(rp.node)
		}
		ds, err := composePorts(groups[rp], hostNet)
		if err != nil {
			return nil, &Error{File: src.File, Line: src.Line, Column: src.Column, Doc: src.Doc,
				Msg: fmt.Sprintf("service %q", svc.Name), Err: err}
		}
		for _, d := range ds {
			d.Project, d.Service, d.Description, d.Source = project, svc.Name, desc, src
			d.Replicas, d.DependsOn = replicas, dependsOn
			out = append(out, d)
		}
	}

	for _, e := range svc.Expose {
		src, desc := fallback, ""
		for _, rp := range entries {
			if rp.expose && rp.value == e {
				src = Source{File: rp.file, Line: rp.node.Line, Column: rp.node.Column, Doc: rp.doc}
				desc = comment(rp.node)
				break
			}
		}
		proto, r, err := parseExpose(e)
		if err != nil {
			return nil, &Error{File: src.File, Line: src.Line, Column: src.Column, Doc: src.Doc,
				Msg: fmt.Sprintf("service %q: expose %q", svc.Name, e), Err: err}
		}
		d := Declaration{
			Endpoint: ports.EndpointFrom(proto, netip.Addr{}, r),
			Protocol: proto,
			Scope:    exposeScope,
			Kind:     KindComposeExpose,
			Exposure: Internal,
		}
		if hostNet {
			d.Scope, d.Exposure, d.Replicas = HostScope(), Public, replicas
		}
		d.Project, d.Service, d.Description, d.Source = project, svc.Name, desc, src
		d.DependsOn = dependsOn
		out = append(out, d)
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
		out = append(out, d)
	}
	return out, nil
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
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(pc.HostIP, "["), "]"))
		if err != nil {
			return cp, fmt.Errorf("host IP %q: not an IP address", pc.HostIP)
		}
		cp.addr = a.Unmap()
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
