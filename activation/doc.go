// Package activation takes the sockets a parent process passed to this one
// under the socket-activation convention of systemd: systemd itself (a
// .socket unit), systemd-socket-activate, or a test harness that uses
// [github.com/portalloc/ports/porttest.Pass]. It is for production servers
// as much as for tests: a server that takes its listener from here starts
// with its port already bound, can be restarted without dropping
// connections, and never races another process for the port.
//
//	ln, err := activation.Listener("http")
//	if err != nil {
//		ln, err = net.Listen("tcp", ":8080") // started by hand
//	}
//	http.Serve(ln, handler)
//
// # The convention
//
// The parent passes the sockets as descriptors 3, 4, … and sets
// LISTEN_FDS (how many), LISTEN_FDNAMES (their names, colon-separated,
// optional) and LISTEN_PID (the process they are meant for, so that a child
// of the server does not take them for its own), as sd_listen_fds(3)
// describes.
//
// # When it reads them
//
// The package reads the variables when it is initialized, before the
// program's main runs, removes them from the environment and marks the
// sockets close-on-exec. Each descriptor LISTEN_FDS announces must then be
// an open socket of stream, datagram or seqpacket type; any other (a
// number that was never passed, which later holds a descriptor of the
// program or of the Go runtime) is never touched, and [Files], [Listener]
// and [PacketConn] report it with an error that names LISTEN_FDS.
//
// # Taking sockets
//
// [Listener] takes the stream socket of a name, [PacketConn] the datagram
// socket; a TCP and a UDP socket may share a name (a DNS server's, say), and
// each call finds the one of its type. [Files] returns every passed socket
// as a file, for other uses. The functions are safe for concurrent use and
// cost O(n) for the n sockets passed. Unix-like systems only: on Windows
// nothing is ever passed.
package activation
