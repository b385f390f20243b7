package porttest_test

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/porttest"
)

// Outside tests, a Pool leases ports with plain functions that return
// errors. The port printed would differ from run to run; what holds is
// that it is a candidate and that it can be bound.
func ExamplePool_Lease() {
	pool, err := porttest.NewPool(porttest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := pool.Lease()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Release()
	fmt.Println(pool.Candidates().Contains(l.Port()), hostports.Probe(l.Port()).Bindable())
	// Output: true true
}

// A run of ten contiguous ports, for the ten slots of a pod.
func ExamplePool_LeaseRange() {
	pool, err := porttest.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	run, err := pool.LeaseRange(10)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		for _, l := range run {
			l.Release()
		}
	}()
	contiguous := true
	for i, l := range run {
		contiguous = contiguous && l.Port() == run[0].Port()+ports.Port(i)
	}
	fmt.Println(len(run), contiguous)
	// Output: 10 true
}

// A lease opens sockets on its port; Release closes them.
func ExampleLease_ListenTCP() {
	pool, err := porttest.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := pool.Lease()
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := l.ListenTCP(netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	fmt.Println(err == nil, ln.Addr().(*net.TCPAddr).Port == int(l.Port()))
	c.Close()
	l.Release()
	_, err = ln.Accept()
	fmt.Println(err != nil)
	// Output:
	// true true
	// true
}

// What a pool leaves alone on a Linux host with the default settings.
func ExampleAvoidedFor() {
	lim, _ := hostports.Defaults("linux")
	avoided := porttest.AvoidedFor(lim)
	fmt.Println("22 (system):", avoided.Contains(22))
	fmt.Println("5432 (PostgreSQL):", avoided.Contains(5432))
	fmt.Println("40000 (ephemeral):", avoided.Contains(40000))
	fmt.Println("62000:", avoided.Contains(62000))
	// Output:
	// 22 (system): true
	// 5432 (PostgreSQL): true
	// 40000 (ephemeral): true
	// 62000: false
}
