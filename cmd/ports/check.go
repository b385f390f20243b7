package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
	"github.com/portalloc/ports/wellknown"
)

func checkCommand() command {
	c := command{
		name:    "check",
		summary: "find collisions and security findings in compose files and manifests",
		usage:   "[--format text|json] [--env] [--profile P]... [--nodeport-range R] [--os OS] FILE...",
	}
	c.run = func(a *app, args []string) int {
		fs := a.flagSet(c, `
Reads docker compose files, Kubernetes manifests and port registry files
(ports.yaml), and reports:

  collisions  two or more services that bind overlapping ports on the same
              protocol and overlapping addresses in one network namespace
              (the host, a pod, a Service's cluster IP, a container), or one
              service that binds them twice (two mappings of a compose
              service to one host port, two containers of a pod on one
              port, a fixed host port in a compose service of more than one
              replica), each member named by file, line and service, with
              the nearest free alternative for every member that clashes
              with one declared before it;
  warnings    host ports in this machine's ephemeral range, ports browsers
              refuse, privileged ports, pools that may take another
              service's port if they start before it;
  security    database, cache, broker and admin ports published on every
              interface; ports that a compose file or manifest publishes
              wider than the registry says (internal or localhost-only on
              every interface, localhost-only on a private address);
              NodePorts outside the cluster's NodePort range.

Compose files interpolate variables from the .env file beside them, as
Docker Compose does (and from the process environment too, with --env). An
override file given after its compose file (compose.override.yaml after
compose.yaml, docker-compose.override.yml after docker-compose.yml) is
merged into it, as Docker Compose merges them; every other file is read on
its own.
All files are taken to run together on one host. A compose file and the
registry that describes it may be checked together: a port that both declare
for one service is one holder, not a collision. A range of host ports mapped
to one container port ("9000-9005:80") is a pool, as Docker takes it: each
container of the service (scale, deploy.replicas) binds one port of the
range, and a pool collides only when the pools cannot all get ports apart
from every other declaration (for pools on addresses that overlap in part,
as 127.0.0.1 and every address, the choices are searched up to 100,000
ports tried, so that only a larger case may be reported where some choice
of ports would fit). Docker gives each container the first free port of
its range when it starts, so a pool whose range holds another service's
port below the highest port the pool gets may take that port if it starts
first: a warning, unless the pool's service depends on that one
(depends_on, links, volumes_from, directly or through others), which
docker compose up then starts first. A restart by the Docker daemon follows
no such order. Pools whose ranges overlap each other's may still
collide in some start orders; those are not reported. A service scaled to
0 binds nothing.

Exit status: 0 when no collision is found, 1 when one is, 2 on bad input.`)
		format := fs.String("format", "text", "output `format`: text or json")
		lf := addLoadFlags(fs)
		nodePorts := fs.String("nodeport-range", wellknown.NodePortRange().String(), "the cluster's NodePort `range`")
		rootless := fs.Bool("rootless", false, "containers are run by rootless Docker or Podman, which cannot bind privileged ports")
		goos := fs.String("os", "", "judge ephemeral and privileged ports by the documented defaults of this `OS` (linux, darwin, freebsd, windows) instead of reading this host")
		if code := a.parseFlags(fs, args); code >= 0 {
			return code
		}
		if *format != "text" && *format != "json" {
			return a.fail("check: --format %q: want text or json", *format)
		}
		if fs.NArg() == 0 {
			return a.fail("check: name at least one file, as in: ports check docker-compose.yml")
		}
		npr, err := ports.ParseRange(*nodePorts)
		if err != nil {
			return a.fail("check: --nodeport-range %s", plain(err))
		}
		limits, err := a.limitsFor(*goos)
		if err != nil {
			return a.fail("check: --os: %v", err)
		}
		in := a.load(lf, fs.Args())
		if err := in.err(); err != nil {
			return a.fail("check: %v", err)
		}
		decls := in.decls
		res, err := check.Run(decls, check.Options{Limits: limits, NodePortRange: npr, Rootless: *rootless})
		if err != nil {
			return a.fail("check: %v", err)
		}
		rep := reportOf(res, fs.Args())
		if *format == "json" {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return a.fail("check: %v", err)
			}
		} else {
			a.printCheck(rep)
		}
		if res.Failed() {
			return exitFindings
		}
		return exitOK
	}
	return c
}

// limitsFor returns the documented defaults of goos, or this host's limits
// when goos is empty.
func (a *app) limitsFor(goos string) (hostports.Limits, error) {
	if goos == "" {
		l, err := a.hostLimits()
		if err != nil && l.GOOS == "" {
			return l, err
		}
		return l, nil
	}
	l, ok := hostports.Defaults(goos)
	if !ok {
		return l, fmt.Errorf("%q: no documented defaults for that OS; want linux, darwin, freebsd or windows", goos)
	}
	return l, nil
}

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
				cm := checkMember{Source: m.Declaration.Source.String(), Service: m.Declaration.Owner(), Endpoint: m.Endpoint.String(), Kind: m.Declaration.Kind.String()}
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
		cf := checkFinding{Code: f.Rule, Severity: f.Severity.String(), Source: d.Source.String(), Service: d.Owner(), Endpoint: endpointText(d), Message: f.Message, Fix: f.Fix}
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

