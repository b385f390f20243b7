package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadRequired loads src as dir/compose.yaml with the variables env and
// returns the declarations as text, the warnings and the error.
func loadRequired(t *testing.T, src string, env map[string]string) ([]string, []string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "compose.yaml"), src)
	res, err := Loader{Env: env}.LoadPaths(filepath.Join(dir, "compose.yaml"))
	var decls []string
	for _, d := range res.Decls {
		decls = append(decls, d.Owner()+" "+d.Endpoint.String()+" "+d.Image)
	}
	var warnings []string
	for _, w := range res.Warnings {
		warnings = append(warnings, strings.TrimPrefix(w, dir+string(filepath.Separator)))
	}
	return decls, warnings, err
}

// TestRequiredVariablesNotOfPorts checks that required variables that are
// not set, where no port depends on them (a container's environment, a
// label), do not fail the load but are one warning naming each with its
// reason, none of which quotes a value; and that set, they are no warning.
func TestRequiredVariablesNotOfPorts(t *testing.T) {
	src := `services:
  server:
    image: ${REGISTRY:?}/goauthentik/server
    environment:
      AUTHENTIK_POSTGRESQL__PASSWORD: ${PG_PASS:?database password required}
      AUTHENTIK_SECRET_KEY: ${AUTHENTIK_SECRET_KEY:?secret key required}
    labels:
      - "token=${TOKEN?}"
      - "hint=${HINT:?ask ${ADMIN}}"
    ports:
      - "${COMPOSE_PORT_HTTP:-9000}:9000"
`
	decls, warnings, err := loadRequired(t, src, map[string]string{"ADMIN": "hunter2-admin"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"app/server 9000/tcp ${REGISTRY}/goauthentik/server"}, decls); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
	want := []string{"compose.yaml: required variables not set, which docker compose refuses to run without and no port depends on: " +
		"AUTHENTIK_SECRET_KEY (secret key required), HINT (ask ${ADMIN}), PG_PASS (database password required), REGISTRY, TOKEN"}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	set := map[string]string{"REGISTRY": "ghcr.io", "PG_PASS": "p", "AUTHENTIK_SECRET_KEY": "k", "TOKEN": "", "HINT": "h"}
	if _, warnings, err := loadRequired(t, src, set); err != nil || len(warnings) != 0 {
		t.Errorf("with the variables set: warnings %q, error %v; want none", warnings, err)
	}
}

// TestRequiredVariablesOfPorts checks that a required variable that is
// not set fails the load where a port depends on it, with an error at the
// field that names the variable and quotes no stand-in.
func TestRequiredVariablesOfPorts(t *testing.T) {
	tests := []struct{ name, service, want string }{
		{"network_mode", "    network_mode: ${NET:?the network}\n", "compose.yaml:4:5: services.web.network_mode: required variable NET is missing a value: the network; a port depends on it"},
		{"expose", "    expose: [\"${METRICS:?}\"]\n", "compose.yaml:4:14: service \"web\": expose \"${METRICS:?}\": required variable METRICS is missing a value"},
		{"profiles", "    profiles: [\"${PROFILE:?}\"]\n", "compose.yaml:4:5: services.web.profiles: required variable PROFILE is missing a value; a port depends on it"},
		{"host_ip", "    ports: [{target: 80, published: \"8080\", host_ip: \"${BIND:?}\"}]\n", "required variable BIND is missing a value"},
		{"published", "    ports: [\"${WEB_PORT:?set WEB_PORT}:80\"]\n", "required variable WEB_PORT is missing a value: set WEB_PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "services:\n  web:\n    image: nginx\n" + tt.service
			_, _, err := loadRequired(t, src, map[string]string{})
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "ports-required") {
				t.Errorf("error %q, want it to hold %q", msg, tt.want)
			}
		})
	}
}

// TestRequiredVariablesMany checks that a value of many required
// variables that are not set, none of a port, loads and names them all.
func TestRequiredVariablesMany(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "${V%d:?} ", i)
	}
	src := "services:\n  web:\n    image: nginx\n    labels:\n      - \"x=" + b.String() + "\"\n"
	_, warnings, err := loadRequired(t, src, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], ", V299") || strings.Count(warnings[0], ", V") != 299 {
		t.Errorf("warnings %.200q, want one naming the 300 variables", warnings)
	}
}

// TestInterpolationBounded checks that values of more ${…} templates than
// a load may substitute are refused, naming the value's path, where
// compose-go's substitution would take time that grows with their square:
// one value of 20,000, and 2,000 values of 200 (which one at a time are
// cheap).
func TestInterpolationBounded(t *testing.T) {
	one := "services:\n  web:\n    image: nginx\n    labels:\n      - \"x=" + strings.Repeat("${V:-d}", 20000) + "\"\n"
	var many strings.Builder
	many.WriteString("services:\n  web:\n    image: nginx\n    labels:\n")
	for i := range 2000 {
		fmt.Fprintf(&many, "      - \"l%d=%s\"\n", i, strings.Repeat("${V:-d}", 200))
	}
	for name, src := range map[string]string{"one value": one, "many values": many.String()} {
		_, _, err := loadRequired(t, src, map[string]string{})
		if err == nil || !strings.Contains(err.Error(), "services.web.labels") || !strings.Contains(err.Error(), "too many ${…} templates") {
			t.Errorf("%s: error %v, want one at services.web.labels naming too many templates", name, err)
		}
	}
}

// TestComposeErrorsOneLine checks that the errors compose-go gives one a
// line are one line, each error's sentences joined by a space and the
// errors by "; ".
func TestComposeErrorsOneLine(t *testing.T) {
	src := "services:\n  proxy:\n    image: traefik\n    labels:\n      - \"a=${A\"\n      - \"b=${B\"\n"
	_, _, err := loadRequired(t, src, map[string]string{})
	if err == nil {
		t.Fatal("no error for two bad templates")
	}
	const want = "invalid interpolation format for services.proxy.labels.[]. You may need to escape any $ with another $. a=${A; invalid interpolation format"
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, want) {
		t.Errorf("error %q, want one line holding %q", msg, want)
	}
}
