package manifest

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
	"pgregory.net/rapid"
)

// kubeValue is a generated value of an object's field: a string, an int,
// a bool, a list or a mapping (keys in the order generated).
type kubeValue struct {
	s    *string
	i    *int
	b    *bool
	list []kubeValue
	keys []string
	vals []kubeValue
	isM  bool
}

// kubeWord draws text that reads as text in both YAML and JSON.
var kubeWord = rapid.StringMatching(`[a-z][a-z0-9]{2,7}`).Filter(func(s string) bool {
	_, isBool := kubeBool11(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	return !isBool && s != "null"
})

func drawValue(t *rapid.T, depth int, label string) kubeValue {
	kind := rapid.IntRange(0, 4).Draw(t, label)
	if depth >= 3 {
		kind %= 3
	}
	switch kind {
	case 0:
		s := kubeWord.Draw(t, label+"s")
		if rapid.Bool().Draw(t, label+"digits") {
			s = strconv.Itoa(rapid.IntRange(0, 99999).Draw(t, label+"n")) // "80", text of digits
		}
		return kubeValue{s: &s}
	case 1:
		i := rapid.IntRange(-1000, 70000).Draw(t, label+"i")
		return kubeValue{i: &i}
	case 2:
		b := rapid.Bool().Draw(t, label+"b")
		return kubeValue{b: &b}
	case 3:
		n := rapid.IntRange(0, 3).Draw(t, label+"len")
		v := kubeValue{list: []kubeValue{}}
		for j := range n {
			v.list = append(v.list, drawValue(t, depth+1, fmt.Sprintf("%s[%d]", label, j)))
		}
		return v
	}
	keys := rapid.SliceOfNDistinct(kubeWord, 0, 4, rapid.ID[string]).Draw(t, label+"keys")
	v := kubeValue{isM: true, keys: keys}
	for _, k := range keys {
		v.vals = append(v.vals, drawValue(t, depth+1, label+"."+k))
	}
	return v
}

// yamlBlock writes v as block YAML, mappings in their keys' order.
func (v kubeValue) yamlBlock(b *strings.Builder, indent string) {
	switch {
	case v.s != nil:
		b.WriteString(strconv.Quote(*v.s) + "\n")
	case v.i != nil:
		b.WriteString(strconv.Itoa(*v.i) + "\n")
	case v.b != nil:
		b.WriteString(map[bool]string{true: "yes", false: "off"}[*v.b] + "\n") // YAML 1.1, as Kubernetes reads it
	case v.isM && len(v.keys) == 0:
		b.WriteString("{}\n")
	case v.isM:
		b.WriteString("\n")
		for i, k := range v.keys {
			b.WriteString(indent + k + ": ")
			v.vals[i].yamlBlock(b, indent+"  ")
		}
	case len(v.list) == 0:
		b.WriteString("[]\n")
	default:
		b.WriteString("\n")
		for _, e := range v.list {
			b.WriteString(indent + "- ")
			e.yamlBlock(b, indent+"  ")
		}
	}
}

// json writes v as JSON, each mapping's keys in the order perm gives.
func (v kubeValue) json(b *strings.Builder, perm func([]string) []string) {
	switch {
	case v.s != nil:
		b.WriteString(strconv.Quote(*v.s))
	case v.i != nil:
		b.WriteString(strconv.Itoa(*v.i))
	case v.b != nil:
		b.WriteString(strconv.FormatBool(*v.b))
	case v.isM:
		b.WriteString("{")
		for j, k := range perm(v.keys) {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k) + ": ")
			v.vals[slices.Index(v.keys, k)].json(b, perm)
		}
		b.WriteString("}")
	default:
		b.WriteString("[")
		for j, e := range v.list {
			if j > 0 {
				b.WriteString(", ")
			}
			e.json(b, perm)
		}
		b.WriteString("]")
	}
}

