package manifest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests use only what ReadKubernetes returned before it read
// documents one at a time, so that each can be run against that reader:
// each failed there.

// TestKubernetesWrongTypes reads fields written with the wrong type, each
// of which the reader once skipped without a word: every one is an error
// at the line of the value.
func TestKubernetesWrongTypes(t *testing.T) {
	pod := func(spec string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec
	}
	deploy := func(spec string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n" + spec
	}
	svc := func(spec string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n" + spec
	}
	tests := []struct {
		name, src, want string
	}{
		{"container ports a mapping", pod("  containers:\n  - name: web\n    ports:\n      http: 8080\n"),
			`manifest: k.yaml:8:7: Pod "default/p": spec.containers[0].ports: want a list, got a mapping`},
		{"containers a number", pod("  containers: 5\n"),
			`manifest: k.yaml:5:15: Pod "default/p": spec.containers: want a list, got a number`},
		{"container a list", pod("  containers:\n  - - name: web\n      ports: [{containerPort: 80}]\n"),
			`manifest: k.yaml:6:5: Pod "default/p": spec.containers[0]: want a mapping, got a list`},
		{"spec a number", deploy("spec: 5\n"),
			`manifest: k.yaml:4:7: Deployment "default/d": spec: want a mapping, got a number`},
		{"Service ports a mapping", svc("  ports:\n    http: 80\n"),
			`manifest: k.yaml:6:5: Service "default/s": spec.ports: want a list, got a mapping`},
		{"Service spec a list", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: [ports]\n",
			`manifest: k.yaml:4:7: Service "default/s": spec: want a mapping, got a list`},
		{"template a string", deploy("spec:\n  template: web\n"),
			`manifest: k.yaml:5:13: Deployment "default/d": spec.template: want a mapping, got a string`},
		{"pod spec a list", deploy("spec:\n  template:\n    spec: []\n"),
			`manifest: k.yaml:6:11: Deployment "default/d": spec.template.spec: want a mapping, got a list`},
		{"initContainers a mapping", pod("  initContainers: {a: 1}\n"),
			`manifest: k.yaml:5:19: Pod "default/p": spec.initContainers: want a list, got a mapping`},
		{"metadata a list", "apiVersion: v1\nkind: Service\nmetadata: [s]\n",
			`manifest: k.yaml:3:11: Service: metadata: want a mapping, got a list`},
		{"name a number", "apiVersion: v1\nkind: Service\nmetadata: {name: 5}\n",
			`manifest: k.yaml:3:18: Service: metadata.name: want a string, got a number`},
		{"label a number", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {version: 2}\n",
			`manifest: k.yaml:5:21: Pod "default/p": metadata.labels.version: want a string, got a number`},
		{"selector a list", svc("  selector: [app]\n"),
			`manifest: k.yaml:5:13: Service "default/s": spec.selector: want a mapping, got a list`},
		{"Service type a list", svc("  type: [x]\n"),
			`manifest: k.yaml:5:9: Service "default/s": spec.type: want a string, got a list`},
		{"image a number", pod("  containers:\n  - name: web\n    image: 5\n"),
			`manifest: k.yaml:7:12: Pod "default/p": spec.containers[0].image: want a string, got a number`},
		{"port name a list", svc("  ports:\n  - port: 80\n    name: [a]\n"),
			`manifest: k.yaml:7:11: Service "default/s": spec.ports[0].name: want a string, got a list`},
		{"List items a mapping", "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
			`manifest: k.yaml:3:8: List: items: want a list, got a mapping`},
		{"jobTemplate a number", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: 3}\n",
			`manifest: k.yaml:4:21: CronJob "default/c": spec.jobTemplate: want a mapping, got a number`},
		{"allocateLoadBalancerNodePorts a string", svc("  type: LoadBalancer\n  allocateLoadBalancerNodePorts: \"no\"\n"),
			`manifest: k.yaml:6:34: Service "default/s": spec.allocateLoadBalancerNodePorts: want true or false, got a string`},
		{"protocol a number", svc("  ports:\n  - port: 80\n    protocol: 6\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].protocol: want TCP, UDP or SCTP, got a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
			if ds != nil {
				t.Errorf("ReadKubernetes returned %d declarations with an error", len(ds))
			}
		})
	}
}

