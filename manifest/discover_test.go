package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const projects = "testdata/projects/"

// holdersOf lists "service endpoint" of each host declaration, in order.
func hostPorts(ds []Declaration) []string {
	var out []string
	for _, d := range ds {
		if d.Scope == HostScope() && !d.Ephemeral {
			out = append(out, d.Project+"/"+d.Service+" "+d.Endpoint.String())
		}
	}
	return out
}

func inputs(res *Result) []string {
	var out []string
	for _, in := range res.Inputs {
		s := strings.Join(in.Files, "+")
		if in.Err != nil {
			s += " (error)"
		}
		out = append(out, s)
	}
	return out
}

// TestLoadPathsAddOns: an add-on run with -f, as docker-elk's extensions
// are, adds ports to a service of the base file; read alone, it fails and
// says why.
func TestLoadPathsAddOns(t *testing.T) {
	base, fleet := projects+"elk/docker-compose.yml", projects+"elk/extensions/fleet/fleet-compose.yml"
	res, err := Loader{ComposeFiles: []string{base, fleet}}.LoadPaths()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"elk/search 9200/tcp", "elk/search 9300/tcp", "elk/dashboards 5601/tcp",
		"elk/fleet 8220/tcp", "elk/dashboards 127.0.0.1:5602/tcp",
	}
	if diff := cmp.Diff(want, hostPorts(res.Decls)); diff != "" {
		t.Errorf("host ports of -f base -f add-on (-want +got):\n%s", diff)
	}
	if d := res.Decls[4]; d.Pos.File != fleet || d.Pos.Line != 9 {
		t.Errorf("the add-on's port is placed at %v, want %s:9", d.Pos, fleet)
	}
	// Alone, the add-on is a project of its own, and fails; the base, a
	// path of its own too, still loads.
	res, err = Loader{}.LoadPaths(fleet, base)
	if err == nil || !strings.Contains(err.Error(), "neither an image nor a build context") {
		t.Errorf("the add-on alone: error %v, want compose-go's", err)
	}
	if got, want := len(hostPorts(res.Decls)), 3; got != want {
		t.Errorf("the base beside a failing add-on: %d host ports, want %d", got, want)
	}
}

// TestLoadPathsEnvironment: COMPOSE_PROFILES and COMPOSE_PROJECT_NAME from
// .env, the process environment over .env, --env-file instead of .env.
func TestLoadPathsEnvironment(t *testing.T) {
	file := projects + "profiles/compose.yaml"
	tests := []struct {
		name string
		l    Loader
		want []string
	}{
		{"no .env: no profile", Loader{}, []string{"profiles/app 8000/tcp"}},
		{".env: its profiles, name and port", Loader{DotEnv: true}, []string{"shop/app 8080/tcp", "shop/metrics 9090/tcp"}},
		{"the environment over .env", Loader{DotEnv: true, Env: map[string]string{"COMPOSE_PROFILES": "debug", "APP_PORT": "8081"}},
			[]string{"shop/app 8081/tcp", "shop/app-debug 8081/tcp", "shop/app-debug 5678/tcp"}},
		{"--profile over COMPOSE_PROFILES", Loader{DotEnv: true, Profiles: []string{"*"}},
			[]string{"shop/app 8080/tcp", "shop/app-debug 8080/tcp", "shop/app-debug 5678/tcp", "shop/metrics 9090/tcp"}},
		{"-p over COMPOSE_PROJECT_NAME", Loader{DotEnv: true, ProjectName: "other", ComposeFiles: []string{file}},
			[]string{"other/app 8080/tcp", "other/metrics 9090/tcp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *Result
			var err error
			if len(tt.l.ComposeFiles) > 0 {
				res, err = tt.l.LoadPaths()
			} else {
				res, err = tt.l.LoadPaths(file)
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, hostPorts(res.Decls)); diff != "" {
				t.Errorf("host ports (-want +got):\n%s", diff)
			}
		})
	}

	// --env-file replaces .env; -project-directory moves where .env is.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ci.env": "APP_PORT=7000\n", "elsewhere/.env": "COMPOSE_PROFILES=debug\n"})
	res, err := Loader{DotEnv: true, EnvFiles: []string{filepath.Join(dir, "ci.env")}, ComposeFiles: []string{file}}.LoadPaths()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"profiles/app 7000/tcp"}, hostPorts(res.Decls)); diff != "" {
		t.Errorf("with --env-file (-want +got):\n%s", diff)
	}
	res, err = Loader{DotEnv: true, ProjectDir: filepath.Join(dir, "elsewhere"), ComposeFiles: []string{file}}.LoadPaths()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"elsewhere/app 8000/tcp", "elsewhere/app-debug 8000/tcp", "elsewhere/app-debug 5678/tcp"}, hostPorts(res.Decls)); diff != "" {
		t.Errorf("with --project-directory (-want +got):\n%s", diff)
	}
}

