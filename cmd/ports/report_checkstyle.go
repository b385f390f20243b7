package main

// The report as Checkstyle XML, which reviewdog and many CI dashboards
// read: a file element for each file with findings, an error element for
// each finding at its line and column, its source the rule
// ("ports.collision").

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/portalloc/ports/check"
)

type (
	checkstyleRoot struct {
		XMLName xml.Name         `xml:"checkstyle"`
		Version string           `xml:"version,attr"`
		Files   []checkstyleFile `xml:"file"`
	}
	checkstyleFile struct {
		Name   string            `xml:"name,attr"`
		Errors []checkstyleError `xml:"error"`
	}
	checkstyleError struct {
		Line     int    `xml:"line,attr,omitempty"`
		Column   int    `xml:"column,attr,omitempty"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
)

func writeCheckstyle(w io.Writer, in reportInput) error {
	root := checkstyleRoot{Version: "4.3"}
	fileAt := map[string]int{}
	for _, f := range in.res.Findings {
		src := at(f).Pos
		i, ok := fileAt[src.File]
		if !ok {
			i = len(root.Files)
			fileAt[src.File] = i
			root.Files = append(root.Files, checkstyleFile{Name: safe(src.File)})
		}
		msg := safe(headline(f))
		if adv := advice(f); adv != "" {
			msg += ". " + upper(safe(adv))
		}
		var also []string
		for _, m := range related(f) {
			also = append(also, safe(m.Declaration.Pos.String())+" "+safe(memberText(m)))
		}
		if len(also) > 0 {
			msg += ". Also: " + strings.Join(also, "; ")
		}
		sev := "warning"
		if f.Severity == check.Error {
			sev = "error"
		}
		root.Files[i].Errors = append(root.Files[i].Errors, checkstyleError{
			Line: src.Line, Column: src.Column, Severity: sev, Message: msg, Source: "ports." + f.Rule,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
