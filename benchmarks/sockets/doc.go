// Package sockets times the socket table of package hostports of
// github.com/portalloc/ports against ss -tanp (iproute2) run as a process
// and gopsutil v4's net.Connections, side by side in one benchmark run, on
// a host where 50 child processes hold 10,000 TCP sockets between them.
//
// It is a module of its own so that the library does not depend on the
// peers. Run it from this directory, on Linux:
//
//	go test -run '^$' -bench . -benchtime=1s
//
// Each child holds a listener on 127.0.0.1 and 99 connections to it, both
// ends: 200 sockets a process. The peers do not read the same things, and
// the benchmarks say what each reads:
//
//   - hostports: TCP and UDP, IPv4 and IPv6, every state, each socket's
//     owners (PID, program, command line, user, container);
//   - ss -tanp: TCP, IPv4 and IPv6, every state, each socket's owners
//     (program, PID, descriptor), as text to read;
//   - gopsutil: net.Connections("inet"), TCP and UDP, IPv4 and IPv6, each
//     socket's PID.
//
// BenchmarkWhy times hostports.Why on one held port: the binds, the
// kernel's filtered table and the owners' pass over /proc.
package sockets
