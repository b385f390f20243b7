package main

import (
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/portalloc/ports/claims"
	"github.com/portalloc/ports/portscheme"
)

func schemeCommand() command {
	c := command{
		name:    "scheme",
		summary: "print the ten-slot port scheme, or a pod's environment",
		usage:   "[--file SCHEME.json] [--lang LANG [--kind KIND [--env INDEX]]]",
	}
	c.run = func(a *app, args []string) int { return runScheme(a, c, args) }
	return c
}

// schemeHelp is the help of ports scheme, after its usage line.
const schemeHelp = `Prints the port scheme: the roles of the slots of every pod, the language
ranges with their component kinds and capacities, and the infrastructure
services. The default is the ten-slot scheme (slot 0 coordinator gRPC,
1 REST proxy, 2 coordinator debug, 3 client logic, 4 client debug, 5-8
reserved, 9 control UI); --file reads a scheme in the JSON form of package
portscheme instead.

With --lang, prints every pod of that language and its ports; --kind keeps
one component kind. With --env INDEX, prints the PORT, REST_PORT, DEBUG_PORT
and TARGET_PORT lines that pod INDEX of --lang and --kind is started with.

Examples:
  ports scheme
  ports scheme --lang go --kind saga
  ports scheme --lang go --kind saga --env 0

Exit status: 0 on success, 2 on bad input or usage.`

// runScheme runs ports scheme with args.
func runScheme(a *app, c command, args []string) int {
	fs := a.flagSet(c, schemeHelp)
	file := fs.String("file", "", "read the scheme from this JSON `file` instead of the default")
	lang := fs.String("lang", "", "print the pods of this `language` (rust, go, python, java, csharp, cpp)")
	kind := fs.String("kind", "", "with --lang: only this component `kind` (aggregate, saga, projector)")
	env := fs.String("env", "", "with --lang and --kind: print the environment of pod `index`")
	worktree := fs.Bool("worktree", false, "with --env: the pod's layout shifted to a block of ports claimed for the current git worktree, so that each checkout runs the pod on ports of its own")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return a.fail("scheme: unexpected argument %q", fs.Arg(0))
	}
	s := portscheme.Default()
	if *file != "" {
		data, err := os.ReadFile(*file)
		if err != nil {
			return a.fail("scheme: %v", err)
		}
		if s, err = portscheme.ParseJSON(data); err != nil {
			return a.fail("scheme: %s: %v", *file, err)
		}
	}
	switch {
	case *env != "":
		if *lang == "" || *kind == "" {
			return a.fail("scheme: --env needs --lang and --kind")
		}
		index, err := strconv.Atoi(*env)
		if err != nil || index < 0 {
			return a.fail("scheme: --env %q: want a pod index, 0 or more", *env)
		}
		return a.schemeEnv(s, portscheme.Pod{Language: portscheme.Language(*lang), Component: portscheme.Component(*kind), Index: index}, *worktree)
	case *kind != "" && *lang == "":
		return a.fail("scheme: --kind needs --lang")
	case *lang != "":
		return a.schemePods(s, portscheme.Language(*lang), portscheme.Component(*kind))
	}
	a.schemeTables(s)
	return exitOK
}

func (a *app) schemeTables(s portscheme.Scheme) {
	spec := s.Spec()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n", a.paint(styleBold, fmt.Sprintf("Slots (%d per pod)", spec.Slots)))
	fmt.Fprintln(tw, "SLOT\tROLE\tPURPOSE\tEXPOSED\tVARIABLE")
	for slot := range spec.Slots {
		r, ok := s.Role(portscheme.Slot(slot))
		if !ok {
			fmt.Fprintf(tw, "%d\t(reserved)\t-\t-\t-\n", slot) // every cell, or the columns below break
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", slot, r.Name, r.Purpose, r.ServicePolicy, dash(r.Env))
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "%s\n", a.paint(styleBold, "Languages"))
	fmt.Fprintln(tw, "LANGUAGE\tRANGE\tKIND\tPORTS\tPODS")
	for _, l := range spec.Languages {
		if len(l.Components) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\n", l.Title, l.Range) // every cell, or the columns break
		}
		for i, k := range l.Components {
			name, rng := "", ""
			if i == 0 {
				name, rng = l.Title, l.Range.String()
			}
			capacity, _ := s.Capacity(l.Name, k.Name)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", name, rng, k.Name, k.Range, capacity)
		}
	}
	if len(spec.InfraPorts) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintf(tw, "%s\n", a.paint(styleBold, "Infrastructure services"))
		fmt.Fprintln(tw, "SERVICE\tPORT\tNODEPORT\tDESCRIPTION")
		for _, sv := range spec.InfraPorts {
			np := "-"
			if sv.NodePort != 0 {
				np = sv.NodePort.String()
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", sv.Name, sv.Port, np, sv.Description)
		}
	}
	tw.Flush()
}

func (a *app) schemePods(s portscheme.Scheme, lang portscheme.Language, kind portscheme.Component) int {
	l, ok := s.Language(lang)
	if !ok {
		return a.fail("scheme: --lang %q: the scheme has no such language", lang)
	}
	if kind != "" {
		if _, ok := s.Capacity(lang, kind); !ok {
			return a.fail("scheme: --kind %q: language %s has no such kind", kind, lang)
		}
	}
	spec := s.Spec()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	header := "POD\tPORTS"
	var slots []portscheme.Slot
	for slot := range spec.Slots {
		if r, ok := s.Role(portscheme.Slot(slot)); ok {
			slots = append(slots, portscheme.Slot(slot))
			header += "\t" + r.Name
		}
	}
	fmt.Fprintf(tw, "%s\n", a.paint(styleBold, fmt.Sprintf("%s %s", l.Title, l.Range)))
	fmt.Fprintln(tw, header)
	for pod, rng := range s.Pods(lang) {
		if kind != "" && pod.Component != kind {
			continue
		}
		line := pod.String() + "\t" + rng.String()
		for _, slot := range slots {
			p, _ := s.Port(pod.Language, pod.Component, pod.Index, slot)
			line += "\t" + p.String()
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	return exitOK
}

func (a *app) schemeEnv(s portscheme.Scheme, pod portscheme.Pod, worktree bool) int {
	vars, err := a.podEnv(s, pod, worktree)
	if err != nil {
		return a.fail("scheme: --env %d: %v", pod.Index, err)
	}
	for _, v := range vars {
		fmt.Fprintln(a.stdout, v.Name+"="+strconv.Itoa(int(v.Port)))
	}
	return exitOK
}

// podEnv returns the variables pod is started with: the scheme's, or, for
// a worktree, the same layout shifted to the block of ports claimed as
// "pod:LANG/KIND/INDEX" in the current git worktree, which every later
// call in that checkout gets again.
func (a *app) podEnv(s portscheme.Scheme, pod portscheme.Pod, worktree bool) ([]portscheme.EnvVar, error) {
	vars, err := s.Env(pod)
	if err != nil || !worktree {
		return vars, err
	}
	block, err := s.PodRange(pod)
	if err != nil {
		return nil, err
	}
	st, err := claims.Open(a.claimsDir)
	if err != nil {
		return nil, err
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	wt, err := claims.Worktree(dir)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("pod:%s/%s/%d", pod.Language, pod.Component, pod.Index)
	cl, err := st.Claim(claims.Request{Name: name, N: block.Len(), Worktree: wt})
	if err != nil {
		return nil, err
	}
	for i := range vars {
		vars[i].Port = cl.Ports.Lo() + (vars[i].Port - block.Lo())
	}
	return vars, nil
}
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
