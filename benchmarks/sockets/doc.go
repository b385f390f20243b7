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
// BenchmarkWhy times hostports.Why on one held port (the library call of
// ports why: the binds, the listeners of the port, their owner), then
// each part alone: the binds; the listeners of the port without owners
// and with their first owner (TableOptions.Listening and FirstOwner, as
// Why reads them); the port's sockets in every state without owners, with
// the first owner of each socket, and with every owner (a pass over every
// process's descriptors); and, as a peer, ss -tanp sport = :PORT. BenchmarkWhyCommand runs the
// command itself, built from this checkout, as a process.
//
// Every benchmark reports cpu-ms/op beside ns/op: the CPU time, user and
// system, of the benchmark process and of the commands it runs. On a
// shared machine the wall time grows with the load; the CPU time much
// less.
package sockets
