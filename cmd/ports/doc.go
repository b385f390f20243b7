package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

func docCommand() command {
	c := command{
		name:    "doc",
		summary: "write a Markdown port reference of compose files, manifests and registries",
		usage:   "[--title T] [-o FILE | --check FILE.md] [flags] [FILE | DIR | -]...",
	}
	c.run = func(a *app, args []string) int { return runDoc(a, c, args) }
	return c
}

// docHelp is the help of ports doc, after its usage line.
const docHelp = `Writes, as Markdown, the port reference that teams otherwise keep by hand:
a table per group, the firewall view, the collisions left and resolved, and
the security findings. Inputs are read as "ports check" reads them. See
'ports help reference' for groups and rows.

Examples:
  ports doc compose.yaml ports.yaml > PORTS.md
  ports doc --check PORTS.md compose.yaml ports.yaml

Exit status: 0 on success, 1 when --check finds the file not what doc
writes now, 2 on bad input or usage.`

// runDoc runs ports doc with args.
func runDoc(a *app, c command, args []string) int {
	fs := a.flagSet(c, docHelp)
	title := fs.String("title", "", "the document's `title` (default: \"Port reference\" and the project names)")
	out := fs.String("o", "", "write to this `file` instead of standard output (- for standard output); never one of the files read")
	against := fs.String("check", "", "compare the committed reference `FILE.md` with what doc writes now: exit 1 and print a unified diff when they differ")
	lf := addLoadFlags(fs)
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if *against != "" && *out != "" {
		return a.fail("doc: give -o to write the reference or --check to compare it, not both")
	}
	if *out == "-" {
		*out = ""
	}
	if *out != "" {
		if o, err := os.Stat(*out); err == nil {
			for _, in := range fs.Args() {
				if i, err := os.Stat(in); err == nil && os.SameFile(o, i) {
					return a.fail("doc: -o %q is %s, one of the files read; write the reference elsewhere", *out, in)
				}
			}
		}
	}
	in := a.load(lf, fs.Args())
	if err := in.err(); err != nil {
		return a.fail("doc: %v", err)
	}
	decls := in.decls
	manifest.ResolveTargetNames(decls) // named targetPorts as numbers where the pods say
	limits, err := a.limitsFor("")
	if err != nil {
		return a.fail("doc: %v", err)
	}
	res, err := check.Run(decls, check.Options{Limits: limits})
	if err != nil {
		return a.fail("doc: %v", err)
	}
	rep := reportOf(res, fs.Args())
	if *against != "" {
		var b bytes.Buffer
		writeReference(&b, *title, fs.Args(), decls, rep)
		return a.docCheck(*against, b.Bytes(), args)
	}
	if *out == "" {
		writeReference(a.stdout, *title, fs.Args(), decls, rep)
		return exitOK // main checks standard output
	}
	f, err := os.Create(*out)
	if err != nil {
		return a.fail("doc: %v", err)
	}
	w := &errWriter{w: f}
	writeReference(w, *title, fs.Args(), decls, rep)
	if err := cmp.Or(w.err, f.Close()); err != nil {
		return a.fail("doc: writing %s: %v", *out, err)
	}
	return exitOK
}

// row is one line of the reference: a port of a service, from one or more
// files.
type row struct {
	project, service string
	internal         string // container or target port
	external         string // host port, or "-"
	proto            ports.Protocol
	exposure         manifest.Exposure
	description      string
	group            string
	sources          []string
	scope            manifest.Scope
	registered       bool        // whether a registry entry described the row
	extPorts         ports.Range // the external ports, if fixed
	targetRange      ports.Range // the container ports, if known by number
}

