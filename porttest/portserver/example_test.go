package portserver_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/portalloc/ports/porttest"
	"github.com/portalloc/ports/porttest/portserver"
)

func Example() {
	dir, _ := os.MkdirTemp("", "portserver")
	defer os.RemoveAll(dir)
	pool, err := porttest.NewPool(porttest.Options{Dir: filepath.Join(dir, "locks")})
	if err != nil {
		panic(err)
	}
	ln, err := portserver.Listen(filepath.Join(dir, "portserver.sock"))
	if err != nil {
		panic(err)
	}
	s := portserver.New(pool)
	go s.Serve(ln, time.Second)
	defer func() { s.Close(); ln.Close() }()

	// What a portpicker client does: its PID in, a port out.
	c, _ := net.Dial("unix", filepath.Join(dir, "portserver.sock"))
	fmt.Fprintf(c, "%d\n", os.Getpid())
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Close()
	port, _ := strconv.Atoi(strings.TrimSpace(line))
	fmt.Println("got a port:", port > 0)
	fmt.Println("held for this process:", s.Held())
	// Output:
	// got a port: true
	// held for this process: 1
}
