// Command bootstrap shows how a service of the ten-slot scheme starts: it
// reads PORT, REST_PORT, DEBUG_PORT and TARGET_PORT from its environment
// through package portscheme, learns which pod it is, and listens on its
// coordinator and REST ports on loopback. Where the platform sets PORT
// itself, outside the scheme (PORT=8080), it runs on that port alone.
//
//	PORT=50060 go run ./examples/bootstrap
//
// With -serve=false it only prints what it read. Bad or contradictory
// variables are reported all at once, and it exits 2.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/portalloc/ports/portscheme"
)

func main() {
	serve := flag.Bool("serve", false, "listen on the coordinator and REST ports until interrupted")
	flag.Parse()
	os.Exit(run(os.LookupEnv, os.Stdout, os.Stderr, *serve))
}

func run(lookupEnv func(string) (string, bool), stdout, stderr io.Writer, serve bool) int {
	scheme := portscheme.Default()
	env, err := scheme.ParseEnvAllowBare(lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "bootstrap: the environment does not describe a pod of the scheme:")
		var envErr *portscheme.EnvError
		for _, e := range unjoin(err) {
			if errors.As(e, &envErr) {
				fmt.Fprintln(stderr, "  "+envErr.Error())
			} else {
				fmt.Fprintln(stderr, "  "+e.Error())
			}
		}
		return 2
	}
	if env.Bare {
		fmt.Fprintln(stdout, env.Note)
	} else {
		fmt.Fprintf(stdout, "pod %s\n", env.Pod)
	}
	for _, v := range env.Vars {
		how := "set"
		for _, d := range env.Derived {
			if d == v.Name {
				how = "derived from PORT"
			}
		}
		role, _ := scheme.Role(v.Slot)
		fmt.Fprintf(stdout, "  %-12s %5d  %-18s %s\n", v.Name, v.Port, role.Purpose, how)
	}
	if !serve {
		return 0
	}
	var listen []int
	for _, slot := range []portscheme.Slot{portscheme.Coordinator, portscheme.REST} {
		if p, ok := env.Port(slot); ok {
			listen = append(listen, int(p))
		}
	}
	errc := make(chan error, len(listen))
	for _, p := range listen {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			fmt.Fprintf(stderr, "bootstrap: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
		go func() {
			errc <- http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "%s on %s\n", env.Pod, ln.Addr())
			}))
		}()
	}
	fmt.Fprintln(stderr, <-errc)
	return 1
}

// unjoin returns the errors that errors.Join joined into err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
