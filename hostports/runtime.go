package hostports

// How the container runtime is found, in the order the Docker CLI resolves
// its daemon: DOCKER_HOST, then DOCKER_CONTEXT, then the currentContext of
// the CLI's config.json (whose endpoint is in the context store, under
// contexts/meta/<sha256 of the name>/meta.json), then the default socket.
// Podman is taken when an endpoint names it (CONTAINER_HOST, or a socket
// path with "podman" in it), or when no Docker socket exists and a podman
// socket or program does. A unix socket in a user's runtime directory is a
// rootless daemon's: rootless Docker listens on
// $XDG_RUNTIME_DIR/docker.sock (or ~/.docker/run/docker.sock), rootless
// Podman on $XDG_RUNTIME_DIR/podman/podman.sock. A daemon reached over TCP
// or SSH may be either; it is not called rootless.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
)

// Runtime is the container runtime that would publish a compose project's
// ports on this host, as [FindRuntime] found it. The zero value means that
// none was found.
type Runtime struct {
	// Name is "docker" or "podman", or "" when no runtime was found.
	Name string

	// Rootless reports whether the runtime runs as an unprivileged user
	// (rootless Docker, or Podman run by a user other than root), which
	// cannot publish a port below the host's unprivileged start
	// (net.ipv4.ip_unprivileged_port_start on Linux; see
	// [Limits.Privileged]).
	Rootless bool

	// Endpoint is the daemon's address ("unix:///run/user/1000/docker.sock"),
	// or "" when the runtime was found by its program alone.
	Endpoint string

	// Evidence says, for a person, what the finding rests on:
	// "DOCKER_HOST is unix:///run/user/1000/docker.sock, a user's runtime
	// directory".
	Evidence string
}

// String returns a short description: "rootless Docker", "Podman", or
// "no container runtime".
func (r Runtime) String() string {
	var name string
	switch r.Name {
	case "":
		return "no container runtime"
	case "docker":
		name = "Docker"
	case "podman":
		name = "Podman"
	default:
		name = r.Name
	}
	if r.Rootless {
		return "rootless " + name
	}
	return name
}

// RuntimeEnv is what [FindRuntime] looks at: the environment, the user and
// the file system. Its zero value finds no runtime.
type RuntimeEnv struct {
	// Getenv returns an environment variable, "" when unset; nil reads
	// none. FindRuntime reads DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG,
	// CONTAINER_HOST, XDG_RUNTIME_DIR, HOME and PATH.
	Getenv func(string) string

	// UID is the effective user ID of the user who runs the containers.
	UID int

	// FS is the file system, rooted at / (os.DirFS("/") for this host);
	// absolute paths are looked up in it without their leading slash.
	// Nil reads no file.
	FS fs.FS
}

// ReadRuntime finds the container runtime of this host, as [FindRuntime]
// does with this process's environment, effective user ID and file system.
// It reads a few small files and runs no program; on Windows and in a
// process with no environment it finds what the environment says, if
// anything.
func ReadRuntime() Runtime {
	return FindRuntime(RuntimeEnv{Getenv: os.Getenv, UID: os.Geteuid(), FS: os.DirFS("/")})
}

