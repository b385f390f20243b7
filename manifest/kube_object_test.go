package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// A shop's cache, as its own file writes it: block style, comments.
const cacheAlone = `# The cache of the shop.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  labels:
    app: cache
spec:
  replicas: 1
  selector:
    matchLabels:
      app: cache
  template:
    metadata:
      labels:
        app: cache
        tier: backend
    spec:
      hostNetwork: false
      containers:
      - name: valkey
        image: valkey/valkey:8.0
        ports:
        - containerPort: 6379 # clients
`

// The same object in an all-in-one file: flow style, JSON, keys in
// another order, an anchor, YAML 1.1's "no", and a port in hexadecimal.
const cacheInAll = `apiVersion: v1
kind: Service
metadata: {name: cache}
spec: {selector: {app: cache}, ports: [{port: 6379}]}
---
{"kind": "Deployment", "apiVersion": "apps/v1",
 "metadata": {"labels": {"app": "cache"}, "name": "cache"},
 "spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": 0x18EB}], "image": "valkey/valkey:8.0", "name": "valkey"}], "hostNetwork": no},
                       "metadata": {"labels": {"tier": "backend", "app": "cache"}}},
          "selector": {"matchLabels": {"app": "cache"}}, "replicas": 1}}
`

// readOne reads src as file name and returns its declarations of kind k.
func readOne(t *testing.T, name, src string, k Kind) []Declaration {
	t.Helper()
	ds, err := ReadKubernetes(name, strings.NewReader(src))
	if err != nil {
		t.Fatalf("ReadKubernetes(%s): %v", name, err)
	}
	var out []Declaration
	for _, d := range ds {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("ReadKubernetes(%s): no %v declaration in %v", name, k, strs(ds))
	}
	return out
}

// TestObjectDigest checks that one object written in two files, however
// differently, has one Object and one ObjectDigest, and that a change of
// content changes the digest but not the Object.
func TestObjectDigest(t *testing.T) {
	a := readOne(t, "cache.yaml", cacheAlone, KindContainerPort)[0]
	b := readOne(t, "all-in-one.yaml", cacheInAll, KindContainerPort)[0]
	if a.Object != "apps/Deployment/default/cache" || b.Object != a.Object {
		t.Errorf("Object %q and %q, want both %q", a.Object, b.Object, "apps/Deployment/default/cache")
	}
	if !strings.HasPrefix(a.ObjectDigest, "sha256:") || len(a.ObjectDigest) != len("sha256:")+64 {
		t.Errorf("ObjectDigest %q, want sha256: and 64 hex digits", a.ObjectDigest)
	}
	if a.ObjectDigest != b.ObjectDigest {
		t.Errorf("one object written two ways has digests %s and %s", a.ObjectDigest, b.ObjectDigest)
	}
	svc := readOne(t, "all-in-one.yaml", cacheInAll, KindService)[0]
	if svc.Object != "core/Service/default/cache" || svc.ObjectDigest == a.ObjectDigest {
		t.Errorf("Service: Object %q, digest %s", svc.Object, svc.ObjectDigest)
	}

	same := []struct{ name, from, to string }{
		{"status and the server's metadata", "metadata:\n  name: cache\n", "metadata:\n  name: cache\n  uid: 5f1c\n  resourceVersion: \"81\"\n  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"},
		{"status", "spec:\n  replicas: 1\n", "status: {readyReplicas: 1}\nspec:\n  replicas: 1\n"},
		{"true written as yes", "hostNetwork: false", "hostNetwork: off"},
		{"a merge key", "      containers:\n      - name: valkey\n", "      containers:\n      - <<: {name: valkey}\n"},
	}
	for _, tt := range same {
		c := readOne(t, "c.yaml", strings.Replace(cacheAlone, tt.from, tt.to, 1), KindContainerPort)[0]
		if c.ObjectDigest != a.ObjectDigest {
			t.Errorf("%s: the digest changed", tt.name)
		}
	}
	differ := []struct{ name, from, to string }{
		{"a container's name", "name: valkey", "name: redis"},
		{"a number quoted", "replicas: 1", "replicas: \"1\""},
		{"a label", "tier: backend", "tier: cache"},
		{"the version", "apiVersion: apps/v1", "apiVersion: apps/v1beta2"},
		{"a key moved into another mapping", "  replicas: 1\n", "  template2: {replicas: 1}\n"},
	}
	for _, tt := range differ {
		c := readOne(t, "c.yaml", strings.Replace(cacheAlone, tt.from, tt.to, 1), KindContainerPort)[0]
		if c.ObjectDigest == a.ObjectDigest {
			t.Errorf("%s: the digest did not change", tt.name)
		}
		if c.Object != a.Object {
			t.Errorf("%s: Object %q, want %q", tt.name, c.Object, a.Object)
		}
	}
}

