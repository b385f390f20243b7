package check

// Suppressions of three kinds. Inline: "# ports:ignore RULE[,RULE] --
// reason" in a YAML file (a compose file, a manifest, a registry); the
// scanner reads bytes and looks for the marker after a "#" on each line;
// it does not parse YAML, so a "# ports:ignore" inside a quoted string
// counts as well. Annotation: a Kubernetes object's
// ports.portalloc.io/ignore, "RULE[,RULE] [-- reason]", which the
// manifest reader carries on the object's declarations. Accepted: a
// registry's accepted conflict between named services.

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports/manifest"
)

// Suppression is one "# ports:ignore" comment, one Kubernetes object's
// ignore annotation, or one accepted conflict of a registry.
type Suppression struct {
	// Kind says which of the three it is.
	Kind SuppressionKind

	// File and Line are where it is written: the comment, the
	// annotation's value, the accepted entry.
	File string
	Line int

	// Target is the line whose findings an inline suppression
	// suppresses: its own line for a comment after YAML, the next line
	// for a comment on a line of its own. 0 for the other kinds.
	Target int

	// Object is the Kubernetes object an annotation is on, as
	// [manifest.Declaration].Object names it, or its name when the
	// object has no Object; empty for the other kinds.
	Object string

	// Services are the services of an accepted conflict, each a service
	// name or "project/service"; nil for the other kinds.
	Services []string

	// Rules are the IDs of the rules it suppresses.
	Rules []string

	// Reason is the text after "--".
	Reason string
}

// SuppressionKind says where a suppression is written.
type SuppressionKind int

// The kinds of suppression. The zero kind is Inline.
const (
	Inline     SuppressionKind = iota // a # ports:ignore comment
	Annotation                        // a Kubernetes object's ports.portalloc.io/ignore
	Accepted                          // an accepted conflict of a port registry
)

// String returns "inline", "annotation" or "accepted".
func (k SuppressionKind) String() string {
	switch k {
	case Inline:
		return "inline"
	case Annotation:
		return "annotation"
	case Accepted:
		return "accepted"
	}
	return fmt.Sprintf("SuppressionKind(%d)", int(k))
}

// suppressMarker starts a suppression, after a "#".
const suppressMarker = "ports:ignore"

// ScanSuppressions returns the suppressions in data, the content of file,
// in the order of their lines. A comment that names no rule, a rule that
// does not exist, or no reason after "--" is an error naming the file and
// the line.
func ScanSuppressions(file string, data []byte) ([]Suppression, error) {
	var out []Suppression
	for i, line := range bytes.Split(data, []byte("\n")) {
		hash := bytes.IndexByte(line, '#')
		for hash >= 0 {
			rest := strings.TrimLeft(string(line[hash+1:]), " \t")
			if body, ok := strings.CutPrefix(rest, suppressMarker); ok {
				s, err := parseSuppression(body)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %s: %v", file, i+1, suppressMarker, err)
				}
				s.File, s.Line, s.Target = file, i+1, i+1
				if len(bytes.TrimSpace(line[:hash])) == 0 {
					s.Target = i + 2
				}
				out = append(out, s)
				break
			}
			next := bytes.IndexByte(line[hash+1:], '#')
			if next < 0 {
				break
			}
			hash += 1 + next
		}
	}
	return out, nil
}

// parseSuppression parses what follows the marker: " RULE[,RULE] --
// reason".
func parseSuppression(body string) (Suppression, error) {
	var s Suppression
	if body != "" && body[0] != ' ' && body[0] != '\t' {
		return s, fmt.Errorf("want a space and the rules after it")
	}
	ids, reason, found := strings.Cut(body, "--")
	reason = strings.TrimSpace(strings.TrimRight(reason, "\r"))
	if !found || reason == "" {
		return s, fmt.Errorf("give a reason, as in: # %s collision -- the staging stack never runs beside production", suppressMarker)
	}
	rules, err := parseRules(strings.Split(ids, ","))
	if err != nil {
		return s, err
	}
	s.Rules, s.Reason = rules, reason
	return s, nil
}

// parseRules checks that ids name rules, and returns them trimmed.
func parseRules(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, fmt.Errorf("name the rules, separated by commas")
		}
		if _, ok := RuleByID(id); !ok {
			return nil, fmt.Errorf("no rule %q; the rules are %s", id, ruleIDs())
		}
		out = append(out, id)
	}
	return out, nil
}

