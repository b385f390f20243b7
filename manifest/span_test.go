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

// aliasBomb is the 99-byte file of issue 22: five services that share,
// through an alias, a range of every port; compose-go alone expands it
// into 327,675 records (10 s, 770 MB).
const aliasBomb = "x-p: &p [\"1-65535:1-65535\"]\nservices:\n" +
	"  a: {image: x, ports: *p}\n  b: {image: x, ports: *p}\n  c: {image: x, ports: *p}\n" +
	"  d: {image: x, ports: *p}\n  e: {image: x, ports: *p}\n"

func TestAliasBomb(t *testing.T) {
	ds, err := Loader{}.ReadCompose("compose.yaml", strings.NewReader(aliasBomb))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Service+" "+d.Endpoint.String()+" -> "+d.Target.String())
	}
	want := []string{
		"a 1-65535/tcp -> 1-65535", "b 1-65535/tcp -> 1-65535", "c 1-65535/tcp -> 1-65535",
		"d 1-65535/tcp -> 1-65535", "e 1-65535/tcp -> 1-65535",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadCompose (-want +got):\n%s", diff)
	}

	// In a file that compose-go reads itself, the expansion is counted
	// and refused past the cap, at the entry (the anchor's line), at the
	// second service that uses it.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "include: [bomb.yaml]\n", "bomb.yaml": aliasBomb})
	_, err = Loader{}.Load(filepath.Join(dir, "compose.yaml"))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:1:10: service \"b\"") || !strings.Contains(err.Error(), "expand to more than 100000 ports") {
		t.Errorf("Load of an included bomb: %v, want the cap's error at the entry", err)
	}
}

// BenchmarkAliasBomb reads the alias bomb; before ranges were held as
// ranges it took 10 s and 773 MB.
func BenchmarkAliasBomb(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Loader{}).ReadCompose("compose.yaml", strings.NewReader(aliasBomb)); err != nil {
			b.Fatal(err)
		}
	}
}

// portSpec draws one ports entry: short syntax (single ports and ranges,
// long enough sometimes to be held as a range) or long syntax.
func portSpec(t *rapid.T, label string) string {
	n := rapid.SampledFrom([]int{1, 1, 3, minSpan, minSpan + 7}).Draw(t, label+" n")
	pub := rapid.IntRange(1000, 1100).Draw(t, label+" published")
	target := rapid.IntRange(1, 200).Draw(t, label+" target")
	proto := rapid.SampledFrom([]string{"", "/udp"}).Draw(t, label+" proto")
	ip := rapid.SampledFrom([]string{"", "127.0.0.1:", "[::1]:"}).Draw(t, label+" ip")
	if rapid.IntRange(0, 5).Draw(t, label+" long") == 0 {
		return fmt.Sprintf("{target: %d, published: \"%d\"}", target, pub)
	}
	rng := func(lo int) string {
		if n == 1 {
			return fmt.Sprint(lo)
		}
		return fmt.Sprintf("%d-%d", lo, lo+n-1)
	}
	if rapid.IntRange(0, 4).Draw(t, label+" ephemeral") == 0 {
		return fmt.Sprintf("%q", rng(target)+proto)
	}
	return fmt.Sprintf("%q", ip+rng(pub)+":"+rng(target)+proto)
}

// composeFileSpec draws a compose file of up to three services from a
// fixed set of names, so that two files share services to merge.
func composeFileSpec(t *rapid.T, label string) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for _, name := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"a", "b", "c"}), 1, 3, rapid.ID[string]).Draw(t, label+" services") {
		fmt.Fprintf(&b, "  %s:\n    image: x\n    ports:\n", name)
		for i := range rapid.IntRange(0, 3).Draw(t, label+" "+name+" ports") {
			fmt.Fprintf(&b, "      - %s\n", portSpec(t, fmt.Sprintf("%s %s %d", label, name, i)))
		}
	}
	return b.String()
}

// hostPortSet lists every published host port as "service proto ip port".
func hostPortSet(ds []Declaration) []string {
	var out []string
	for _, d := range ds {
		if d.Ephemeral || d.Scope != HostScope() {
			continue
		}
		r := d.Endpoint.Range()
		for p := int(r.Lo()); p <= int(r.Hi()); p++ {
			ip := ""
			if d.Addr.IsValid() {
				ip = d.Addr.String()
			}
			out = append(out, fmt.Sprintf("%s %s %s %d", d.Service, d.Protocol, ip, p))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestComposeFilesProperty: for any two compose files, loading them as
// -f a -f b finds the host ports of the model compose-go builds from a
// and b, port for port.
func TestComposeFilesProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		dir, err := os.MkdirTemp("", "ports-prop")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
		srcA, srcB := composeFileSpec(t, "a"), composeFileSpec(t, "b")
		for p, src := range map[string]string{a: srcA, b: srcB} {
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		project, refErr := loader.LoadWithContext(context.Background(), types.ConfigDetails{
			WorkingDir:  dir,
			ConfigFiles: []types.ConfigFile{{Filename: a, Content: []byte(srcA)}, {Filename: b, Content: []byte(srcB)}},
			Environment: types.Mapping{},
		}, func(o *loader.Options) { o.SetProjectName("p", true) })
		res, err := Loader{ComposeFiles: []string{a, b}}.LoadPaths()
		if (refErr != nil) != (err != nil) {
			t.Fatalf("compose-go: %v; LoadPaths: %v\n%s---\n%s", refErr, err, srcA, srcB)
		}
		if refErr != nil {
			return
		}
		var want []string
		for name, svc := range project.Services {
			for _, pc := range svc.Ports {
				if pc.Published == "" {
					continue
				}
				proto := pc.Protocol
				if proto == "" {
					proto = "tcp"
				}
				ip := strings.Trim(pc.HostIP, "[]")
				r, err := parsePublished(pc.Published)
				if err != nil {
					t.Fatal(err)
				}
				for p := r[0]; p <= r[1]; p++ {
					want = append(want, fmt.Sprintf("%s %s %s %d", name, proto, ip, p))
				}
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if diff := cmp.Diff(want, hostPortSet(res.Decls)); diff != "" {
			t.Fatalf("host ports of -f a -f b (-compose-go +LoadPaths):\n%s\n%s---\n%s", diff, srcA, srcB)
		}
	})
}

// parsePublished reads "8000" or "8000-8010".
func parsePublished(s string) ([2]int, error) {
	var lo, hi int
	if _, err := fmt.Sscanf(s, "%d-%d", &lo, &hi); err == nil {
		return [2]int{lo, hi}, nil
	}
	if _, err := fmt.Sscanf(s, "%d", &lo); err != nil {
		return [2]int{}, err
	}
	return [2]int{lo, lo}, nil
}