// TestLoadPathsOverride: a compose file given alone is read with the
// override beside it, as docker compose reads a directory, so a secret the
// override defines is there; an override also given is read once.
func TestLoadPathsOverride(t *testing.T) {
	base, over := projects+"secret/compose.yaml", projects+"secret/compose.override.yaml"
	for _, args := range [][]string{{base}, {base, over}, {projects + "secret"}} {
		res, err := Loader{}.LoadPaths(args...)
		if err != nil {
			t.Fatalf("LoadPaths(%q): %v", args, err)
		}
		want := []string{"secret/db 127.0.0.1:5432/tcp", "secret/db 127.0.0.1:15432/tcp"}
		if diff := cmp.Diff(want, hostPorts(res.Decls)); diff != "" {
			t.Errorf("LoadPaths(%q) (-want +got):\n%s", args, diff)
		}
		if diff := cmp.Diff([]string{base + "+" + over}, inputs(res)); len(args) < 3 && diff != "" {
			t.Errorf("LoadPaths(%q) inputs (-want +got):\n%s", args, diff)
		}
	}
	// -f names exactly the files read: without the override the secret
	// is missing.
	_, err := Loader{ComposeFiles: []string{base}}.LoadPaths()
	if err == nil || !strings.Contains(err.Error(), "db_password") {
		t.Errorf("-f base alone: %v, want the undefined secret", err)
	}
}

// TestLoadPathsDirectory searches a directory of several projects,
// manifests and a registry; a broken project is reported and the rest
// read; hidden directories and node_modules are passed over.
func TestLoadPathsDirectory(t *testing.T) {
	dir := projects + "many"
	res, err := Loader{}.LoadPaths(dir)
	if err == nil {
		t.Fatal("no error for the broken project")
	}
	wantIn := []string{
		dir + "/broken/compose.yaml (error)",
		dir + "/k8s/service.yaml",
		dir + "/ports.yaml",
		dir + "/web/compose.yaml+" + dir + "/web/compose.override.yml",
		dir + "/workers/docker-compose.yml",
	}
	if diff := cmp.Diff(wantIn, inputs(res)); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	wantSkipped := []string{
		dir + "/chart/templates/service.yaml",
		dir + "/docs/README.md",
		dir + "/docs/values.yaml",
		dir + "/kustomize/kustomization.yaml",
		dir + "/web/docker-compose.prod.yml",
	}
	if diff := cmp.Diff(wantSkipped, res.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		"skipped " + dir + "/chart/templates/service.yaml:4:9: a Helm template, not manifests (\"{{ .Release.Name }}\"): render it first: helm template " + dir + "/chart | ports check -",
		"skipped " + dir + "/kustomize/kustomization.yaml: a kustomization, not manifests: render it first: kubectl kustomize " + dir + "/kustomize | ports check -",
	}
	if diff := cmp.Diff(wantWarn, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	errs := res.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), dir+"/broken/compose.yaml:4:13") {
		t.Errorf("errors %v, want one placed at the bad port", errs)
	}
	want := []string{"many/web 8080/tcp", "web/web 8080/tcp", "web/web 8443/tcp", "workers/worker 9000/tcp"}
	var got []string
	for _, p := range hostPorts(res.Decls) {
		if !strings.Contains(p, "/api ") {
			got = append(got, p)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("host ports (-want +got):\n%s", diff)
	}
}

