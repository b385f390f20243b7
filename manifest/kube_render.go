package manifest

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrKustomization is what [ReadKubernetes] returns, wrapped in an
// [*Error], for a kustomization: a file named kustomization.yaml,
// kustomization.yml or Kustomization, or a document of kind Kustomization
// or Component of kustomize.config.k8s.io. A kustomization lists manifests
// and patches to build them from rather than being manifests; the message
// says to render its directory first:
//
//	manifest: app/kustomization.yaml:1: a kustomization, not manifests: render it first: kubectl kustomize app | ports check -
var ErrKustomization = errors.New("a kustomization: render it with kubectl kustomize first")

// ErrHelmTemplate is what [ReadKubernetes] returns, wrapped in an [*Error]
// at the line of the first template action, for a Helm template that
// cannot be read as manifests: a document that fails to read and holds
// actions of Helm's templates ("{{ .Values.port }}", "{{- if … }}",
// "{{ include … }}"). The message says to render the chart first:
//
//	manifest: chart/templates/service.yaml:9:11: a Helm template, not manifests ("{{ .Values.service.port }}"): render it first: helm template chart | ports check -
//
// A manifest that merely holds text with braces (a Prometheus rule's
// "{{ $labels.instance }}" in a ConfigMap) is read as it is.
var ErrHelmTemplate = errors.New("a Helm template: render it with helm template first")

// renderHint is the cause of an error for a file that must be rendered
// before it is read: the command that renders it, and the sentinel it
// unwraps to.
type renderHint struct {
	sentinel error
	command  string
}

func (h *renderHint) Error() string { return "render it first: " + h.command }

func (h *renderHint) Unwrap() error { return h.sentinel }

// kustomizationName reports whether the base name of path is one that
// kustomize reads as a kustomization.
func kustomizationName(path string) bool {
	switch filepath.Base(path) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// kustomizationError returns the error for the kustomization file name,
// at line (0 when unknown).
func kustomizationError(name string, line, column, doc int) *Error {
	dir := filepath.Dir(name)
	if name == "-" || name == "" {
		dir = "DIR"
	}
	return &Error{File: name, Line: line, Column: column, Doc: doc, Msg: "a kustomization, not manifests",
		Err: &renderHint{ErrKustomization, "kubectl kustomize " + kubeShellWord(dir) + " | ports check -"}}
}

// helmError returns the error for a Helm template in piece, a document of
// file name whose lines start at first, or nil if piece holds no action of
// Helm's. cause is the error of reading it as manifests.
func helmError(name string, doc int, piece []byte, first int) *Error {
	line, col, action := helmAction(piece)
	if line == 0 {
		return nil
	}
	chart := "CHART"
	if dir := filepath.Dir(name); filepath.Base(dir) == "templates" {
		chart = kubeShellWord(filepath.Dir(dir))
	}
	if len(action) > 60 {
		action = action[:57] + "..."
	}
	return &Error{File: name, Line: first + line - 1, Column: col, Doc: doc,
		Msg: "a Helm template, not manifests (" + strconv.Quote(action) + ")",
		Err: &renderHint{ErrHelmTemplate, "helm template " + chart + " | ports check -"}}
}

// helmAction returns the line and column (from 1) and the text of the
// first template action of piece that is Helm's rather than text with
// braces, or a line of 0. An action is Helm's when it trims white space
// ("{{-", "-}}"), is a comment ("{{/*"), or starts with what Helm's
// templates use and other brace syntaxes do not: the built-in objects
// (.Values, .Release, .Chart, .Capabilities, .Files, .Template) or the
// template functions include, template, define, toYaml, tpl, and the
// control words if, else, end, range, with.
func helmAction(piece []byte) (line, col int, action string) {
	for i, l := range bytes.Split(piece, []byte("\n")) {
		rest := l
		for {
			open := bytes.Index(rest, []byte("{{"))
			if open < 0 {
				break
			}
			end := bytes.Index(rest[open:], []byte("}}"))
			if end < 0 {
				break
			}
			a := rest[open : open+end+2]
			if helmWords(a) {
				return i + 1, len(l) - len(rest) + open + 1, string(a)
			}
			rest = rest[open+end+2:]
		}
	}
	return 0, 0, ""
}

// helmWords reports whether action a ("{{ … }}") is written as Helm's
// templates write theirs.
func helmWords(a []byte) bool {
	s := string(a[2 : len(a)-2])
	if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.HasPrefix(s, "/*") {
		return true
	}
	s = strings.TrimSpace(s)
	for _, p := range []string{".Values", ".Release", ".Chart", ".Capabilities", ".Files", ".Template",
		"$.Values", "$.Release", "$.Chart"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	word, _, _ := strings.Cut(s, " ")
	switch word {
	case "include", "template", "define", "toYaml", "tpl", "if", "else", "end", "range", "with":
		return true
	}
	return false
}

// kubeShellWord quotes s for a shell if it needs it.
func kubeShellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+=:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
