package manifest

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParseRegistry checks that ParseRegistry never panics, that its errors
// are *Error naming the file, and that whatever it accepts survives
// Marshal and ParseRegistry unchanged.
func FuzzParseRegistry(f *testing.F) {
	// The example registries of the platforms, and the fixture that uses
	// every field.
	for _, p := range []string{
		"../examples/platforms/hopwhistle/ports.yaml",
		"../examples/platforms/alpr/ports.yaml",
		"testdata/registry/ports.yaml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(registrySrc))                                                                                      // the unit tests' registry: ranges, protocol lists, x- keys
	f.Add([]byte("version: 1\nports: []\n"))                                                                        // the smallest valid registry
	f.Add([]byte("version: 1\nports:\n  - service: a\n    port: \"9000-8000\"\n"))                                  // inverted range
	f.Add([]byte("version: 1\nports:\n  - service: a\n    port: 8000-8010\n    target: 80-81\n"))                   // range lengths differ
	f.Add([]byte("version: 1\nports:\n  - service: a\n    port: 1\n    address: \"::1\"\n    exposure: public\n"))  // loopback marked public
	f.Add([]byte("version: 1\nports:\n  - &e {service: a, port: 1}\n  - *e\n  - <<: *e\n    port: 2\n"))            // anchors, aliases, merge keys
	f.Add([]byte("version: 1\nports:\n  - service: \"a\\u2028b\"\n    port: 1\n    description: \"tab\\there\"\n")) // unusual characters
	f.Add([]byte("version: 1\nports: [{service: a, port: 0x50}]\n"))                                                // hex port
	f.Add([]byte("version: 1\n---\nports: []\n"))                                                                   // two documents
	f.Add([]byte("a: &a [*a]\n"))                                                                                   // self-referencing alias
	f.Add([]byte("\xff\xfe"))                                                                                       // not UTF-8
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := ParseRegistry("f.yaml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.yaml" || !strings.HasPrefix(err.Error(), "manifest: f.yaml") {
				t.Fatalf("ParseRegistry error %T %q does not name the file", err, err)
			}
			return
		}
		_ = reg.Declarations()
		out, err := reg.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed registry: %v", err)
		}
		back, err := ParseRegistry("f.yaml", out)
		if err != nil {
			t.Fatalf("ParseRegistry(Marshal(r)): %v\n%s", err, out)
		}
		if diff := cmp.Diff(reg, back, cmpOpts, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Entry{}, "Pos"), cmpopts.IgnoreFields(Accepted{}, "Pos")); diff != "" {
			t.Fatalf("ParseRegistry(Marshal(r)) (-want +got):\n%s", diff)
		}
	})
}

