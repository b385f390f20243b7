package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/wellknown"
)

func lsCommand() command {
	c := command{
		name:    "ls",
		summary: "the listening sockets of this host, by process",
		usage:   "[--all] [--format text|json] [PORT[/PROTO]...]",
	}
	c.run = func(a *app, args []string) int { return runLs(a, c, args) }
	return c
}

// lsHelp is the help of ports ls, after its usage line.
const lsHelp = `Lists the TCP listeners and bound UDP sockets of this host grouped by the
process that holds them: port, protocol, addresses, the process's command
line, user and container, and what the port is known for. With --all every
socket is listed, connections and TIME_WAIT included, with its state. PORT
arguments keep only those ports.

A socket of another user's process is listed as hidden unless the command
runs as root.

Examples:
  ports ls
  ports ls 5432 8080/tcp
  ports ls --all --format json

Exit status: 0, or 2 when the socket table cannot be read.`

// runLs runs ports ls with args.
func runLs(a *app, c command, args []string) int {
	fs := a.flagSet(c, lsHelp)
	all := fs.Bool("all", false, "list sockets in every state, not only listening ones")
	format := fs.String("format", "text", "output `format`: text or json")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		return a.fail("ls: --format %q: want text or json", *format)
	}
	type filter struct {
		p     ports.Port
		proto ports.Protocol
	}
	var filters []filter
	for _, arg := range fs.Args() {
		p, proto, err := parsePortProto(arg)
		if err != nil {
			return a.fail("ls: %v", err)
		}
		filters = append(filters, filter{p, proto})
	}
	opts := hostports.TableOptions{Listening: !*all}
	if len(filters) == 1 {
		opts.Port = filters[0].p
	}
	t, err := hostports.ReadTable(opts)
	if err != nil {
		return a.fail("ls: %v", err)
	}
	var socks []hostports.Socket
	for _, s := range t.Sockets {
		if !*all && !s.Listening() {
			continue
		}
		if len(filters) > 0 && !slices.ContainsFunc(filters, func(f filter) bool {
			return f.p == s.Port() && (f.proto == 0 || f.proto == s.Protocol)
		}) {
			continue
		}
		socks = append(socks, s)
	}
	groups := groupSockets(socks, *all)
	if *format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(lsJSON{Source: t.Source, Hidden: t.Hidden, Groups: groups}); err != nil {
			return a.fail("ls: %v", err)
		}
		return exitOK
	}
	a.printLs(groups, t)
	return exitOK
}

// lsGroup is the sockets of one holder: a process (or the processes that
// share them), a hidden process of a user, or the kernel.
type lsGroup struct {
	Holder    string              `json:"holder"` // process, hidden, kernel, unknown
	Processes []hostports.Process `json:"processes,omitempty"`
	UID       int                 `json:"uid,omitempty"`
	Ports     []lsPort            `json:"ports"`
}

// lsPort is one port of a group: its protocol, the addresses it is bound
// on and, with --all, each socket's state and peer.
type lsPort struct {
	Port     int      `json:"port"`
	Protocol string   `json:"protocol"`
	Addrs    []string `json:"addrs"`
	State    string   `json:"state,omitempty"`
	Remote   string   `json:"remote,omitempty"`
	KnownAs  string   `json:"known_as,omitempty"`
}

type lsJSON struct {
	Source string    `json:"source"`
	Hidden int       `json:"hidden_processes"`
	Groups []lsGroup `json:"groups"`
}

