package main

import (
	"os"

	"github.com/portalloc/ports/hostports"
)

// ports scheme --lang go --kind saga: the pods of one kind of service, with
// the port of each slot.
func Example_scheme() {
	a := &app{stdout: os.Stdout, stderr: os.Stdout}
	a.main([]string{"scheme", "--lang", "go", "--kind", "saga"})
	// Output:
	// Go 50200-50349
	// POD        PORTS        coordinator  rest   debug  logic  client-debug  control
	// go/saga/0  50260-50269  50260        50261  50262  50263  50264         50269
	// go/saga/1  50270-50279  50270        50271  50272  50273  50274         50279
	// go/saga/2  50280-50289  50280        50281  50282  50283  50284         50289
}

// ports whois postgres/tcp, on a host with Linux's default limits: the
// name is looked up, and its port explained.
func Example_whois() {
	a := &app{
		stdout: os.Stdout,
		stderr: os.Stdout,
		limits: func() (hostports.Limits, error) {
			l, _ := hostports.Defaults("linux")
			return l, nil
		},
	}
	a.main([]string{"whois", "postgres/tcp"})
	// Output:
	// postgresql: 5432/tcp
	//   class      user (RFC 6335 1024-49151)
	//   IANA       postgresql 5432/tcp  PostgreSQL Database
	//   de facto   PostgreSQL 5432/tcp  PostgreSQL server (also TimescaleDB, which runs inside PostgreSQL) (database)
	//   browsers   allowed
	//   this host  keeps nothing of it
}
