package main

import (
	"fmt"
	"io"
	"testing"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
)

// BenchmarkWriteReference writes the port reference of n services, each a
// Kubernetes Service forwarding to a container port of its pods and a
// registry entry of two protocols, so that the Protocol column and the
// Services' container ports are worked out for every row. It shows how
// the document grows with n.
func BenchmarkWriteReference(b *testing.B) {
	for _, n := range []int{1000, 10000, 40000} {
		var decls []manifest.Declaration
		for i := range n {
			ns, name := fmt.Sprint("team-", i%100), fmt.Sprint("svc-", i)
			port := ports.Port(10000 + i%50000)
			decls = append(decls,
				manifest.Declaration{Endpoint: ports.EndpointAnyAddr(ports.TCP, ports.Port(80).Range()), Protocol: ports.TCP,
					Target: port.Range(), Kind: manifest.KindService, Scope: manifest.ServiceScope(ns, name),
					Project: ns, Service: name, Selector: []manifest.Label{{Key: "app", Value: name}}},
				manifest.Declaration{Endpoint: ports.EndpointAnyAddr(ports.TCP, port.Range()), Protocol: ports.TCP,
					Kind: manifest.KindContainerPort, Scope: manifest.PodScope(ns, name), Project: ns, Service: name,
					Container: "app", Labels: []manifest.Label{{Key: "app", Value: name}}, Description: "the API"},
			)
			for _, proto := range []ports.Protocol{ports.TCP, ports.UDP} {
				decls = append(decls, manifest.Declaration{Endpoint: ports.EndpointAnyAddr(proto, port.Range()), Protocol: proto,
					Kind: manifest.KindRegistry, Scope: manifest.HostScope(), Project: "reg", Service: name, Group: "Apps"})
			}
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				writeReference(io.Discard, "", []string{"a.yaml"}, decls, checkReport{})
			}
		})
	}
}