// TestObjectNames checks Object for the kinds and versions of one object,
// and for an object named by generateName.
func TestObjectNames(t *testing.T) {
	tests := []struct{ src, want string }{
		{"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}}\n",
			"apps/Deployment/shop/web"},
		{"apiVersion: apps/v1beta1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}}}\n",
			"apps/StatefulSet/default/db"},
		{"apiVersion: batch/v2alpha1\nkind: ScheduledJob\nmetadata: {name: nightly}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 9}]}]}}}}}\n",
			"batch/CronJob/default/nightly"},
		{"apiVersion: extensions/v1beta1\nkind: Job\nmetadata: {name: once}\nspec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 9}]}]}}}\n",
			"batch/Job/default/once"},
		{"apiVersion: v1\nkind: Pod\nmetadata: {generateName: run-}\nspec: {containers: [{name: c, ports: [{containerPort: 9}]}]}\n",
			""},
	}
	for _, tt := range tests {
		ds, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
		if err != nil || len(ds) != 1 {
			t.Fatalf("ReadKubernetes(%q) = %v, %v", tt.src, strs(ds), err)
		}
		if ds[0].Object != tt.want || (tt.want == "") != (ds[0].ObjectDigest == "") {
			t.Errorf("ReadKubernetes(%q): Object %q, digest %q; want %q", tt.src, ds[0].Object, ds[0].ObjectDigest, tt.want)
		}
	}
}

