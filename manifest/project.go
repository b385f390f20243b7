package manifest

// A compose project is set up as Docker Compose sets one up: its directory
// is Loader.ProjectDir or the first file's; its variables are those of the
// --env-file files, or else of the .env file in its directory, with
// Loader.Env over them; COMPOSE_PROFILES and COMPOSE_PROJECT_NAME among
// those variables choose the profiles and the name unless the Loader does.

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// composeProject is one compose project to load.
type composeProject struct {
	files    []composeFile
	dir      string            // the project directory
	vars     map[string]string // what the files interpolate
	root     fileRoot          // where references must stay
	max      int64             // the cap on a file's size
	profiles []string          // enabled; "*" enables all
	name     string            // the project's name if set by the Loader or COMPOSE_PROJECT_NAME
	explicit bool              // whether name was set by the Loader
}

// project sets up the project of files, as l says.
func (l Loader) project(files []composeFile) (*composeProject, error) {
	p := &composeProject{files: files, max: l.maxSize()}
	p.dir = l.ProjectDir
	if p.dir == "" {
		p.dir = filepath.Dir(files[0].name)
	}
	rootDir := l.Root
	if rootDir == "" {
		rootDir = p.dir
	}
	root, err := newRoot(rootDir)
	if err != nil {
		return nil, err
	}
	p.root = root
	vars := map[string]string{}
	lookup := func(k string) (string, bool) {
		if v, ok := l.Env[k]; ok {
			return v, true
		}
		v, ok := vars[k]
		return v, ok
	}
	switch {
	case len(l.EnvFiles) > 0:
		// Named by the user: read wherever they are, as files given are.
		for _, f := range l.EnvFiles {
			data, err := readRegular(f, p.max)
			if err != nil {
				return nil, err
			}
			if err := parseDotEnv(f, data, vars, lookup); err != nil {
				return nil, err
			}
		}
	case l.DotEnv:
		f := filepath.Join(p.dir, ".env")
		data, err := root.readRef(f, ".env file", p.max)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, ErrNotRegular) && isDir(f):
			// A directory called .env is not one, as for Docker Compose.
		case err != nil:
			return nil, err
		default:
			if err := parseDotEnv(f, data, vars, lookup); err != nil {
				return nil, err
			}
		}
	}
	maps.Copy(vars, l.Env)
	p.vars = vars

	p.profiles = l.Profiles
	if p.profiles == nil {
		for _, s := range strings.Split(vars["COMPOSE_PROFILES"], ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.profiles = append(p.profiles, s)
			}
		}
	}
	switch {
	case l.ProjectName != "":
		p.name, p.explicit = l.ProjectName, true
	case vars["COMPOSE_PROJECT_NAME"] != "":
		p.name, p.explicit = vars["COMPOSE_PROJECT_NAME"], true
	}
	return p, nil
}

// isDir reports whether path names a directory, links followed.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// dotEnvLineRE reads the line of a dotenv parse error ("line 3: ...").
var dotEnvLineRE = regexp.MustCompile(`^line (\d+): (unexpected character|unterminated quoted value|key cannot contain a space)`)

// parseDotEnv adds the variables of an env file's data to vars; lookup
// gives the values its ${VAR} references take. An error names the file
// and the line but never quotes the file: an env file holds secrets, and
// what it holds must not reach a log.
func parseDotEnv(name string, data []byte, vars map[string]string, lookup func(string) (string, bool)) error {
	got, err := dotenv.ParseWithLookup(bytes.NewReader(data), lookup)
	if err != nil {
		e := &Error{File: name, Msg: "invalid env file"}
		if m := dotEnvLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg += ": " + m[2]
		}
		return e
	}
	maps.Copy(vars, got)
	return nil
}