// rows merges decls into rows: one per owner, scope, protocol and ports.
// Registry entries win for description, group and exposure, being the
// files written to describe.
func rows(decls []manifest.Declaration) []row {
	type key struct {
		owner    string
		scope    manifest.Scope
		proto    ports.Protocol
		ext, tgt string
	}
	// A container port that a Kubernetes Service forwards to (the Service
	// selects its pods, and targets its number or name) is said by the
	// Service's row; its description, if longer, goes there too.
	forwards := func(svc, c manifest.Declaration) bool {
		return svc.Protocol == c.Protocol && svc.Selects(c) &&
			(svc.Target.IsValid() && svc.Target == c.Endpoint.Range() || svc.TargetName != "" && svc.TargetName == c.Name)
	}
	// The Service ports among decls, by what a container port must match
	// to be forwarded to: the namespace, the protocol, and the target's
	// number or name.
	type target struct {
		project string
		proto   ports.Protocol
		ports   ports.Range
		name    string
	}
	services := make(map[target][]int)
	for j, d := range decls {
		if d.Kind != manifest.KindService {
			continue
		}
		if d.Target.IsValid() {
			k := target{project: d.Project, proto: d.Protocol, ports: d.Target}
			services[k] = append(services[k], j)
		}
		if d.TargetName != "" {
			k := target{project: d.Project, proto: d.Protocol, name: d.TargetName}
			services[k] = append(services[k], j)
		}
	}
	hidden := make(map[int]bool)      // container ports said by a Service's row
	described := make(map[int]string) // a Service port -> its container ports' longest description
	for i, c := range decls {
		if c.Kind != manifest.KindContainerPort || !c.Endpoint.IsValid() {
			continue
		}
		byPorts := services[target{project: c.Project, proto: c.Protocol, ports: c.Endpoint.Range()}]
		var byName []int
		if c.Name != "" {
			byName = services[target{project: c.Project, proto: c.Protocol, name: c.Name}]
		}
		for _, j := range append(byPorts[:len(byPorts):len(byPorts)], byName...) {
			if svc := decls[j]; forwards(svc, c) {
				hidden[i] = true
				if len(c.Description) > len(described[j]) {
					described[j] = c.Description
				}
			}
		}
	}

	index := make(map[key]int)
	var out []row
	for di, d := range decls {
		if hidden[di] {
			continue
		}
		ext, tgt := "-", "-"
		if d.Endpoint.IsValid() && (d.IsPublished() || d.Kind == manifest.KindService) {
			ext = strings.TrimSuffix(d.Endpoint.String(), "/"+d.Protocol.String())
		} else if d.Ephemeral {
			ext = "(any)"
		}
		switch {
		case d.Target.IsValid():
			tgt = d.Target.String()
		case d.TargetName != "":
			tgt = d.TargetName
		case d.Endpoint.IsValid():
			tgt = d.Endpoint.Range().String()
		}
		k := key{d.Owner(), d.Scope, d.Protocol, ext, tgt}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, row{project: d.Project, service: d.Service, internal: tgt, external: ext, proto: d.Protocol, scope: d.Scope, targetRange: d.Target})
			if ext != "-" && d.Endpoint.IsValid() {
				out[len(out)-1].extPorts = d.Endpoint.Range()
			}
		}
		r := &out[i]
		r.sources = append(r.sources, d.Pos.String())
		reg := d.Kind == manifest.KindRegistry
		switch {
		case d.Description == "" || d.Description == r.description:
		case reg && r.registered:
			// Two registry entries of one port, one per purpose.
			r.description += "; " + d.Description
		case reg || r.description == "":
			r.description = d.Description
		}
		r.registered = r.registered || reg && d.Description != ""
		if c := described[di]; len(c) > len(r.description) {
			r.description = c
		}
		if d.Group != "" && (r.group == "" || reg) {
			r.group = d.Group
		}
		if d.Exposure != 0 && (r.exposure == 0 || reg) {
			r.exposure = d.Exposure
		}
	}
	for i := range out {
		if out[i].group == "" {
			out[i].group = defaultGroup(out[i])
		}
	}
	return out
}

// protocolColumn is what the Protocol column says of each row: the
// protocols of every row that is the same but for its protocol ("UDP/TCP"
// for a SIP port) at the first of them, and "" at the others, which it
// already says.
func protocolColumn(rs []row) []string {
	type same struct {
		project, service, internal, external, description, group string
		exposure                                                 manifest.Exposure
		scope                                                    manifest.Scope
	}
	first := make(map[same]int, len(rs))
	out := make([]string, len(rs))
	for i, r := range rs {
		k := same{r.project, r.service, r.internal, r.external, r.description, r.group, r.exposure, r.scope}
		j, ok := first[k]
		if !ok {
			first[k] = i
			out[i] = strings.ToUpper(r.proto.String())
			continue
		}
		out[j] += "/" + strings.ToUpper(r.proto.String())
	}
	return out
}

