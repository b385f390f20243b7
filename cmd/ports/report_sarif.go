package main

// The SARIF 2.1.0 report (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/),
// as GitHub code scanning reads it: one run; every rule in
// tool.driver.rules, in check.Rules' order, so that a result's ruleIndex
// is the rule's place there; one result for each finding at its first
// member, with the other members of a collision as related locations
// linked from the message; partialFingerprints that do not depend on line
// numbers.

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		Results    []sarifResult `json:"results"`
		ColumnKind string        `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name"`
		ShortDescription     sarifText       `json:"shortDescription"`
		FullDescription      sarifText       `json:"fullDescription"`
		Help                 sarifText       `json:"help"`
		DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
		Properties           sarifRuleProps  `json:"properties"`
	}
	sarifRuleConfig struct {
		Enabled bool   `json:"enabled"`
		Level   string `json:"level"`
	}
	sarifRuleProps struct {
		Tags []string `json:"tags"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification,omitempty"`
	}
	sarifLocation struct {
		ID               *int                  `json:"id,omitempty"`
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
		Message          *sarifText            `json:"message,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// sarifFingerprintKey names the fingerprint in partialFingerprints; its
// version changes if the fingerprint is ever computed otherwise.
const sarifFingerprintKey = "portsFinding/v1"

// sarifLevel is a severity as SARIF names it.
func sarifLevel(s check.Severity) string {
	switch s {
	case check.Error:
		return "error"
	case check.Warning:
		return "warning"
	}
	return "none"
}

func writeSARIF(w io.Writer, in reportInput) error {
	rules := check.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "ports", InformationURI: "https://github.com/portalloc/ports", Version: version()}
	for i, r := range rules {
		index[r.ID] = i
		// The category is the tag; code scanning tells security alerts
		// apart by the tag "security", which is the Security category's.
		tags := []string{r.Category.String()}
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 ruleName(r.ID),
			ShortDescription:     sarifText{r.Summary},
			FullDescription:      sarifText{r.Help},
			Help:                 sarifText{r.Help},
			DefaultConfiguration: sarifRuleConfig{Enabled: r.Severity != check.Off, Level: sarifLevel(r.Severity)},
			Properties:           sarifRuleProps{Tags: tags},
		})
	}
	run := sarifRun{Tool: sarifTool{driver}, Results: []sarifResult{}, ColumnKind: "unicodeCodePoints"}
	// Suppressed findings are results too, marked as suppressed in the
	// source with their reason, so that code scanning shows them closed
	// rather than fixed.
	all := &check.Report{Findings: slices.Clone(in.res.Findings)}
	by := make([]*check.Suppression, len(all.Findings))
	for _, s := range in.suppressed {
		all.Findings = append(all.Findings, s.Finding)
		by = append(by, &s.By)
	}
	fps := fingerprints(all)
	for i, f := range all.Findings {
		var msg strings.Builder
		msg.WriteString(sarifEscape(safe(headline(f))))
		if adv := advice(f); adv != "" {
			msg.WriteString(". " + sarifEscape(safe(upper(adv))))
		}
		msg.WriteString(".")
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysical(at(f).Pos)}},
			PartialFingerprints: map[string]string{sarifFingerprintKey: fps[i]},
		}
		if rel := related(f); len(rel) > 0 {
			msg.WriteString(" Also: ")
			for j, m := range rel {
				id := j + 1
				text := safe(memberText(m))
				if m.Suggestion.IsValid() {
					text += ", to move to " + m.Suggestion.String()
				}
				if j > 0 {
					msg.WriteString(", ")
				}
				msg.WriteString("[" + sarifEscape(text) + "](" + strconv.Itoa(id) + ")")
				res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
					ID:               &id,
					PhysicalLocation: sarifPhysical(m.Declaration.Pos),
					Message:          &sarifText{sarifEscape(text)},
				})
			}
			msg.WriteString(".")
		}
		res.Message = sarifText{msg.String()}
		if s := by[i]; s != nil {
			// A registry's accepted conflict is kept apart from the
			// file of the finding: "external", as SARIF names it.
			kind := "inSource"
			if s.Kind == check.Accepted {
				kind = "external"
			}
			res.Suppressions = []sarifSuppression{{Kind: kind, Justification: safe(s.Reason)}}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

// sarifPhysical is where src is, as a SARIF physical location: the file as
// a URI reference (relative, as given, or a file URI when absolute), and
// the line and column when known.
func sarifPhysical(src manifest.Position) sarifPhysicalLocation {
	p := sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: fileURI(src.File)}}
	if src.Line > 0 {
		p.Region = &sarifRegion{StartLine: src.Line, StartColumn: src.Column}
	}
	return p
}

// fileURI turns a file name into a URI reference.
func fileURI(name string) string {
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// sarifEscape escapes the square brackets of plain text in a SARIF
// message, which would otherwise read as the start of a link.
func sarifEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// ruleName is a rule's ID in the UpperCamelCase that SARIF viewers show
// as the rule's name: "exposed-database" becomes "ExposedDatabase".
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		b.WriteString(upper(part))
	}
	return b.String()
}

// upper returns s with its first letter in upper case.
func upper(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
