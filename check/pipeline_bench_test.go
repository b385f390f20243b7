package check_test

// The checker on inputs of real size, beside what it is measured against:
// compose-go's own load of the same compose files, and a reading of a
// stream of Kubernetes objects. Run with
//
//	go test ./check -run '^$' -bench 'Pipeline' -benchtime=3x

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// composeProject returns a compose file of n services, each publishing a
// port of its own and exposing another, a database among every ten.
func composeProject(n int) []byte {
	var b strings.Builder
	b.WriteString("name: big\nservices:\n")
	for i := range n {
		image := "registry.example.com/app:1"
		if i%10 == 0 {
			image = "postgres:16"
		}
		fmt.Fprintf(&b, "  svc-%d:\n    image: %s\n    ports:\n      - \"%d:8080\"\n    expose:\n      - \"9090\"\n", i, image, 10000+i%50000)
	}
	return []byte(b.String())
}

// BenchmarkPipelineCompose loads a compose project of 1,000 and 10,000
// services three ways in one run: compose-go alone (the load the checker
// cannot do without), the package manifest's reading (compose-go's load
// plus the positions of every port), and that reading with the check.
func BenchmarkPipelineCompose(b *testing.B) {
	limits, _ := hostports.Defaults("linux")
	for _, n := range []int{1000, 10000} {
		data := composeProject(n)
		dir := b.TempDir()
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d/compose-go", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				details := types.ConfigDetails{
					WorkingDir:  dir,
					ConfigFiles: []types.ConfigFile{{Filename: path, Content: data}},
					Environment: types.Mapping{},
				}
				_, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
					o.SetProjectName("big", true)
					o.ResolvePaths = false
					o.SkipResolveEnvironment = true
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/manifest", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := (manifest.Loader{}).ReadCompose(path, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/manifest+check", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				decls, err := (manifest.Loader{}).ReadCompose(path, bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := check.Run(decls, check.Options{Limits: limits}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// kubeObjects returns a stream of n Kubernetes objects, a Deployment and
// a Service by turns, in 100 namespaces.
func kubeObjects(n int) []byte {
	var b strings.Builder
	for i := range n {
		ns := i % 100
		if i%2 == 0 {
			fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n  namespace: team-%d\nspec:\n  selector:\n    matchLabels: {app: app-%d}\n  template:\n    metadata:\n      labels: {app: app-%d}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/app:1\n        ports:\n        - {name: http, containerPort: 8080}\n        - {name: metrics, containerPort: 9090}\n", i, ns, i, i)
		} else {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-%d\n  namespace: team-%d\nspec:\n  selector: {app: app-%d}\n  ports:\n  - {name: http, port: 80, targetPort: http}\n", i-1, ns, i-1)
		}
	}
	return []byte(b.String())
}

// BenchmarkPipelineKubernetes reads a stream of 50,000 Kubernetes objects
// and checks them, reporting objects a second.
func BenchmarkPipelineKubernetes(b *testing.B) {
	n := 50000
	if s := os.Getenv("PIPELINE_OBJECTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := kubeObjects(n)
	limits, _ := hostports.Defaults("linux")
	b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			decls, err := manifest.ReadKubernetes("stream.yaml", bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := check.Run(decls, check.Options{Limits: limits}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	})
}
