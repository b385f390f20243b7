//go:build unix

package porttest_test

import (
	"fmt"
	"net"
	"os/exec"

	"github.com/portalloc/ports/porttest"
)

// Pass hands a held listener to a child process under the systemd
// socket-activation convention; the child here is a shell that prints
// what it was given.
func ExamplePass() {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	cmd := exec.Command("/bin/sh", "-c", `test "$LISTEN_PID" = "$$" && echo "$LISTEN_FDS $LISTEN_FDNAMES"`)
	files, err := porttest.Pass(cmd, porttest.Socket{Name: "web", Conn: ln.(*net.TCPListener)})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := cmd.Output()
	for _, f := range files {
		f.Close()
	}
	fmt.Printf("%s%v\n", out, err)
	// Output:
	// 1 web
	// <nil>
}
