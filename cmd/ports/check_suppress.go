package main

// The # ports:ignore comments of the files a check read.

import (
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

// maxScanBytes caps what is read of a file for its suppressions, as the
// loader caps what it reads.
const maxScanBytes = 16 << 20

// scanSuppressions reads the suppressions of every file that declared
// something in decls, each file once, in the order first met. Standard
// input, which cannot be read again, has none.
func scanSuppressions(decls []manifest.Declaration) ([]check.Suppression, error) {
	seen := map[string]bool{}
	var out []check.Suppression
	for _, d := range decls {
		f := d.Source.File
		if f == "" || f == "-" || seen[f] {
			continue
		}
		seen[f] = true
		data, err := readCapped(f, maxScanBytes)
		if err != nil {
			return nil, err
		}
		s, err := check.ScanSuppressions(f, data)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}
