package main

// The report formats of "ports check", and where each report goes.
//
// --format may be given several times, each followed by an --output FILE
// of its own (as Checkov pairs -o with its output paths); a format without
// --output goes to standard output, and at most one may. When every format
// named goes to a file, the text report still goes to standard output, so
// that a CI log shows the findings.
//
// Each format is a function from a reportInput to bytes. The formats for
// tools (sarif, codeclimate) identify a finding by a fingerprint that does
// not depend on line numbers, so that a finding keeps its identity while
// the lines above it change.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
)

// reportFormats are the formats of --format, in the order the help lists
// them.
var reportFormats = []string{"text", "json", "sarif", "github", "junit", "checkstyle", "codeclimate"}

// reportInput is what every format writes from.
type reportInput struct {
	res        *check.Report
	files      []string                  // the files checked, as named
	severities map[string]check.Severity // check.Options.Severities

	suppressed     []check.Suppressed // what suppressions removed from res
	showSuppressed bool               // whether the text report lists them
	loadErrors     []error            // the inputs that could not be read, one error each
}

// severity returns r's severity in the check.
func (in reportInput) severity(r check.Rule) check.Severity {
	if s, ok := in.severities[r.ID]; ok {
		return s
	}
	return r.Severity
}

// output is one report: a format and the file it goes to ("" for
// standard output).
type output struct {
	format, file string
}

// outputs collects --format and --output in the order given.
type outputs struct {
	list []output
}

// formatFlag is --format.
type formatFlag struct{ o *outputs }

func (f formatFlag) String() string {
	if f.o == nil {
		return ""
	}
	names := make([]string, len(f.o.list))
	for i, o := range f.o.list {
		names[i] = o.format
	}
	return strings.Join(names, ",")
}

func (f formatFlag) Set(s string) error {
	if !slices.Contains(reportFormats, s) {
		return fmt.Errorf("want one of %s", strings.Join(reportFormats, ", "))
	}
	f.o.list = append(f.o.list, output{format: s})
	return nil
}

// outputFlag is --output: the file of the --format given before it.
type outputFlag struct{ o *outputs }

func (f outputFlag) String() string { return "" }

func (f outputFlag) Set(s string) error {
	if len(f.o.list) == 0 {
		return errors.New("no --format before it; give each --output after its --format, as in --format sarif --output ports.sarif")
	}
	last := &f.o.list[len(f.o.list)-1]
	if last.file != "" {
		return fmt.Errorf("--format %s already writes to %s; give --format again for another file", last.format, last.file)
	}
	if s == "" {
		return errors.New("empty file name")
	}
	if s == "-" {
		s = "" // standard output
	}
	last.file = s
	return nil
}

// resolve returns the reports to write: text on standard output when none
// was asked for or when every one asked for goes to a file. It refuses two
// reports on standard output, two in one file, and a file that is one of
// inputs.
func (o *outputs) resolve(inputs []string) ([]output, error) {
	list := slices.Clone(o.list)
	stdout := -1
	for i, x := range list {
		if x.file != "" {
			continue
		}
		if stdout >= 0 {
			return nil, fmt.Errorf("--format %s and --format %s both go to standard output; give one of them --output FILE", list[stdout].format, x.format)
		}
		stdout = i
	}
	for i, x := range list {
		for _, y := range list[:i] {
			if x.file != "" && filepath.Clean(x.file) == filepath.Clean(y.file) {
				return nil, fmt.Errorf("--format %s and --format %s both write to %s", y.format, x.format, x.file)
			}
		}
		if x.file == "" {
			continue
		}
		if o, err := os.Stat(x.file); err == nil {
			for _, in := range inputs {
				if i, err := os.Stat(in); err == nil && os.SameFile(o, i) {
					return nil, fmt.Errorf("--output %s is %s, one of the files checked; write the report elsewhere", x.file, in)
				}
			}
		}
	}
	if stdout < 0 {
		list = append([]output{{format: "text"}}, list...)
	}
	return list, nil
}

// render writes the report in format f.
// The text report is in colour only on standard output.
func (a *app) render(f string, in reportInput, toStdout bool) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch f {
	case "text":
		paint := plainPaint
		if toStdout {
			paint = a.paint
		}
		rep := reportOf(in.res, in.files)
		rep.Suppressed = suppressedOf(in.suppressed)
		printCheck(&b, paint, rep, in.showSuppressed)
	case "json":
		rep := reportOf(in.res, in.files)
		rep.Suppressed = suppressedOf(in.suppressed)
		rep.LoadErrors = loadErrorsOf(in.loadErrors)
		err = writeJSON(&b, rep)
	case "sarif":
		err = writeSARIF(&b, in)
	case "github":
		writeGitHub(&b, in)
	case "junit":
		err = writeJUnit(&b, in)
	case "checkstyle":
		err = writeCheckstyle(&b, in)
	case "codeclimate":
		err = writeCodeClimate(&b, in)
	default:
		err = fmt.Errorf("no format %q", f)
	}
	return b.Bytes(), err
}

