package manifest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// bigProject returns a compose file of n services, each publishing two
// ports, one with a comment and one in the long syntax.
func bigProject(n int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  svc%d:\n    image: example/app:%d\n    ports:\n      - \"%d:80\" # web\n      - target: 9000\n        published: \"%d\"\n",
			i, i, 10000+i%50000, 20000+i%40000)
	}
	return b.String()
}

// BenchmarkComposeProject reads a project of 1,000 and 10,000 services
// through the Loader (the scan of positions, compose-go, and the
// declarations) beside compose-go's own load of the same file, in the
// same run: the difference is what the package adds.
func BenchmarkComposeProject(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		src := []byte(bigProject(n))
		b.Run(fmt.Sprintf("n=%d/loader", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := (Loader{}).ReadCompose("testdata/demo/compose.yaml", strings.NewReader(string(src))); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/compose-go", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
					WorkingDir:  "testdata/demo",
					ConfigFiles: []types.ConfigFile{{Filename: "testdata/demo/compose.yaml", Content: src}},
					Environment: types.Mapping{},
				}, func(o *loader.Options) {
					o.SetProjectName("demo", true)
					o.ResolvePaths = false
					o.SkipResolveEnvironment = true
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