// AnnotationSuppressions returns the suppressions that the Kubernetes
// objects of decls write in their annotation
// [manifest.IgnoreAnnotation], one for each annotation, in the order
// first met. The value is "RULE[,RULE]", then optionally " -- " and the
// reason: "collision,exposed-database -- shared with the canary". A
// value that names no rule, or a rule that does not exist, is an error
// naming the file and the line.
func AnnotationSuppressions(decls []manifest.Declaration) ([]Suppression, error) {
	type at struct {
		file string
		line int
	}
	seen := map[at]bool{}
	var out []Suppression
	for _, d := range decls {
		if d.Ignore == "" && d.IgnoreLine == 0 {
			continue
		}
		k := at{d.Pos.File, d.IgnoreLine}
		if seen[k] {
			continue
		}
		seen[k] = true
		ids, reason, _ := strings.Cut(d.Ignore, "--")
		rules, err := parseRules(strings.Split(ids, ","))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %v", d.Pos.File, d.IgnoreLine, manifest.IgnoreAnnotation, err)
		}
		obj := d.Object
		if obj == "" {
			obj = d.Owner()
		}
		out = append(out, Suppression{Kind: Annotation, File: d.Pos.File, Line: d.IgnoreLine, Object: obj,
			Rules: rules, Reason: strings.TrimSpace(reason)})
	}
	return out, nil
}

// RegistrySuppressions returns the accepted conflicts of reg as
// suppressions, in file order. An accepted conflict without rules
// accepts collisions; one that names a rule that does not exist is an
// error naming the file and the line.
func RegistrySuppressions(reg *manifest.Registry) ([]Suppression, error) {
	var out []Suppression
	for i, a := range reg.Accepted {
		rules := []string{"collision"}
		if len(a.Rules) > 0 {
			var err error
			if rules, err = parseRules(a.Rules); err != nil {
				return nil, fmt.Errorf("%s:%d: accepted[%d].rules: %v", reg.File, a.Pos.Line, i, err)
			}
		}
		out = append(out, Suppression{Kind: Accepted, File: reg.File, Line: a.Pos.Line,
			Services: slices.Clone(a.Services), Rules: rules, Reason: a.Reason})
	}
	return out, nil
}

// Suppressed is a finding that a suppression removed from a report.
type Suppressed struct {
	Finding Finding
	By      Suppression
}

// Suppress removes from r the findings that sups cover and returns them.
// A suppression covers a finding of one of its rules that has a member
// in its file on its Target line. A suppression that covers nothing is
// itself a finding of the rule unused-suppression, at the severity opts
// give it, appended to r.
func (r *Report) Suppress(sups []Suppression, opts Options) []Suppressed {
	used := make([]bool, len(sups))
	var out []Suppressed
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		by := -1
		for i, s := range sups {
			if covers(s, f) {
				by = i
				break
			}
		}
		if by < 0 {
			kept = append(kept, f)
			continue
		}
		used[by] = true
		out = append(out, Suppressed{Finding: f, By: sups[by]})
	}
	r.Findings = kept
	sev := Warning
	if s, ok := opts.Severities["unused-suppression"]; ok {
		sev = s
	}
	for i, s := range sups {
		if used[i] || sev == Off {
			continue
		}
		f := Finding{
			Rule:     "unused-suppression",
			Severity: sev,
			Message:  fmt.Sprintf("# %s %s suppresses nothing on line %d", suppressMarker, strings.Join(s.Rules, ","), s.Target),
			Fix:      "remove the comment, or move it to the line of the finding or the line above it",
			Members:  []Member{{Declaration: manifest.Declaration{Pos: manifest.Position{File: s.File, Line: s.Line}}}},
		}
		switch s.Kind {
		case Annotation:
			f.Message = fmt.Sprintf("the annotation %s: %s suppresses nothing of %s", manifest.IgnoreAnnotation, strings.Join(s.Rules, ","), s.Object)
			f.Fix = "remove the rules the object's ports no longer break from the annotation, or the annotation"
		case Accepted:
			f.Message = fmt.Sprintf("the accepted conflict of %s (%s) matches no finding", strings.Join(s.Services, ", "), strings.Join(s.Rules, ","))
			f.Fix = "remove it from the registry's accepted list, or name the services as the finding names them"
		}
		r.Findings = append(r.Findings, f)
	}
	return out
}

// covers reports whether s covers f: an inline suppression a finding
// with a member on its target line, an annotation a finding with a member
// declared by its object, an accepted conflict a finding whose members
// all belong to its services, two of them at least.
func covers(s Suppression, f Finding) bool {
	if !slices.Contains(s.Rules, f.Rule) {
		return false
	}
	if s.Kind == Accepted {
		return acceptedCovers(s.Services, f.Members)
	}
	for _, m := range f.Members {
		d := m.Declaration
		switch s.Kind {
		case Inline:
			if d.Pos.File == s.File && d.Pos.Line == s.Target {
				return true
			}
		case Annotation:
			if d.Pos.File == s.File && d.IgnoreLine == s.Line && d.IgnoreLine > 0 {
				return true
			}
		}
	}
	return false
}

// acceptedCovers reports whether every member belongs to one of services,
// by its service's name or "project/service", and the members belong to
// two of them at least.
func acceptedCovers(services []string, members []Member) bool {
	hit := make([]bool, len(services))
	for _, m := range members {
		d := m.Declaration
		i := slices.IndexFunc(services, func(s string) bool { return s == d.Service || s == d.Owner() })
		if i < 0 {
			return false
		}
		hit[i] = true
	}
	n := 0
	for _, h := range hit {
		if h {
			n++
		}
	}
	return n >= 2
}