// defaultGroup names the group of a row that no file groups: the category
// of the software the de-facto table knows at its port, or "Services".
func defaultGroup(r row) string {
	port := r.internal
	if port == "-" {
		port = r.external
	}
	rng, err := ports.ParseRange(port)
	if err != nil {
		return "Services"
	}
	if s, ok := check.Identify(manifest.Declaration{Service: r.service, Protocol: r.proto, Target: rng}); ok {
		return categoryTitle(s.Category())
	}
	return "Services"
}

func categoryTitle(c wellknown.Category) string {
	switch c {
	case wellknown.Database:
		return "Databases"
	case wellknown.Cache:
		return "Caches"
	case wellknown.MessageBroker:
		return "Message brokers"
	case wellknown.Observability:
		return "Observability"
	case wellknown.WebServer:
		return "Web servers"
	case wellknown.AdminUI:
		return "Administration"
	case wellknown.Infrastructure:
		return "Infrastructure"
	case wellknown.Media:
		return "Media"
	}
	return "Services"
}

func writeReference(w io.Writer, title string, files []string, decls []manifest.Declaration, rep checkReport) {
	rs := rows(decls)
	var projects []string
	for _, r := range rs {
		if r.project != "" && !slices.Contains(projects, r.project) {
			projects = append(projects, r.project)
		}
	}
	if title == "" {
		title = "Port reference"
		if len(projects) > 0 {
			title += ": " + strings.Join(projects, ", ")
		}
	}
	fmt.Fprintf(w, "# %s\n\n", mdEscape(title))
	fmt.Fprintf(w, "Generated by `ports doc` from %s. Do not edit by hand: change the files and run it again.\n\n", codeList(files))

	// Tables by group, in the order groups first appear.
	var groups []string
	for _, r := range rs {
		if !slices.Contains(groups, r.group) {
			groups = append(groups, r.group)
		}
	}
	protos := protocolColumn(rs)
	for _, g := range groups {
		fmt.Fprintf(w, "## %s\n\n", mdEscape(g))
		fmt.Fprintln(w, "| Service | Internal port | External port | Protocol | Exposure | Description |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for i, r := range rs {
			if r.group != g || protos[i] == "" {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", mdEscape(serviceName(r)), mdEscape(r.internal), mdEscape(r.external),
				protos[i], exposureWord(r.exposure), mdEscape(r.description))
		}
		fmt.Fprintln(w)
	}

	writeFirewall(w, rs)
	writeConflicts(w, rs, rep)

	if len(rep.Security)+len(rep.Warnings) > 0 {
		fmt.Fprintln(w, "## Security and warnings")
		fmt.Fprintln(w)
		for _, f := range rep.Security {
			fmt.Fprintf(w, "- **%s** %s (%s): %s. Fix: %s.\n", mdEscape(f.Service), mdCode(f.Endpoint), f.Code, mdEscape(f.Message), mdEscape(f.Fix))
		}
		for _, f := range rep.Warnings {
			fmt.Fprintf(w, "- %s %s (%s): %s.\n", mdEscape(f.Service), mdCode(f.Endpoint), f.Code, mdEscape(f.Message))
		}
		fmt.Fprintln(w)
	}
}

func writeFirewall(w io.Writer, rs []row) {
	fmt.Fprintln(w, "## Firewall view")
	fmt.Fprintln(w)
	zones := []struct {
		e     manifest.Exposure
		title string
	}{
		{manifest.Public, "Public (open to clients outside the host or cluster)"},
		{manifest.Internal, "Internal network only"},
		{manifest.Localhost, "Localhost only"},
		{0, "Exposure not declared"},
	}
	// In port order; ports the runtime picks ("(any)") first.
	byPort := slices.Clone(rs)
	slices.SortStableFunc(byPort, func(a, b row) int { return a.extPorts.Lo().Compare(b.extPorts.Lo()) })
	for _, z := range zones {
		var items []string
		for _, r := range byPort {
			if r.exposure == z.e && r.external != "-" {
				items = append(items, mdEscape(fmt.Sprintf("%s/%s (%s)", r.external, r.proto, serviceName(r))))
			}
		}
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(w, "- **%s**: %s\n", z.title, strings.Join(items, ", "))
	}
	fmt.Fprintln(w)
}