// TestKubernetesImages checks that each container's port carries its
// image, on the pod, the host and the host network.
func TestKubernetesImages(t *testing.T) {
	const src = `apiVersion: v1
kind: Pod
metadata: {name: db}
spec:
  initContainers:
  - name: migrate
    image: flyway/flyway:10
    ports: [{containerPort: 8081}]
  containers:
  - name: postgres
    image: postgres:16
    ports: [{containerPort: 5432, hostPort: 5432}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
      - name: node
        image: quay.io/prometheus/node-exporter:v1.8.2
        ports: [{containerPort: 9100}]
      - name: bare
        ports: [{containerPort: 9101}]
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Kind.String()+" "+d.Container+" "+d.Image)
	}
	want := []string{
		"containerPort migrate flyway/flyway:10",
		"containerPort postgres postgres:16",
		"hostPort postgres postgres:16",
		"hostNetwork node quay.io/prometheus/node-exporter:v1.8.2",
		"hostNetwork bare ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

// TestHostNetworkHostPort checks that a hostNetwork pod's hostPort is
// declared as written: a check recognises the pods that the API server
// refuses by a HostPort that is neither 0 nor the declaration's port.
func TestHostNetworkHostPort(t *testing.T) {
	const src = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers:
  - name: c
    ports:
    - containerPort: 80
      hostPort: 8080
    - containerPort: 443
      hostPort: 443
    - containerPort: 53
      protocol: UDP
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		refused := d.HostPort != 0 && d.HostPort != d.Endpoint.Range().Lo()
		got = append(got, d.String()+" hostPort "+d.HostPort.String()+map[bool]string{true: " refused", false: ""}[refused])
	}
	want := []string{
		"k.yaml:9:22: default/p[c] 80/tcp (hostNetwork, host, public) hostPort 8080 refused",
		"k.yaml:11:22: default/p[c] 443/tcp (hostNetwork, host, public) hostPort 443",
		"k.yaml:13:22: default/p[c] 53/udp (hostNetwork, host, public) hostPort 0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}

// TestResolveTargetNames resolves named targetPorts against the container
// ports of the pods each Service selects, as the endpoints of a cluster
// do, and leaves alone those it cannot resolve to one number.
func TestResolveTargetNames(t *testing.T) {
	const src = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: metrics}
  - {name: dns, port: 53, targetPort: dns}
  - {name: grpc, port: 50051, targetPort: grpc}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, track: stable}}
    spec:
      containers:
      - name: app
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9102}
        - {name: dns, containerPort: 5353, protocol: TCP}
        - {name: grpc, containerPort: 50051}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, track: canary}}
    spec:
      containers:
      - name: app
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9103}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: staging, labels: {app: web}}
spec:
  containers:
  - name: app
    ports: [{name: grpc, containerPort: 6000}]
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	ResolveTargetNames(ds)
	var got []string
	for _, d := range ds {
		if d.Kind == KindService || d.Kind == KindNodePort {
			target := ""
			if d.Target.IsValid() {
				target = d.Target.String()
			}
			got = append(got, d.Kind.String()+" "+d.Protocol.String()+" "+d.TargetName+" -> "+target)
		}
	}
	want := []string{
		"Service tcp http -> 8080", // both Deployments agree
		"NodePort tcp http -> 8080",
		"Service tcp metrics -> ", // 9102 in one pod, 9103 in the other
		"NodePort tcp metrics -> ",
		"Service tcp dns -> 5353",
		"NodePort tcp dns -> 5353",
		"Service tcp grpc -> 50051", // the Pod of staging is not selected
		"NodePort tcp grpc -> 50051",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}

	// A port of another protocol, and a Service without a selector,
	// resolve nothing.
	udp := Declaration{Kind: KindService, Project: "shop", Protocol: ports.UDP, TargetName: "http", Selector: []Label{{"app", "web"}}}
	bare := Declaration{Kind: KindService, Project: "shop", Protocol: ports.TCP, TargetName: "http"}
	more := append(ds[:len(ds):len(ds)], udp, bare)
	ResolveTargetNames(more)
	for _, d := range more[len(ds):] {
		if d.Target.IsValid() {
			t.Errorf("ResolveTargetNames resolved %v", d)
		}
	}
}

// TestKustomization checks that a kustomization, by its name or by its
// kind, says to render it first.
func TestKustomization(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"by name", "deploy/overlays/prod/kustomization.yaml", "resources:\n- ../../base\nnamePrefix: prod-\n",
			"manifest: deploy/overlays/prod/kustomization.yaml:1: a kustomization, not manifests: render it first: kubectl kustomize deploy/overlays/prod | ports check -"},
		{"by kind", "k.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
			"manifest: k.yaml:6:7: a kustomization, not manifests: render it first: kubectl kustomize . | ports check -"},
		{"a component", "my dir/c.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
			"manifest: my dir/c.yaml:2:7: a kustomization, not manifests: render it first: kubectl kustomize 'my dir' | ports check -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKubernetes(tt.file, strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
			if !errors.Is(err, ErrKustomization) {
				t.Errorf("ReadKubernetes error %v is not ErrKustomization", err)
			}
		})
	}
}

// TestHelmTemplate checks that a Helm template that fails to read says to
// render the chart first, at the line of its first action, and that a
// manifest holding other text with braces is read as it is.
func TestHelmTemplate(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"a YAML error", "charts/shop/templates/service.yaml",
			"apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"shop.fullname\" . }}\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\nspec:\n  ports:\n    - port: {{ .Values.service.port }}\n",
			`manifest: charts/shop/templates/service.yaml:4:9: a Helm template, not manifests ("{{ include \"shop.fullname\" . }}"): render it first: helm template charts/shop | ports check -`},
		{"valid YAML of the wrong types", "svc.yaml",
			"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: {{ .Values.service.port }}\n",
			`manifest: svc.yaml:7:13: a Helm template, not manifests ("{{ .Values.service.port }}"): render it first: helm template CHART | ports check -`},
		{"in a later document", "all.yaml",
			"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\n{{- end }}\n",
			`manifest: all.yaml:5:1: a Helm template, not manifests ("{{- if .Values.enabled }}"): render it first: helm template CHART | ports check -`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKubernetes(tt.file, strings.NewReader(tt.src))
			checkErr(t, "ReadKubernetes", err, tt.want)
			if !errors.Is(err, ErrHelmTemplate) {
				t.Errorf("ReadKubernetes error %v is not ErrHelmTemplate", err)
			}
		})
	}

	const rules = `apiVersion: v1
kind: ConfigMap
metadata: {name: alerts}
data:
  rules.yaml: |
    - alert: Down
      annotations:
        summary: "{{ $labels.instance }} is down"
---
apiVersion: v1
kind: Service
metadata: {name: prometheus}
spec: {ports: [{port: 9090}]}
`
	if ds, err := ReadKubernetes("rules.yaml", strings.NewReader(rules)); err != nil || len(ds) != 1 {
		t.Errorf("ReadKubernetes of text with braces = %v, %v; want one declaration", strs(ds), err)
	}
	_, err := ReadKubernetes("bad.yaml", strings.NewReader("apiVersion: v1\nkind: Service\nspec: {ports: [}\n"))
	if errors.Is(err, ErrHelmTemplate) {
		t.Errorf("a YAML error without template actions: %v", err)
	}
}

// TestObjectsAcrossFiles reads a set of manifests laid out as example
// applications ship them, each object in its own file and all of them
// again in an all-in-one file: the copies of one object have one Object;
// the identical copies of the store's leader one digest, the web
// Deployments, whose containers are named differently, two. Named
// targetPorts resolve across the files.
func TestObjectsAcrossFiles(t *testing.T) {
	var ds []Declaration
	for _, f := range []string{"store-leader.yaml", "web.yaml", "all-in-one/notebook.yaml"} {
		path := "testdata/kubernetes/notebook/" + f
		got, err := ReadKubernetes(path, strings.NewReader(readFile(t, path)))
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, got...)
	}
	digests := map[string]map[string]bool{}
	for _, d := range ds {
		if digests[d.Object] == nil {
			digests[d.Object] = map[string]bool{}
		}
		digests[d.Object][d.ObjectDigest] = true
	}
	got := map[string]int{}
	for o, set := range digests {
		got[o] = len(set)
	}
	want := map[string]int{
		"apps/Deployment/default/store-leader": 1,
		"core/Service/default/store-leader":    1,
		"apps/Deployment/default/web":          2,
		"core/Service/default/web":             1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests per object (-want +got):\n%s", diff)
	}
	ResolveTargetNames(ds)
	var targets []string
	for _, d := range ds {
		if d.TargetName != "" {
			targets = append(targets, d.Pos.String()+" "+d.Kind.String()+" "+d.TargetName+" -> "+d.Target.String())
		}
	}
	wantTargets := []string{
		"testdata/kubernetes/notebook/store-leader.yaml:39:11 Service store -> 6379",
		"testdata/kubernetes/notebook/web.yaml:31:11 Service http -> 8080",
		"testdata/kubernetes/notebook/web.yaml:33:15 NodePort http -> 8080",
		"testdata/kubernetes/notebook/all-in-one/notebook.yaml:8:18 Service store -> 6379",
	}
	if diff := cmp.Diff(wantTargets, targets); diff != "" {
		t.Errorf("named targets (-want +got):\n%s", diff)
	}
}
