package main

import (
	"fmt"
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
		var outs outputs
		fs.Var(formatFlag{&outs}, "format", "write the report in this `format`: "+strings.Join(reportFormats, ", ")+" (repeatable, each with its own --output; default text)")
		fs.Var(outputFlag{&outs}, "output", "write the report of the --format before it to this `file` instead of standard output")
		lf := addLoadFlags(fs)
		nodePorts := fs.String("nodeport-range", wellknown.NodePortRange().String(), "the cluster's NodePort `range`")
		rootless := fs.Bool("rootless", false, "containers are run by rootless Docker or Podman, which cannot bind privileged ports")
		goos := fs.String("os", "", "judge ephemeral and privileged ports by the documented defaults of this `OS` (linux, darwin, freebsd, windows) instead of reading this host")
		if code := a.parseFlags(fs, args); code >= 0 {
			return code
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
		list, err := outs.resolve(fs.Args())
		if err != nil {
			return a.fail("check: %v", err)
		}
		in := a.load(lf, fs.Args())
		if err := in.err(); err != nil {
			return a.fail("check: %v", err)
		}
		opts := check.Options{Limits: limits, NodePortRange: npr, Rootless: *rootless}
		res, err := check.Run(in.decls, opts)
		if err != nil {
			return a.fail("check: %v", err)
		}
		if err := a.writeReports(list, reportInput{res: res, files: in.inputs, severities: opts.Severities}); err != nil {
			return a.fail("check: %v", err)
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
