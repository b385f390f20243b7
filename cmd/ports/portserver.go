package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/portalloc/ports/porttest"
	"github.com/portalloc/ports/porttest/portserver"
)

func portserverCommand() command {
	c := command{
		name:    "portserver",
		summary: "serve test ports to other languages over portpicker's protocol",
		usage:   "[--address ADDR]",
	}
	c.run = func(a *app, args []string) int { return runPortserver(a, c, args) }
	return c
}

// portserverHelp is the help of ports portserver, after its usage line.
const portserverHelp = `Serves ports to test suites in any language over the protocol of the port
server of Google's portpicker: a client writes its process ID and reads a
port, which is its own until the process exits. The ports come from the
same lock directory as the Go tests' leases, so the two never collide.
Runs until interrupted.

Examples:
  ports portserver &
  PORTSERVER_ADDRESS=@unittest-portserver python -m pytest

Exit status: 0 when interrupted, 2 when it cannot listen.`

// runPortserver runs ports portserver with args.
func runPortserver(a *app, c command, args []string) int {
	fs := a.flagSet(c, portserverHelp)
	addr := fs.String("address", portserver.DefaultAddress, "listen on this Unix socket `path` (@NAME: Linux's abstract namespace)")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return a.fail("portserver: unexpected argument %q", fs.Arg(0))
	}
	pool, err := porttest.NewPool(porttest.Options{Dir: a.lockDir})
	if err != nil {
		return a.fail("portserver: %v", err)
	}
	ln, err := portserver.Listen(*addr)
	if err != nil {
		return a.fail("portserver: %v", err)
	}
	s := portserver.New(pool)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		s.Close()
		ln.Close()
	}()
	fmt.Fprintf(a.stderr, "ports: portserver: listening on %s (PORTSERVER_ADDRESS=%s)\n", safe(*addr), safe(*addr))
	if err := s.Serve(ln, 0); err != nil {
		return a.fail("portserver: %v", err)
	}
	return exitOK
}