// FuzzReadKubernetes checks that ReadKubernetes never panics, that its
// errors are *Error naming the file, and that every declaration it returns
// is complete.
func FuzzReadKubernetes(f *testing.F) {
	// The platforms' manifests.
	for _, p := range []string{
		"../examples/platforms/pms/k8s/backend.yaml",
		"../examples/platforms/pms/k8s/frontend.yaml",
		"../examples/platforms/pms/k8s/monitoring.yaml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// NodePort Service with a fixed and an allocated node port.
	f.Add([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n  - port: 53\n    protocol: UDP\n"))
	// hostNetwork DaemonSet, and a Pod with hostPort and hostIP.
	f.Add([]byte("kind: DaemonSet\nspec: {template: {spec: {hostNetwork: true, containers: [{name: c, ports: [{containerPort: 9100}]}]}}}\n---\nkind: Pod\nspec: {containers: [{ports: [{containerPort: 53, hostPort: 53, hostIP: \"::1\", protocol: UDP}]}]}\n"))
	f.Add([]byte("kind: DaemonSet\nspec: {template: {spec: {hostNetwork: true, containers: [{name: c, image: grafana/grafana}]}}}\n")) // an image's default ports
	// CronJob, List, named targetPort.
	f.Add([]byte("kind: List\nitems:\n- kind: CronJob\n  spec: {jobTemplate: {spec: {template: {spec: {containers: [{ports: [{containerPort: 1}]}]}}}}}\n- kind: Service\n  spec: {ports: [{port: 80, targetPort: http}]}\n"))
	// Anchors and merge keys in a pod spec.
	f.Add([]byte("kind: Pod\nspec:\n  containers:\n  - &c {name: a, ports: [{containerPort: 80}]}\n  - <<: *c\n    name: b\n"))
	// Wrong types everywhere.
	f.Add([]byte("kind: Service\nspec: {type: [x], ports: {a: 1}}\n---\nkind: Pod\nspec: {containers: 3}\n"))
	f.Add([]byte("kind: Service\nspec: {ports: [{port: 99999999999999999999}]}\n"))  // overflowing number
	f.Add([]byte("{\"kind\": \"Service\", \"spec\": {\"ports\": [{\"port\": 1}]}}")) // JSON
	f.Add([]byte("a: &a [*a]\n"))                                                    // self-referencing alias
	// The fixtures of the reader's tests: apiVersions, typed lists, the
	// object digest's variants, images, named targetPorts.
	for _, src := range []string{cacheAlone, cacheInAll} {
		f.Add([]byte(src))
	}
	for _, p := range []string{
		"testdata/kubernetes/notebook/store-leader.yaml",
		"testdata/kubernetes/notebook/web.yaml",
		"testdata/kubernetes/notebook/all-in-one/notebook.yaml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: example.com/v1\nkind: Service\nspec: {ports: [{port: 80}]}\n---\napiVersion: x/v1\nkind: AllowList\nitems: [a]\n"))          // someone else's kinds
	f.Add([]byte("apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: a}\n  spec: {ports: [{port: 1}]}\n"))                                      // a typed list
	f.Add([]byte("apiVersion: v1\nkind: Deployment\n---\napiVersion: apps/v1\nkind: service\n"))                                                           // kinds the API server refuses
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: &m {name: p, annotations: {a: *m}}\nspec: {containers: [{ports: [{containerPort: 1}]}]}\n"))        // alias in its own anchor
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - &c {name: a, ports: [{containerPort: 1, hostPort: 2}]}\n  - *c\n  - *c\n  - *c\n")) // repeated aliases
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec: {hostNetwork: yes, containers: [{image: x, ports: [{containerPort: 80, hostPort: 81}]}]}\n"))           // refused hostPort
	f.Add([]byte("%YAML 1.1\n---\napiVersion: v1\nkind: Service\nspec: {ports: [{port: 1}]}\n...\n%YAML 1.1\n--- {apiVersion: v1, kind: Pod}\n"))          // directives and document ends
	f.Add([]byte("apiVersion: v1\r\nkind: Service\r\n---\r\napiVersion: v1\r\nkind: Service\r\nspec: {ports: [{port: 8}]}\r\n"))                           // CRLF
	f.Add([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Values.name }}}\n"))                                                                 // a Helm template
	f.Add([]byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"))                                               // a kustomization
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: &m {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: *m\n"))                                     // an anchor of another document
	f.Add([]byte("apiVersion: v1\nkind: Service\nspec: {ports: " + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + "}\n"))                         // deep nesting
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadKubernetes("f.yaml", bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.yaml" {
				t.Fatalf("ReadKubernetes error %T %q does not name the file", err, err)
			}
			if lines := yamlBreaks(data) + 1; e.Line < 0 || e.Line > lines {
				t.Fatalf("ReadKubernetes error %q is on line %d of %d", err, e.Line, lines)
			}
			if errors.Is(err, ErrHelmTemplate) && e.Line == 0 {
				t.Fatalf("ReadKubernetes error %q does not name the template's line", err)
			}
			return
		}
		for _, d := range ds {
			if !d.Ephemeral && !d.Endpoint.IsValid() {
				t.Fatalf("declaration without an endpoint: %v", d)
			}
			if !d.Scope.IsValid() || d.Kind == 0 || d.Protocol != d.Endpoint.Protocol() && !d.Ephemeral {
				t.Fatalf("incomplete declaration: %#v", d)
			}
			if d.Pos.File != "f.yaml" || d.Pos.Line < 1 {
				t.Fatalf("declaration without a position: %v", d)
			}
			if (d.Object == "") != (d.ObjectDigest == "") {
				t.Fatalf("Object %q with digest %q", d.Object, d.ObjectDigest)
			}
		}
		ResolveTargetNames(ds)
	})
}