// endpointText is how a finding shows the port of d: its endpoint, or for
// a port the runtime picks, "random->" and the port it forwards to.
func endpointText(d manifest.Declaration) string {
	if d.Ephemeral {
		t := "?"
		if d.Target.IsValid() {
			t = d.Target.String()
		}
		return "random->" + t + "/" + d.Protocol.String()
	}
	return d.Endpoint.String()
}

func (a *app) printCheck(rep checkReport) {
	w := a.stdout
	for _, c := range rep.Collisions {
		fmt.Fprintf(w, "%s %s/%s in %s scope\n", a.paint(styleRed+styleBold, "collision"), c.Ports, c.Protocol, safe(c.Scope))
		if c.Reason != "" {
			fmt.Fprintf(w, "  %s\n", safe(c.Reason))
		}
		for _, m := range summarise(c.Members) {
			if m.Pool != "" && m.Pool != m.Endpoint {
				fmt.Fprintf(w, "  %s: %s %s (%s, %s of the pool %s)\n", safe(m.Source), safe(m.Service), m.Endpoint, m.Kind, portsWord(m.Endpoint), m.Pool)
			} else {
				fmt.Fprintf(w, "  %s: %s %s (%s)\n", safe(m.Source), safe(m.Service), m.Endpoint, m.Kind)
			}
			if m.Suggestion != "" {
				fmt.Fprintf(w, "    %s move %s to %s, the nearest free alternative\n", a.paint(styleGreen, "suggestion:"), safe(m.Service), m.Suggestion)
			}
		}
	}
	for _, f := range rep.Errors {
		a.printFinding("error", styleRed, f)
	}
	for _, f := range rep.Security {
		a.printFinding("security", styleRed, f)
	}
	for _, f := range rep.Warnings {
		a.printFinding("warning", styleYellow, f)
	}
	errs := ""
	if n := len(rep.Errors); n > 0 {
		errs = fmt.Sprintf("%d %s, ", n, plural(n, "error", "errors"))
	}
	fmt.Fprintf(w, "%d %s, %s%d security %s, %d %s in %d declarations from %d %s\n",
		len(rep.Collisions), plural(len(rep.Collisions), "collision", "collisions"), errs,
		len(rep.Security), plural(len(rep.Security), "finding", "findings"),
		len(rep.Warnings), plural(len(rep.Warnings), "warning", "warnings"),
		rep.Declarations, len(rep.Files), plural(len(rep.Files), "file", "files"))
}

// portsWord says "a port" or "ports" for an endpoint's text.
func portsWord(e string) string {
	if strings.Contains(strings.SplitN(e, "/", 2)[0], "-") {
		return "ports"
	}
	return "a port"
}

// summarise merges the members of a collision that are the ports one pool
// takes (one line for each replica otherwise) into one member whose
// endpoint is their ports as ranges, so that a pool of 40 is one line.
func summarise(ms []checkMember) []checkMember {
	type key struct{ source, service, pool, kind string }
	var out []checkMember
	at := map[key]int{}
	var sets []ports.RangeSetBuilder
	var protos []string
	var addrs []string
	for _, m := range ms {
		if m.Pool == "" || m.Suggestion != "" {
			out = append(out, m)
			sets, protos, addrs = append(sets, ports.RangeSetBuilder{}), append(protos, ""), append(addrs, "")
			continue
		}
		e, err := ports.ParseEndpoint(m.Endpoint)
		if err != nil {
			out = append(out, m)
			sets, protos, addrs = append(sets, ports.RangeSetBuilder{}), append(protos, ""), append(addrs, "")
			continue
		}
		k := key{m.Source, m.Service, m.Pool, m.Kind}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, m)
			sets = append(sets, ports.RangeSetBuilder{})
			protos = append(protos, e.Protocol().String())
			addr := ""
			if e.Addr().IsValid() {
				addr = e.Addr().String()
				if e.Addr().Is6() {
					addr = "[" + addr + "]"
				}
				addr += ":"
			}
			addrs = append(addrs, addr)
		}
		sets[i].Add(e.Range())
	}
	for i := range out {
		if protos[i] == "" {
			continue
		}
		rs := sets[i].RangeSet()
		if rs.NumRanges() == 1 && rs.Len() == 1 {
			continue
		}
		out[i].Endpoint = addrs[i] + rs.String() + "/" + protos[i]
	}
	return out
}

func (a *app) printFinding(label, style string, f checkFinding) {
	fmt.Fprintf(a.stdout, "%s %s: %s %s [%s]: %s\n", a.paint(style, label), safe(f.Source), safe(f.Service), f.Endpoint, f.Code, safe(f.Message))
	if f.Fix != "" {
		fmt.Fprintf(a.stdout, "  fix: %s\n", safe(f.Fix))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
