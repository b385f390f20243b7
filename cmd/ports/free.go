package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/porttest"
)

func freeCommand() command {
	c := command{
		name:    "free",
		summary: "print free ports, verified bindable now",
		usage:   "[-n N] [--udp] [--range R] [--run K] [--format text|json]",
	}
	c.run = func(a *app, args []string) int { return runFree(a, c, args) }
	return c
}

// freeHelp is the help of ports free, after its usage line.
const freeHelp = `Prints N ports that are free now: away from what this host lends out or
keeps, the ports of widely used software and those browsers refuse, and
bound once to be sure. Two runs at once never print the same port. See
'ports help host' for what is avoided and how ports are held.

Examples:
  ports free
  ports free -n 3 --udp
  ports free --run 10 --range 20000-21000 --format json

Exit status: 0 on success, 1 when not enough free ports were found (or the
process ran out of file descriptors first), 2 on bad input.`

// runFree runs ports free with args.
func runFree(a *app, c command, args []string) int {
	fs := a.flagSet(c, freeHelp)
	n := fs.Int("n", 1, "how many ports (or runs) to print")
	udp := fs.Bool("udp", false, "check UDP instead of TCP")
	within := fs.String("range", "", "only ports in this `range` or list (\"20000-29999\", \"8000-8100,9000-9100\")")
	run := fs.Int("run", 0, "print runs of `K` consecutive ports instead of single ports")
	format := fs.String("format", "text", "output `format`: text or json")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return a.fail("free: unexpected argument %q", fs.Arg(0))
	case *n < 1:
		return a.fail("free: -n %d: want 1 or more", *n)
	case *run < 0 || *run > 65536:
		return a.fail("free: --run %d: want a run length from 1 to 65536", *run)
	case *format != "text" && *format != "json":
		return a.fail("free: --format %q: want text or json", *format)
	}
	opts := porttest.Options{Dir: a.lockDir}
	if *within != "" {
		set, err := ports.ParseRangeSet(*within)
		if err != nil {
			return a.fail("free: --range %s", plain(err))
		}
		opts.Within = set
	}
	limits, err := a.limitsFor("")
	if err != nil {
		return a.fail("free: %v", err)
	}
	opts.Limits = &limits
	opts.Prober.Protocols = []ports.Protocol{ports.TCP}
	if *udp {
		opts.Prober.Protocols = []ports.Protocol{ports.UDP}
	}
	pool, err := porttest.NewPool(opts)
	if errors.Is(err, porttest.ErrExhausted) {
		if *format == "json" {
			fmt.Fprintln(a.stdout, "[]")
		}
		fmt.Fprintf(a.stderr, "ports: free: found 0 of %d: %v\n", *n, err)
		return exitFindings // nothing in the range can be had
	}
	if err != nil {
		return a.fail("free: %v", err)
	}
	var got []ports.Range
	var leases []*porttest.Lease
	defer func() {
		for _, l := range leases {
			l.Release()
		}
	}()
	for range *n {
		var ls []*porttest.Lease
		if *run > 0 {
			ls, err = pool.LeaseRange(*run)
		} else {
			var l *porttest.Lease
			l, err = pool.Lease()
			ls = []*porttest.Lease{l}
		}
		if err != nil {
			break
		}
		leases = append(leases, ls...)
		got = append(got, ports.RangeFrom(ls[0].Port(), ls[len(ls)-1].Port()))
	}
	if *format == "json" {
		out := make([]string, len(got))
		for i, r := range got {
			out[i] = r.String()
		}
		enc := json.NewEncoder(a.stdout)
		if err := enc.Encode(out); err != nil {
			return a.fail("free: %v", err)
		}
	} else {
		for _, r := range got {
			fmt.Fprintln(a.stdout, r)
		}
	}
	if errors.Is(err, hostports.ErrNoDescriptors) {
		fmt.Fprintf(a.stderr, "ports: free: found %d of %d, then ran out of file descriptors: each port found is held until the command ends; ask for fewer (-n), or raise the limit (ulimit -n)\n\t%v\n", len(got), *n, err)
		return exitFindings
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "ports: free: found %d of %d: %v\n", len(got), *n, err)
		if errors.Is(err, porttest.ErrExhausted) {
			return exitFindings
		}
		return exitUsage
	}
	return exitOK
}