// TestKubernetesAPIVersions checks that only the apiVersions that serve a
// kind are read as it: a custom resource named Service is someone else's,
// and a kind ending in List is a list only for v1 List and the lists of
// the kinds read.
func TestKubernetesAPIVersions(t *testing.T) {
	const src = `apiVersion: example.com/v1
kind: Service
metadata: {name: not-core}
spec:
  ports:
  - port: 80
---
apiVersion: policy.example.com/v1
kind: AllowList
metadata: {name: allowed}
items:
- 10.0.0.0/8
- 192.168.0.0/16
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old-web}
spec:
  template:
    spec:
      containers:
      - name: web
        ports: [{containerPort: 8080}]
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: report}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: r, ports: [{containerPort: 9000}]}]
---
apiVersion: apps/v1beta2
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers: [{name: a, ports: [{containerPort: 8125, protocol: UDP}]}]
---
apiVersion: v1
kind: ServiceList
items:
- metadata: {name: typed}
  spec:
    ports:
    - port: 443
---
apiVersion: apps/v1
kind: DeploymentList
items:
- metadata: {name: listed}
  spec:
    template:
      spec:
        containers: [{name: c, ports: [{containerPort: 7000}]}]
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"k.yaml:23:33: default/old-web[web] 8080/tcp (containerPort, pod default/deployment/old-web, internal)",
		"k.yaml:33:58: default/report[r] 9000/tcp (containerPort, pod default/cronjob/report, internal)",
		"k.yaml:41:54: default/agent[a] 8125/udp (containerPort, pod default/daemonset/agent, internal)",
		"k.yaml:49:13: default/typed 443/tcp -> 443 (Service, service default/typed, internal)",
		"k.yaml:58:56: default/listed[c] 7000/tcp (containerPort, pod default/deployment/listed, internal)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("ReadKubernetes (-want +got):\n%s", diff)
	}
}

// TestKubernetesAPIVersionErrors checks what the API server refuses: a kind
// the reader reads under an apiVersion of Kubernetes' own groups that does
// not serve it, a kind in the wrong case, and an object without
// apiVersion.
func TestKubernetesAPIVersionErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"Deployment in v1", "apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\n",
			`manifest: k.yaml:1:13: apiVersion "v1" does not serve kind Deployment; Kubernetes serves it as apps/v1`},
		{"Service in apps/v1", "apiVersion: apps/v1\nkind: Service\nmetadata: {name: s}\n",
			`manifest: k.yaml:1:13: apiVersion "apps/v1" does not serve kind Service; Kubernetes serves it as v1`},
		{"StatefulSet in extensions", "apiVersion: extensions/v1beta1\nkind: StatefulSet\n",
			`manifest: k.yaml:1:13: apiVersion "extensions/v1beta1" does not serve kind StatefulSet; Kubernetes serves it as apps/v1`},
		{"CronJob in batch/v2", "apiVersion: batch/v2\nkind: CronJob\n",
			`manifest: k.yaml:1:13: apiVersion "batch/v2" does not serve kind CronJob; Kubernetes serves it as batch/v1`},
		{"ServiceList in apps/v1", "apiVersion: apps/v1\nkind: ServiceList\nitems: []\n",
			`manifest: k.yaml:1:13: apiVersion "apps/v1" does not serve kind Service; Kubernetes serves it as v1`},
		{"kind in lower case", "apiVersion: v1\nkind: service\nmetadata: {name: s}\n",
			`manifest: k.yaml:2:7: kind "service": Kubernetes spells it "Service"`},
		{"no apiVersion", "kind: Service\nmetadata: {name: s}\n",
			`manifest: k.yaml:1:1: Service: no apiVersion`},
		{"List item without kind", "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: x}\n",
			`manifest: k.yaml:4:3: object has no kind`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
		})
	}
}

// TestKubernetesAliasBomb reads a Pod of 100 containers that are each an
// alias of one container with 1,000 hostPorts: a file of about 30 KB that
// expands to 100,000 ports. The reader refuses it once the walk has
// visited ten times the document's nodes, at the alias it was following.
func TestKubernetesAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\nspec:\n  containers:\n  - &c\n    name: c\n    ports:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    - {containerPort: %d, hostPort: %d}\n", 1000+i, 20000+i)
	}
	for range 100 {
		b.WriteString("  - *c\n")
	}
	ds, err := ReadKubernetes("bomb.yaml", strings.NewReader(b.String()))
	checkErr(t, "ReadKubernetes", err,
		"manifest: bomb.yaml:1018: aliases expand to more than 51180 nodes, in a document of 5118; a manifest that repeats itself so much is refused")
	if ds != nil {
		t.Errorf("%d declarations with an error", len(ds))
	}
}

// TestKubernetesAliasErrors reads aliases that the API server refuses: one
// inside the node it names, and one naming an anchor of an earlier
// document.
func TestKubernetesAliasErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"alias inside its anchor", "apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: p\n  annotations: {self: *m}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n",
			`manifest: k.yaml:5:23: alias *m is inside the node it names`},
		{"anchor of another document", "apiVersion: v1\nkind: Pod\nmetadata: &m {name: p}\n---\napiVersion: v1\nkind: Pod\nmetadata: *m\n",
			`manifest: k.yaml:7:11: invalid YAML: unknown anchor 'm' referenced`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
		})
	}
}

// TestKubernetesDeepNesting reads a document nested 5,000 levels deep in a
// field the reader never looks at: it is refused at the line where the
// nesting passes 1,000 levels, not parsed into a tree and walked.
func TestKubernetesDeepNesting(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " +
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	_, err := ReadKubernetes("deep.yaml", strings.NewReader(src))
	checkErr(t, "ReadKubernetes", err, "manifest: deep.yaml:5:1004: nested more than 1000 levels deep")
}

// failingReader returns the text of its reader, then an error, so that a
// test sees whether a reader reads more than it needs.
type failingReader struct {
	r io.Reader
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("read past the first document")
	}
	return n, err
}

// TestKubernetesStreams checks that the documents are read one at a time:
// a fault in the first is reported without reading what follows it.
func TestKubernetesStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d}\nspec: {ports: [{port: 80}]}\n", i)
	}
	_, err := ReadKubernetes("k.yaml", &failingReader{strings.NewReader(b.String())})
	checkErr(t, "ReadKubernetes", err, `manifest: k.yaml:4:23: Service "default/s": spec.ports[0].port: 0 is not a port; want 1 to 65535`)
}

// TestKubernetesErrorLines checks that errors name the line where the
// fault is: the parser's line of a syntax error in a later document, and
// the line of the value of a wrong type.
func TestKubernetesErrorLines(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax error in the third document", "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 80}\n",
			`manifest: k.yaml:10: invalid YAML: did not find expected ',' or ']'`},
		{"wrong type on the line after its key", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port:\n        number: 80\n",
			`manifest: k.yaml:7:9: Service "default/s": spec.ports[0].port: want a port number, got a mapping`},
		{"unclosed quote", "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"s\n",
			`manifest: k.yaml:4: invalid YAML: found unexpected end of stream`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
		})
	}
}
