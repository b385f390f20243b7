package hostports_test

import (
	"errors"
	"fmt"
	"net"
	"testing/fstest"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
)

func ExampleParseLinuxPortRange() {
	// The contents of /proc/sys/net/ipv4/ip_local_port_range.
	r, err := hostports.ParseLinuxPortRange("32768\t60999\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(r, r.Len())
	// Output: 32768-60999 28232
}

func ExampleParseLinuxReservedPorts() {
	// The contents of /proc/sys/net/ipv4/ip_local_reserved_ports.
	set, err := hostports.ParseLinuxReservedPorts("8080,9000-9010\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(set, set.Contains(9005))
	// Output: 8080,9000-9010 true
}

func ExampleParseSysctlPortRange() {
	// The output of "sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last" on macOS.
	r, err := hostports.ParseSysctlPortRange("net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 65535\n")
	if err != nil {
		panic(err)
	}
	fmt.Println(r)
	// Output: 49152-65535
}

func ExampleParseNetshDynamicPortRange() {
	out := "\r\nProtocol tcp Dynamic Port Range\r\n" +
		"---------------------------------\r\n" +
		"Start Port      : 49152\r\n" +
		"Number of Ports : 16384\r\n"
	r, err := hostports.ParseNetshDynamicPortRange(out)
	if err != nil {
		panic(err)
	}
	fmt.Println(r)
	// Output: 49152-65535
}

func ExampleParseNetshExcludedPortRanges() {
	out := "\r\nProtocol tcp Port Exclusion Ranges\r\n\r\n" +
		"Start Port    End Port\r\n" +
		"----------    --------\r\n" +
		"      5357        5357\r\n" +
		"     49671       49770\r\n" +
		"     50000       50059     *\r\n\r\n" +
		"* - Administered port exclusions.\r\n"
	set, err := hostports.ParseNetshExcludedPortRanges(out)
	if err != nil {
		panic(err)
	}
	fmt.Println(set)
	// Output: 5357,49671-49770,50000-50059
}

func ExampleLimits_Avoid() {
	l, _ := hostports.Defaults("linux")
	l.Reserved = ports.MustParseRangeSet("8080")
	fmt.Println(l.Avoid(ports.TCP))
	// Output: 0-1023,8080,32768-60999
}

func ExampleDefaults() {
	for _, goos := range []string{"linux", "darwin", "freebsd", "windows"} {
		l, _ := hostports.Defaults(goos)
		fmt.Println(goos, l.EphemeralTCP)
	}
	// Output:
	// linux 32768-60999
	// darwin 49152-65535
	// freebsd 10000-65535
	// windows 49152-65535
}

func ExampleProber_Check() {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	p := ports.Port(ln.Addr().(*net.TCPAddr).Port)

	var pr hostports.Prober // TCP and UDP on 127.0.0.1, ::1, 0.0.0.0 and ::
	err = pr.Check(p)
	fmt.Println(errors.Is(err, hostports.ErrInUse))
	// Output: true
}

func ExampleProbe() {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	p := ports.Port(ln.Addr().(*net.TCPAddr).Port)
	r := hostports.Probe(p)
	fmt.Println(r.Bindable(), r.Checks[0].Protocol, r.Checks[0].Addr, r.Checks[0].OK())
	ln.Close()
	// Output: false tcp 127.0.0.1 false
}

func ExampleFindRuntime() {
	// A user whose Docker CLI talks to rootless Docker; on a real host,
	// hostports.ReadRuntime() reads the same from this process.
	env := map[string]string{
		"XDG_RUNTIME_DIR": "/run/user/1000",
		"DOCKER_HOST":     "unix:///run/user/1000/docker.sock",
	}
	rt := hostports.FindRuntime(hostports.RuntimeEnv{
		Getenv: func(k string) string { return env[k] },
		UID:    1000,
		FS:     fstest.MapFS{"run/user/1000/docker.sock": {}},
	})
	fmt.Println(rt)
	fmt.Println(rt.Evidence)
	// Output:
	// rootless Docker
	// DOCKER_HOST is unix:///run/user/1000/docker.sock, a user's runtime directory
}

// The ports a TCP server should stay off on a Linux host with the default
// settings, and those a NodePort service of the default range should.
func ExampleAvoided() {
	l, _ := hostports.Defaults("linux")
	tcp := hostports.Avoided(l, hostports.AvoidOptions{Protocols: []ports.Protocol{ports.TCP}})
	fmt.Println("22 (System):", tcp.Contains(22))
	fmt.Println("3000 (Grafana):", tcp.Contains(3000))
	fmt.Println("6000 (refused by browsers):", tcp.Contains(6000))
	fmt.Println("15000 (RTP media, UDP only):", tcp.Contains(15000))
	fmt.Println("40000 (ephemeral):", tcp.Contains(40000))
	node := hostports.Avoided(l, hostports.AvoidOptions{Protocols: []ports.Protocol{ports.TCP}, NodePorts: ports.RangeFrom(30000, 32767)})
	fmt.Println("NodePort 31000:", node.Contains(31000))
	// Output:
	// 22 (System): true
	// 3000 (Grafana): true
	// 6000 (refused by browsers): true
	// 15000 (RTP media, UDP only): false
	// 40000 (ephemeral): true
	// NodePort 31000: false
}

func ExampleParseDockerContainers() {
	answer := `[{"Id":"8dfafdbc3a40b2a6e3a1f0c4d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0",
	  "Names":["/shop-db-1"],
	  "Ports":[{"IP":"0.0.0.0","PrivatePort":5432,"PublicPort":15432,"Type":"tcp"},
	           {"PrivatePort":8080,"Type":"tcp"}]}]`
	published, err := hostports.ParseDockerContainers([]byte(answer))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range published {
		fmt.Println(p.Protocol, p.Addr, p.Port, p.Container)
	}
	// Output:
	// tcp 0.0.0.0 15432 docker shop-db-1 (8dfafdbc3a40) -> 5432/tcp
}

func ExampleExplainExclusion() {
	out := "Protocol tcp Port Exclusion Ranges\r\n\r\nStart Port    End Port\r\n----------    --------\r\n" +
		"      5357        5357\r\n     50000       50059     *\r\n     50060       50159\r\n\r\n* - Administered port exclusions.\r\n"
	rows, err := hostports.ParseNetshExclusions(out, ports.TCP)
	if err != nil {
		fmt.Println(err)
		return
	}
	l, _ := hostports.Defaults("windows")
	l.Exclusions = rows
	for _, p := range []ports.Port{5357, 50010, 50100, 8080} {
		c, ok := hostports.ExplainExclusion(l, ports.TCP, p)
		if !ok {
			fmt.Println(p, "not excluded")
			continue
		}
		fmt.Println(p, c.Exclusion.Range, c.Maker, "blocks:", c.Blocks)
	}
	// Output:
	// 5357 5357 service blocks: true
	// 50010 50000-50059 administrator blocks: false
	// 50100 50060-50159 winnat blocks: true
	// 8080 not excluded
}
