package manifest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

func readBench(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReadCompose reads the platforms' compose files: ALPR (13
// published ports) and Hopwhistle (whose RTP range compose-go expands into
// 10001 ports before the reader merges them back).
func BenchmarkReadCompose(b *testing.B) {
	for _, name := range []string{"alpr", "hopwhistle"} {
		path := platforms + name + "/docker-compose.yml"
		data := readBench(b, path)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := (Loader{}).ReadCompose(path, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadComposeRange measures the cost of a published range, which
// compose-go expands port by port.
func BenchmarkReadComposeRange(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		src := fmt.Sprintf("services:\n  rtp:\n    image: x\n    ports:\n      - \"10000-%d:10000-%d/udp\"\n", 10000+n-1, 10000+n-1)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := (Loader{}).ReadCompose("testdata/demo/compose.yaml", strings.NewReader(src)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadKubernetes reads the PMS backend: 10 Deployments and 10
// Services in 20 documents.
func BenchmarkReadKubernetes(b *testing.B) {
	data := readBench(b, platforms+"pms/k8s/backend.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadKubernetes("backend.yaml", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRegistry parses Hopwhistle's registry (22 entries).
func BenchmarkParseRegistry(b *testing.B) {
	data := readBench(b, platforms+"hopwhistle/ports.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRegistry("ports.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
