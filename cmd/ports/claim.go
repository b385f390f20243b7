package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/claims"
)

func claimCommand() command {
	c := command{
		name:    "claim",
		summary: "give a name a port of its own on this machine, the same on every call",
		usage:   "[-n K] [--range R] [--worktree] [--format text|json] NAME...",
	}
	c.run = func(a *app, args []string) int { return runClaim(a, c, args) }
	return c
}

// claimHelp is the help of ports claim, after its usage line.
const claimHelp = `Gives each NAME a port (or a run of K) that is its own on this machine and
stays the same on every later call, until "ports unclaim NAME". The first
choice comes from the name itself, among the ports the host and widely used
software leave free, and is verified bindable; claims are remembered in the
user's store (` + claims.DirEnv + ` overrides where).

Examples:
  ports claim api               # 23847, today and tomorrow
  ports claim -n 3 grpc         # a run of three
  PORT=$(ports claim --worktree web) npm start

Exit status: 0 on success, 2 on bad input or when no port is left.`

// runClaim runs ports claim with args.
func runClaim(a *app, c command, args []string) int {
	fs := a.flagSet(c, claimHelp)
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