func writeConflicts(w io.Writer, rs []row, rep checkReport) {
	fmt.Fprintln(w, "## Conflicts")
	fmt.Fprintln(w)
	if len(rep.Collisions) == 0 {
		fmt.Fprintln(w, "No two services bind the same port.")
	}
	for _, c := range rep.Collisions {
		var who []string
		suggestion := ""
		for _, m := range c.Members {
			if !slices.Contains(who, m.Service) {
				who = append(who, m.Service)
			}
			if m.Suggestion != "" && suggestion == "" {
				suggestion = fmt.Sprintf(" Suggested: move %s to %s.", m.Service, m.Suggestion)
			}
		}
		if c.Reason != "" {
			fmt.Fprintf(w, "- **Unresolved**: %s/%s: %s (%s scope).%s\n", c.Ports, c.Protocol, mdEscape(c.Reason), mdEscape(c.Scope), mdEscape(suggestion))
			continue
		}
		fmt.Fprintf(w, "- **Unresolved**: %s/%s is bound by %s (%s scope).%s\n", c.Ports, c.Protocol, mdEscape(strings.Join(who, " and ")), mdEscape(c.Scope), mdEscape(suggestion))
	}
	// A resolution: a service whose container port is another service's
	// host port, published on a host port of its own instead. The host
	// rows are indexed by protocol and port (ranges wider than a block of
	// 64 ports by block), so that each row asks only the rows on its
	// target's ports.
	host := manifest.HostScope()
	type slot struct {
		proto ports.Protocol
		block int
	}
	byBlock := make(map[slot][]int)
	for i, o := range rs {
		if o.scope != host || !o.extPorts.IsValid() {
			continue
		}
		for b := int(o.extPorts.Lo()) >> 6; b <= int(o.extPorts.Hi())>>6; b++ {
			byBlock[slot{o.proto, b}] = append(byBlock[slot{o.proto, b}], i)
		}
	}
	for _, r := range rs {
		if r.scope != host || !r.extPorts.IsValid() || !r.targetRange.IsValid() || r.extPorts == r.targetRange {
			continue
		}
		first := -1
		for b := int(r.targetRange.Lo()) >> 6; b <= int(r.targetRange.Hi())>>6; b++ {
			for _, i := range byBlock[slot{r.proto, b}] {
				if (first < 0 || i < first) && rs[i].extPorts.Overlaps(r.targetRange) && serviceName(rs[i]) != serviceName(r) {
					first = i
				}
			}
		}
		if first >= 0 {
			fmt.Fprintf(w, "- **Resolved**: %s listens on %s/%s in its container, which %s publishes on the host; it is published on %s instead.\n",
				mdEscape(serviceName(r)), mdEscape(r.internal), r.proto, mdEscape(serviceName(rs[first])), mdEscape(r.external))
		}
	}
	fmt.Fprintln(w)
}

func serviceName(r row) string {
	if r.project == "" {
		return r.service
	}
	return r.project + "/" + r.service
}

func exposureWord(e manifest.Exposure) string {
	if e == 0 {
		return "-"
	}
	return e.String()
}

func codeList(files []string) string {
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = mdCode(f)
	}
	return strings.Join(q, ", ")
}

// mdEscape makes s plain text in Markdown, in a table cell, a heading or
// a list item: control characters are escaped as in Go (so that a newline
// cannot start a heading of its own), and every character that Markdown
// reads as markup inside a line (emphasis, code, links, HTML, table cells,
// strike-through, entities) is preceded by a backslash.
func mdEscape(s string) string {
	s = safe(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode returns s as a Markdown code span, with its control characters
// escaped and fences long enough for the backticks it holds.
func mdCode(s string) string {
	s = safe(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
