package main

// The report as JUnit XML, in the shape Jenkins, GitLab and Maven Surefire
// read: a test suite for each file checked, and in it a test case for each
// rule that is on, named by the rule's ID with the file as its class. A
// case fails when the rule found something of severity error in the file;
// its failure lists those findings. A rule of severity warning never fails
// a case: its findings go to the case's standard output. A rule turned off
// is a skipped case.

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/portalloc/ports/check"
)

type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
		SystemOut *junitText    `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",cdata"`
	}
	junitText struct {
		Text string `xml:",cdata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

func writeJUnit(w io.Writer, in reportInput) error {
	byCase := map[[2]string][]check.Finding{} // (file, rule)
	for _, f := range in.res.Findings {
		k := [2]string{at(f).Pos.File, f.Rule}
		byCase[k] = append(byCase[k], f)
	}
	root := junitSuites{Name: "ports check"}
	for _, file := range filesOf(in) {
		name := safe(file)
		suite := junitSuite{Name: name, Time: "0"}
		for _, r := range check.Rules() {
			c := junitCase{Name: r.ID, Classname: name, File: name, Time: "0"}
			sev := in.severity(r)
			fs := byCase[[2]string{file, r.ID}]
			switch {
			case sev == check.Off:
				c.Skipped = &junitSkipped{Message: "the rule is off"}
				suite.Skipped++
			case len(fs) > 0 && sev == check.Error:
				c.Failure = &junitFailure{
					Message: fmt.Sprintf("%d %s", len(fs), plural(len(fs), "finding", "findings")),
					Type:    r.ID,
					Text:    findingLines(fs),
				}
				suite.Failures++
			case len(fs) > 0:
				c.SystemOut = &junitText{findingLines(fs)}
			}
			suite.Tests++
			suite.Cases = append(suite.Cases, c)
		}
		root.Tests += suite.Tests
		root.Failures += suite.Failures
		root.Skipped += suite.Skipped
		root.Suites = append(root.Suites, suite)
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

// findingLines lists findings, one to a line with its location, advice
// and other members below it.
func findingLines(fs []check.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		writeFindingLines(&b, f)
	}
	return b.String()
}

// writeFindingLines writes f as "file:line:col: [rule] headline" and its
// advice and other members, indented, each on a line.
func writeFindingLines(b *strings.Builder, f check.Finding) {
	fmt.Fprintf(b, "%s: %s [%s]: %s\n", safe(at(f).Pos.String()), f.Severity, f.Rule, safe(headline(f)))
	if adv := advice(f); adv != "" {
		fmt.Fprintf(b, "  %s\n", upper(safe(adv)))
	}
	for _, m := range related(f) {
		fmt.Fprintf(b, "  also %s: %s\n", safe(m.Declaration.Pos.String()), safe(memberText(m)))
	}
}
