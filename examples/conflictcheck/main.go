// Command conflictcheck reports which of a set of declared endpoints
// conflict: it audits them with package allocator (every conflict group,
// with all its members) and then reserves them in order, so that every
// declaration that cannot have its ports gets the nearest free alternative.
//
// Each argument is NAME=ENDPOINT, with ENDPOINT in the form that
// ports.ParseEndpoint reads ([ADDR:]PORTS[/PROTO]). With no arguments it
// checks the ports of the seed platforms' observability stacks, where
// Grafana and a Next.js web app both want 3000 and MinIO and ClickHouse
// both want 9000:
//
//	go run ./examples/conflictcheck
//	go run ./examples/conflictcheck grafana=3000 web=127.0.0.1:3000 dns=53/udp
//
// It exits 1 when it finds a conflict and 2 on bad input.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
)

// defaults are the host ports that the seed documents declare and collide
// on (Hopwhistle's web app and Grafana on 3000; the ALPR pipeline's MinIO
// and ClickHouse on 9000), plus neighbours that do not collide.
var defaults = []string{
	"web=3000/tcp",
	"grafana=3000/tcp",
	"api=3001/tcp",
	"minio=9000/tcp",
	"minio-console=9001/tcp",
	"clickhouse-native=9000/tcp",
	"clickhouse-http=8123/tcp",
	"prometheus=127.0.0.1:9090/tcp",
	"rtpengine=10000-20000/udp",
	"sip=5060/udp",
}

type decl struct {
	name string
	e    ports.Endpoint
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = defaults
	}
	var decls []decl
	for _, a := range args {
		name, spec, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			fmt.Fprintf(stderr, "conflictcheck: argument %q: want NAME=ENDPOINT, as grafana=3000/tcp\n", a)
			return 2
		}
		e, err := ports.ParseEndpoint(spec)
		if err != nil {
			fmt.Fprintf(stderr, "conflictcheck: argument %q: %v\n", a, err)
			return 2
		}
		decls = append(decls, decl{name, e})
	}
	for _, d := range decls {
		fmt.Fprintf(stdout, "%-18s %-24s %s\n", d.name, d.e, d.e.Range().Lo().Class())
	}
	fmt.Fprintln(stdout)
	audit := make([]allocator.Usage[int], len(decls))
	for i, d := range decls {
		audit[i] = allocator.Usage[int]{Owner: d.name, Endpoint: d.e, Value: i}
	}
	groups, err := allocator.Audit(audit)
	if err != nil {
		fmt.Fprintf(stderr, "conflictcheck: %v\n", err)
		return 2
	}
	for _, g := range groups {
		fmt.Fprintf(stdout, "conflict: %s\n", g)
	}
	// Reserve in the order given: the first declaration keeps its ports,
	// the later ones are told where to go.
	alloc := allocator.New(allocator.Policy{})
	for _, d := range decls {
		_, err := alloc.Reserve(d.name, d.e)
		var ce *allocator.ConflictError
		if errors.As(err, &ce) {
			holders := make([]string, len(ce.Holders))
			for i, h := range ce.Holders {
				holders[i] = h.Owner
			}
			fmt.Fprintf(stdout, "  %s: %s is held by %s; nearest free: %s\n", d.name, d.e, strings.Join(holders, ", "), ce.Suggestion)
		}
	}
	switch n := len(groups); n {
	case 0:
	case 1:
		fmt.Fprintf(stdout, "1 conflict group among %d declarations\n", len(decls))
		return 1
	default:
		fmt.Fprintf(stdout, "%d conflict groups among %d declarations\n", n, len(decls))
		return 1
	}
	fmt.Fprintf(stdout, "no conflicts among %d declarations\n", len(decls))
	return 0
}