// TestObjectDigestProperty checks that an object's digest depends on its
// content, not its writing: a Pod with generated annotations-like data,
// written as block YAML with comments and as JSON with its keys shuffled,
// has one digest; changing one generated text changes it.
func TestObjectDigestProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		extra := drawValue(t, 0, "extra")
		extra.isM, extra.s, extra.i, extra.b, extra.list = true, nil, nil, nil, nil
		if len(extra.keys) == 0 {
			extra.keys, extra.vals = []string{"k"}, []kubeValue{drawValue(t, 1, "k")}
		}
		shuffle := func(keys []string) []string {
			return rapid.Permutation(keys).Draw(t, "order")
		}
		var y strings.Builder
		y.WriteString("# a pod\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p # the name\nspec:\n  containers:\n  - name: c\n    ports: [{containerPort: 80}]\n  extra:")
		extra.yamlBlock(&y, "    ")
		var j strings.Builder
		j.WriteString(`{"spec": {"extra": `)
		extra.json(&j, shuffle)
		j.WriteString(`, "containers": [{"ports": [{"containerPort": 80}], "name": "c"}]}, "metadata": {"name": "p"}, "kind": "Pod", "apiVersion": "v1"}`)
		a, err := ReadKubernetes("a.yaml", strings.NewReader(y.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, y.String())
		}
		b, err := ReadKubernetes("b.json", strings.NewReader(j.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, j.String())
		}
		if a[0].ObjectDigest != b[0].ObjectDigest {
			t.Fatalf("one object, two digests:\n%s\n%s", y.String(), j.String())
		}
		changed := strings.Replace(y.String(), "name: c", "name: cx", 1)
		c, err := ReadKubernetes("c.yaml", strings.NewReader(changed))
		if err != nil {
			t.Fatal(err)
		}
		if c[0].ObjectDigest == a[0].ObjectDigest {
			t.Fatalf("a changed container name kept the digest:\n%s", changed)
		}
	})
}

// TestResolveTargetNamesProperty checks ResolveTargetNames against a
// plain reading of the rule: a Service port's named target becomes a
// number exactly when the selected pods of its namespace that declare the
// name for its protocol agree on one number, and nothing else changes.
func TestResolveTargetNamesProperty(t *testing.T) {
	labelSets := [][]Label{{{"app", "web"}}, {{"app", "web"}, {"tier", "front"}}, {{"app", "api"}}, nil,
		{{"app", "api"}, {"tier", "front"}}}
	names := []string{"http", "metrics", "grpc"}
	rapid.Check(t, func(t *rapid.T) {
		var ds []Declaration
		for i := range rapid.IntRange(0, 12).Draw(t, "pods") {
			p := ports.Port(rapid.IntRange(8000, 8003).Draw(t, fmt.Sprint("port", i)))
			proto := rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, fmt.Sprint("proto", i))
			ds = append(ds, Declaration{
				Kind:     rapid.SampledFrom([]Kind{KindContainerPort, KindHostNetwork, KindHostPort}).Draw(t, fmt.Sprint("kind", i)),
				Project:  rapid.SampledFrom([]string{"a", "b"}).Draw(t, fmt.Sprint("ns", i)),
				Labels:   rapid.SampledFrom(labelSets).Draw(t, fmt.Sprint("labels", i)),
				Name:     rapid.SampledFrom(append(names, "")).Draw(t, fmt.Sprint("name", i)),
				Protocol: proto,
				Endpoint: ports.EndpointFrom(proto, netip.Addr{}, p.Range()),
			})
		}
		for i := range rapid.IntRange(0, 6).Draw(t, "services") {
			d := Declaration{
				Kind:       rapid.SampledFrom([]Kind{KindService, KindNodePort}).Draw(t, fmt.Sprint("skind", i)),
				Project:    rapid.SampledFrom([]string{"a", "b"}).Draw(t, fmt.Sprint("sns", i)),
				Selector:   rapid.SampledFrom(labelSets).Draw(t, fmt.Sprint("selector", i)),
				TargetName: rapid.SampledFrom(append(names, "")).Draw(t, fmt.Sprint("target", i)),
				Protocol:   rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, fmt.Sprint("sproto", i)),
			}
			if rapid.Bool().Draw(t, fmt.Sprint("hasTarget", i)) {
				d.Target = ports.MustParseRange("9000")
			}
			ds = append(ds, d)
		}
		before := slices.Clone(ds)
		ResolveTargetNames(ds)
		for i, d := range ds {
			want := before[i]
			if (want.Kind == KindService || want.Kind == KindNodePort) && want.TargetName != "" && !want.Target.IsValid() {
				seen := map[ports.Range]bool{}
				for _, p := range before {
					if (p.Kind == KindContainerPort || p.Kind == KindHostNetwork) && p.Name == want.TargetName &&
						p.Protocol == want.Protocol && want.Selects(p) {
						seen[p.Endpoint.Range()] = true
					}
				}
				if len(seen) == 1 {
					for r := range seen {
						want.Target = r
					}
				}
			}
			if diff := cmp.Diff(want, d, cmpOpts); diff != "" {
				t.Fatalf("declaration %d (-want +got):\n%s", i, diff)
			}
		}
	})
}
