package main

import (
	"fmt"
)

func unclaimCommand() command {
	c := command{
		name:    "unclaim",
		summary: "give up the ports of claimed names",
		usage:   "[--worktree] NAME...",
	}
	c.run = func(a *app, args []string) int { return runUnclaim(a, c, args) }
	return c
}

// unclaimHelp is the help of ports unclaim, after its usage line.
const unclaimHelp = `Removes the claims of the names, so that their ports may go to others.

Examples:
  ports unclaim api
  ports unclaim --worktree web

Exit status: 0 when every name had a claim, 1 when some had none, 2 on bad
input.`

// runUnclaim runs ports unclaim with args.
func runUnclaim(a *app, c command, args []string) int {
	fs := a.flagSet(c, unclaimHelp)
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
