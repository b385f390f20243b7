package manifest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Loader reads declarations from files, with the settings that compose
// projects need, which mean what the same options of docker compose mean.
// The zero Loader is ready to use: no variables, no .env file, no profile
// enabled, project names from the files, references kept inside each
// project's directory, files of at most [DefaultMaxFileSize].
//
// A Loader is a value that its methods do not change: it is safe for
// concurrent use as long as no one writes to its fields or to Env.
type Loader struct {
	// Env holds the variables that compose files interpolate ("${PORT}",
	// "${PORT:-8080}"), over those of the .env or EnvFiles files, as
	// Docker Compose puts the process environment over them. Nil means
	// none: the package never reads the process environment unless asked
	// to, by passing [Environ](). COMPOSE_PROFILES and
	// COMPOSE_PROJECT_NAME among the variables (here or in the env files)
	// choose the profiles and the name when Profiles and ProjectName do
	// not; COMPOSE_FILE names a directory's compose files (see
	// [Loader.LoadPaths]).
	Env map[string]string

	// Profiles lists the compose profiles to enable, as docker compose's
	// --profile: a service with profiles runs only if one of them is
	// enabled, and "*" enables all. Nil means COMPOSE_PROFILES (a comma
	// separated list) from the variables, and without it none; a non-nil
	// empty slice enables none whatever the variables say.
	Profiles []string

	// ProjectName names the compose project, as docker compose's -p.
	// Empty means COMPOSE_PROJECT_NAME from the variables, or else the
	// "name:" of the files, or else the base name of the project
	// directory.
	ProjectName string

	// ProjectDir is the project directory, as docker compose's
	// --project-directory: where the .env file is looked up and relative
	// paths are resolved from. Empty means the directory of the project's
	// first compose file.
	ProjectDir string

	// DotEnv makes compose files interpolate the variables of the .env
	// file in the project directory, as Docker Compose does; Env overrides
	// them. A missing .env is no error, a malformed one is. A project that
	// the compose files include reads its own .env (or its include entry's
	// env_file) whatever DotEnv says, as compose-go does.
	DotEnv bool

	// EnvFiles replaces the .env file with these files, read in order (a
	// later one's variable wins), as docker compose's --env-file. They are
	// read wherever they are, as files named by the caller; DotEnv does not
	// matter when they are given.
	EnvFiles []string

	// Root is the directory that the files a project refers to (include,
	// extends.file, an include's env_file, the .env file) must lie in once
	// symbolic links are resolved, or the load fails with
	// [ErrOutsideRoot]: a project checked in a pull request must not make
	// the checker read /etc/shadow or /proc/self/environ. Empty means the
	// project directory; "/" allows every file. The files given to the
	// Loader are read wherever they are.
	Root string

	// ComposeFiles are the files of one compose project, merged in order,
	// as docker compose's -f: [Loader.LoadPaths] reads them as one
	// project before its paths.
	ComposeFiles []string

	// Stdin is what [Loader.LoadPaths] reads for the path "-". Nil means
	// the process's standard input.
	Stdin io.Reader

	// MaxFileSize caps the size in bytes of every file read; a larger one
	// fails with [ErrTooLarge]. Zero means [DefaultMaxFileSize].
	MaxFileSize int64
}

// Environ returns the process environment as a map, for [Loader].Env. It is
// the only function of the package that reads the environment.
func Environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// Load reads the declarations of the file at path with the zero [Loader].
func Load(path string) ([]Declaration, error) {
	return Loader{}.Load(path)
}

// LoadAll reads the declarations of every file in paths with the zero
// [Loader].
func LoadAll(paths ...string) ([]Declaration, error) {
	return Loader{}.LoadAll(paths...)
}

// Load reads the declarations of the file at path, in whatever format
// [DetectFormat] finds.
//
// The file must be a regular file (not a directory, a device or a FIFO) of
// at most [Loader].MaxFileSize bytes.
func (l Loader) Load(path string) ([]Declaration, error) {
	data, err := readRegular(path, l.maxSize())
	if err != nil {
		return nil, err
	}
	return l.read(path, data)
}

// LoadAll reads each file of paths on its own, in order, and returns all
// their declarations. A compose file is its own project here; to merge
// override files into one project use [Loader.LoadCompose].
//
// A file that cannot be read does not stop the others: LoadAll returns the
// declarations of every good file and an error that joins the error of
// each bad one (each an [*Error]; see [errors.As]).
func (l Loader) LoadAll(paths ...string) ([]Declaration, error) {
	var all []Declaration
	var errs []error
	for _, p := range paths {
		ds, err := l.Load(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, ds...)
	}
	return all, errors.Join(errs...)
}

// Read reads the declarations of one file from r; name is used to detect the
// format, for messages and, for compose files, for the project name and to
// resolve extends and include.
// At most [Loader].MaxFileSize bytes are read.
func (l Loader) Read(name string, r io.Reader) ([]Declaration, error) {
	data, err := readCapped(name, r, l.maxSize())
	if err != nil {
		return nil, err
	}
	return l.read(name, data)
}

func (l Loader) read(name string, data []byte) ([]Declaration, error) {
	f, ok := DetectFormat(name, data)
	if !ok {
		return nil, unknownFormat(name, data)
	}
	switch f {
	case FormatCompose:
		return l.readCompose([]composeFile{{name, data}})
	case FormatKubernetes:
		return ReadKubernetes(name, bytes.NewReader(data))
	default:
		reg, err := ParseRegistry(name, data)
		if err != nil {
			return nil, err
		}
		return reg.Declarations(), nil
	}
}

// DetectFormat says what kind of file name holds, from its name first and
// then from its content:
//
//   - compose: a name compose looks for (compose.yaml, compose.yml,
//     docker-compose.yaml, docker-compose.yml, and their
//     "compose.NAME.yaml" / "docker-compose.NAME.yml" variants such as
//     docker-compose.override.yml), or a YAML mapping with a "services" key;
//   - registry: ports.yaml, ports.yml, or any NAME.ports.yaml /
//     NAME.ports.yml, or a YAML mapping with a "ports" key that is a list;
//   - kubernetes: a YAML (or JSON) document with "apiVersion" and "kind".
//
// It reports false when neither the name nor the content decides.
func DetectFormat(name string, data []byte) (Format, bool) {
	base := strings.ToLower(filepath.Base(name))
	ext := filepath.Ext(base)
	if ext == ".yaml" || ext == ".yml" {
		stem := strings.TrimSuffix(base, ext)
		switch {
		case stem == "compose" || stem == "docker-compose" ||
			strings.HasPrefix(stem, "compose.") || strings.HasPrefix(stem, "docker-compose."):
			return FormatCompose, true
		case stem == "ports" || strings.HasSuffix(stem, ".ports"):
			return FormatRegistry, true
		}
	}
	// The documents are decoded one at a time, and the first that decides
	// ends the search: a stream of many Kubernetes objects is not decoded
	// whole here, only by the reader that streams it.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return 0, false // the end, or YAML that the reader reports
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
			continue
		}
		root := n.Content[0]
		if k, _ := get(root, "apiVersion"); k != nil {
			if k, _ := get(root, "kind"); k != nil {
				return FormatKubernetes, true
			}
		}
		if _, v := get(root, "services"); v != nil && v.Kind == yaml.MappingNode {
			return FormatCompose, true
		}
		if _, v := get(root, "ports"); v != nil && v.Kind == yaml.SequenceNode {
			return FormatRegistry, true
		}
	}
}
