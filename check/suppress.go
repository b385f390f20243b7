package check

// Inline suppressions: "# ports:ignore RULE[,RULE] -- reason" in a YAML
// file (a compose file, a manifest, a registry). The scanner reads bytes
// and looks for the marker after a "#" on each line; it does not parse
// YAML, so a "# ports:ignore" inside a quoted string counts as well.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/portalloc/ports/manifest"
)

// Suppression is one "# ports:ignore" comment.
type Suppression struct {
	// File and Line are where the comment is.
	File string
	Line int

	// Target is the line whose findings it suppresses: its own line for
	// a comment after YAML, the next line for a comment on a line of its
	// own.
	Target int

	// Rules are the IDs of the rules it suppresses.
	Rules []string

	// Reason is the text after "--".
	Reason string
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
	for _, id := range strings.Split(strings.TrimSpace(ids), ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			return s, fmt.Errorf("name the rules, separated by commas")
		}
		if _, ok := RuleByID(id); !ok {
			return s, fmt.Errorf("no rule %q; the rules are %s", id, ruleIDs())
		}
		s.Rules = append(s.Rules, id)
	}
	s.Reason = reason
	return s, nil
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
		r.Findings = append(r.Findings, Finding{
			Rule:     "unused-suppression",
			Severity: sev,
			Message:  fmt.Sprintf("# %s %s suppresses nothing on line %d", suppressMarker, strings.Join(s.Rules, ","), s.Target),
			Fix:      "remove the comment, or move it to the line of the finding or the line above it",
			Members:  []Member{{Declaration: manifest.Declaration{Source: manifest.Source{File: s.File, Line: s.Line}}}},
		})
	}
	return out
}

// covers reports whether s covers f.
func covers(s Suppression, f Finding) bool {
	ruled := false
	for _, id := range s.Rules {
		if id == f.Rule {
			ruled = true
		}
	}
	if !ruled {
		return false
	}
	for _, m := range f.Members {
		if src := m.Declaration.Source; src.File == s.File && src.Line == s.Target {
			return true
		}
	}
	return false
}
