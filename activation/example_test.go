package activation_test

import (
	"fmt"
	"net"

	"github.com/portalloc/ports/activation"
)

// A server takes its listener from its parent when it was given one, and
// listens on its own otherwise (here: this example's process was passed
// nothing).
func ExampleListener() {
	ln, err := activation.Listener("http")
	if err != nil {
		fmt.Println("not socket-activated:", err)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	defer ln.Close()
	fmt.Println("serving on", ln.Addr().Network())
	// Output:
	// not socket-activated: activation: Listener("http"): the process was passed no sockets (LISTEN_PID is not set, or names another process)
	// serving on tcp
}

// Files lists every socket passed, by name, for a server that takes them
// all.
func ExampleFiles() {
	files, err := activation.Files()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(files), "sockets passed")
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// 0 sockets passed
}
