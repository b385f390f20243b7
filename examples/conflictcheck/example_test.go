package main

import "os"

// Two services want 3000, one on every address and one on loopback, which
// conflict; the second is offered the nearest free port. DNS on UDP 53 is
// left alone.
func Example() {
	run([]string{"grafana=3000/tcp", "web=127.0.0.1:3000/tcp", "dns=53/udp"}, os.Stdout, os.Stdout)
	// Output:
	// grafana            3000/tcp                 user
	// web                127.0.0.1:3000/tcp       user
	// dns                53/udp                   system
	//
	// conflict: 3000/tcp: "grafana" 3000/tcp, "web" 127.0.0.1:3000/tcp
	//   web: 127.0.0.1:3000/tcp is held by grafana; nearest free: 127.0.0.1:2999/tcp
	// 1 conflict group among 3 declarations
}

// A port held on two specific addresses by two owners: a third on every
// address conflicts with both, and the message names both.
func Example_everyHolder() {
	run([]string{"a=127.0.0.1:8080", "b=127.0.0.2:8080", "c=8080"}, os.Stdout, os.Stdout)
	// Output:
	// a                  127.0.0.1:8080/tcp       user
	// b                  127.0.0.2:8080/tcp       user
	// c                  8080/tcp                 user
	//
	// conflict: 8080/tcp: "c" 8080/tcp, "a" 127.0.0.1:8080/tcp, "b" 127.0.0.2:8080/tcp
	//   c: 8080/tcp is held by a, b; nearest free: 8079/tcp
	// 1 conflict group among 3 declarations
}
