package ports_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
)

func ExamplePort_Class() {
	for _, s := range []string{"22", "8080", "49151", "55000"} {
		p := ports.MustParsePort(s)
		fmt.Printf("%-5d %-7v reserved=%v\n", p, p.Class(), p.IsReserved())
	}
	// Output:
	// 22    system  reserved=false
	// 8080  user    reserved=false
	// 49151 user    reserved=true
	// 55000 dynamic reserved=false
}

func ExampleParsePort() {
	for _, s := range []string{"8080", "65536", "0x50"} {
		p, err := ports.ParsePort(s)
		fmt.Println(p, err)
	}
	// Output:
	// 8080 <nil>
	// 0 ports: ParsePort("65536"): out of range; ports go from 0 to 65535
	// 0 ports: ParsePort("0x50"): unexpected character 'x'; want a decimal number from 0 to 65535
}

func ExampleParseRange() {
	r, err := ports.ParseRange("8000-8100")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r, r.Lo(), r.Hi(), r.Len())
	fmt.Println(r.Contains(8080), r.Overlaps(ports.MustParseRange("8100-8200")))

	_, err = ports.ParseRange("8100-8000")
	fmt.Println(err)
	// Output:
	// 8000-8100 8000 8100 101
	// true true
	// ports: ParseRange("8100-8000"): low port 8100 is above high port 8000
}

func ExampleRange_All() {
	for p := range ports.MustParseRange("50050-50053").All() {
		fmt.Print(p, " ")
	}
	fmt.Println()
	// Output:
	// 50050 50051 50052 50053
}

func ExampleRangeSet() {
	// Ports a test harness should stay away from: the privileged ports,
	// Linux's default ephemeral range and two busy developer ports.
	var b ports.RangeSetBuilder
	b.Add(ports.MustParseRange("0-1023"))
	b.Add(ports.MustParseRange("32768-60999"))
	b.AddPort(3000)
	b.AddPort(8080)
	avoid := b.RangeSet()

	fmt.Println(avoid)
	fmt.Println(avoid.Contains(3000), avoid.Contains(3001))
	free := avoid.Complement()
	fmt.Println(free, free.Len())
	next, _ := free.Next(8080)
	fmt.Println("first usable port from 8080:", next)
	// Output:
	// 0-1023,3000,8080,32768-60999
	// true false
	// 1024-2999,3001-8079,8081-32767,61000-65535 36278
	// first usable port from 8080: 8081
}

func ExampleRangeSet_Difference() {
	user := ports.RangeSetOf(ports.User.Range())
	ephemeral := ports.MustParseRangeSet("32768-60999")
	fmt.Println(user.Difference(ephemeral))
	fmt.Println(user.Intersect(ephemeral))
	// Output:
	// 1024-32767
	// 32768-49151
}

func ExampleEndpoint_Conflicts() {
	grafana := ports.MustParseEndpoint("3000/tcp") // every address
	web := ports.MustParseEndpoint("127.0.0.1:3000/tcp")
	dns := ports.MustParseEndpoint("[::1]:3000/udp")
	v6 := ports.MustParseEndpoint("[::]:3000/tcp")
	lo6 := ports.MustParseEndpoint("[::1]:3000/tcp")

	fmt.Println(grafana.Conflicts(web)) // every address includes 127.0.0.1
	fmt.Println(web.Conflicts(dns))     // different protocols
	fmt.Println(web.Conflicts(v6))      // :: accepts IPv4 on a dual-stack host
	fmt.Println(web.Conflicts(lo6))     // two loopbacks, two families
	// Output:
	// true
	// false
	// true
	// false
}

