package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

func whyCommand() command {
	c := command{
		name:    "why",
		summary: "why a port cannot be bound here: holders, ranges, privileges",
		usage:   "[--format text|json] [--addr ADDR,...] PORT[/PROTO]",
	}
	c.run = func(a *app, args []string) int { return runWhy(a, c, args) }
	return c
}

// whyHelp is the help of ports why, after its usage line.
const whyHelp = `Tries to bind the port now and says why each bind that fails fails: the
socket that holds it (process, user, container, state), a socket on :: that
covers IPv4 because IPV6_V6ONLY is off, a Windows excluded range, a
privileged port. It also names the risks of a port that binds: a TIME_WAIT
connection, Linux's reserved ports, the ephemeral range.

PROTO is tcp or udp; without it both are tried. The addresses are
127.0.0.1, ::1, 0.0.0.0 and :: unless --addr names others.

Examples:
  ports why 5432
  ports why 8080/tcp --addr 127.0.0.1
  ports why 53/udp --format json

Exit status: 0 when the port binds on every protocol and address tried,
1 when it does not, 2 on bad usage.`

// runWhy runs ports why with args.
func runWhy(a *app, c command, args []string) int {
	fs := a.flagSet(c, whyHelp)
	format := fs.String("format", "text", "output `format`: text or json")
	addrFlag := fs.String("addr", "", "comma-separated `addresses` to try instead of 127.0.0.1, ::1, 0.0.0.0 and ::")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		return a.fail("why: --format %q: want text or json", *format)
	}
	if fs.NArg() != 1 {
		return a.fail("why: name one port, as in: ports why 5432/tcp")
	}
	p, proto, err := parsePortProto(fs.Arg(0))
	if err != nil {
		return a.fail("why: %v", err)
	}
	if p == 0 {
		return a.fail("why: port 0 asks the OS for any free port; name a port from 1 to 65535")
	}
	opts := hostports.WhyOptions{}
	switch proto {
	case 0:
	case ports.TCP, ports.UDP:
		opts.Protocols = []ports.Protocol{proto}
	default:
		return a.fail("why: %s: only tcp and udp can be tried", proto)
	}
	if *addrFlag != "" {
		for _, s := range strings.Split(*addrFlag, ",") {
			addr, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
			if err != nil {
				return a.fail("why: --addr %q: %q is not an IP address", *addrFlag, s)
			}
			opts.Addrs = append(opts.Addrs, addr)
		}
	}
	lim, limErr := a.hostLimits()
	opts.Limits = &lim
	d, err := hostports.Why(p, opts)
	if err != nil {
		fmt.Fprintf(a.stderr, "ports: why: %v\n", err)
	}
	if limErr != nil {
		fmt.Fprintf(a.stderr, "ports: why: reading this host's port limits: %v\n", limErr)
	}
	code := exitOK
	if !d.Bindable() {
		code = exitFindings
	}
	if *format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(whyJSONOf(d)); err != nil {
			return a.fail("why: %v", err)
		}
		return code
	}
	a.printWhy(d)
	return code
}

type whyCheck struct {
	Protocol string `json:"protocol"`
	Addr     string `json:"addr"`
	OK       bool   `json:"ok"`
	Skipped  bool   `json:"skipped,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error,omitempty"`
}

type whyJSON struct {
	Port     int                `json:"port"`
	Bindable bool               `json:"bindable"`
	Checks   []whyCheck         `json:"checks"`
	Reasons  []hostports.Reason `json:"reasons"`
}

func whyJSONOf(d hostports.Diagnosis) whyJSON {
	out := whyJSON{Port: int(d.Port), Bindable: d.Bindable(), Checks: []whyCheck{}, Reasons: d.Reasons}
	if out.Reasons == nil {
		out.Reasons = []hostports.Reason{}
	}
	for _, c := range d.Checks {
		wc := whyCheck{Protocol: c.Protocol.String(), Addr: c.Addr.String(), OK: c.OK(), Skipped: c.Skipped()}
		if c.Failed() {
			wc.Reason, wc.Error = checkWords(c)
		}
		out.Checks = append(out.Checks, wc)
	}
	return out
}

// checkWords returns why a check failed in a few words ("in use") and the
// OS error.
func checkWords(c hostports.Check) (reason, osErr string) {
	var be *hostports.BindError
	if !errors.As(c.Err, &be) {
		return "", c.Err.Error()
	}
	if be.Reason != nil {
		reason = strings.TrimPrefix(be.Reason.Error(), "hostports: ")
	}
	if be.Err != nil {
		osErr = be.Err.Error()
	}
	return reason, osErr
}

func (a *app) printWhy(d hostports.Diagnosis) {
	w := a.stdout
	// One line per protocol: where it binds and where it does not.
	var protos []ports.Protocol
	for _, c := range d.Checks {
		if !slices.Contains(protos, c.Protocol) {
			protos = append(protos, c.Protocol)
		}
	}
	for _, proto := range protos {
		var ok, skipped []string
		var refused []string
		for _, c := range d.Checks {
			if c.Protocol != proto {
				continue
			}
			addr := c.Addr.String()
			switch {
			case c.OK():
				ok = append(ok, addr)
			case c.Skipped():
				skipped = append(skipped, addr)
			default:
				reason, osErr := checkWords(c)
				if reason == "" {
					reason = osErr
				}
				refused = append(refused, addr+" ("+reason+")")
			}
		}
		title := a.paint(styleBold, d.Port.String()+"/"+proto.String())
		var parts []string
		if len(refused) > 0 {
			parts = append(parts, a.paint(styleRed, "not bindable on "+strings.Join(refused, ", ")))
		}
		if len(ok) > 0 {
			parts = append(parts, a.paint(styleGreen, "bindable on "+strings.Join(ok, ", ")))
		}
		if len(skipped) > 0 {
			parts = append(parts, "skipped "+strings.Join(skipped, ", ")+" (no IPv6)")
		}
		fmt.Fprintf(w, "%s  %s\n", title, strings.Join(parts, "; "))
	}
	for _, r := range d.Reasons {
		label := r.Kind.String()
		if !r.Blocks {
			label += " (note)"
		}
		fmt.Fprintf(w, "  %-17s %s\n", label, safe(r.Evidence))
		for _, s := range r.Sockets {
			if len(r.Sockets) > 3 {
				break // a count in the evidence says enough
			}
			for _, pr := range s.Processes {
				if len(pr.Cmdline) > 0 {
					fmt.Fprintf(w, "  %-17s command: %s\n", "", commandLine(pr.Cmdline))
				}
			}
		}
		fmt.Fprintf(w, "  %-17s fix: %s\n", "", safe(r.Fix))
	}
	if d.Bindable() && len(d.Reasons) == 0 {
		fmt.Fprintf(w, "  nothing on this host stands in the way\n")
	}
}

// commandLine joins a command line for a terminal: arguments with spaces
// or quotes are quoted, control characters escaped.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, arg := range args {
		if arg == "" || strings.ContainsAny(arg, " \t\"'\\") {
			out[i] = safe(fmt.Sprintf("%q", arg))
		} else {
			out[i] = safe(arg)
		}
	}
	return strings.Join(out, " ")
}
