package manifest

// LoadPaths reads what a user names on a command line: compose projects
// given by their files (-f), looked up as docker compose looks them up, or
// found in directories; Kubernetes manifests; registries; and standard
// input. Each input is read on its own, so that one that fails stops no
// other.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Result is what [Loader.LoadPaths] read: the declarations of every input
// that loaded, each input with its error if it failed, the files skipped
// in directories, and warnings. Decls are in the order of the inputs.
type Result struct {
	Decls    []Declaration
	Inputs   []Input
	Skipped  []string // files in directories that are none of the formats read, in the order met
	Warnings []string // sorted, each once: variables not set, kustomizations and Helm templates skipped
}

// Errors returns the error of each input that failed, in order.
func (r *Result) Errors() []error {
	var errs []error
	for _, in := range r.Inputs {
		if in.Err != nil {
			errs = append(errs, in.Err)
		}
	}
	return errs
}

// Input is one input of [Loader.LoadPaths]: a compose project (its files
// in the order they are merged) or one file of another format. Err, an
// [*Error] where it can be, is nil if the input loaded.
type Input struct {
	Files  []string
	Format Format
	Err    error
}

// DefaultComposeFiles returns the names docker compose looks for in a
// directory, in its order of preference.
func DefaultComposeFiles() []string {
	return []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
}

// DefaultOverrideFiles returns the names of the override file that docker
// compose reads after the compose file of a directory, in its order of
// preference.
func DefaultOverrideFiles() []string {
	return []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
}

// skipDir reports whether a directory search passes over the directory
// name: version control, dependencies, and hidden directories.
func skipDir(name string) bool {
	return name == "node_modules" || name == "vendor" || strings.HasPrefix(name, ".") && name != "." && name != ".."
}

// LoadPaths reads each of paths on its own, and first the project of
// [Loader].ComposeFiles if any, and returns what every input gave. It
// returns an error, which joins the error of each input that failed, only
// when some input failed; the Result is never nil and holds every input
// that loaded all the same.
//
//   - [Loader].ComposeFiles are the files of one compose project, merged in
//     order, as "docker compose -f a -f b" merges them. With neither
//     ComposeFiles nor paths, the project is looked up as docker compose
//     looks it up: the files that COMPOSE_FILE lists (in Env or the .env
//     file of the directory), or else the first of [DefaultComposeFiles]
//     in [Loader].ProjectDir (default: the current directory) or the
//     nearest directory above it, with the first of
//     [DefaultOverrideFiles] beside it. ProjectDir, ProjectName and
//     EnvFiles apply to this project only.
//   - A file is read in its format ([DetectFormat]). A compose file named
//     as in [DefaultComposeFiles] is read with the override beside it, as
//     docker compose reads a directory; an override given too is not read
//     a second time.
//   - A directory is searched, all the way down but for .git,
//     node_modules, vendor and hidden directories: each directory's
//     compose file and override form a project, and Kubernetes manifests
//     and registries are read. Other files are skipped (Result.Skipped):
//     other compose files (add-ons meant for -f), files of other formats,
//     and kustomizations and Helm templates ([ErrKustomization],
//     [ErrHelmTemplate]), with a warning on how to render them. A file found must lie inside the directory searched (unless
//     [Loader].Root says otherwise).
//   - "-" is standard input ([Loader].Stdin), its format found from its
//     content.
func (l Loader) LoadPaths(paths ...string) (*Result, error) {
	res := &Result{}
	warn := map[string]bool{}
	add := func(in Input, decls []Declaration, warnings []string) {
		res.Inputs = append(res.Inputs, in)
		res.Decls = append(res.Decls, decls...)
		for _, w := range warnings {
			warn[w] = true
		}
	}
	if len(l.ComposeFiles) > 0 || len(paths) == 0 {
		files, err := l.projectFiles()
		if err != nil {
			add(Input{Files: files, Format: FormatCompose, Err: err}, nil, nil)
		} else {
			ds, ws, err := l.loadProject(files)
			add(Input{Files: files, Format: FormatCompose, Err: err}, ds, ws)
		}
	}
	// A path read stands on its own: the settings of the one project of
	// -f do not apply.
	each := l
	each.ProjectDir, each.ProjectName, each.EnvFiles = "", "", nil
	consumed := map[string]bool{}
	for _, p := range paths {
		if consumed[filepath.Clean(p)] {
			continue
		}
		if p == "-" {
			add(each.loadStdin())
			continue
		}
		fi, err := os.Stat(p)
		if err == nil && fi.IsDir() {
			each.walk(p, add, res, warn)
			continue
		}
		files := []string{p}
		if slices.Contains(DefaultComposeFiles(), filepath.Base(p)) {
			if o := findOverride(filepath.Dir(p)); o != "" {
				files = append(files, o)
				consumed[filepath.Clean(o)] = true
			}
		}
		add(each.loadFile(files))
	}
	res.Warnings = slices.Sorted(func(yield func(string) bool) {
		for w := range warn {
			if !yield(w) {
				return
			}
		}
	})
	return res, errors.Join(res.Errors()...)
}