// TestLoadPathsLookup: with no path and no -f, the project is the one
// COMPOSE_FILE names (here from .env), or the compose file of the
// directory or the nearest above it.
func TestLoadPathsLookup(t *testing.T) {
	res, err := Loader{DotEnv: true, ProjectDir: projects + "cfile"}.LoadPaths()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cfile/api 3000/tcp", "cfile/api 3001/tcp"}, hostPorts(res.Decls)); diff != "" {
		t.Errorf("COMPOSE_FILE from .env (-want +got):\n%s", diff)
	}
	res, err = Loader{ProjectDir: projects + "many/web"}.LoadPaths()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"web/web 8080/tcp", "web/web 8443/tcp"}, hostPorts(res.Decls)); diff != "" {
		t.Errorf("the directory's compose file and override (-want +got):\n%s", diff)
	}
	_, err = Loader{ProjectDir: projects + "many/docs"}.LoadPaths()
	if err == nil || !strings.Contains(err.Error(), "no compose file here or in a directory above") {
		t.Errorf("no compose file: %v", err)
	}
	// A directory above holds one.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": oneService, "sub/deeper/x.txt": ""})
	res, err = Loader{ProjectDir: filepath.Join(dir, "sub", "deeper")}.LoadPaths()
	if err != nil || len(hostPorts(res.Decls)) != 1 {
		t.Errorf("lookup above: %v, %v", hostPorts(res.Decls), err)
	}
}

// TestLoadPathsStdin reads "-" in the format its content shows.
func TestLoadPathsStdin(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{oneService, "a 8080/tcp"},
		{"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30001}]}\n", "s 30001/tcp"},
	} {
		res, err := Loader{Stdin: strings.NewReader(tt.body)}.LoadPaths("-")
		if err != nil {
			t.Fatal(err)
		}
		got := hostPorts(res.Decls)
		if len(got) != 1 || !strings.HasSuffix(got[0], tt.want) {
			t.Errorf("LoadPaths(-) of %q = %v, want %q", tt.body, got, tt.want)
		}
	}
	_, err := Loader{Stdin: strings.NewReader("just: text\n")}.LoadPaths("-")
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("LoadPaths(-) of an unknown format: %v", err)
	}
}

// TestLoadPathsDirectoryLinks: a file found in a directory that links
// outside it, or to a device, is not read.
func TestLoadPathsDirectoryLinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30001}]}\n"})
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link.yaml"))
	if _, err := os.Stat("/dev/zero"); err == nil {
		symlink(t, "/dev/zero", filepath.Join(dir, "zero.yaml"))
	}
	res, _ := Loader{}.LoadPaths(dir)
	if len(res.Decls) != 0 {
		t.Errorf("read %v through links", hostPorts(res.Decls))
	}
	for _, e := range res.Errors() {
		if !errors.Is(e, ErrNotRegular) {
			t.Errorf("error %v, want only the device refused", e)
		}
	}
}

// TestErrorsWhereTheyAre: an error in an included file is placed in that
// file, and an extends cycle names each service in the file that holds it,
// at the extends that closes it.
func TestErrorsWhereTheyAre(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yaml":     "include: [inc/compose.yaml]\nservices:\n  web:\n    image: x\n",
		"inc/compose.yaml": "services:\n  api:\n    image: x\n    portz: [\"1:1\"]\n",
		"c.yaml":           "services:\n  a:\n    image: x\n    extends: {file: b.yaml, service: b}\n",
		"b.yaml":           "services:\n  b:\n    image: x\n    extends: {file: c.yaml, service: a}\n",
	})
	_, err := Loader{}.Load(filepath.Join(dir, "compose.yaml"))
	if want := filepath.Join(dir, "inc/compose.yaml") + ":4:5: services.api.portz: unknown key"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error in an included file: %v, want %q", err, want)
	}
	_, err = Loader{}.Load(filepath.Join(dir, "c.yaml"))
	c, b := filepath.Join(dir, "c.yaml"), filepath.Join(dir, "b.yaml")
	if want := b + ":4:5: extends cycle: a (" + c + ":2) extends b (" + b + ":2) extends a"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("extends cycle: %v, want %q", err, want)
	}
}
