package manifest_test

import (
	"fmt"
	"strings"

	"github.com/portalloc/ports/manifest"
)

func ExampleLoader_ReadCompose() {
	const compose = `services:
  web:
    image: web
    ports:
      - "3000:3000" # Web
  grafana:
    image: grafana/grafana
    ports:
      - "127.0.0.1:3002:3000" # Grafana, moved off Web's 3000
  rtpengine:
    image: rtpengine
    ports:
      - "${RTP_RANGE:-10000-10999}:10000-10999/udp" # RTP media
`
	l := manifest.Loader{Env: map[string]string{}}
	decls, err := l.ReadCompose("voip/compose.yaml", strings.NewReader(compose))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range decls {
		fmt.Printf("%s  # %s\n", d, d.Description)
	}
	// Output:
	// voip/compose.yaml:5:9: voip/web 3000/tcp -> 3000 (compose, host, public)  # Web
	// voip/compose.yaml:9:9: voip/grafana 127.0.0.1:3002/tcp -> 3000 (compose, host, localhost)  # Grafana, moved off Web's 3000
	// voip/compose.yaml:13:9: voip/rtpengine 10000-10999/udp -> 10000-10999 (compose, host, public)  # RTP media
}

func ExampleReadKubernetes() {
	const manifests = `apiVersion: v1
kind: Service
metadata:
  name: apigateway-nlb
  namespace: pms-prod
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8088
    nodePort: 30080
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
spec:
  template:
    spec:
      hostNetwork: true
      containers:
      - name: exporter
        ports:
        - containerPort: 9100
`
	decls, err := manifest.ReadKubernetes("k8s.yaml", strings.NewReader(manifests))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range decls {
		fmt.Println(d)
	}
	// Output:
	// k8s.yaml:9:11: pms-prod/apigateway-nlb 80/tcp -> 8088 (Service, service pms-prod/apigateway-nlb, internal)
	// k8s.yaml:11:15: pms-prod/apigateway-nlb 30080/tcp -> 8088 (NodePort, host, public)
	// k8s.yaml:25:26: monitoring/node-exporter[exporter] 9100/tcp (hostNetwork, host, public)
}

func ExampleParseRegistry() {
	const registry = `version: 1
project: alpr
ports:
  - service: kafka-ui
    port: 8080
    exposure: internal
    group: Schema & Management
  - service: cadvisor
    port: 8082
    target: 8080
    exposure: internal
    group: Monitoring Stack
    description: moved from 8080 (conflict with Kafka UI)
  - service: kafka-consumer
    target: 8002
    exposure: localhost
`
	reg, err := manifest.ParseRegistry("ports.yaml", []byte(registry))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range reg.Declarations() {
		fmt.Println(d)
	}

	_, err = manifest.ParseRegistry("ports.yaml", []byte("version: 1\nports:\n  - service: web\n    port: 80\n    exposure: private\n"))
	fmt.Println(err)
	// Output:
	// ports.yaml:5:11: alpr/kafka-ui 8080/tcp (registry, host, internal)
	// ports.yaml:9:11: alpr/cadvisor 8082/tcp -> 8080 (registry, host, internal)
	// ports.yaml:15:13: alpr/kafka-consumer 8002/tcp (registry, container alpr/kafka-consumer, localhost)
	// manifest: ports.yaml:5:15: ports[0].exposure: "private": want public, internal or localhost
}

func ExampleDetectFormat() {
	for _, f := range []struct{ name, data string }{
		{"docker-compose.prod.yml", ""},
		{"ports.yaml", ""},
		{"deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n"},
		{"stack.yaml", "services:\n  web: {image: nginx}\n"},
		{"values.yaml", "replicas: 3\n"},
	} {
		format, ok := manifest.DetectFormat(f.name, []byte(f.data))
		fmt.Println(f.name, format, ok)
	}
	// Output:
	// docker-compose.prod.yml compose true
	// ports.yaml registry true
	// deploy.yaml kubernetes true
	// stack.yaml compose true
	// values.yaml unknown false
}

// ExampleLoader_LoadPaths reads a base compose file and an add-on as one
// project, as "docker compose -f docker-compose.yml -f
// extensions/fleet/fleet-compose.yml" does, and a directory of several
// projects and manifests, each input on its own.
func ExampleLoader_LoadPaths() {
	dir := "testdata/projects/"
	l := manifest.Loader{ComposeFiles: []string{
		dir + "elk/docker-compose.yml",
		dir + "elk/extensions/fleet/fleet-compose.yml",
	}}
	res, err := l.LoadPaths(dir + "many/workers")
	if err != nil {
		fmt.Println(err)
	}
	for _, d := range res.Decls {
		fmt.Println(d.Project+"/"+d.Service, d.Endpoint)
	}
	fmt.Println(len(res.Inputs), "inputs,", len(res.Skipped), "files skipped")
	// Output:
	// elk/search 9200/tcp
	// elk/search 9300/tcp
	// elk/dashboards 5601/tcp
	// elk/fleet 8220/tcp
	// elk/dashboards 127.0.0.1:5602/tcp
	// workers/worker 9000/tcp
	// 2 inputs, 0 files skipped
}
