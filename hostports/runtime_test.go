package hostports

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// contextMeta returns the path of a Docker context's meta.json in the
// context store of the config directory dir, and its contents for host.
func contextMeta(dir, name, host string) (string, *fstest.MapFile) {
	sum := sha256.Sum256([]byte(name))
	p := strings.TrimPrefix(dir, "/") + "/contexts/meta/" + hex.EncodeToString(sum[:]) + "/meta.json"
	return p, &fstest.MapFile{Data: []byte(`{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`)}
}

func TestFindRuntime(t *testing.T) {
	sock := &fstest.MapFile{Mode: 0o600}
	exe := &fstest.MapFile{Mode: 0o755}
	rootlessMeta, rootlessFile := contextMeta("/home/ann/.docker", "rootless", "unix:///run/user/1000/docker.sock")
	desktopMeta, desktopFile := contextMeta("/home/ann/.docker", "desktop-linux", "unix:///home/ann/.docker/desktop/docker.sock")
	otherMeta, otherFile := contextMeta("/etc/docker-cli", "rootless", "unix:///run/user/1000/docker.sock")
	userEnv := map[string]string{"HOME": "/home/ann", "XDG_RUNTIME_DIR": "/run/user/1000", "PATH": "/usr/local/bin:/usr/bin"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name string
		env  map[string]string
		uid  int
		fs   fstest.MapFS
		want Runtime
	}{
		{"nothing", nil, 1000, nil, Runtime{}},
		{"root daemon's socket", userEnv, 1000, fstest.MapFS{"var/run/docker.sock": sock},
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Evidence: "/var/run/docker.sock exists"}},
		{"DOCKER_HOST in XDG_RUNTIME_DIR", with(userEnv, "DOCKER_HOST", "unix:///run/user/1000/docker.sock"), 1000, fstest.MapFS{"var/run/docker.sock": sock},
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///run/user/1000/docker.sock", Evidence: "DOCKER_HOST is unix:///run/user/1000/docker.sock, a user's runtime directory"}},
		{"DOCKER_HOST in a runtime directory elsewhere", with(userEnv, "XDG_RUNTIME_DIR", "/tmp/xdg-ann", "DOCKER_HOST", "unix:///tmp/xdg-ann/docker.sock"), 1000, nil,
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///tmp/xdg-ann/docker.sock", Evidence: "DOCKER_HOST is unix:///tmp/xdg-ann/docker.sock, in XDG_RUNTIME_DIR"}},
		{"root with XDG_RUNTIME_DIR of its own", with(userEnv, "XDG_RUNTIME_DIR", "/tmp/xdg-root", "DOCKER_HOST", "unix:///tmp/xdg-root/docker.sock"), 0, nil,
			Runtime{Name: "docker", Endpoint: "unix:///tmp/xdg-root/docker.sock", Evidence: "DOCKER_HOST is unix:///tmp/xdg-root/docker.sock"}},
		{"root's /run/user/0", with(userEnv, "DOCKER_HOST", "unix:///run/user/0/docker.sock"), 0, nil,
			Runtime{Name: "docker", Endpoint: "unix:///run/user/0/docker.sock", Evidence: "DOCKER_HOST is unix:///run/user/0/docker.sock"}},
		{"~/.docker/run", with(userEnv, "DOCKER_HOST", "unix:///home/ann/.docker/run/docker.sock"), 1000, nil,
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///home/ann/.docker/run/docker.sock", Evidence: "DOCKER_HOST is unix:///home/ann/.docker/run/docker.sock, in ~/.docker/run, where rootless Docker listens"}},
		{"DOCKER_HOST over TCP", with(userEnv, "DOCKER_HOST", "tcp://build.example:2376"), 1000, fstest.MapFS{"run/user/1000/docker.sock": sock},
			Runtime{Name: "docker", Endpoint: "tcp://build.example:2376", Evidence: "DOCKER_HOST is tcp://build.example:2376, a daemon reached over the network, which may or may not be rootless"}},
		{"DOCKER_HOST wins over DOCKER_CONTEXT", with(userEnv, "DOCKER_HOST", "unix:///var/run/docker.sock", "DOCKER_CONTEXT", "rootless"), 1000, fstest.MapFS{rootlessMeta: rootlessFile},
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Evidence: "DOCKER_HOST is unix:///var/run/docker.sock"}},
		{"DOCKER_HOST to rootless Podman", with(userEnv, "DOCKER_HOST", "unix:///run/user/1000/podman/podman.sock"), 1000, nil,
			Runtime{Name: "podman", Rootless: true, Endpoint: "unix:///run/user/1000/podman/podman.sock", Evidence: "DOCKER_HOST is unix:///run/user/1000/podman/podman.sock, a user's runtime directory"}},
		{"CONTAINER_HOST", with(userEnv, "CONTAINER_HOST", "unix:///run/user/1000/podman/podman.sock"), 1000, nil,
			Runtime{Name: "podman", Rootless: true, Endpoint: "unix:///run/user/1000/podman/podman.sock", Evidence: "CONTAINER_HOST is unix:///run/user/1000/podman/podman.sock, a user's runtime directory"}},
		{"current context rootless", userEnv, 1000, fstest.MapFS{
			"home/ann/.docker/config.json": {Data: []byte(`{"auths":{},"currentContext":"rootless"}`)},
			rootlessMeta:                   rootlessFile, "var/run/docker.sock": sock},
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///run/user/1000/docker.sock", Evidence: `the Docker CLI's current context is "rootless", at unix:///run/user/1000/docker.sock, a user's runtime directory`}},
		{"DOCKER_CONTEXT over the config's", with(userEnv, "DOCKER_CONTEXT", "desktop-linux"), 1000, fstest.MapFS{
			"home/ann/.docker/config.json": {Data: []byte(`{"currentContext":"rootless"}`)},
			rootlessMeta:                   rootlessFile, desktopMeta: desktopFile},
			Runtime{Name: "docker", Endpoint: "unix:///home/ann/.docker/desktop/docker.sock", Evidence: `DOCKER_CONTEXT is "desktop-linux", at unix:///home/ann/.docker/desktop/docker.sock`}},
		{"DOCKER_CONFIG", with(userEnv, "DOCKER_CONFIG", "/etc/docker-cli"), 1000, fstest.MapFS{
			"etc/docker-cli/config.json": {Data: []byte(`{"currentContext":"rootless"}`)},
			otherMeta:                    otherFile},
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///run/user/1000/docker.sock", Evidence: `the Docker CLI's current context is "rootless", at unix:///run/user/1000/docker.sock, a user's runtime directory`}},
		{"context default", with(userEnv, "DOCKER_CONTEXT", "default"), 1000, fstest.MapFS{"var/run/docker.sock": sock},
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Evidence: "/var/run/docker.sock exists"}},
		{"context missing", with(userEnv, "DOCKER_CONTEXT", "gone"), 1000, fstest.MapFS{"var/run/docker.sock": sock},
			Runtime{Name: "docker", Evidence: `DOCKER_CONTEXT is "gone", whose endpoint cannot be read: no such context in /home/ann/.docker/contexts`}},
		{"context broken", with(userEnv, "DOCKER_CONTEXT", "rootless"), 1000, fstest.MapFS{rootlessMeta: {Data: []byte(`{"Endpoints":`)}},
			Runtime{Name: "docker", Evidence: `DOCKER_CONTEXT is "rootless", whose endpoint cannot be read: meta.json: unexpected end of JSON input`}},
		{"config broken", userEnv, 1000, fstest.MapFS{"home/ann/.docker/config.json": {Data: []byte(`{`)}, "var/run/docker.sock": sock},
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Evidence: "/var/run/docker.sock exists"}},
		{"only the user's docker.sock", userEnv, 1000, fstest.MapFS{"run/user/1000/docker.sock": sock},
			Runtime{Name: "docker", Rootless: true, Endpoint: "unix:///run/user/1000/docker.sock", Evidence: "/run/user/1000/docker.sock exists and /var/run/docker.sock does not, a user's runtime directory"}},
		{"the root daemon's socket comes first", userEnv, 1000, fstest.MapFS{"run/user/1000/docker.sock": sock, "var/run/docker.sock": sock},
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Evidence: "/var/run/docker.sock exists"}},
		{"the user's podman.sock", userEnv, 1000, fstest.MapFS{"run/user/1000/podman/podman.sock": sock, "usr/bin/podman": exe},
			Runtime{Name: "podman", Rootless: true, Endpoint: "unix:///run/user/1000/podman/podman.sock", Evidence: "/run/user/1000/podman/podman.sock exists and /var/run/docker.sock does not, a user's runtime directory"}},
		{"root's podman.sock", userEnv, 0, fstest.MapFS{"run/podman/podman.sock": sock},
			Runtime{Name: "podman", Endpoint: "unix:///run/podman/podman.sock", Evidence: "/run/podman/podman.sock exists and /var/run/docker.sock does not"}},
		{"podman on PATH, a user", userEnv, 1000, fstest.MapFS{"usr/bin/podman": exe},
			Runtime{Name: "podman", Rootless: true, Evidence: "/usr/bin/podman is on PATH and no Docker socket exists, run by user 1000"}},
		{"podman on PATH, root", userEnv, 0, fstest.MapFS{"usr/local/bin/podman": exe, "usr/bin/podman": exe},
			Runtime{Name: "podman", Evidence: "/usr/local/bin/podman is on PATH and no Docker socket exists, run by root"}},
		{"podman not executable", userEnv, 1000, fstest.MapFS{"usr/bin/podman": {Mode: 0o644}}, Runtime{}},
		{"relative paths are not looked up", map[string]string{"XDG_RUNTIME_DIR": "run/user/1000", "PATH": "bin", "HOME": "home"}, 1000,
			fstest.MapFS{"run/user/1000/docker.sock": sock, "bin/podman": exe, "home/.docker/config.json": {Data: []byte(`{"currentContext":"x"}`)}}, Runtime{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := RuntimeEnv{UID: tt.uid, Getenv: func(k string) string { return tt.env[k] }}
			if tt.fs != nil {
				env.FS = tt.fs
			}
			got := FindRuntime(env)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindRuntime (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuntimeString(t *testing.T) {
	for _, tt := range []struct {
		r    Runtime
		want string
	}{
		{Runtime{}, "no container runtime"},
		{Runtime{Name: "docker"}, "Docker"},
		{Runtime{Name: "docker", Rootless: true}, "rootless Docker"},
		{Runtime{Name: "podman", Rootless: true}, "rootless Podman"},
		{Runtime{Name: "podman"}, "Podman"},
		{Runtime{Name: "nerdctl"}, "nerdctl"},
	} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

// TestFindRuntimeBigFile holds the reading of the CLI's files to a bound.
func TestFindRuntimeBigFile(t *testing.T) {
	meta, _ := contextMeta("/home/ann/.docker", "big", "")
	big := []byte(`{"Endpoints":{"docker":{"Host":"unix:///run/user/1000/docker.sock"}},"x":"` + strings.Repeat("x", maxRuntimeFile) + `"}`)
	got := FindRuntime(RuntimeEnv{UID: 1000, Getenv: envMap{"HOME": "/home/ann", "DOCKER_CONTEXT": "big"}.get, FS: fstest.MapFS{meta: {Data: big}}})
	want := Runtime{Name: "docker", Evidence: `DOCKER_CONTEXT is "big", whose endpoint cannot be read: /home/ann/.docker/contexts/meta/` + meta[len("home/ann/.docker/contexts/meta/"):len(meta)-len("/meta.json")] + `/meta.json is larger than 1 MiB`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindRuntime (-want +got):\n%s", diff)
	}
}

// FuzzFindRuntime feeds FindRuntime any environment and CLI files: it
// must not panic, and what it calls rootless has a name.
func FuzzFindRuntime(f *testing.F) {
	// A rootless context, and a DOCKER_HOST in the user's runtime directory.
	f.Add("", "", `{"currentContext":"rootless"}`, `{"Endpoints":{"docker":{"Host":"unix:///run/user/1000/docker.sock"}}}`, 1000)
	f.Add("unix:///run/user/1000/docker.sock", "/run/user/1000", "", "", 1000)
	// Podman over CONTAINER_HOST-like paths, and odd hosts.
	f.Add("unix://relative/podman.sock", "/", "{}", "null", 0)
	f.Add("unix:///run/user/-1/x", "/run/user/1000/../..", `{"currentContext":""}`, `{"Endpoints":{"docker":null}}`, -5)
	f.Fuzz(func(t *testing.T, host, xdg, config, meta string, uid int) {
		metaPath, _ := contextMeta("/h/.docker", "rootless", "")
		fsys := fstest.MapFS{"h/.docker/config.json": {Data: []byte(config)}, metaPath: {Data: []byte(meta)}}
		env := map[string]string{"DOCKER_HOST": host, "XDG_RUNTIME_DIR": xdg, "HOME": "/h", "PATH": xdg}
		r := FindRuntime(RuntimeEnv{UID: uid, Getenv: func(k string) string { return env[k] }, FS: fsys})
		if r.Rootless && r.Name == "" {
			t.Errorf("FindRuntime = %+v: rootless without a name", r)
		}
		if r.Name != "" && r.Evidence == "" {
			t.Errorf("FindRuntime = %+v: a runtime without evidence", r)
		}
	})
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