// groupSockets groups sockets by holder, ordered by each group's lowest
// port; within a group, by port and protocol. Without all, the sockets of
// one port and protocol are merged into one line of addresses.
func groupSockets(socks []hostports.Socket, all bool) []lsGroup {
	byKey := map[string]*lsGroup{}
	var keys []string
	for _, s := range socks {
		key, g := holderKey(s)
		if _, ok := byKey[key]; !ok {
			byKey[key] = &g
			keys = append(keys, key)
		}
		grp := byKey[key]
		addr := s.Local.Addr().String()
		if s.Local.Addr().Is6() {
			addr = "[" + addr + "]"
		}
		if s.V6Only == hostports.V6OnlyOn && s.Local.Addr().IsUnspecified() {
			addr += " (v6only)"
		}
		line := lsPort{Port: int(s.Port()), Protocol: s.Protocol.String(), Addrs: []string{addr}, KnownAs: knownAs(s.Port(), s.Protocol)}
		if all {
			line.State = s.State.String()
			if s.Remote.IsValid() {
				line.Remote = s.Remote.String()
			}
		} else if i := slices.IndexFunc(grp.Ports, func(p lsPort) bool { return p.Port == line.Port && p.Protocol == line.Protocol }); i >= 0 {
			if !slices.Contains(grp.Ports[i].Addrs, addr) {
				grp.Ports[i].Addrs = append(grp.Ports[i].Addrs, addr)
			}
			continue
		}
		grp.Ports = append(grp.Ports, line)
	}
	out := make([]lsGroup, 0, len(keys))
	for _, k := range keys {
		g := *byKey[k]
		slices.SortStableFunc(g.Ports, func(a, b lsPort) int {
			return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol))
		})
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b lsGroup) int {
		return cmp.Or(cmp.Compare(groupRank(a), groupRank(b)), cmp.Compare(a.Ports[0].Port, b.Ports[0].Port))
	})
	return out
}

// groupRank puts processes first, then hidden ones, unknown, the kernel.
func groupRank(g lsGroup) int {
	switch g.Holder {
	case "process":
		return 0
	case "hidden":
		return 1
	case "unknown":
		return 2
	}
	return 3
}

func holderKey(s hostports.Socket) (string, lsGroup) {
	switch s.Owner {
	case hostports.OwnerFound:
		pids := make([]string, len(s.Processes))
		for i, p := range s.Processes {
			pids[i] = strconv.Itoa(p.PID)
		}
		return "p" + strings.Join(pids, ","), lsGroup{Holder: "process", Processes: s.Processes}
	case hostports.OwnerHidden:
		return "h" + strconv.Itoa(s.UID), lsGroup{Holder: "hidden", UID: s.UID}
	case hostports.OwnerKernel:
		return "k", lsGroup{Holder: "kernel"}
	}
	return "u", lsGroup{Holder: "unknown"}
}

// knownAs names what a port is known for: the de-facto project first,
// then the IANA service name.
func knownAs(p ports.Port, proto ports.Protocol) string {
	var iana string
	for s := range wellknown.Lookup(p, proto) {
		if s.Source() != wellknown.IANA && s.Project() != "" {
			return s.Project()
		}
		if iana == "" && s.Name() != "" {
			iana = s.Name()
		}
	}
	return iana
}

func (a *app) printLs(groups []lsGroup, t hostports.Table) {
	w := a.stdout
	if len(groups) == 0 {
		fmt.Fprintln(w, "no sockets")
	}
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		switch g.Holder {
		case "process":
			for _, p := range g.Processes {
				head := fmt.Sprintf("%s  pid %d", safe(p.Program), p.PID)
				if p.User != "" {
					head += "  user " + safe(p.User)
				}
				if !p.Container.IsZero() {
					head += "  " + safe(p.Container.String())
				}
				fmt.Fprintln(w, a.paint(styleBold, head))
				if len(p.Cmdline) > 0 {
					fmt.Fprintf(w, "  %s\n", commandLine(p.Cmdline))
				}
			}
		case "hidden":
			fmt.Fprintln(w, a.paint(styleBold, fmt.Sprintf("(a process of uid %d: run as root to name it)", g.UID)))
		case "kernel":
			fmt.Fprintln(w, a.paint(styleBold, "(the kernel: connections closed by their process)"))
		default:
			fmt.Fprintln(w, a.paint(styleBold, "(no process found)"))
		}
		for _, p := range g.Ports {
			line := fmt.Sprintf("  %-11s %s", strconv.Itoa(p.Port)+"/"+p.Protocol, strings.Join(p.Addrs, ", "))
			if p.Remote != "" {
				line += " -> " + p.Remote
			}
			if p.State != "" {
				line += "  " + p.State
			}
			if p.KnownAs != "" {
				line += "  (" + p.KnownAs + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if t.Hidden > 0 {
		fmt.Fprintf(a.stderr, "ports: ls: %d processes of other users could not be read; run as root to see their sockets\n", t.Hidden)
	}
}
