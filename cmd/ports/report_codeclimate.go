package main

// The report as a Code Climate issue list, the format of GitLab's code
// quality report: a JSON array with an issue for each finding, its
// fingerprint the same as SARIF's (stable while lines move), its severity
// "major" for an error and "minor" for a warning.

import (
	"encoding/json"
	"io"

	"github.com/portalloc/ports/check"
)

type (
	codeClimateIssue struct {
		Type        string              `json:"type"`
		CheckName   string              `json:"check_name"`
		Description string              `json:"description"`
		Content     *codeClimateContent `json:"content,omitempty"`
		Categories  []string            `json:"categories"`
		Fingerprint string              `json:"fingerprint"`
		Severity    string              `json:"severity"`
		Location    codeClimateLocation `json:"location"`
	}
	codeClimateContent struct {
		Body string `json:"body"`
	}
	codeClimateLocation struct {
		Path  string           `json:"path"`
		Lines codeClimateLines `json:"lines"`
	}
	codeClimateLines struct {
		Begin int `json:"begin"`
	}
)

// codeClimateCategory is the Code Climate category of a rule's category.
func codeClimateCategory(c check.Category) string {
	switch c {
	case check.Security:
		return "Security"
	case check.Portability:
		return "Compatibility"
	}
	return "Bug Risk"
}

func writeCodeClimate(w io.Writer, in reportInput) error {
	fps := fingerprints(in.res)
	issues := []codeClimateIssue{}
	for i, f := range in.res.Findings {
		r, _ := check.RuleByID(f.Rule)
		src := at(f).Pos
		is := codeClimateIssue{
			Type:        "issue",
			CheckName:   f.Rule,
			Description: safe(headline(f)),
			Categories:  []string{codeClimateCategory(r.Category)},
			Fingerprint: fps[i],
			Severity:    "minor",
			Location:    codeClimateLocation{Path: src.File, Lines: codeClimateLines{Begin: max(src.Line, 1)}},
		}
		if f.Severity == check.Error {
			is.Severity = "major"
		}
		if adv := advice(f); adv != "" {
			is.Content = &codeClimateContent{Body: upper(safe(adv))}
		}
		issues = append(issues, is)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}
