package check

// The configuration file, parsed from bytes: reading it (and finding it)
// is the program's business. The YAML is walked as nodes rather than
// decoded into a struct so that every error names its line.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portalloc/ports"
)

// ConfigFile is the name a configuration file of checks goes by, chosen
// so that it never meets a port registry (ports.yaml).
const ConfigFile = ".ports-check.yaml"

// Config is what a configuration file of checks says. Its YAML form:
//
//	rules:                 # severity of rules by ID: error, warning or off
//	  privileged: off
//	  ephemeral: error
//	nodeport-range: 30000-32767
//	os: linux              # judge hosts by this OS's defaults
//	rootless: true         # containers run by rootless Docker or Podman
//	skip:                  # paths not to check, relative to the file
//	  - legacy/
//	  - "*.generated.yaml"
//
// Every key may be left out. The zero Config says nothing.
type Config struct {
	// Severities are the severities of rules by ID, as in
	// [Options].Severities.
	Severities map[string]Severity

	// NodePortRange is the cluster's NodePort range; the zero Range if
	// the file does not say.
	NodePortRange ports.Range

	// OS names the OS whose documented defaults judge the host's ports
	// (linux, darwin, freebsd, windows); empty if the file does not say.
	OS string

	// Rootless is the file's rootless, if it says (RootlessSet).
	Rootless, RootlessSet bool

	// Skip lists patterns of paths not to check: see [Config.Skips].
	Skip []string
}

// maxConfig is the largest configuration file ParseConfig reads.
const maxConfig = 1 << 20

// ParseConfig parses the configuration file named file (for messages)
// whose content is data. Its errors name the file and the line.
func ParseConfig(file string, data []byte) (Config, error) {
	var c Config
	fail := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", file, n.Line, fmt.Sprintf(format, args...))
	}
	if len(data) > maxConfig {
		return c, fmt.Errorf("%s: larger than %d bytes", file, maxConfig)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file
		}
		return c, fmt.Errorf("%s: %v", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil
	}
	if root.Kind != yaml.MappingNode {
		return c, fail(root, "want a mapping of rules, nodeport-range, os, rootless and skip")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return c, fail(k, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "rules":
			if v.Kind != yaml.MappingNode {
				return c, fail(v, "rules: want a mapping of rule IDs to error, warning or off")
			}
			c.Severities = map[string]Severity{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				id, sv := v.Content[j], v.Content[j+1]
				if _, ok := RuleByID(id.Value); !ok {
					return c, fail(id, "no rule %q; the rules are %s", id.Value, ruleIDs())
				}
				if _, dup := c.Severities[id.Value]; dup {
					return c, fail(id, "rule %q given twice", id.Value)
				}
				s, err := ParseSeverity(sv.Value)
				if err != nil || sv.Kind != yaml.ScalarNode {
					return c, fail(sv, "rule %s: %q is not a severity; want error, warning or off", id.Value, sv.Value)
				}
				c.Severities[id.Value] = s
			}
		case "nodeport-range":
			r, err := ports.ParseRange(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return c, fail(v, "nodeport-range: %q is not a range of ports, as 30000-32767", v.Value)
			}
			c.NodePortRange = r
		case "os":
			switch v.Value {
			case "linux", "darwin", "freebsd", "windows":
				c.OS = v.Value
			default:
				return c, fail(v, "os: %q; want linux, darwin, freebsd or windows", v.Value)
			}
		case "rootless":
			if v.Kind != yaml.ScalarNode || (v.Value != "true" && v.Value != "false") {
				return c, fail(v, "rootless: %q; want true or false", v.Value)
			}
			c.Rootless, c.RootlessSet = v.Value == "true", true
		case "skip":
			if v.Kind != yaml.SequenceNode {
				return c, fail(v, "skip: want a list of paths")
			}
			for _, p := range v.Content {
				if p.Kind != yaml.ScalarNode || p.Value == "" {
					return c, fail(p, "skip: want a path")
				}
				if _, err := path.Match(strings.TrimSuffix(p.Value, "/"), ""); err != nil {
					return c, fail(p, "skip: %q is not a pattern: %v", p.Value, err)
				}
				c.Skip = append(c.Skip, p.Value)
			}
		default:
			return c, fail(k, "unknown key %q; want rules, nodeport-range, os, rootless or skip", k.Value)
		}
	}
	return c, nil
}

// Skips reports whether c skips the file at rel, a slash-separated path
// relative to the configuration file's directory. A pattern (path.Match's
// syntax) skips a path it matches, and every path under a directory it
// matches; a pattern without a slash is matched against every element of
// the path, as .gitignore does, so "testdata" skips every testdata
// directory. A path that leaves the directory ("../x") is never skipped.
func (c Config) Skips(rel string) bool {
	rel = path.Clean(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return false
	}
	parts := strings.Split(rel, "/")
	for _, pat := range c.Skip {
		pat = strings.TrimPrefix(strings.TrimSuffix(pat, "/"), "./")
		if !strings.Contains(pat, "/") {
			for _, p := range parts {
				if ok, _ := path.Match(pat, p); ok {
					return true
				}
			}
			continue
		}
		for i := range parts {
			if ok, _ := path.Match(pat, strings.Join(parts[:i+1], "/")); ok {
				return true
			}
		}
	}
	return false
}
