package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestLayeredComposeProperty checks that the files of a project given as
// "-f a -f b" declare the host ports of the model that compose-go merges
// from a and b: for any base file and any file layered on it, adding ports
// to its services, adding services, or replacing a service's ports, the
// same service binds the same ports on the same address and protocol, and
// publishes the same container ports on a random host port.
func TestLayeredComposeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		entry := func(label string) string {
			pub := rapid.IntRange(8000, 8006).Draw(t, label+" published")
			target := rapid.IntRange(80, 82).Draw(t, label+" target")
			var e string
			switch rapid.IntRange(0, 3).Draw(t, label+" shape") {
			case 0:
				e = fmt.Sprintf("%d:%d", pub, target)
			case 1:
				e = fmt.Sprintf("127.0.0.1:%d:%d", pub, target)
			case 2:
				e = fmt.Sprintf("%d-%d:%d-%d", pub, pub+1, target, target+1)
			default:
				e = fmt.Sprint(target) // a random host port
			}
			if rapid.Bool().Draw(t, label+" udp") {
				e += "/udp"
			}
			return e
		}
		service := func(b *strings.Builder, name string, withImage bool, tag string, n int) {
			fmt.Fprintf(b, "  %s:\n", name)
			if withImage {
				fmt.Fprintf(b, "    image: app/%s\n", name)
			}
			if n == 0 && tag == "" {
				return
			}
			if n == 0 {
				fmt.Fprintf(b, "    ports:%s []\n", tag)
				return
			}
			fmt.Fprintf(b, "    ports:%s\n", tag)
			for i := range n {
				fmt.Fprintf(b, "      - %q\n", entry(fmt.Sprintf("%s %d", name, i)))
			}
		}
		var base, layer strings.Builder
		base.WriteString("name: p\nservices:\n")
		nBase := rapid.IntRange(1, 3).Draw(t, "base services")
		for i := range nBase {
			service(&base, fmt.Sprint("s", i), true, "", rapid.IntRange(0, 3).Draw(t, "base ports"))
		}
		layer.WriteString("services:\n")
		for i := range nBase + 1 {
			name := fmt.Sprint("s", i)
			if i < nBase && !rapid.Bool().Draw(t, "layer "+name) {
				continue
			}
			tag := ""
			if i < nBase && rapid.Bool().Draw(t, "override "+name) {
				tag = " !override"
			}
			service(&layer, name, i == nBase, tag, rapid.IntRange(0, 2).Draw(t, "layer ports"))
		}

		dir, err := os.MkdirTemp("", "layered")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
		if err := os.WriteFile(a, []byte(base.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(b, []byte(layer.String()), 0o644); err != nil {
			t.Fatal(err)
		}

		project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
			WorkingDir:  dir,
			ConfigFiles: []types.ConfigFile{{Filename: a}, {Filename: b}},
			Environment: types.Mapping{},
		}, func(o *loader.Options) { o.SetProjectName("p", true) })
		if err != nil {
			t.Fatalf("compose-go refuses\n%s---\n%s: %v", base.String(), layer.String(), err)
		}
		var want []string
		for name, s := range project.Services {
			for _, p := range s.Ports {
				want = append(want, layeredKey(name, p.Protocol, p.HostIP, p.Published, fmt.Sprint(p.Target)))
			}
		}

		res, err := Loader{ComposeFiles: []string{a, b}}.LoadPaths()
		if err != nil {
			t.Fatalf("-f a -f b: %v\n%s---\n%s", err, base.String(), layer.String())
		}
		var got []string
		for _, d := range res.Decls {
			if d.Kind != KindCompose {
				continue
			}
			addr := ""
			if d.Addr.IsValid() {
				addr = d.Addr.String()
			}
			if d.Ephemeral {
				for p := range d.Target.All() {
					got = append(got, layeredKey(d.Service, d.Protocol.String(), addr, "", p.String()))
				}
				continue
			}
			for p := range d.Endpoint.Range().All() {
				target := ""
				if d.Target.IsValid() {
					target = (d.Target.Lo() + (p - d.Endpoint.Range().Lo())).String()
				}
				got = append(got, layeredKey(d.Service, d.Protocol.String(), addr, p.String(), target))
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		slices.Sort(got)
		got = slices.Compact(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("host ports of -f a -f b (-compose-go +manifest):\n%s\na.yaml:\n%s\nb.yaml:\n%s", diff, base.String(), layer.String())
		}
	})
}

// layeredKey writes a port of a service as "svc proto addr published->target",
// "0.0.0.0" and "" both being every address.
func layeredKey(svc, proto, addr, published, target string) string {
	if addr == "0.0.0.0" {
		addr = ""
	}
	if proto == "" {
		proto = "tcp"
	}
	return fmt.Sprintf("%s %s %s %s->%s", svc, proto, addr, published, target)
}
