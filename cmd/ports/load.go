package main

// Loading, shared by the commands that read projects (check, doc): the
// flags that say how compose projects are built, and the reading of the
// arguments into declarations.

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"

	"github.com/portalloc/ports/manifest"
)

// loadFlags are the flags of the commands that read projects.
type loadFlags struct {
	useEnv   bool
	profiles multiFlag
	maxSize  int64
	root     string
}

// addLoadFlags defines the loading flags on fs.
func addLoadFlags(fs *flag.FlagSet) *loadFlags {
	lf := &loadFlags{}
	fs.BoolVar(&lf.useEnv, "env", false, "interpolate compose files with the process environment too, over their .env files (default: the .env file only, so an unset ${VAR:-default} takes its default)")
	fs.Var(&lf.profiles, "profile", "enable this compose `profile`, as docker compose does (repeatable; '*' enables all; default: COMPOSE_PROFILES, or none)")
	fs.Int64Var(&lf.maxSize, "max-file-size", manifest.DefaultMaxFileSize, "refuse any file larger than this many `bytes`")
	fs.StringVar(&lf.root, "root", "", "the `directory` that files a project refers to (include, extends, env_file, .env) must lie in (default: the project's directory; / allows any)")
	return lf
}

// loaded is what the arguments gave: the declarations of every input that
// loaded, and the error of each that did not. An input that fails does not
// stop the others.
type loaded struct {
	decls  []manifest.Declaration
	inputs []string // the files read, in order
	errs   []error  // one per input that failed, an *manifest.Error where it can be
}

// err joins the errors of the inputs that failed, or returns nil.
func (l loaded) err() error { return errors.Join(l.errs...) }

// load reads args as lf says.
func (a *app) load(lf *loadFlags, args []string) loaded {
	var profiles []string
	if lf.profiles != nil {
		profiles = lf.profiles
	}
	decls, err := a.loadFiles(manifest.Loader{DotEnv: true, MaxFileSize: lf.maxSize, Root: lf.root}, lf.useEnv, profiles, args)
	out := loaded{decls: decls, inputs: args}
	if err != nil {
		out.errs = []error{err}
	}
	return out
}

// loadFiles reads the declarations of files, as check and doc do: compose
// files interpolate the .env file beside them, as Docker Compose does, and
// the process environment over it only if useEnv; only the given compose
// profiles are enabled if any were given.
func (a *app) loadFiles(loader manifest.Loader, useEnv bool, profiles []string, files []string) ([]manifest.Declaration, error) {
	if useEnv {
		loader.Env = a.environ()
	}
	if profiles != nil {
		loader.Profiles = profiles
	}
	var all []manifest.Declaration
	var errs []error
	for _, group := range composeGroups(files) {
		var ds []manifest.Declaration
		var err error
		if len(group) > 1 {
			ds, err = loader.LoadCompose(group...)
		} else {
			ds, err = loader.LoadAll(group...)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, ds...)
	}
	return all, errors.Join(errs...)
}

// composeGroups groups files to be read: each file alone, except a compose
// file's override files given after it (compose.override.yaml with
// compose.yaml, docker-compose.override.yml with docker-compose.yml: the
// same directory, the same name with ".override" before the extension, and
// a first file named as compose files are), which are read with it as one
// project, after it, as Docker Compose reads them. The groups keep the
// order of their first files.
func composeGroups(files []string) [][]string {
	stem := func(f string) (dir, name string) {
		base := filepath.Base(f)
		return filepath.Dir(f), strings.TrimSuffix(base, filepath.Ext(base))
	}
	index := map[[2]string]int{} // (dir, stem) of a group's first file -> group
	var groups [][]string
	for _, f := range files {
		dir, name := stem(f)
		if base, ok := strings.CutSuffix(name, ".override"); ok {
			if i, ok := index[[2]string{dir, base}]; ok {
				groups[i] = append(groups[i], f)
				continue
			}
		}
		if format, _ := manifest.DetectFormat(f, nil); format == manifest.FormatCompose {
			if _, ok := index[[2]string{dir, name}]; !ok {
				index[[2]string{dir, name}] = len(groups)
			}
		}
		groups = append(groups, []string{f})
	}
	return groups
}

// multiFlag is a flag that may be given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

var _ flag.Value = (*multiFlag)(nil)

// environ returns the process environment through a.lookupEnv's source.
func (a *app) environ() map[string]string {
	if a.env != nil {
		return a.env()
	}
	return manifest.Environ()
}
