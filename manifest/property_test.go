package manifest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// TestComposeRangeProperty checks that a ports entry of n consecutive ports,
// in any syntax, comes back as one declaration holding exactly those ports
// at the entry's line: compose-go expands the range, the reader merges it
// back.
func TestComposeRangeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		pub := rapid.IntRange(1, 65536-n).Draw(t, "published")
		target := rapid.IntRange(1, 65536-n).Draw(t, "target")
		proto := rapid.SampledFrom([]string{"", "tcp", "udp", "sctp"}).Draw(t, "proto")
		ip := rapid.SampledFrom([]string{"", "127.0.0.1", "0.0.0.0", "10.0.0.7"}).Draw(t, "ip")
		span := func(lo int) string {
			if n == 1 {
				return fmt.Sprint(lo)
			}
			return fmt.Sprintf("%d-%d", lo, lo+n-1)
		}
		entry := span(pub) + ":" + span(target)
		if ip != "" {
			entry = ip + ":" + entry
		}
		if proto != "" {
			entry += "/" + proto
		}
		src := fmt.Sprintf("services:\n  svc:\n    image: x\n    ports:\n      - %q\n", entry)
		ds, err := Loader{}.ReadCompose("testdata/demo/compose.yaml", strings.NewReader(src))
		if err != nil {
			t.Fatalf("ReadCompose(%q): %v", entry, err)
		}
		if len(ds) != 1 {
			t.Fatalf("ReadCompose(%q) = %v, want one declaration", entry, strs(ds))
		}
		d := ds[0]
		wantProto := ports.TCP
		if proto != "" {
			wantProto, _ = ports.ParseProtocol(proto)
		}
		wantPub := ports.RangeFrom(ports.Port(pub), ports.Port(pub+n-1))
		wantTarget := ports.RangeFrom(ports.Port(target), ports.Port(target+n-1))
		if d.Endpoint.Range() != wantPub || d.Target != wantTarget || d.Protocol != wantProto ||
			d.Endpoint.Protocol() != wantProto || d.Pos.Line != 5 {
			t.Fatalf("ReadCompose(%q) = %v, want %v -> %v/%v at line 5", entry, d, wantPub, wantTarget, wantProto)
		}
		if (ip == "" || ip == "0.0.0.0") != d.AllInterfaces() {
			t.Fatalf("ReadCompose(%q): AllInterfaces = %v", entry, d.AllInterfaces())
		}
	})
}

// TestKubernetesServiceProperty checks that each port of a Service gives one
// Service declaration on the Service's own scope, and one NodePort
// declaration on the host exactly when the type has node ports.
func TestKubernetesServiceProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typ := rapid.SampledFrom([]string{"", "ClusterIP", "NodePort", "LoadBalancer"}).Draw(t, "type")
		n := rapid.IntRange(0, 6).Draw(t, "ports")
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec:\n")
		if typ != "" {
			b.WriteString("  type: " + typ + "\n")
		}
		if n == 0 {
			b.WriteString("  ports: []\n")
		} else {
			b.WriteString("  ports:\n")
		}
		fixed := 0
		for i := range n {
			fmt.Fprintf(&b, "  - port: %d\n", rapid.IntRange(1, 65535).Draw(t, fmt.Sprint("port", i)))
			if (typ == "NodePort" || typ == "LoadBalancer") && rapid.Bool().Draw(t, fmt.Sprint("fixed", i)) {
				fmt.Fprintf(&b, "    nodePort: %d\n", rapid.IntRange(30000, 32767).Draw(t, fmt.Sprint("nodePort", i)))
				fixed++
			}
		}
		ds, err := ReadKubernetes("k.yaml", strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("ReadKubernetes:\n%s\n%v", b.String(), err)
		}
		var svc, np, eph int
		for _, d := range ds {
			switch d.Kind {
			case KindService:
				svc++
				if d.Scope != ServiceScope("ns", "s") {
					t.Fatalf("Service port in scope %v", d.Scope)
				}
			case KindNodePort:
				np++
				if d.Ephemeral {
					eph++
				}
				if !d.IsPublished() || !d.AllInterfaces() {
					t.Fatalf("nodePort not on every interface of the host: %v", d)
				}
			default:
				t.Fatalf("unexpected %v", d)
			}
		}
		wantNP := 0
		if typ == "NodePort" || typ == "LoadBalancer" {
			wantNP = n
		}
		if svc != n || np != wantNP || (wantNP > 0 && eph != n-fixed) {
			t.Fatalf("%d ports of a %q Service gave %d Service, %d NodePort (%d allocated) declarations:\n%s",
				n, typ, svc, np, eph, strings.Join(strs(ds), "\n"))
		}
	})
}
