package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

// The report of a check, as JSON writes it (version 1).
type (
	checkReport struct {
		Version      int              `json:"version"`
		Files        []string         `json:"files"`
		Declarations int              `json:"declarations"`
		Collisions   []checkCollision `json:"collisions"`
		Errors       []checkFinding   `json:"errors"` // what the platform refuses
		Security     []checkFinding   `json:"security"`
		Warnings     []checkFinding   `json:"warnings"`
		// Suppressed are the findings that suppressions removed, each
		// with the suppression's reason.
		Suppressed []checkFinding `json:"suppressed,omitempty"`
		// LoadErrors are the inputs that could not be read; the others
		// were checked all the same.
		LoadErrors []checkLoadError `json:"load_errors,omitempty"`
	}
	checkLoadError struct {
		File    string `json:"file,omitempty"`
		Line    int    `json:"line,omitempty"`
		Column  int    `json:"column,omitempty"`
		Message string `json:"message"`
	}
	checkCollision struct {
		Severity string        `json:"severity"`
		Scope    string        `json:"scope"`
		Protocol string        `json:"protocol"`
		Ports    string        `json:"ports"`
		Reason   string        `json:"reason,omitempty"` // for a collision of one declaration with itself
		Members  []checkMember `json:"members"`
	}
	checkMember struct {
		Source     string `json:"source"`
		Service    string `json:"service"`
		Endpoint   string `json:"endpoint"`
		Kind       string `json:"kind"`
		Pool       string `json:"pool,omitempty"` // the declared range of a pool that Endpoint is a port of
		Suggestion string `json:"suggestion,omitempty"`
	}
	checkFinding struct {
		Code     string `json:"code"`
		Severity string `json:"severity"`
		Source   string `json:"source"`
		Service  string `json:"service"`
		Endpoint string `json:"endpoint"`
		Message  string `json:"message"`
		Fix      string `json:"fix,omitempty"`
		Reason   string `json:"reason,omitempty"` // of a suppressed finding: the suppression's
		// By is, for a suppressed finding, the suppression.
		By *checkSuppression `json:"suppressed_by,omitempty"`
	}
	checkSuppression struct {
		Kind   string `json:"kind"`   // inline, annotation or accepted
		Source string `json:"source"` // where it is written
	}
)

// reportOf turns the checker's report into the command's.
func reportOf(res *check.Report, files []string) checkReport {
	rep := checkReport{
		Version:      1,
		Files:        files,
		Declarations: res.Declarations,
		Collisions:   []checkCollision{},
		Errors:       []checkFinding{},
		Security:     []checkFinding{},
		Warnings:     []checkFinding{},
	}
	for _, f := range res.Findings {
		r, _ := check.RuleByID(f.Rule)
		if r.Category == check.Collisions {
			c := checkCollision{Severity: f.Severity.String(), Scope: f.Scope.String(), Protocol: f.Protocol.String(), Ports: f.Ports.String()}
			if len(f.Members) == 1 {
				c.Reason = f.Message
			}
			for _, m := range f.Members {
				cm := checkMember{Source: m.Declaration.Pos.String(), Service: m.Declaration.Owner(), Endpoint: m.Endpoint.String(), Kind: m.Declaration.Kind.String()}
				if m.Pool.IsValid() {
					cm.Pool = m.Pool.String()
				}
				if m.Suggestion.IsValid() {
					cm.Suggestion = m.Suggestion.String()
				}
				c.Members = append(c.Members, cm)
			}
			rep.Collisions = append(rep.Collisions, c)
			continue
		}
		d := f.Members[0].Declaration
		cf := checkFinding{Code: f.Rule, Severity: f.Severity.String(), Source: d.Pos.String(), Service: d.Owner(), Endpoint: endpointText(d), Message: f.Message, Fix: f.Fix}
		switch {
		case r.Category == check.Platform:
			rep.Errors = append(rep.Errors, cf)
		case r.Category == check.Security:
			rep.Security = append(rep.Security, cf)
		default:
			rep.Warnings = append(rep.Warnings, cf)
		}
	}
	return rep
}

// suppressedOf turns suppressed findings into the report's, in order.
func suppressedOf(ss []check.Suppressed) []checkFinding {
	var out []checkFinding
	for _, s := range ss {
		d := at(s.Finding)
		out = append(out, checkFinding{
			Code: s.Finding.Rule, Severity: s.Finding.Severity.String(), Source: d.Pos.String(),
			Service: d.Owner(), Endpoint: endpointText(d), Message: s.Finding.Message,
			Reason: s.By.Reason,
			By:     &checkSuppression{Kind: s.By.Kind.String(), Source: manifest.Position{File: s.By.File, Line: s.By.Line}.String()},
		})
	}
	return out
}

// endpointText is how a finding shows the port of d: its endpoint, or for
// a port the runtime picks, "random->" and the port it forwards to.
func endpointText(d manifest.Declaration) string {
	if d.Owner() == "" && !d.Endpoint.IsValid() {
		return "" // not a declaration: where a comment is
	}
	if d.Ephemeral {
		t := "?"
		if d.Target.IsValid() {
			t = d.Target.String()
		}
		return "random->" + t + "/" + d.Protocol.String()
	}
	return d.Endpoint.String()
}

// writeJSON writes rep as an indented JSON document.
func writeJSON(w io.Writer, rep checkReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// loadErrorsOf turns the errors of inputs that could not be read into the
// report's form, with the file and line where the error has them.
func loadErrorsOf(errs []error) []checkLoadError {
	var out []checkLoadError
	for _, err := range errs {
		le := checkLoadError{Message: plain(err)}
		var me *manifest.Error
		if errors.As(err, &me) {
			le.File, le.Line, le.Column = me.File, me.Line, me.Column
		}
		out = append(out, le)
	}
	return out
}
