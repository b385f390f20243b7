package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadArgs parses args with the loading flags and loads them, as check
// and doc do.
func loadArgs(t *testing.T, a *app, args ...string) loaded {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	lf := addLoadFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return a.load(lf, fs.Args())
}

func publishedOf(in loaded) []string {
	var out []string
	for _, d := range in.decls {
		if !d.Ephemeral && d.Endpoint.IsValid() {
			out = append(out, d.Project+"/"+d.Service+" "+d.Endpoint.String())
		}
	}
	return out
}

const projectsDir = "../../manifest/testdata/projects/"

func TestLoadFlags(t *testing.T) {
	env := map[string]string{}
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		want   []string
		inputs []string
		errs   int
	}{
		{"-f base -f add-on", nil,
			[]string{"-f", projectsDir + "elk/docker-compose.yml", "--file", projectsDir + "elk/extensions/fleet/fleet-compose.yml"},
			[]string{"elk/search 9200/tcp", "elk/search 9300/tcp", "elk/dashboards 5601/tcp", "elk/fleet 8220/tcp", "elk/dashboards 127.0.0.1:5602/tcp"},
			[]string{projectsDir + "elk/docker-compose.yml", projectsDir + "elk/extensions/fleet/fleet-compose.yml"}, 0},
		{"the process environment over .env", map[string]string{"APP_PORT": "9999", "COMPOSE_PROFILES": ""},
			[]string{projectsDir + "profiles/compose.yaml"},
			[]string{"shop/app 9999/tcp"}, []string{projectsDir + "profiles/compose.yaml"}, 0},
		{"--no-process-env", map[string]string{"APP_PORT": "9999"},
			[]string{"--no-process-env", projectsDir + "profiles/compose.yaml"},
			[]string{"shop/app 8080/tcp", "shop/metrics 9090/tcp"}, []string{projectsDir + "profiles/compose.yaml"}, 0},
		{"-p and --profile", nil,
			[]string{"-p", "named", "--profile", "debug", "-f", projectsDir + "profiles/compose.yaml"},
			[]string{"named/app 8080/tcp", "named/app-debug 8080/tcp", "named/app-debug 5678/tcp"}, []string{projectsDir + "profiles/compose.yaml"}, 0},
		{"--project-directory looks the project up", nil,
			[]string{"--project-directory", projectsDir + "cfile"},
			[]string{"cfile/api 3000/tcp", "cfile/api 3001/tcp"}, []string{projectsDir + "cfile/base.yaml", projectsDir + "cfile/extra.yaml"}, 0},
		{"a file that fails stops no other", nil,
			[]string{projectsDir + "many/broken/compose.yaml", projectsDir + "many/workers"},
			[]string{"workers/worker 9000/tcp"}, []string{projectsDir + "many/broken/compose.yaml", projectsDir + "many/workers/docker-compose.yml"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			a := testApp(&stdout, &stderr)
			e := tt.env
			if e == nil {
				e = env
			}
			a.env = func() map[string]string { return e }
			in := loadArgs(t, a, tt.args...)
			if diff := cmp.Diff(tt.want, publishedOf(in)); diff != "" {
				t.Errorf("ports (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.inputs, in.inputs); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if len(in.errs) != tt.errs {
				t.Errorf("errors %v, want %d", in.errs, tt.errs)
			}
		})
	}
}

func TestLoadStdinAndWarnings(t *testing.T) {
	var stdout, stderr bytes.Buffer
	a := testApp(&stdout, &stderr)
	a.stdin = strings.NewReader("services:\n  a:\n    image: x\n    ports: [\"${A}${B}8080:80\", \"${B}81:81\"]\n")
	// Standard input is a project of the current directory, as for
	// docker compose -f -: named after it.
	in := loadArgs(t, a, "-", projectsDir+"many/kustomize")
	if diff := cmp.Diff([]string{"ports/a 8080/tcp", "ports/a 81/tcp"}, publishedOf(in)); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	want := "ports: warning: -: variables not set, taken as blank strings: A, B\n" +
		"ports: warning: skipped " + projectsDir + "many/kustomize/kustomization.yaml: a kustomization, not manifests: render it first: kubectl kustomize " + projectsDir + "many/kustomize | ports check -\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("standard error (-want +got):\n%s", diff)
	}
	if in.skipped != 1 {
		t.Errorf("skipped %d, want 1", in.skipped)
	}
}
