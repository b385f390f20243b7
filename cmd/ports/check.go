package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/wellknown"
)

func checkCommand() command {
	c := command{
		name:    "check",
		summary: "find collisions and security findings in compose files and manifests",
		usage:   "[flags] [FILE | DIR | -]...",
	}
	c.run = func(a *app, args []string) int { return runCheck(a, c, args) }
	return c
}

// checkHelp is the help of ports check, after its usage line.
const checkHelp = `Checks docker compose files, Kubernetes manifests and port registries
(ports.yaml) for ports that collide, configurations Docker or Kubernetes
refuse, ports published wider than they should be, and ports that fail on
another host. Every finding comes from a rule with a severity, which a
.ports-check.yaml file can change ("ports help check-config"); "ports help
collisions" says how collisions are judged, "ports help suppressions" how
a finding is suppressed, "ports help inputs" what is read, and "ports help
fix" what --fix writes.

Examples:
  ports check compose.yaml ports.yaml
  ports check -f compose.yaml -f compose.prod.yaml k8s/
  ports check --format sarif --output ports.sarif --format github compose.yaml
  ports check --list-rules
  ports check --fix compose.yaml    # writes compose.ports-fix.yaml, ports-fix.env

Exit status: 0 when no finding of severity error remains, 1 when one does,
2 on bad input (even when the other inputs were checked) or usage.`

// runCheck runs ports check with args.
func runCheck(a *app, c command, args []string) int {
	fs := a.flagSet(c, checkHelp)
	var outs outputs
	fs.Var(formatFlag{&outs}, "format", "write the report in this `format`: "+strings.Join(reportFormats, ", ")+" (repeatable, each with its own --output; default text)")
	fs.Var(outputFlag{&outs}, "output", "write the report of the --format before it to this `file` instead of standard output")
	lf := addLoadFlags(fs)
	nodePorts := fs.String("nodeport-range", wellknown.NodePortRange().String(), "the cluster's NodePort `range`")
	rootless := fs.Bool("rootless", false, "containers are run by rootless Docker or Podman, which cannot bind privileged ports (default: as found on this host; --rootless=false says they are not)")
	live := fs.Bool("live", false, "check the host ports against this host's sockets now: a held port is an error naming its holder (a preflight before docker compose up)")
	goos := fs.String("os", "", "judge ephemeral and privileged ports by the documented defaults of this `OS` (linux, darwin, freebsd, windows) instead of reading this host")
	configFile := fs.String("config", "", "read the configuration from this `file` (default: "+check.ConfigFile+" in this directory or above it, up to the repository's root)")
	listRules := fs.Bool("list-rules", false, "print the rules, their categories and severities, and exit")
	fix := fs.Bool("fix", false, "write the suggested moves beside each compose project: to "+fixEnvFile+" where the port is a variable, else to "+fixOverrideFile+"; a file that exists is never overwritten")
	showSuppressed := fs.Bool("show-suppressed", false, "list the findings that suppressions remove (# ports:ignore comments, ports.portalloc.io/ignore annotations, a registry's accepted conflicts; the text report counts them either way)")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg, cfgDir, err := a.checkConfig(*configFile)
	if err != nil {
		return a.fail("check: %v", err)
	}
	if *listRules {
		if fs.NArg() > 0 {
			return a.fail("check: --list-rules takes no file")
		}
		a.listRules(cfg)
		return exitOK
	}
	npr := cfg.NodePortRange
	if set["nodeport-range"] || !npr.IsValid() {
		if npr, err = ports.ParseRange(*nodePorts); err != nil {
			return a.fail("check: --nodeport-range %s", plain(err))
		}
	}
	if !set["os"] && cfg.OS != "" {
		*goos = cfg.OS
	}
	if !set["rootless"] && cfg.RootlessSet {
		*rootless = cfg.Rootless
	}
	limits, err := a.limitsFor(*goos)
	if err != nil {
		return a.fail("check: --os: %v", err)
	}
	if !set["rootless"] && !cfg.RootlessSet && *goos == "" {
		*rootless = a.rootlessHere(limits)
	}
	files := fs.Args()
	if cfgDir != "" {
		files = slices.DeleteFunc(slices.Clone(files), func(f string) bool { return skipped(cfg, cfgDir, f) })
		if len(files) == 0 {
			return a.fail("check: every file named is skipped by the configuration's skip list")
		}
	}
	list, err := outs.resolve(files)
	if err != nil {
		return a.fail("check: %v", err)
	}
	// An input that fails to load is reported, and every other one is
	// still checked; the run then exits 2.
	in := a.load(lf, files)
	for _, err := range in.errs {
		fmt.Fprintf(a.stderr, "ports: check: %s\n", safe(plain(err)))
	}
	if len(in.errs) > 0 && len(in.inputs) == 0 && len(in.decls) == 0 && len(files) == 0 {
		return exitUsage
	}
	opts := check.Options{Limits: limits, NodePortRange: npr, Rootless: *rootless, Severities: cfg.Severities}
	if *live {
		table, err := a.liveTable(in.decls)
		if err != nil {
			return a.fail("check: --live: reading this host's sockets: %v", err)
		}
		opts.Live = &table
	}
	res, err := check.Run(in.decls, opts)
	if err != nil {
		return a.fail("check: %v", err)
	}
	if cfgDir != "" {
		res.Findings = slices.DeleteFunc(res.Findings, func(f check.Finding) bool { return skipped(cfg, cfgDir, at(f).Pos.File) })
	}
	sups, err := scanSuppressions(in.decls, in.regs)
	if err != nil {
		return a.fail("check: %v", err)
	}
	suppressed := res.Suppress(sups, opts)
	if err := a.writeReports(list, reportInput{res: res, files: in.inputs, severities: opts.Severities, suppressed: suppressed, showSuppressed: *showSuppressed, loadErrors: in.errs}); err != nil {
		return a.fail("check: %v", err)
	}
	if len(in.errs) > 0 {
		if *fix {
			fmt.Fprintln(a.stderr, "ports: check --fix: nothing written, since an input failed to load")
		}
		return exitUsage
	}
	if *fix {
		if err := a.fix(res, in.decls); err != nil {
			return a.fail("check: %v", err)
		}
	}
	if res.Failed() {
		return exitFindings
	}
	return exitOK
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
