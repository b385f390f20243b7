package manifest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/portalloc/ports"
)

func TestReadKubernetes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "ClusterIP Service",
			src: `apiVersion: v1
kind: Service
metadata:
  name: portfolio-service
  namespace: pms-prod
spec:
  selector:
    app: portfolio
  ports:
  - name: http
    port: 8095
    targetPort: 8095
    protocol: TCP
  - name: metrics
    port: 9100
    targetPort: metrics
  type: ClusterIP
`,
			want: []string{
				"k.yaml:11:11: pms-prod/portfolio-service 8095/tcp -> 8095 (Service, service pms-prod/portfolio-service, internal)",
				"k.yaml:15:11: pms-prod/portfolio-service 9100/tcp -> metrics (Service, service pms-prod/portfolio-service, internal)",
			},
		},
		{
			name: "NodePort Service, fixed and allocated",
			src: `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30080
  - port: 53
    protocol: UDP
`,
			want: []string{
				"k.yaml:8:11: default/web 80/tcp -> 8080 (Service, service default/web, internal)",
				"k.yaml:10:15: default/web 30080/tcp -> 8080 (NodePort, host, public)",
				"k.yaml:11:11: default/web 53/udp -> 53 (Service, service default/web, internal)",
				"k.yaml:11:11: default/web */udp -> 53 (NodePort, host, public)",
			},
		},
		{
			name: "LoadBalancer Service",
			src: `apiVersion: v1
kind: Service
metadata: {name: nlb, namespace: pms-prod}
spec:
  type: LoadBalancer
  ports:
  - port: 80
    targetPort: 8088
---
apiVersion: v1
kind: Service
metadata: {name: nlb2, namespace: pms-prod}
spec:
  type: LoadBalancer
  allocateLoadBalancerNodePorts: false
  ports:
  - port: 443
`,
			want: []string{
				"k.yaml:7:11: pms-prod/nlb 80/tcp -> 8088 (Service, service pms-prod/nlb, public)",
				"k.yaml:7:11: pms-prod/nlb */tcp -> 8088 (NodePort, host, public)",
				"k.yaml:17:11: pms-prod/nlb2 443/tcp -> 443 (Service, service pms-prod/nlb2, public)",
			},
		},
		{
			name: "ExternalName binds nothing",
			src: `apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  type: ExternalName
  externalName: db.example.com
  ports:
  - port: 5432
`,
		},
		{
			name: "Pod with hostPort",
			src: `apiVersion: v1
kind: Pod
metadata:
  name: dns
  namespace: kube-system
spec:
  containers:
  - name: coredns
    ports:
    - containerPort: 53
      hostPort: 53
      protocol: UDP
    - containerPort: 9153
      hostPort: 9153
      hostIP: 127.0.0.1
  - name: sidecar
    ports:
    - containerPort: 8080
`,
			want: []string{
				"k.yaml:10:22: kube-system/dns[coredns] 53/udp (containerPort, pod kube-system/dns, internal)",
				"k.yaml:11:17: kube-system/dns[coredns] 53/udp -> 53 (hostPort, host, public)",
				"k.yaml:13:22: kube-system/dns[coredns] 9153/tcp (containerPort, pod kube-system/dns, internal)",
				"k.yaml:14:17: kube-system/dns[coredns] 127.0.0.1:9153/tcp -> 9153 (hostPort, host, localhost)",
				"k.yaml:18:22: kube-system/dns[sidecar] 8080/tcp (containerPort, pod kube-system/dns, internal)",
			},
		},
		{
			name: "DaemonSet with hostNetwork, and initContainers",
			src: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
spec:
  template:
    spec:
      hostNetwork: true
      initContainers:
      - name: init
        ports:
        - containerPort: 9999
      containers:
      - name: exporter
        ports:
        - name: metrics
          containerPort: 9100
          hostPort: 9100 # node metrics
`,
			want: []string{
				"k.yaml:13:26: monitoring/node-exporter[init] 9999/tcp (hostNetwork, host, public)",
				"k.yaml:18:26: monitoring/node-exporter[exporter] 9100/tcp (hostNetwork, host, public)",
			},
		},
		{
			name: "hostNetwork containers without ports bind their image's defaults",
			src: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: home
  namespace: iot
spec:
  template:
    spec:
      hostNetwork: true
      initContainers:
      - name: migrate
        image: ghcr.io/home-assistant/home-assistant:2025.1
      containers:
      - name: ha
        image: ghcr.io/home-assistant/home-assistant:2025.1
      - name: exporter
        image: quay.io/prometheus/node-exporter:v1.8.2
        ports: [{containerPort: 9101}]
      - name: own
        image: example.org/own
---
apiVersion: v1
kind: Pod
metadata: {name: bridged}
spec:
  containers:
  - name: ha
    image: homeassistant/home-assistant
`,
			want: []string{
				"k.yaml:15:16: iot/home[ha] 8123/tcp (image default, host, public)",
				"k.yaml:18:33: iot/home[exporter] 9101/tcp (hostNetwork, host, public)",
			},
		},
		{
			name: "Deployment, StatefulSet, Job, CronJob, ReplicaSet",
			src: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 1}]}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 2}]}]}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 3}]}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 4}]}]}}}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 5, hostPort: 30005}]}]}}}