// projectFiles returns the files of the project of l.ComposeFiles, or of
// the project looked up in l.ProjectDir.
func (l Loader) projectFiles() ([]string, error) {
	if len(l.ComposeFiles) > 0 {
		return l.ComposeFiles, nil
	}
	dir := l.ProjectDir
	if dir == "" {
		dir = "."
	}
	// COMPOSE_FILE may come from the .env file of the directory.
	vars := map[string]string{}
	if l.DotEnv || len(l.EnvFiles) > 0 {
		p, err := l.project([]composeFile{{name: filepath.Join(dir, "compose.yaml")}})
		if err != nil {
			return nil, err
		}
		vars = p.vars
	} else if v, ok := l.Env["COMPOSE_FILE"]; ok {
		vars["COMPOSE_FILE"] = v
	}
	if list := vars["COMPOSE_FILE"]; list != "" {
		sep := vars["COMPOSE_PATH_SEPARATOR"]
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		var files []string
		for _, f := range strings.Split(list, sep) {
			if f != "" {
				files = append(files, joinDir(dir, f))
			}
		}
		return files, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &Error{File: dir, Msg: "looking up the compose file", Err: err}
	}
	for d := abs; ; d = filepath.Dir(d) {
		if f := findFirst(d, DefaultComposeFiles()); f != "" {
			files := []string{relTo(dir, abs, f)}
			if o := findOverride(d); o != "" {
				files = append(files, relTo(dir, abs, o))
			}
			return files, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return nil, &Error{File: dir, Msg: "no compose file here or in a directory above (" + strings.Join(DefaultComposeFiles(), ", ") + "); name files with -f"}
}

// relTo writes f, found under abs (the absolute form of dir), in the form
// dir was given in, so that messages name files as the user named them.
func relTo(dir, abs, f string) string {
	rel, err := filepath.Rel(abs, f)
	if err != nil {
		return f
	}
	return filepath.Join(dir, rel)
}

// findFirst returns the first of names that is a file in dir, or "".
func findFirst(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// findOverride returns the override file in dir, or "".
func findOverride(dir string) string {
	return findFirst(dir, DefaultOverrideFiles())
}

// loadProject reads the compose project of files.
func (l Loader) loadProject(files []string) ([]Declaration, []string, error) {
	cfs := make([]composeFile, 0, len(files))
	for _, f := range files {
		data, err := readRegular(f, l.maxSize())
		if err != nil {
			return nil, nil, err
		}
		cfs = append(cfs, composeFile{f, data})
	}
	p, err := l.project(cfs)
	if err != nil {
		return nil, nil, err
	}
	return p.load()
}

// loadFile reads files: a compose project, or one file of another format.
func (l Loader) loadFile(files []string) (Input, []Declaration, []string) {
	data, err := readRegular(files[0], l.maxSize())
	if err != nil {
		return Input{Files: files, Err: err}, nil, nil
	}
	return l.loadData(files, data)
}

// loadData reads the first of files, whose content is data, and the
// others with it if it is a compose file.
func (l Loader) loadData(files []string, data []byte) (Input, []Declaration, []string) {
	name := files[0]
	format, ok := DetectFormat(name, data)
	in := Input{Files: files, Format: format}
	switch {
	case !ok:
		in.Err = unknownFormat(name, data)
		return in, nil, nil
	case format != FormatCompose:
		in.Files = files[:1]
		ds, err := l.read(name, data)
		in.Err = err
		return in, ds, nil
	}
	cfs := []composeFile{{name, data}}
	for _, f := range files[1:] {
		d, err := readRegular(f, l.maxSize())
		if err != nil {
			in.Err = err
			return in, nil, nil
		}
		cfs = append(cfs, composeFile{f, d})
	}
	p, err := l.project(cfs)
	if err != nil {
		in.Err = err
		return in, nil, nil
	}
	ds, ws, err := p.load()
	in.Err = err
	return in, ds, ws
}

// unknownFormat returns the error for a file whose format is not found:
// a kustomization's, its YAML error if it has one, else ErrUnknownFormat.
func unknownFormat(name string, data []byte) error {
	if kustomizationName(name) {
		return kustomizationError(name, 0, 0, 0)
	}
	if _, err := decodeYAML(name, data); err != nil {
		return err
	}
	return &Error{File: name, Err: ErrUnknownFormat}
}

// mustRender reports whether err says that a file must be rendered before
// it is read: a kustomization or a Helm template.
func mustRender(err error) bool {
	return errors.Is(err, ErrKustomization) || errors.Is(err, ErrHelmTemplate)
}

// loadStdin reads standard input, its format found from its content.
func (l Loader) loadStdin() (Input, []Declaration, []string) {
	r := l.Stdin
	if r == nil {
		r = os.Stdin
	}
	data, err := readCapped("-", r, l.maxSize())
	if err != nil {
		return Input{Files: []string{"-"}, Err: err}, nil, nil
	}
	return l.loadData([]string{"-"}, data)
}

// walk searches dir for inputs, in lexical order, and adds each.
func (l Loader) walk(dir string, add func(Input, []Declaration, []string), res *Result, warn map[string]bool) {
	rootDir := l.Root
	if rootDir == "" {
		rootDir = dir
	}
	root, err := newRoot(rootDir)
	if err != nil {
		add(Input{Files: []string{dir}, Err: err}, nil, nil)
		return
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			add(Input{Files: []string{path}, Err: &Error{File: path, Msg: "cannot read", Err: errors.Unwrap(err)}}, nil, nil)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != dir && skipDir(d.Name()) {
				return fs.SkipDir
			}
			if base := findFirst(path, DefaultComposeFiles()); base != "" {
				files := []string{base}
				if o := findOverride(path); o != "" {
					files = append(files, o)
				}
				p := l
				if l.Root == "" {
					p.Root = root.dir // references may reach across the tree searched
				}
				add(p.loadFile(files))
			}
			return nil
		}
		name := d.Name()
		lower := strings.ToLower(name)
		ext := filepath.Ext(lower)
		if ext != ".yaml" && ext != ".yml" && ext != ".json" || d.Type()&fs.ModeSymlink != 0 && !root.inside(path) {
			res.Skipped = append(res.Skipped, path)
			return nil
		}
		if f, _ := DetectFormat(name, nil); f == FormatCompose {
			// A directory's compose file and override are read above;
			// other compose files are add-ons, for -f.
			if !slices.Contains(DefaultComposeFiles(), name) && !slices.Contains(DefaultOverrideFiles(), name) {
				res.Skipped = append(res.Skipped, path)
			}
			return nil
		}
		data, err := readRegular(path, l.maxSize())
		if err != nil {
			add(Input{Files: []string{path}, Err: err}, nil, nil)
			return nil
		}
		format, ok := DetectFormat(name, data)
		if kustomizationName(name) {
			warn["skipped "+strings.TrimPrefix(kustomizationError(path, 0, 0, 0).Error(), "manifest: ")] = true
			res.Skipped = append(res.Skipped, path)
			return nil
		}
		if !ok || format == FormatCompose {
			res.Skipped = append(res.Skipped, path)
			return nil
		}
		ds, err := l.read(path, data)
		if mustRender(err) {
			warn["skipped "+strings.TrimPrefix(err.Error(), "manifest: ")] = true
			res.Skipped = append(res.Skipped, path)
			return nil
		}
		add(Input{Files: []string{path}, Format: format, Err: err}, ds, nil)
		return nil
	})
	if err != nil {
		add(Input{Files: []string{dir}, Err: &Error{File: dir, Msg: "searching the directory", Err: err}}, nil, nil)
	}
}

// inside reports whether path, its links resolved, lies inside r.
func (r fileRoot) inside(path string) bool {
	return r.check(path, "file") == nil
}
