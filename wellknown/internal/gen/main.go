// Command gen writes the packed tables of package wellknown from the IANA
// registry's XML (gzip-compressed or not), the de-facto table and the image
// table.
//
// Run it with go generate in the wellknown directory; see tables.go there.
//
//	go run ./internal/gen -iana internal/data/service-names-port-numbers.xml.gz \
//		-defacto internal/data/defacto.txt -images internal/data/images.txt -o tables_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/portalloc/ports/wellknown/internal/tablegen"
)

func main() {
	iana := flag.String("iana", "", "IANA registry XML, .gz allowed")
	defacto := flag.String("defacto", "", "de-facto table")
	images := flag.String("images", "", "image table")
	out := flag.String("o", "", "output Go file")
	flag.Parse()
	if *iana == "" || *defacto == "" || *images == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -iana FILE -defacto FILE -images FILE -o FILE")
		os.Exit(2)
	}
	if err := run(*iana, *defacto, *images, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ianaPath, defactoPath, imagesPath, outPath string) error {
	t, err := tablegen.BuildFiles(ianaPath, defactoPath, imagesPath)
	if err != nil {
		return err
	}
	src, err := t.Generate(tablegen.Command)
	if err != nil {
		return err
	}
	// Write beside the target and rename, so that a failed run never leaves
	// a half-written table behind.
	tmp, err := os.CreateTemp(filepath.Dir(outPath), ".tables-*.go.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), outPath); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %s: %d records (%d registry records without a number left out), %d collisions\n",
		outPath, len(t.Items), t.Skipped, len(t.Collisions))
	return nil
}