`,
			want: []string{
				"k.yaml:4:73: default/d[c] 1/tcp (containerPort, pod default/deployment/d, internal)",
				"k.yaml:9:73: default/s[c] 2/tcp (containerPort, pod default/statefulset/s, internal)",
				"k.yaml:14:73: default/j[c] 3/tcp (containerPort, pod default/job/j, internal)",
				"k.yaml:19:94: default/cj[c] 4/tcp (containerPort, pod default/cronjob/cj, internal)",
				"k.yaml:24:73: default/rs[c] 5/tcp (containerPort, pod default/replicaset/rs, internal)",
				"k.yaml:24:86: default/rs[c] 30005/tcp -> 5 (hostPort, host, public)",
			},
		},
		{
			name: "List and other kinds",
			src: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg}
  data: {port: "80"}
- apiVersion: v1
  kind: Service
  metadata: {name: a}
  spec:
    ports:
    - port: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing}
spec: {rules: []}
`,
			want: []string{
				"k.yaml:13:13: default/a 80/tcp -> 80 (Service, service default/a, internal)",
			},
		},
		{
			name: "JSON",
			src:  `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}, "spec": {"ports": [{"port": 8080, "targetPort": 80}]}}`,
			want: []string{
				"k.yaml:1:96: default/j 8080/tcp -> 80 (Service, service default/j, internal)",
			},
		},
		{
			name: "empty documents",
			src:  "---\n---\n# nothing\n",
		},
		{
			// YAML 1.1 booleans, as Kubernetes reads them, and an empty
			// hostIP, which is the default.
			name: "hostNetwork True, allocateLoadBalancerNodePorts False, empty hostIP",
			src: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  hostNetwork: True
  containers:
  - name: c
    ports:
    - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: q
spec:
  hostNetwork: no
  containers:
  - name: c
    ports:
    - containerPort: 80
      hostPort: 8081
      hostIP: ""
---
apiVersion: v1
kind: Service
metadata:
  name: lb
spec:
  type: LoadBalancer
  allocateLoadBalancerNodePorts: False
  ports:
  - port: 443
`,
			want: []string{
				"k.yaml:10:22: default/p[c] 8080/tcp (hostNetwork, host, public)",
				"k.yaml:21:22: default/q[c] 80/tcp (containerPort, pod default/q, internal)",
				"k.yaml:22:17: default/q[c] 8081/tcp -> 80 (hostPort, host, public)",
				"k.yaml:33:11: default/lb 443/tcp -> 443 (Service, service default/lb, public)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadKubernetes("k.yaml", strings.NewReader(tt.src))
			if err != nil {
				t.Fatalf("ReadKubernetes: %v", err)
			}
			if diff := cmp.Diff(tt.want, strs(ds)); diff != "" {
				t.Errorf("ReadKubernetes declarations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadKubernetesFields(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata:
  name: nlb
  namespace: pms-prod
  labels:
    app.kubernetes.io/part-of: pms
spec:
  type: NodePort
  ports:
  - name: http
    port: 80 # direct API Gateway access
    targetPort: 8088
    nodePort: 30080
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: pms-prod}
spec:
  containers:
  - name: c
    ports:
    - containerPort: 8088
      hostPort: 8088
      hostIP: 10.0.0.5
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	base := Declaration{
		Protocol: ports.TCP, Target: ports.MustParseRange("8088"), Project: "pms-prod", Service: "nlb",
		Name: "http", Description: "direct API Gateway access", Group: "pms",
	}
	svc := base
	svc.Endpoint, svc.Scope, svc.Kind, svc.Exposure = ports.MustParseEndpoint("80/tcp"), ServiceScope("pms-prod", "nlb"), KindService, Internal
	svc.Pos = Position{File: "k.yaml", Line: 12, Column: 11}
	np := base
	np.Endpoint, np.Scope, np.Kind, np.Exposure = ports.MustParseEndpoint("30080/tcp"), HostScope(), KindNodePort, Public
	np.Pos = Position{File: "k.yaml", Line: 14, Column: 15}
	cp := Declaration{
		Endpoint: ports.MustParseEndpoint("8088/tcp"), Protocol: ports.TCP, Scope: PodScope("pms-prod", "p"),
		Kind: KindContainerPort, Exposure: Internal, Project: "pms-prod", Service: "p", Container: "c",
		Pos: Position{File: "k.yaml", Line: 23, Column: 22, Doc: 1},
	}
	hp := cp
	hp.Endpoint, hp.Target = ports.MustParseEndpoint("10.0.0.5:8088/tcp"), ports.MustParseRange("8088")
	hp.Addr = hp.Endpoint.Addr()
	hp.Scope, hp.Kind, hp.Exposure = HostScope(), KindHostPort, Internal
	hp.Pos = Position{File: "k.yaml", Line: 24, Column: 17, Doc: 1}
	svc.Object, np.Object = "core/Service/pms-prod/nlb", "core/Service/pms-prod/nlb"
	cp.Object, hp.Object = "core/Pod/pms-prod/p", "core/Pod/pms-prod/p"
	want := []Declaration{svc, np, cp, hp}
	if diff := cmp.Diff(want, ds, cmpOpts, cmpopts.IgnoreFields(Declaration{}, "ObjectDigest")); diff != "" {
		t.Errorf("ReadKubernetes (-want +got):\n%s", diff)
	}
}

func TestReadKubernetesErrors(t *testing.T) {
	svc := func(ports string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n" + ports
	}
	pod := func(spec string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec
	}
	tests := []struct {
		name, src, want string
	}{
		{"port out of range", svc("  - port: 70000\n"),
			`manifest: k.yaml:6:11: Service "default/s": spec.ports[0].port: 70000 is not a port; want 1 to 65535`},
		{"port zero", svc("  - port: 0\n"),
			`manifest: k.yaml:6:11: Service "default/s": spec.ports[0].port: 0 is not a port; want 1 to 65535`},
		{"port a string", svc("  - port: \"80\"\n"),
			`manifest: k.yaml:6:11: Service "default/s": spec.ports[0].port: want a port number, got a string`},
		{"no port", svc("  - name: http\n"),
			`manifest: k.yaml:6:5: Service "default/s": spec.ports[0]: no port`},
		{"port entry not a mapping", svc("  - 80\n"),
			`manifest: k.yaml:6:5: Service "default/s": spec.ports[0]: want a mapping, got a number`},
		{"unknown protocol", svc("  - port: 80\n    protocol: ICMP\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].protocol: unknown protocol "ICMP"; want TCP, UDP or SCTP`},
		{"protocol in mixed case", svc("  - port: 80\n    protocol: Sctp\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].protocol: "Sctp" must be written "SCTP"; want TCP, UDP or SCTP`},
		{"protocol DCCP", svc("  - port: 80\n    protocol: DCCP\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].protocol: unknown protocol "DCCP"; want TCP, UDP or SCTP`},
		{"protocol in lower case", svc("  - port: 80\n    protocol: udp\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].protocol: "udp" must be written "UDP"; want TCP, UDP or SCTP`},
		{"targetPort digits quoted", svc("  - port: 80\n    targetPort: \"8080\"\n"),
			`manifest: k.yaml:7:17: Service "default/s": spec.ports[0].targetPort: "8080" is a string of digits, which is neither a port number nor a port name; write it without quotes`},
		{"nodePort on ClusterIP", svc("  - port: 80\n    nodePort: 30080\n"),
			`manifest: k.yaml:7:15: Service "default/s": spec.ports[0].nodePort: a ClusterIP Service has no node ports; use type NodePort or LoadBalancer`},
		{"targetPort a list", svc("  - port: 80\n    targetPort: [1]\n"),
			`manifest: k.yaml:7:17: Service "default/s": spec.ports[0].targetPort: want a port number or name, got a list`},
		{"unknown Service type", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Magic\n",
			`manifest: k.yaml:5:9: Service "default/s": spec.type: unknown Service type "Magic"; want ClusterIP, NodePort, LoadBalancer or ExternalName`},
		{"no containerPort", pod("  containers:\n  - name: c\n    ports:\n    - hostPort: 80\n"),
			`manifest: k.yaml:8:7: Pod "default/p": spec.containers[0].ports[0]: no containerPort`},
		{"hostNetwork a string", pod("  hostNetwork: \"true\"\n  containers: []\n"),
			`manifest: k.yaml:5:16: Pod "default/p": spec.hostNetwork: want true or false, got a string`},
		{"a key twice", pod("  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      containerPort: 81\n"),
			`manifest: k.yaml:9:7: key "containerPort" is given twice in one mapping (first on line 8)`},
		{"hostIP a list", pod("  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      hostPort: 80\n      hostIP: [a]\n"),
			`manifest: k.yaml:10:15: Pod "default/p": spec.containers[0].ports[0].hostIP: want an IP address, got a list`},
		{"bad hostIP", pod("  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      hostPort: 80\n      hostIP: localhost\n"),
			`manifest: k.yaml:10:15: Pod "default/p": spec.containers[0].ports[0].hostIP: "localhost" is not an IP address`},
		{"hostIP with a zone", pod("  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      hostPort: 80\n      hostIP: fe80::1%eth0\n"),
			`manifest: k.yaml:10:15: Pod "default/p": spec.containers[0].ports[0].hostIP: "fe80::1%eth0" has a zone; want a plain IP address`},
		{"pod spec not a mapping", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n",
			`manifest: k.yaml:4:7: Pod "default/p": spec: want a mapping, got a list`},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n",
			`manifest: k.yaml:1:1: object has no kind`},
		{"kind not a string", "apiVersion: v1\nkind: [Service]\n",
			`manifest: k.yaml:2:7: kind: want a string, got a list`},
		{"document not a mapping", "apiVersion: v1\nkind: Service\n---\n- 1\n",
			`manifest: k.yaml:4:1: want a Kubernetes object (a mapping with apiVersion and kind), got a list`},
		{"List in a List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n",
			`manifest: k.yaml:5:9: a List inside a list`},
		// The parser's own line is 2, counted from 0; the fault is on line 3.
		{"YAML syntax", "apiVersion: v1\nkind: Service\nspec: {ports: [}\n",
			`manifest: k.yaml:3: invalid YAML: did not find expected node content`},
		{"error in second document", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  ports:\n  - port: -1\n",
			`manifest: k.yaml:10:11: Service "default/b": spec.ports[0].port: -1 is not a port; want 1 to 65535`},
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

func TestReadKubernetesDocIndex(t *testing.T) {
	src := "# header\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 1}]}\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 2}]}\n"
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []Position
	for _, d := range ds {
		got = append(got, d.Pos)
	}
	want := []Position{{File: "k.yaml", Line: 6, Column: 23, Doc: 0}, {File: "k.yaml", Line: 12, Column: 23, Doc: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadKubernetes sources (-want +got):\n%s", diff)
	}
}

// TestMergeKeyFanOut reads a manifest whose merge keys name one anchor ten
// times over, thirty levels deep: read naively, that is 10^30 merges. Each
// mapping is merged once, so the read is immediate, and what the merges
// bring (a label from the bottom level) is still there.
func TestMergeKeyFanOut(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 {containerPort: 8080}\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "x%d: &a%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    ports:\n    - <<: *a30\n      hostPort: 9090\n")
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := strs(ds)
	want := []string{
		"k.yaml:1:25: default/p[c] 8080/tcp (containerPort, pod default/p, internal)",
		"k.yaml:40:17: default/p[c] 9090/tcp -> 8080 (hostPort, host, public)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}

// TestSelectors reads a Service's selector and the labels of the pods of a
// Pod and a Deployment, and matches them as the cluster does.
func TestSelectors(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {tier: front, app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web, tier: front, version: v2}
    spec:
      containers:
      - name: web
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: admin
  namespace: shop
  labels: {app: admin, tier: front}
spec:
  containers:
  - name: admin
    ports:
    - containerPort: 8080
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("%d declarations: %v", len(ds), strs(ds))
	}
	svc, web, admin := ds[0], ds[1], ds[2]
	if diff := cmp.Diff([]Label{{"app", "web"}, {"tier", "front"}}, svc.Selector); diff != "" {
		t.Errorf("Selector (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Label{{"app", "web"}, {"tier", "front"}, {"version", "v2"}}, web.Labels); diff != "" {
		t.Errorf("web's Labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Label{{"app", "admin"}, {"tier", "front"}}, admin.Labels); diff != "" {
		t.Errorf("admin's Labels (-want +got):\n%s", diff)
	}
	if !svc.Selects(web) || svc.Selects(admin) {
		t.Errorf("Selects: web %v, admin %v; want true, false", svc.Selects(web), svc.Selects(admin))
	}
	other := web
	other.Project = "staging"
	if svc.Selects(other) {
		t.Error("a Service selects pods of another namespace")
	}
	bare := svc
	bare.Selector = nil
	if bare.Selects(web) {
		t.Error("a Service without a selector selects pods")
	}
}

// TestSelectorsKeepPairs checks that a label's value holding "," or "="
// stays one pair: a selector tier=front does not select a pod whose one
// label is app="web,tier=front", as it did when labels were read into one
// "key=value,key=value" string and split again.
func TestSelectorsKeepPairs(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {tier: front}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata:
  name: odd
  namespace: shop
  labels: {app: "web,tier=front"}
spec:
  containers:
  - name: odd
    ports: [{name: http, containerPort: 8080}]
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("%d declarations: %v", len(ds), strs(ds))
	}
	svc, pod := ds[0], ds[1]
	if diff := cmp.Diff([]Label{{"app", "web,tier=front"}}, pod.Labels); diff != "" {
		t.Errorf("Labels (-want +got):\n%s", diff)
	}
	if svc.Selects(pod) {
		t.Errorf("%v selects %v, whose labels are %v", svc, pod, pod.Labels)
	}
	ResolveTargetNames(ds)
	if ds[0].Target.IsValid() {
		t.Errorf("ResolveTargetNames resolved %v from a pod the Service does not select", ds[0])
	}
}

// TestInitContainers marks the ports of init containers, but not those of
// sidecars (restartPolicy Always), which run beside the others.
func TestInitContainers(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: migrate
    ports: [{containerPort: 8080}]
  - name: proxy
    restartPolicy: Always
    ports: [{containerPort: 9090}]
  containers:
  - name: app
    ports: [{containerPort: 8080}]
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s %v", d.Container, d.InitContainer))
	}
	if diff := cmp.Diff([]string{"migrate true", "proxy false", "app false"}, got); diff != "" {
		t.Errorf("InitContainer (-want +got):\n%s", diff)
	}
}

// TestKubernetesUnsetValues reads fields that Kubernetes takes as not set
// when they are 0, null or empty: a nodePort of 0 is assigned by the
// cluster, a hostPort of 0 or null is none, a targetPort of 0, "" or null
// is the port itself, and an empty type is ClusterIP. The API server
// accepts each, so the reader must too.
func TestKubernetesUnsetValues(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  type: NodePort
  ports:
  - {port: 80, nodePort: 0, targetPort: 0}
  - {port: 81, nodePort: null, targetPort: ""}
  - {port: 82, targetPort: null}
---
apiVersion: v1
kind: Service
metadata: {name: t}
spec:
  type: ""
  ports:
  - {port: 90}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    ports:
    - {containerPort: 70, hostPort: 0}
    - {containerPort: 71, hostPort: null}
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"k.yaml:7:12: default/s 80/tcp -> 80 (Service, service default/s, internal)",
		"k.yaml:7:12: default/s */tcp -> 80 (NodePort, host, public)",
		"k.yaml:8:12: default/s 81/tcp -> 81 (Service, service default/s, internal)",
		"k.yaml:8:12: default/s */tcp -> 81 (NodePort, host, public)",
		"k.yaml:9:12: default/s 82/tcp -> 82 (Service, service default/s, internal)",
		"k.yaml:9:12: default/s */tcp -> 82 (NodePort, host, public)",
		"k.yaml:17:12: default/t 90/tcp -> 90 (Service, service default/t, internal)",
		"k.yaml:26:23: default/p[c] 70/tcp (containerPort, pod default/p, internal)",
		"k.yaml:27:23: default/p[c] 71/tcp (containerPort, pod default/p, internal)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}

// TestPodScopesOfWorkloads checks that workloads of one name but different
// kinds, which run different pods, are in different pod scopes, so that
// their container ports never collide, and that a bare Pod is named alone.
func TestPodScopesOfWorkloads(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: app, ports: [{containerPort: 80}]}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec: {template: {spec: {containers: [{name: db, ports: [{containerPort: 80}]}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, d := range ds {
		scopes = append(scopes, d.Scope.String())
	}
	want := []string{"pod default/deployment/web", "pod default/statefulset/web", "pod default/web"}
	if diff := cmp.Diff(want, scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
}

// TestKubernetesProtocols checks the three protocols the API server takes.
func TestKubernetesProtocols(t *testing.T) {
	for _, p := range []ports.Protocol{ports.TCP, ports.UDP, ports.SCTP} {
		src := "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    protocol: " + strings.ToUpper(p.String()) + "\n"
		ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
		if err != nil || len(ds) != 1 || ds[0].Protocol != p || ds[0].Endpoint.Protocol() != p {
			t.Errorf("protocol %s: %v, %v", strings.ToUpper(p.String()), ds, err)
		}
	}
}

func TestIgnoreAnnotation(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    team: shop
    ports.portalloc.io/ignore: "collision -- shared with the canary"
spec:
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  generateName: worker-
spec:
  template:
    metadata:
      annotations:
        ports.portalloc.io/ignore: not read here, on the pod template
    spec:
      containers:
        - name: w
          ports:
            - containerPort: 9090
              hostPort: 9090
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  annotations: {ports.portalloc.io/ignore: exposed-database}
spec:
  containers:
    - name: db
      ports:
        - containerPort: 5432
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	type ign struct {
		Service, Ignore string
		Line            int
	}
	var got []ign
	for _, d := range ds {
		got = append(got, ign{d.Service, d.Ignore, d.IgnoreLine})
	}
	want := []ign{
		{"web", "collision -- shared with the canary", 7},
		{"worker-", "", 0},
		{"worker-", "", 0},
		{"db", "exposed-database", 32},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ignore and IgnoreLine (-want +got):\n%s", diff)
	}

	_, err = ReadKubernetes("k.yaml", strings.NewReader("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    ports.portalloc.io/ignore: [collision]\nspec:\n  ports: [{port: 80}]\n"))
	checkErr(t, "ReadKubernetes", err, `manifest: k.yaml:6:32: Service "default/web": metadata.annotations.ports.portalloc.io/ignore: want a string, got a list`)
}

// TestKubernetesBlockComment checks that a comment above a list of ports,
// over its key or over an entry, describes each port of the list from
// there on that has no comment of its own, as it does in a compose file:
// for a Service's ports and a container's.
func TestKubernetesBlockComment(t *testing.T) {
	src := `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  # the public listeners
  ports:
  - {name: http, port: 80}
  - {name: https, port: 443}
  - {name: admin, port: 9000} # the admin API
  # monitoring
  - {name: metrics, port: 9090}
  - {name: health, port: 9091}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        ports:
        # the web server
        - containerPort: 8080
        - containerPort: 8443
        - containerPort: 9000 # the admin API
      - name: side
        ports:
        - containerPort: 7000
`
	ds, err := ReadKubernetes("k.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s %s %d: %s", d.Kind, d.Service, d.Endpoint.Range().Lo(), d.Description))
	}
	want := []string{
		"Service web 80: the public listeners",
		"NodePort web 0: the public listeners",
		"Service web 443: the public listeners",
		"NodePort web 0: the public listeners",
		"Service web 9000: the admin API",
		"NodePort web 0: the admin API",
		"Service web 9090: monitoring",
		"NodePort web 0: monitoring",
		"Service web 9091: monitoring",
		"NodePort web 0: monitoring",
		"containerPort web 8080: the web server",
		"containerPort web 8443: the web server",
		"containerPort web 9000: the admin API",
		"containerPort web 7000: ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
}
