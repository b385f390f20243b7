package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/claims"
	"github.com/portalloc/ports/hostports"
)

func claimsCommand() command {
	c := command{
		name:    "claims",
		summary: "list the claimed names and whether their ports are bound now",
		usage:   "[--prune] [--format text|json]",
	}
	c.run = func(a *app, args []string) int { return runClaims(a, c, args) }
	return c
}

// claimsHelp is the help of ports claims, after its usage line.
const claimsHelp = `Lists every claim of this user on this machine: the name, its worktree, its
ports, and whether they are bound now (a service is running on them).

Examples:
  ports claims
  ports claims --prune          # forget the claims of deleted worktrees
  ports claims --format json

Exit status: 0 on success, 2 on bad input.`

// runClaims runs ports claims with args.
func runClaims(a *app, c command, args []string) int {
	fs := a.flagSet(c, claimsHelp)
	format := fs.String("format", "text", "output `format`: text or json")
	prune := fs.Bool("prune", false, "first remove the claims of worktrees that no longer exist, saying which")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return a.fail("claims: unexpected argument %q", fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return a.fail("claims: --format %q: want text or json", *format)
	}
	st, _, code := a.claimStore("claims", false)
	if code >= 0 {
		return code
	}
	if *prune {
		gone, err := st.Prune()
		if err != nil {
			return a.fail("claims: %v", err)
		}
		for _, c := range gone {
			fmt.Fprintf(a.stderr, "ports: claims: removed %s (%s), its worktree is gone\n", safe(c.Key()), c.Ports)
		}
	}
	list, err := st.List()
	if err != nil {
		return a.fail("claims: %v", err)
	}
	type row struct {
		claims.Claim
		Bound bool     `json:"bound"`
		By    []string `json:"by,omitempty"` // the programs that hold the ports, "PID program"
	}
	// One reading of the socket table names the holders of every
	// claim; where it cannot be read, a bind check still says
	// whether each is bound.
	table, tableErr := hostports.ReadTable(hostports.TableOptions{})
	rows := make([]row, len(list))
	for i, cl := range list {
		r := row{Claim: cl}
		if tableErr == nil {
			r.By = holders(table, cl.Ports)
			r.Bound = len(r.By) > 0
		}
		if !r.Bound {
			r.Bound = !claims.Bindable(cl.Ports)
		}
		rows[i] = r
	}
	if *format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return a.fail("claims: %v", err)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPORTS\tBOUND\tWORKTREE")
	for _, r := range rows {
		bound := "no"
		switch {
		case len(r.By) > 0:
			bound = strings.Join(r.By, ", ")
		case r.Bound:
			bound = "yes"
		}
		wt := r.Worktree
		if wt == "" {
			wt = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safe(r.Name), r.Ports, bound, safe(wt))
	}
	tw.Flush()
	return exitOK
}

// holders returns the programs of t that listen on (or have bound) a TCP
// port of r, as "PID program", each once; a socket whose owner cannot be
// named is "a process of uid N".
func holders(t hostports.Table, r ports.Range) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range t.Sockets {
		if s.Protocol != ports.TCP || !r.Contains(s.Port()) ||
			s.State != hostports.StateListen && s.State != hostports.StateBound {
			continue
		}
		if len(s.Processes) == 0 {
			add(fmt.Sprintf("a process of uid %d", s.UID))
		}
		for _, p := range s.Processes {
			add(fmt.Sprintf("%d %s", p.PID, safe(p.Program)))
		}
	}
	return out
}