// FindRuntime says which container runtime env has, and whether it is
// rootless. It follows the Docker CLI: DOCKER_HOST, else the Docker
// context named by DOCKER_CONTEXT or the CLI's config.json (in
// DOCKER_CONFIG or ~/.docker), else /var/run/docker.sock; a socket in a
// user's runtime directory ($XDG_RUNTIME_DIR, /run/user/UID with UID not
// 0, ~/.docker/run) is a rootless daemon's. Podman is found by
// CONTAINER_HOST or a socket path that names it, or, when there is no
// Docker socket, by $XDG_RUNTIME_DIR/podman/podman.sock or a podman
// program on PATH; it is rootless unless UID is 0. With no Docker socket
// but $XDG_RUNTIME_DIR/docker.sock, it finds rootless Docker.
//
// FindRuntime reads only env; its result depends on nothing else.
func FindRuntime(env RuntimeEnv) Runtime {
	f := runtimeFinder{env: env}
	if h := f.getenv("DOCKER_HOST"); h != "" {
		return f.endpoint(h, "DOCKER_HOST is "+h)
	}
	if h := f.getenv("CONTAINER_HOST"); h != "" {
		r := f.endpoint(h, "CONTAINER_HOST is "+h)
		r.Name = "podman"
		return r
	}
	name, from := f.getenv("DOCKER_CONTEXT"), "DOCKER_CONTEXT"
	if name == "" {
		name, from = f.currentContext(), "the Docker CLI's current context"
	}
	if name != "" && name != "default" {
		host, err := f.contextHost(name)
		if err != nil {
			return Runtime{Name: "docker", Evidence: from + " is " + strconv.Quote(name) + ", whose endpoint cannot be read: " + err.Error()}
		}
		return f.endpoint(host, from+" is "+strconv.Quote(name)+", at "+host)
	}
	if f.exists("/var/run/docker.sock") {
		return f.endpoint("unix:///var/run/docker.sock", "/var/run/docker.sock exists")
	}
	if xdg := f.runtimeDir(); xdg != "" {
		if s := path.Join(xdg, "docker.sock"); f.exists(s) {
			return f.endpoint("unix://"+s, s+" exists and /var/run/docker.sock does not")
		}
		if s := path.Join(xdg, "podman", "podman.sock"); f.exists(s) {
			return f.endpoint("unix://"+s, s+" exists and /var/run/docker.sock does not")
		}
	}
	if f.exists("/run/podman/podman.sock") {
		return f.endpoint("unix:///run/podman/podman.sock", "/run/podman/podman.sock exists and /var/run/docker.sock does not")
	}
	if p := f.lookPath("podman"); p != "" {
		r := Runtime{Name: "podman", Rootless: env.UID != 0, Evidence: p + " is on PATH and no Docker socket exists"}
		if r.Rootless {
			r.Evidence += ", run by user " + strconv.Itoa(env.UID)
		} else {
			r.Evidence += ", run by root"
		}
		return r
	}
	return Runtime{}
}

// runtimeFinder holds the env of one FindRuntime.
type runtimeFinder struct{ env RuntimeEnv }

func (f runtimeFinder) getenv(k string) string {
	if f.env.Getenv == nil {
		return ""
	}
	return f.env.Getenv(k)
}

// runtimeDir returns XDG_RUNTIME_DIR, cleaned, if it is an absolute path.
func (f runtimeFinder) runtimeDir() string {
	if d := f.getenv("XDG_RUNTIME_DIR"); path.IsAbs(d) {
		return path.Clean(d)
	}
	return ""
}

// fsPath turns an absolute path into a name of env.FS.
func fsPath(p string) (string, bool) {
	if !path.IsAbs(p) {
		return "", false
	}
	p = strings.TrimPrefix(path.Clean(p), "/")
	if p == "" {
		p = "."
	}
	return p, fs.ValidPath(p)
}

// exists reports whether the absolute path p exists in env.FS.
func (f runtimeFinder) exists(p string) bool {
	name, ok := fsPath(p)
	if !ok || f.env.FS == nil {
		return false
	}
	_, err := fs.Stat(f.env.FS, name)
	return err == nil
}

// maxRuntimeFile bounds what is read of the CLI's config.json and of a
// context's meta.json; real ones are a few kilobytes.
const maxRuntimeFile = 1 << 20

// readFile reads the absolute path p from env.FS, at most maxRuntimeFile
// bytes of it.
func (f runtimeFinder) readFile(p string) ([]byte, error) {
	name, ok := fsPath(p)
	if !ok || f.env.FS == nil {
		return nil, fs.ErrNotExist
	}
	fh, err := f.env.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxRuntimeFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxRuntimeFile {
		return nil, errors.New(p + " is larger than 1 MiB")
	}
	return b, nil
}

