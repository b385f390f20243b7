package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCheckFix runs ports check --fix on a compose file of n
// services, each with a port written as a variable and one of 500 ports
// that six services share, so that every service moves a port: in the
// env file for the first, in the override for the second. It shows how
// --fix grows with n.
func BenchmarkCheckFix(b *testing.B) {
	for _, n := range []int{300, 1000, 3000} {
		dir := b.TempDir()
		var src bytes.Buffer
		src.WriteString("services:\n")
		for i := range n {
			fmt.Fprintf(&src, "  s%d:\n    image: nginx\n    ports:\n      - \"${P%d:-%d}:80\"\n      - \"%d:81\"\n", i, i, 10000+i%(n/2), 20000+i%500)
		}
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, src.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				os.Remove(filepath.Join(dir, fixOverrideFile))
				os.Remove(filepath.Join(dir, fixEnvFile))
				var stdout, stderr bytes.Buffer
				if code := testApp(&stdout, &stderr).main([]string{"check", "--fix", file}); code == exitUsage {
					b.Fatalf("exit status 2: %s", stderr.String())
				}
			}
		})
	}
}
