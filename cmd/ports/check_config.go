package main

// The configuration of "ports check": finding .ports-check.yaml, reading
// it with a cap on its size, and the rule table of --list-rules.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/portalloc/ports/check"
)

// maxConfigBytes caps what is read of a configuration file.
const maxConfigBytes = 1 << 20

// checkConfig reads the configuration file named, or else the one found
// from the current directory upward to the repository's root. It returns
// the configuration and the directory its skip patterns are relative to;
// "" and the zero Config when there is none.
func (a *app) checkConfig(name string) (check.Config, string, error) {
	if name == "" {
		var err error
		if name, err = findConfig(); err != nil || name == "" {
			return check.Config{}, "", err
		}
	}
	data, err := readCapped(name, maxConfigBytes)
	if err != nil {
		return check.Config{}, "", err
	}
	cfg, err := check.ParseConfig(name, data)
	if err != nil {
		return check.Config{}, "", err
	}
	dir, err := filepath.Abs(filepath.Dir(name))
	return cfg, dir, err
}

// findConfig looks for check.ConfigFile in the current directory and its
// parents, up to the first that holds .git (the repository's root) or the
// root of the file system. It returns "" when there is none.
func findConfig() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		name := filepath.Join(dir, check.ConfigFile)
		if _, err := os.Stat(name); err == nil {
			return name, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// readCapped reads the regular file name, failing if it holds more than
// max bytes, so that a device or a huge file cannot stall the command or
// fill its memory.
func readCapped(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return data, nil
}

// skipped reports whether cfg, whose file is in dir, skips file.
func skipped(cfg check.Config, dir, file string) bool {
	if file == "" || len(cfg.Skip) == 0 {
		return false
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return false
	}
	return cfg.Skips(filepath.ToSlash(rel))
}

// listRules prints the rule table: ID, category, severity (as cfg sets
// it) and summary.
func (a *app) listRules(cfg check.Config) {
	tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCATEGORY\tSEVERITY\tSUMMARY")
	for _, r := range check.Rules() {
		sev := r.Severity
		if s, ok := cfg.Severities[r.ID]; ok {
			sev = s
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Category, sev, r.Summary)
	}
	tw.Flush()
}