// writeReports writes every report of outs. A report that cannot be
// written is an error; the others are still written.
func (a *app) writeReports(outs []output, in reportInput) error {
	var errs []error
	for _, o := range outs {
		b, err := a.render(o.format, in, o.file == "")
		if err != nil {
			errs = append(errs, fmt.Errorf("--format %s: %w", o.format, err))
			continue
		}
		if o.file == "" {
			a.stdout.Write(b) // main checks standard output
			continue
		}
		if err := writeFile(o.file, b); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeFile writes b to the file name, created or truncated.
func writeFile(name string, b []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// at returns where a finding is reported: its first member's declaration.
func at(f check.Finding) manifest.Declaration {
	if len(f.Members) == 0 {
		return manifest.Declaration{}
	}
	return f.Members[0].Declaration
}

// headline is a finding in one line, without its location: what the text
// report prints after the location.
func headline(f check.Finding) string {
	if f.Rule == "collision" || len(f.Members) == 0 || at(f).Owner() == "" {
		s := f.Message
		if f.Scope != (manifest.Scope{}) {
			s += " in " + f.Scope.String() + " scope"
		}
		return s
	}
	d := at(f)
	return d.Owner() + " " + endpointText(d) + ": " + f.Message
}

// advice is what a finding says to do: its fix, or for a collision where
// each member that should move goes.
func advice(f check.Finding) string {
	if f.Fix != "" {
		return f.Fix
	}
	var moves []string
	for _, m := range f.Members {
		if m.Suggestion.IsValid() {
			mv := "move " + m.Declaration.Owner() + " to " + m.Suggestion.String()
			if !slices.Contains(moves, mv) {
				moves = append(moves, mv)
			}
		}
	}
	return strings.Join(moves, "; ")
}

// memberText names a member: its owner, endpoint and kind.
func memberText(m check.Member) string {
	return m.Declaration.Owner() + " " + m.Endpoint.String() + " (" + m.Declaration.Kind.String() + ")"
}

// related returns the members of f other than the first, one for each
// source position (the ports of one pool share one).
func related(f check.Finding) []check.Member {
	if len(f.Members) < 2 {
		return nil
	}
	seen := map[manifest.Position]bool{f.Members[0].Declaration.Pos: true}
	var out []check.Member
	for _, m := range f.Members[1:] {
		if seen[m.Declaration.Pos] {
			continue
		}
		seen[m.Declaration.Pos] = true
		out = append(out, m)
	}
	return out
}

// fingerprints returns a fingerprint for each finding of res that stays
// the same while the lines of its files move: a hash of the rule, the file,
// the owners and the ports, and a count that tells apart findings that
// agree in all of these ("…:2" for the second).
func fingerprints(res *check.Report) []string {
	out := make([]string, len(res.Findings))
	seen := map[string]int{}
	for i, f := range res.Findings {
		h := sha256.New()
		field := func(s string) {
			h.Write([]byte(strconv.Itoa(len(s))))
			h.Write([]byte{':'})
			h.Write([]byte(s))
		}
		d := at(f)
		field(f.Rule)
		field(filepath.ToSlash(d.Pos.File))
		field(f.Scope.String())
		if f.Ports.IsValid() {
			field(f.Ports.String() + "/" + f.Protocol.String())
		}
		var owners []string
		for _, m := range f.Members {
			o := m.Declaration.Owner() + " " + endpointText(m.Declaration)
			if !slices.Contains(owners, o) {
				owners = append(owners, o)
			}
		}
		slices.Sort(owners)
		for _, o := range owners {
			field(o)
		}
		sum := hex.EncodeToString(h.Sum(nil)[:16])
		seen[sum]++
		out[i] = sum + ":" + strconv.Itoa(seen[sum])
	}
	return out
}

// filesOf returns the files named by in and those its findings are in,
// each once, in that order.
func filesOf(in reportInput) []string {
	var files []string
	for _, f := range in.files {
		if !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	for _, f := range in.res.Findings {
		if file := at(f).Pos.File; file != "" && !slices.Contains(files, file) {
			files = append(files, file)
		}
	}
	return files
}
