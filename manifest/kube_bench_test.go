package manifest

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// kubeStream returns a stream of n Kubernetes objects, a Deployment and a
// Service by turns, each Deployment with two container ports and each
// Service with two ports, in a namespace of its own.
func kubeStream(n int) string {
	var b strings.Builder
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  namespace: team-%d
  labels: {app.kubernetes.io/name: app-%d, app.kubernetes.io/part-of: shop}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-%d}
  template:
    metadata:
      labels: {app: app-%d, tier: web}
    spec:
      containers:
      - name: app
        image: registry.example.com/shop/app:1.%d.0
        args: ["--listen=:8080", "--metrics=:9090"]
        resources: {requests: {cpu: 100m, memory: 128Mi}}
        ports:
        - name: http
          containerPort: 8080 # the API
        - name: metrics
          containerPort: 9090
`, i, i%100, i, i, i, i%10)
		} else {
			fmt.Fprintf(&b, `---
apiVersion: v1
kind: Service
metadata:
  name: app-%d
  namespace: team-%d
spec:
  type: NodePort
  selector: {app: app-%d}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: metrics, nodePort: %d}
`, i-1, (i-1)%100, i-1, 30000+i%2767)
		}
	}
	return b.String()
}

// heapObjects returns the bytes of the heap's objects, live or not yet
// collected.
func heapObjects() uint64 {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

// peakHeap calls f and returns the most bytes of heap objects seen above
// what there was before it, sampled every 200 microseconds while it runs,
// and those still live once it is done.
func peakHeap(f func()) (peak, kept uint64) {
	runtime.GC()
	base := heapObjects()
	stop, done := make(chan bool), make(chan uint64)
	go func() {
		var top uint64
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if h := heapObjects(); h > base {
				top = max(top, h-base)
			}
			select {
			case <-stop:
				done <- top
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	peak = <-done
	runtime.GC()
	if h := heapObjects(); h > base {
		kept = h - base
	}
	return peak, kept
}

// BenchmarkReadKubernetesStream reads streams of 1,000 to 50,000 objects
// (0.4 to 21 MB). Beside time and allocations it reports the objects read
// a second, the size of the input, and, from a first read, the heap at its
// peak (objects live or not yet collected, sampled as it runs) and what
// stays live once it is done (the declarations): a reader that keeps
// every document's tree holds a peak that grows with the input, one that
// streams holds the declarations, one document and its garbage. It also
// reports the objects read a second of the process's CPU time.
func BenchmarkReadKubernetesStream(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		src := kubeStream(n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			var ds []Declaration
			peak, kept := peakHeap(func() {
				var err error
				if ds, err = ReadKubernetes("stream.yaml", strings.NewReader(src)); err != nil {
					b.Fatal(err)
				}
			})
			runtime.KeepAlive(ds)
			ds = nil
			b.ReportAllocs()
			cpu := cpuSeconds()
			for b.Loop() {
				if _, err := ReadKubernetes("stream.yaml", strings.NewReader(src)); err != nil {
					b.Fatal(err)
				}
			}
			cpu = cpuSeconds() - cpu
			// After the loop: its first turn drops the metrics reported.
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
			// On a machine shared with other work, the time the process
			// was given says more than the time that passed: objects per
			// second of CPU, the collector's threads counted, is what a
			// machine of its own would read at least.
			if cpu > 0 {
				b.ReportMetric(float64(n)*float64(b.N)/cpu, "objects/cpu-s")
			}
			b.ReportMetric(float64(len(src))/(1<<20), "input-MB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(float64(kept)/(1<<20), "kept-MB")
		})
	}
}