func ExampleParseEndpoint() {
	for _, s := range []string{"8080", "127.0.0.1:8000-8100/udp", "[::1]:53/UDP", "::1:53"} {
		e, err := ports.ParseEndpoint(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(e, e.Protocol(), e.Range().Len())
	}
	// Output:
	// 8080/tcp tcp 1
	// 127.0.0.1:8000-8100/udp udp 101
	// [::1]:53/udp udp 1
	// ports: ParseEndpoint("::1:53"): IPv6 address must be written in brackets, as [::1]:53
}

func ExampleClass_Range() {
	for _, c := range ports.Classes() {
		fmt.Printf("%-28s %s\n", c.Title(), c.Range())
	}
	// Output:
	// System Ports                 0-1023
	// User Ports                   1024-49151
	// Dynamic and/or Private Ports 49152-65535
}

// A ParseError says which function refused what; its Detail leaves the
// function out, for messages to people who never called it.
func ExampleParseError() {
	_, err := ports.ParseRangeSet("8000-8100, 9100-9000")
	fmt.Println(err)
	var pe *ports.ParseError
	if errors.As(err, &pe) {
		fmt.Println("--range:", pe.Detail())
	}
	// Output:
	// ports: ParseRangeSet("8000-8100, 9100-9000"): in "9100-9000": low port 9100 is above high port 9000
	// --range: "8000-8100, 9100-9000": in "9100-9000": low port 9100 is above high port 9000
}

// The port a listener got, without a type assertion.
func ExamplePortOf() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	p, ok := ports.PortOf(ln.Addr())
	fmt.Println(ok, p.Class() != 0, p == ports.Port(ln.Addr().(*net.TCPAddr).Port))
	// Output:
	// true true true
}

// An endpoint on every address, without netip.Addr{}.
func ExampleEndpointAnyAddr() {
	fmt.Println(ports.EndpointAnyAddr(ports.UDP, ports.MustParseRange("10000-20000")))
	// Output:
	// 10000-20000/udp
}

func ExampleEndpointFromAddrPort() {
	fmt.Println(ports.EndpointFromAddrPort(ports.TCP, netip.MustParseAddrPort("[::1]:8443")))
	// Output:
	// [::1]:8443/tcp
}

// An endpoint of one port is what net.ListenTCP takes.
func ExampleEndpoint_AddrPort() {
	ap, ok := ports.MustParseEndpoint("127.0.0.1:8080/tcp").AddrPort()
	fmt.Println(ap, ok, net.TCPAddrFromAddrPort(ap))
	_, ok = ports.MustParseEndpoint("127.0.0.1:8000-8100/tcp").AddrPort()
	fmt.Println(ok)
	// Output:
	// 127.0.0.1:8080 true 127.0.0.1:8080
	// false
}

// A range combines with sets.
func ExampleRange_Set() {
	avoid := ports.MustParseRangeSet("22,80").Union(ports.MustParseRange("30000-32767").Set())
	fmt.Println(avoid)
	// Output:
	// 22,80,30000-32767
}

// Ports are JSON numbers, as in the configurations people write; a range
// is a string and also reads a bare number.
func ExamplePort_MarshalJSON() {
	type service struct {
		Port  ports.Port  `json:"port"`
		Range ports.Range `json:"range"`
	}
	var s service
	if err := json.Unmarshal([]byte(`{"port": "8080", "range": 9090}`), &s); err != nil {
		panic(err)
	}
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	// Output:
	// {"port":8080,"range":"9090"}
}

func ExampleClass_MarshalText() {
	b, _ := json.Marshal(map[string]ports.Class{"ssh": ports.MustParsePort("22").Class()})
	fmt.Println(string(b))
	// Output:
	// {"ssh":"system"}
}

// YAML writes a port as a number and reads numbers and strings alike.
func ExamplePort_MarshalYAML() {
	type container struct {
		ContainerPort ports.Port     `yaml:"containerPort"`
		Protocol      ports.Protocol `yaml:"protocol"`
	}
	var c container
	if err := yaml.Unmarshal([]byte("containerPort: 8080\nprotocol: UDP\n"), &c); err != nil {
		panic(err)
	}
	b, _ := yaml.Marshal(c)
	fmt.Print(string(b))
	// Output:
	// containerPort: 8080
	// protocol: udp
}
