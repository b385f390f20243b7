package main

// ports completion: shell completion scripts, written from the commands'
// own flag sets. Each command is run with an app whose collect hook takes
// the flag set that parseFlags is given and stops the command there, so
// the scripts list exactly the flags that the commands define.

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

func completionCommand() command {
	c := command{
		name:    "completion",
		summary: "print a shell completion script: bash, zsh or fish",
		usage:   "bash|zsh|fish",
		args:    func() []string { return []string{"bash", "zsh", "fish"} },
	}
	c.run = func(a *app, args []string) int { return runCompletion(a, c, args) }
	return c
}

const completionHelp = `Prints a script that completes the commands of ports, their flags, the
values of flags that take one of a few, and file names where a command
reads files.

Examples:
  ports completion bash > ~/.local/share/bash-completion/completions/ports
  ports completion zsh > "${fpath[1]}/_ports"      # then compinit
  ports completion fish > ~/.config/fish/completions/ports.fish
  source <(ports completion bash)                  # this shell only

Exit status: 0, or 2 on usage.`

// runCompletion runs ports completion.
func runCompletion(a *app, c command, args []string) int {
	fs := a.flagSet(c, completionHelp)
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return a.fail("completion: name one shell: bash, zsh or fish")
	}
	cmds := completionSpecs()
	switch fs.Arg(0) {
	case "bash":
		writeBash(a.stdout, cmds)
	case "zsh":
		writeZsh(a.stdout, cmds)
	case "fish":
		writeFish(a.stdout, cmds)
	default:
		return a.fail("completion: %q: want bash, zsh or fish", fs.Arg(0))
	}
	return exitOK
}

// compCommand is what a completion script knows of a command.
type compCommand struct {
	name, summary string
	flags         []compFlag
	files         bool     // its arguments are files
	words         []string // or these words
}

// compFlag is what a completion script knows of a flag.
type compFlag struct {
	typed   string   // as typed: "-f", "--format"
	value   string   // the placeholder of its value; "" for a boolean flag
	choices []string // the values it takes, when the usage lists them
	desc    string
}

// completionSpecs returns every command with its flags, from the flag set
// each one defines.
func completionSpecs() []compCommand {
	var out []compCommand
	for _, c := range commands() {
		var got *flag.FlagSet
		probe := &app{stdout: io.Discard, stderr: io.Discard, collect: func(fs *flag.FlagSet) { got = fs }}
		c.run(probe, nil)
		cc := compCommand{name: c.name, summary: c.summary, files: strings.Contains(c.usage, "FILE")}
		if c.args != nil {
			cc.words = c.args()
		}
		if got != nil {
			got.VisitAll(func(f *flag.Flag) { cc.flags = append(cc.flags, flagSpec(f)) })
		}
		out = append(out, cc)
	}
	// help takes a command or a topic.
	h := compCommand{name: "help", summary: "the usage of a command, or a help topic"}
	for _, c := range out {
		h.words = append(h.words, c.name)
	}
	for _, t := range helpTopics() {
		h.words = append(h.words, t.name)
	}
	return append(out, h)
}

// choiceList finds the values a flag's usage lists after its placeholder:
// "`format`: text or json", "`OS` (linux, darwin, freebsd, windows)".
var choiceList = regexp.MustCompile("`[^`]*`(?::\\s*|\\s*\\()([a-z0-9-]+(?:(?:, | or )[a-z0-9-]+)+)")

// flagSpec describes f for completion.
func flagSpec(f *flag.Flag) compFlag {
	value, usage := flag.UnquoteUsage(f)
	cf := compFlag{typed: dashes(f.Name), value: value}
	if m := choiceList.FindStringSubmatch(f.Usage); m != nil {
		cf.choices = strings.FieldsFunc(strings.ReplaceAll(m[1], " or ", ", "), func(r rune) bool { return r == ',' || r == ' ' })
	}
	// The description: the usage up to its first parenthesis, colon or
	// semicolon, without the characters that shells quote.
	desc := usage
	if i := strings.IndexAny(desc, "(:;"); i > 0 {
		desc = desc[:i]
	}
	desc = strings.Map(func(r rune) rune {
		if strings.ContainsRune("[]'\"`\\$:\n", r) {
			return -1
		}
		return r
	}, desc)
	cf.desc = strings.TrimSpace(desc)
	return cf
}

// fileValue reports whether a flag's value is a file or a directory, and
// which.
func (f compFlag) fileValue() (file, dir bool) {
	return f.value == "file", f.value == "directory"
}

// writeBash writes the bash script.
func writeBash(w io.Writer, cmds []compCommand) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for ports; load it with: source <(ports completion bash)
_ports() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
		return
	fi
	case $cmd in
