package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCompletionGolden(t *testing.T) {
	runGolden(t, []golden{
		{"completion-bash", []string{"completion", "bash"}, exitOK},
		{"completion-zsh", []string{"completion", "zsh"}, exitOK},
		{"completion-fish", []string{"completion", "fish"}, exitOK},
		{"completion-none", []string{"completion"}, exitUsage},
		{"completion-tcsh", []string{"completion", "tcsh"}, exitUsage},
	})
}

// helpFlags returns the flags that "ports NAME --help" lists, as typed.
func helpFlags(t *testing.T, name string) []string {
	t.Helper()
	code, out, _ := runArgs(t, name, "--help")
	if code != exitOK {
		t.Fatalf("%s --help: exit %d", name, code)
	}
	_, list, _ := strings.Cut(out, "\nFlags:\n")
	var flags []string
	for _, l := range strings.Split(list, "\n") {
		if strings.HasPrefix(l, "  -") {
			flags = append(flags, strings.Fields(l)[0])
		}
	}
	return flags
}

// script writes the completion script for shell to a file and returns
// its path.
func script(t *testing.T, shell string) string {
	t.Helper()
	code, out, stderr := runArgs(t, "completion", shell)
	if code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr)
	}
	f := filepath.Join(t.TempDir(), "ports."+shell)
	if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCompletionBash checks the bash script's syntax, that it completes
// every command, and every flag that each command's --help lists, and
// what it offers for some lines typed.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	f := script(t, "bash")
	if out, err := exec.Command("bash", "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	complete := func(words ...string) []string {
		t.Helper()
		// COMP_WORDS as bash sets it: the command line split into
		// words, the cursor at the end of the last.
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source " + f + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" + strconv.Itoa(len(words)-1) + `; _ports; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if diff := cmp.Diff(append(names, "help"), complete("ports", "")); diff != "" {
		t.Errorf("ports <TAB> (-want +got):\n%s", diff)
	}
	for _, c := range commands() {
		want := helpFlags(t, c.name)
		got := complete("ports", c.name, "-")
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ports %s -<TAB> (-want +got):\n%s", c.name, diff)
		}
	}
	for _, tt := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ports", "ch"}, []string{"check"}},
		{[]string{"ports", "check", "--fo"}, []string{"--format"}},
		{[]string{"ports", "check", "--format", "s"}, []string{"sarif"}},
		{[]string{"ports", "check", "compose.yaml", "--os", "d"}, []string{"darwin"}},
		{[]string{"ports", "whois", "--format", ""}, []string{"text", "json"}},
		{[]string{"ports", "completion", "z"}, []string{"zsh"}},
		{[]string{"ports", "help", "check-"}, []string{"check-config"}},
		{[]string{"ports", "check", "--nodeport-range", ""}, nil},
	} {
		if diff := cmp.Diff(tt.want, complete(tt.words...), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s<TAB> (-want +got):\n%s", strings.Join(tt.words, " "), diff)
		}
	}
}

func TestCompletionZsh(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("no zsh")
	}
	f := script(t, "zsh")
	if out, err := exec.Command("zsh", "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(f)
	for _, c := range commands() {
		if !strings.Contains(string(data), "\t"+c.name+")\n") {
			t.Errorf("the zsh script has no case for %s", c.name)
		}
		for _, fl := range helpFlags(t, c.name) {
			if !strings.Contains(string(data), "'"+fl+"[") && !strings.Contains(string(data), "'"+fl+"=[") && !strings.Contains(string(data), "'*"+fl) {
				t.Errorf("the zsh script has no spec for %s %s", c.name, fl)
			}
		}
	}
}

// TestCompletionFish checks the fish script's syntax, and what fish
// offers for some lines typed.
func TestCompletionFish(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("no fish")
	}
	f := script(t, "fish")
	if out, err := exec.Command("fish", "--no-execute", f).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	complete := func(line string) []string {
		t.Helper()
		out, err := exec.Command("fish", "--no-config", "-c", "source "+f+"; complete -C '"+line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				got = append(got, strings.Split(l, "\t")[0])
			}
		}
		return got
	}
	for _, c := range commands() {
		want := helpFlags(t, c.name)
		var got []string
		for _, g := range complete("ports " + c.name + " -") {
			if !strings.HasPrefix(g, "-h") { // fish offers -h and --help of its own
				got = append(got, g)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ports %s -<TAB> (-want +got):\n%s", c.name, diff)
		}
	}
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"ports che", []string{"check"}},
		{"ports check --format s", []string{"sarif"}},
		{"ports completion f", []string{"fish"}},
	} {
		if diff := cmp.Diff(tt.want, complete(tt.line)); diff != "" {
			t.Errorf("%s<TAB> (-want +got):\n%s", tt.line, diff)
		}
	}
}
