package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/claims"
	"github.com/portalloc/ports/hostports"
)

func claimCommand() command {
	c := command{
		name:    "claim",
		summary: "give a name a port of its own on this machine, the same on every call",
		usage:   "[-n K] [--range R] [--worktree] [--format text|json] NAME...",
	}
	c.run = func(a *app, args []string) int {
		fs := a.flagSet(c, `
Gives each NAME a port (or a run of K) that is its own on this machine and
stays the same on every later call, until "ports unclaim NAME". The first
choice comes from the name itself, among the ports the host and widely used
software leave free, and is verified bindable; claims are remembered in the
user's store (`+claims.DirEnv+` overrides where).

Examples:
  ports claim api               # 23847, today and tomorrow
  ports claim -n 3 grpc         # a run of three
  PORT=$(ports claim --worktree web) npm start

Exit status: 0 on success, 2 on bad input or when no port is left.`)
		n := fs.Int("n", 1, "claim a run of `K` consecutive ports")
		within := fs.String("range", "", "claim in this `range` (default: "+claims.DefaultRange().String()+", less what the host keeps)")
		worktree := fs.Bool("worktree", false, "scope the claim to the current git worktree, so that each checkout has its own")
		format := fs.String("format", "text", "output `format`: text or json")
		if code := a.parseFlags(fs, args); code >= 0 {
			return code
		}
		if fs.NArg() == 0 {
			return a.fail("claim: name what to claim, as in: ports claim api")
		}
		if *format != "text" && *format != "json" {
			return a.fail("claim: --format %q: want text or json", *format)
		}
		req := claims.Request{N: *n}
		if *within != "" {
			r, err := ports.ParseRange(*within)
			if err != nil {
				return a.fail("claim: --range %s", plain(err))
			}
			req.Within = r
		}
		st, wt, code := a.claimStore("claim", *worktree)
		if code >= 0 {
			return code
		}
		req.Worktree = wt
		var got []claims.Claim
		for _, name := range fs.Args() {
			req.Name = name
			cl, err := st.Claim(req)
			if err != nil {
				return a.fail("%v", err)
			}
			got = append(got, cl)
		}
		if *format == "json" {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				return a.fail("claim: %v", err)
			}
			return exitOK
		}
		for _, cl := range got {
			fmt.Fprintln(a.stdout, cl.Ports)
		}
		return exitOK
	}
	return c
}

// claimStore opens the claims store, and finds the current worktree if
// asked to.
func (a *app) claimStore(cmd string, worktree bool) (*claims.Store, string, int) {
	st, err := claims.Open(a.claimsDir)
	if err != nil {
		return nil, "", a.fail("%s: %v", cmd, err)
	}
	if !worktree {
		return st, "", -1
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, "", a.fail("%s: %v", cmd, err)
	}
	wt, err := claims.Worktree(dir)
	if err != nil {
		return nil, "", a.fail("%s: --worktree: %v", cmd, err)
	}
	return st, wt, -1
}

func unclaimCommand() command {
	c := command{
		name:    "unclaim",
		summary: "give up the ports of claimed names",
		usage:   "[--worktree] NAME...",
	}
	c.run = func(a *app, args []string) int {
		fs := a.flagSet(c, `
Removes the claims of the names, so that their ports may go to others.

Examples:
  ports unclaim api
  ports unclaim --worktree web

Exit status: 0 when every name had a claim, 1 when some had none, 2 on bad
input.`)
		worktree := fs.Bool("worktree", false, "the claims of the current git worktree")
		if code := a.parseFlags(fs, args); code >= 0 {
			return code
		}
		if fs.NArg() == 0 {
			return a.fail("unclaim: name what to unclaim, as in: ports unclaim api")
		}
		st, wt, code := a.claimStore("unclaim", *worktree)
		if code >= 0 {
			return code
		}
		status := exitOK
		for _, name := range fs.Args() {
			ok, err := st.Unclaim(name, wt)
			if err != nil {
				return a.fail("unclaim: %v", err)
			}
			if !ok {
				fmt.Fprintf(a.stderr, "ports: unclaim: %s has no claim\n", safe(name))
				status = exitFindings
			}
		}
		return status
	}
	return c
}

func claimsCommand() command {
	c := command{
		name:    "claims",
		summary: "list the claimed names and whether their ports are bound now",
		usage:   "[--prune] [--format text|json]",
	}
	c.run = func(a *app, args []string) int {
		fs := a.flagSet(c, `
Lists every claim of this user on this machine: the name, its worktree, its
ports, and whether they are bound now (a service is running on them).

Examples:
  ports claims
  ports claims --prune          # forget the claims of deleted worktrees
  ports claims --format json

Exit status: 0 on success, 2 on bad input.`)
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
	return c
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