// configDir returns the Docker CLI's configuration directory, "" if it
// cannot be told.
func (f runtimeFinder) configDir() string {
	if d := f.getenv("DOCKER_CONFIG"); path.IsAbs(d) {
		return path.Clean(d)
	}
	if h := f.getenv("HOME"); path.IsAbs(h) {
		return path.Join(h, ".docker")
	}
	return ""
}

// currentContext returns the currentContext of the CLI's config.json, ""
// when there is none or it cannot be read.
func (f runtimeFinder) currentContext() string {
	dir := f.configDir()
	if dir == "" {
		return ""
	}
	b, err := f.readFile(path.Join(dir, "config.json"))
	if err != nil {
		return ""
	}
	name, _ := parseDockerConfigContext(b)
	return name
}

// contextHost returns the Docker endpoint of the named context, from the
// CLI's context store.
func (f runtimeFinder) contextHost(name string) (string, error) {
	dir := f.configDir()
	if dir == "" {
		return "", errors.New("neither DOCKER_CONFIG nor HOME is set")
	}
	sum := sha256.Sum256([]byte(name))
	b, err := f.readFile(path.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", errors.New("no such context in " + path.Join(dir, "contexts"))
		}
		return "", err
	}
	return parseDockerContextHost(b)
}

// lookPath returns the path of an executable file named prog in a
// directory of PATH, "" when there is none.
func (f runtimeFinder) lookPath(prog string) string {
	for _, dir := range strings.Split(f.getenv("PATH"), ":") {
		if !path.IsAbs(dir) {
			continue
		}
		p := path.Join(dir, prog)
		name, ok := fsPath(p)
		if !ok || f.env.FS == nil {
			continue
		}
		if fi, err := fs.Stat(f.env.FS, name); err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// endpoint says what runtime the daemon address host is, with evidence.
func (f runtimeFinder) endpoint(host, evidence string) Runtime {
	r := Runtime{Name: "docker", Endpoint: host, Evidence: evidence}
	sock, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		if strings.Contains(host, "://") {
			r.Evidence += ", a daemon reached over the network, which may or may not be rootless"
		}
		return r
	}
	if strings.Contains(sock, "podman") {
		r.Name = "podman"
	}
	if !path.IsAbs(sock) {
		return r
	}
	sock = path.Clean(sock)
	switch {
	case userRunDir(sock) > 0:
		r.Rootless = true
		r.Evidence += ", a user's runtime directory"
	case f.env.UID != 0 && under(sock, f.runtimeDir()):
		r.Rootless = true
		r.Evidence += ", in XDG_RUNTIME_DIR"
	case f.env.UID != 0 && f.getenv("HOME") != "" && under(sock, path.Join(f.getenv("HOME"), ".docker", "run")):
		r.Rootless = true
		r.Evidence += ", in ~/.docker/run, where rootless Docker listens"
	}
	return r
}

// userRunDir returns N when p lies in /run/user/N or /var/run/user/N, and
// -1 otherwise.
func userRunDir(p string) int {
	for _, pre := range []string{"/run/user/", "/var/run/user/"} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			id, _, found := strings.Cut(rest, "/")
			if n, err := strconv.Atoi(id); found && err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// under reports whether p lies in the directory dir.
func under(p, dir string) bool {
	return dir != "" && dir != "/" && strings.HasPrefix(p, dir+"/")
}

// parseDockerConfigContext returns the currentContext of a Docker CLI
// config.json, "" when it names none.
func parseDockerConfigContext(b []byte) (string, error) {
	var c struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", errors.New("config.json: " + err.Error())
	}
	return c.CurrentContext, nil
}

// parseDockerContextHost returns the Docker endpoint of a context's
// meta.json.
func parseDockerContextHost(b []byte) (string, error) {
	var m struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", errors.New("meta.json: " + err.Error())
	}
	h := m.Endpoints["docker"].Host
	if h == "" {
		return "", errors.New("meta.json names no docker endpoint")
	}
	return h, nil
}