`, strings.Join(names, " "))
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		var valued []string
		var words []string
		fmt.Fprintf(w, "\t\tcase $prev in\n")
		for _, f := range c.flags {
			words = append(words, f.typed)
			if f.value == "" {
				continue
			}
			file, dir := f.fileValue()
			switch {
			case len(f.choices) > 0:
				fmt.Fprintf(w, "\t\t%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f.typed, strings.Join(f.choices, " "))
			case file:
				fmt.Fprintf(w, "\t\t%s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f.typed)
			case dir:
				fmt.Fprintf(w, "\t\t%s) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", f.typed)
			default:
				valued = append(valued, f.typed)
			}
		}
		if len(valued) > 0 {
			fmt.Fprintf(w, "\t\t%s) return ;;\n", strings.Join(valued, "|"))
		}
		fmt.Fprintf(w, "\t\tesac\n")
		fmt.Fprintf(w, "\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(words, " "))
		switch {
		case len(c.words) > 0:
			fmt.Fprintf(w, "\t\telse\n\t\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(c.words, " "))
		case c.files:
			fmt.Fprintf(w, "\t\telse\n\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n")
		}
		fmt.Fprintf(w, "\t\tfi\n\t\t;;\n")
	}
	fmt.Fprintf(w, "\tesac\n}\ncomplete -o filenames -F _ports ports\n")
}

// writeZsh writes the zsh script.
func writeZsh(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, "#compdef ports\n# zsh completion for ports; put it in a directory of $fpath as _ports.\n\n_ports() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "\t\t'%s:%s'\n", c.name, strings.ReplaceAll(strings.ReplaceAll(c.summary, "'", ""), ":", `\:`))
	}
	fmt.Fprintf(w, "\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe -t commands 'ports command' commands\n\t\treturn\n\tfi\n\tlocal cmd=${words[2]}\n\tshift words\n\t(( CURRENT-- ))\n\tcase $cmd in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments -s", c.name)
		for _, f := range c.flags {
			spec := f.typed
			if f.value != "" {
				spec += "="
			}
			spec += "[" + zshQuote(f.desc) + "]"
			if f.value != "" {
				file, dir := f.fileValue()
				action := " "
				switch {
				case len(f.choices) > 0:
					action = "(" + strings.Join(f.choices, " ") + ")"
				case file:
					action = "_files"
				case dir:
					action = "_files -/"
				}
				spec += ":" + zshQuote(f.value) + ":" + action
			}
			// A flag that may be given again is not excluded after use.
			if strings.Contains(f.desc, "repeatable") || slices.Contains([]string{"-f", "--file", "--profile", "--env-file", "--format", "--output"}, f.typed) {
				spec = "*" + spec
			}
			fmt.Fprintf(w, " \\\n\t\t\t'%s'", spec)
		}
		switch {
		case len(c.words) > 0:
			fmt.Fprintf(w, " \\\n\t\t\t'*:argument:(%s)'", strings.Join(c.words, " "))
		case c.files:
			fmt.Fprintf(w, " \\\n\t\t\t'*:file:_files'")
		}
		fmt.Fprintf(w, "\n\t\t;;\n")
	}
	fmt.Fprintf(w, "\tesac\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n\t_ports \"$@\"\nelse\n\tcompdef _ports ports\nfi\n")
}

// zshQuote makes s safe inside a single-quoted _arguments spec.
func zshQuote(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("[]'\\:", r) {
			return -1
		}
		return r
	}, s)
}

// writeFish writes the fish script.
func writeFish(w io.Writer, cmds []compCommand) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, "# fish completion for ports; put it in ~/.config/fish/completions/ports.fish\ncomplete -c ports -f\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c ports -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", strings.Join(names, " "), c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := fmt.Sprintf("-n '__fish_seen_subcommand_from %s'", c.name)
		switch {
		case len(c.words) > 0:
			fmt.Fprintf(w, "complete -c ports %s -a %s\n", cond, fishQuote(strings.Join(c.words, " ")))
		case c.files:
			fmt.Fprintf(w, "complete -c ports %s -F\n", cond)
		}
		for _, f := range c.flags {
			opt := "-l " + strings.TrimPrefix(f.typed, "--")
			if !strings.HasPrefix(f.typed, "--") {
				opt = "-s " + strings.TrimPrefix(f.typed, "-")
			}
			if f.value != "" {
				file, dir := f.fileValue()
				switch {
				case len(f.choices) > 0:
					opt += " -x -a " + fishQuote(strings.Join(f.choices, " "))
				case file:
					opt += " -r -F"
				case dir:
					opt += " -x -a '(__fish_complete_directories)'"
				default:
					opt += " -x"
				}
			}
			fmt.Fprintf(w, "complete -c ports %s %s -d %s\n", cond, opt, fishQuote(f.desc))
		}
	}
}

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