// FuzzReadCompose checks that reading a compose file never panics (compose-go
// included) and that errors are *Error naming the file.
func FuzzReadCompose(f *testing.F) {
	for _, p := range []string{
		"../examples/platforms/alpr/docker-compose.yml",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("services:\n  a:\n    image: a\n    ports: ['8080:80', '127.0.0.1::81', '[::1]:53:53/udp']\n"))                  // short syntax
	f.Add([]byte("services:\n  a:\n    image: a\n    ports: ['7000-7002:8000-8002', '9000-9001']\n"))                             // ranges
	f.Add([]byte("services:\n  a:\n    image: a\n    ports:\n      - {target: 80, published: '8080', host_ip: 0.0.0.0}\n"))       // long syntax
	f.Add([]byte("services:\n  a:\n    image: a\n    expose: ['9000/udp']\n    network_mode: host\n"))                            // host networking
	f.Add([]byte("services:\n  a:\n    image: a\n    ports: ['${P:?missing}:80']\n"))                                             // required variable
	f.Add([]byte("services:\n  a:\n    image: a\n    ports: ['abc:80', 70000]\n"))                                                // bad ports
	f.Add([]byte("services:\n  a:\n    image: a\n    environment: {K: '${K:?no ${N:?}}', E: '$${E:?}'}\n    ports: ['80:80']\n")) // required, not of a port
	f.Add([]byte("services:\n  a:\n    image: a\n    network_mode: '${NM?}'\n    labels: ['x=${L:?}']\n"))                        // required, of a port
	f.Add([]byte("services:\n  a:\n    extends: {service: a}\n"))                                                                 // extends cycle
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return // compose-go's cost grows with ranges; keep runs short
		}
		ds, err := Loader{}.ReadCompose("testdata/demo/compose.yaml", bytes.NewReader(data))
		// A required variable's stand-in (required.go) never shows.
		const mark = requiredMarkPrefix
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ReadCompose error %T %q is not an *Error", err, err)
			}
			if strings.Contains(err.Error(), mark) && !bytes.Contains(data, []byte(mark)) {
				t.Fatalf("ReadCompose error %q shows a stand-in", err)
			}
			return
		}
		for _, d := range ds {
			if !d.Ephemeral && !d.Endpoint.IsValid() {
				t.Fatalf("declaration without an endpoint: %v", d)
			}
			if strings.Contains(d.NetworkMode+d.Name+d.Addr.String()+d.Image, mark) && !bytes.Contains(data, []byte(mark)) {
				t.Fatalf("declaration %v holds a stand-in", d)
			}
		}
	})
}

// FuzzParseExposure checks that ParseExposure never panics, that its errors
// are *Error quoting the input, and that what it accepts is one of the
// three exposures, which String writes back in a form it reads again.
func FuzzParseExposure(f *testing.F) {
	for _, s := range []string{"public", "internal", "localhost", "localhost-only", "", "Public", "private"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExposure(s)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseExposure(%q): error %v does not quote the input", s, err)
			}
			return
		}
		if e != Public && e != Internal && e != Localhost {
			t.Fatalf("ParseExposure(%q) = %v", s, e)
		}
		if back, err := ParseExposure(e.String()); err != nil || back != e {
			t.Fatalf("ParseExposure(%q) = %v, which reads back as %v, %v", s, e, back, err)
		}
	})
}
