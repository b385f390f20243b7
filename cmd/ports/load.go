package main

// Loading, shared by the commands that read projects (check, doc): the
// flags that say how compose projects are built, as docker compose's own
// flags say, and the reading of the arguments through
// manifest.Loader.LoadPaths.

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/portalloc/ports/manifest"
)

// loadFlags are the flags of the commands that read projects.
type loadFlags struct {
	files        multiFlag
	projectDir   string
	envFiles     multiFlag
	projectName  string
	profiles     multiFlag
	noProcessEnv bool
	maxSize      int64
	root         string
}

// addLoadFlags defines the loading flags on fs.
func addLoadFlags(fs *flag.FlagSet) *loadFlags {
	lf := &loadFlags{}
	fileUsage := "a compose `file` of the project, merged in order as docker compose -f merges them (repeatable)"
	fs.Var(&lf.files, "f", fileUsage)
	fs.Var(&lf.files, "file", fileUsage)
	fs.StringVar(&lf.projectDir, "project-directory", "", "the compose project's `directory`, where its .env is read (default: the first -f file's, or the current one)")
	fs.Var(&lf.envFiles, "env-file", "read the compose project's variables from this `file` instead of .env (repeatable)")
	nameUsage := "the compose project's `name` (default: COMPOSE_PROJECT_NAME, the files' name:, or the directory's)"
	fs.StringVar(&lf.projectName, "p", "", nameUsage)
	fs.StringVar(&lf.projectName, "project-name", "", nameUsage)
	fs.Var(&lf.profiles, "profile", "enable this compose `profile`, as docker compose does (repeatable; '*' enables all; default: COMPOSE_PROFILES, or none)")
	fs.BoolVar(&lf.noProcessEnv, "no-process-env", false, "interpolate compose files with their .env and --env-file files only, ignoring the process environment and its COMPOSE_* variables, so that a check in CI reads the same everywhere")
	fs.Int64Var(&lf.maxSize, "max-file-size", manifest.DefaultMaxFileSize, "refuse any file larger than this many `bytes`")
	fs.StringVar(&lf.root, "root", "", "the `directory` that files a project refers to (include, extends, env_file, .env) must lie in (default: the project's directory; / allows any)")
	return lf
}

// loaded is what the arguments gave: the declarations of every input that
// loaded, and the error of each that did not. An input that fails does not
// stop the others.
type loaded struct {
	decls   []manifest.Declaration
	inputs  []string // the files read, in order
	regs    []string // the port registries among them that loaded
	errs    []error  // one per input that failed, an *manifest.Error where it can be
	skipped int      // files in directories that are none of the formats read
}

// err joins the errors of the inputs that failed, or returns nil.
func (l loaded) err() error { return errors.Join(l.errs...) }

// loader returns the manifest.Loader that lf describes.
func (a *app) loader(lf *loadFlags) manifest.Loader {
	l := manifest.Loader{
		DotEnv:       true,
		ComposeFiles: lf.files,
		ProjectDir:   lf.projectDir,
		EnvFiles:     lf.envFiles,
		ProjectName:  lf.projectName,
		MaxFileSize:  lf.maxSize,
		Root:         lf.root,
		Stdin:        a.stdin,
	}
	if lf.profiles != nil {
		l.Profiles = lf.profiles
	}
	if !lf.noProcessEnv {
		l.Env = a.environ()
	}
	return l
}

// load reads args as lf says, and prints the loader's warnings to
// standard error, each once, in order.
func (a *app) load(lf *loadFlags, args []string) loaded {
	res, _ := a.loader(lf).LoadPaths(args...)
	out := loaded{decls: res.Decls, errs: res.Errors(), skipped: len(res.Skipped)}
	for _, in := range res.Inputs {
		out.inputs = append(out.inputs, in.Files...)
		if in.Format == manifest.FormatRegistry && in.Err == nil {
			out.regs = append(out.regs, in.Files...)
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "ports: warning: %s\n", w)
	}
	return out
}

// multiFlag is a flag that may be given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

var _ flag.Value = (*multiFlag)(nil)

// environ returns the process environment through a.env, or
// manifest.Environ.
func (a *app) environ() map[string]string {
	if a.env != nil {
		return a.env()
	}
	return manifest.Environ()
}
