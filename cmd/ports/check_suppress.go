package main

// The suppressions of what a check read: the # ports:ignore comments of
// its files, the ignore annotations of its Kubernetes objects, and the
// accepted conflicts of its registries.

import (
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

// maxScanBytes caps what is read of a file for its suppressions, as the
// loader caps what it reads.
const maxScanBytes = 16 << 20

// scanSuppressions returns the suppressions of decls: those of every file
// that declared something, each file once, in the order first met (a
// registry's comments, then its accepted conflicts), then those of the
// registries regs that declared nothing (a registry may hold accepted
// conflicts alone), then the annotations. Standard input, which cannot be
// read again, has no comments and no accepted conflicts.
func scanSuppressions(decls []manifest.Declaration, regs []string) ([]check.Suppression, error) {
	seen := map[string]bool{}
	var out []check.Suppression
	scan := func(f string, registry bool) error {
		if f == "" || f == "-" || seen[f] {
			return nil
		}
		seen[f] = true
		data, err := readCapped(f, maxScanBytes)
		if err != nil {
			return err
		}
		s, err := check.ScanSuppressions(f, data)
		if err != nil {
			return err
		}
		out = append(out, s...)
		if registry {
			reg, err := manifest.ParseRegistry(f, data)
			if err != nil {
				return err
			}
			s, err := check.RegistrySuppressions(reg)
			if err != nil {
				return err
			}
			out = append(out, s...)
		}
		return nil
	}
	for _, d := range decls {
		if err := scan(d.Pos.File, d.Kind == manifest.KindRegistry); err != nil {
			return nil, err
		}
	}
	for _, f := range regs {
		if err := scan(f, true); err != nil {
			return nil, err
		}
	}
	s, err := check.AnnotationSuppressions(decls)
	if err != nil {
		return nil, err
	}
	return append(out, s...), nil
}
