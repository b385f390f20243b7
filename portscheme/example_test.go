package portscheme_test

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/portscheme"
)

func Example() {
	s := portscheme.Default()
	saga := portscheme.Pod{Language: portscheme.Go, Component: portscheme.Saga, Index: 0}
	p, err := s.PodPort(saga, portscheme.Coordinator)
	fmt.Println(p, err)

	loc, ok := s.Locate(50263)
	fmt.Println(loc, ok)
	fmt.Println(loc.Language, loc.Component, loc.Index, loc.Slot)

	saga.Index = 3
	_, err = s.PodPort(saga, portscheme.Coordinator)
	fmt.Println(err)
	// Output:
	// 50260 <nil>
	// go/saga/0 slot 3 true
	// go saga 0 logic
	// portscheme: go/saga/3 slot 0: pod index 3 is beyond the capacity of go/saga: 3 pods (indexes 0-2) in 50260-50289
}

// A service reads its ports from its environment at start-up. In a real
// service the lookup function is os.LookupEnv; here a map stands in for the
// environment the pod was given.
func ExampleScheme_ParseEnv() {
	environ := map[string]string{"PORT": "50260", "DEBUG_PORT": "50262"}
	lookup := func(k string) (string, bool) {
		v, ok := environ[k]
		return v, ok
	}

	env, err := portscheme.Default().ParseEnv(lookup)
	if err != nil {
		fmt.Println(err)
		return
	}
	grpc, _ := env.Port(portscheme.Coordinator)
	rest, _ := env.Port(portscheme.REST)
	control, _ := env.Port(portscheme.Control) // no variable, but PORT fixes it
	target, _ := env.Lookup("TARGET_PORT")
	fmt.Println("pod", env.Pod)
	fmt.Println("serve gRPC on", grpc, "and REST on", rest, "and the control UI on", control)
	fmt.Println("reach the client logic at localhost:" + target.String())
	fmt.Println("derived from PORT:", env.Derived)

	// A misconfigured pod hears of every problem at once.
	environ = map[string]string{"PORT": "50260", "REST_PORT": "50271", "DEBUG_PORT": "debug"}
	_, err = portscheme.Default().ParseEnv(lookup)
	fmt.Println(err)
	// Output:
	// pod go/saga/0
	// serve gRPC on 50260 and REST on 50261 and the control UI on 50269
	// reach the client logic at localhost:50263
	// derived from PORT: [REST_PORT TARGET_PORT]
	// portscheme: REST_PORT="50271": contradicts the scheme: pod go/saga/0 (PORT=50260) has its slot 1 (rest) port at 50261, and 50271 is the slot 1 (rest) port of go/saga/1
	// portscheme: DEBUG_PORT="debug": malformed: unexpected 'd' at byte 0; want a decimal port number
}

// The table of one language: its kinds, and the first ports of every pod.
func ExampleScheme_Pods() {
	s := portscheme.Default()
	l, _ := s.Language(portscheme.Go)
	fmt.Println(l.Title, l.Range)
	for _, k := range l.Components {
		n, _ := s.Capacity(l.Name, k.Name)
		fmt.Printf("  %-9s  %v  %d pods\n", k.Name, k.Range, n)
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "pod\tcoordinator\trest\tdebug\tlogic")
	for pod := range s.Pods(portscheme.Go) {
		fmt.Fprint(w, pod)
		for _, slot := range []portscheme.Slot{portscheme.Coordinator, portscheme.REST, portscheme.Debug, portscheme.Logic} {
			p, _ := s.PodPort(pod, slot)
			fmt.Fprint(w, "\t", p)
		}
		fmt.Fprintln(w)
	}
	w.Flush()
	// Output:
	// Go 50200-50349
	//   aggregate  50200-50259  6 pods
	//   saga       50260-50289  3 pods
	//   projector  50290-50309  2 pods
	// pod             coordinator  rest   debug  logic
	// go/aggregate/0  50200        50201  50202  50203
	// go/aggregate/1  50210        50211  50212  50213
	// go/aggregate/2  50220        50221  50222  50223
	// go/aggregate/3  50230        50231  50232  50233
	// go/aggregate/4  50240        50241  50242  50243
	// go/aggregate/5  50250        50251  50252  50253
	// go/saga/0       50260        50261  50262  50263
	// go/saga/1       50270        50271  50272  50273
	// go/saga/2       50280        50281  50282  50283
	// go/projector/0  50290        50291  50292  50293
	// go/projector/1  50300        50301  50302  50303
}

// A custom scheme is validated as a whole: New lists every problem, and
// Validate says which pods lie in ranges the OS hands out.
func ExampleNew() {
	spec := portscheme.Spec{
		Slots: 4,
		Roles: []portscheme.Role{
			{Slot: 0, Name: "grpc", ServicePolicy: portscheme.ServiceAlways, Env: "PORT"},
			{Slot: 1, Name: "http", ServicePolicy: portscheme.ServiceOptional, Env: "HTTP_PORT"},
			{Slot: 2, Name: "metrics", ServicePolicy: portscheme.ServiceOnRequest},
		},
		Languages: []portscheme.LanguageSpec{
			{Name: "go", Range: ports.MustParseRange("40000-40099"), Components: []portscheme.ComponentSpec{
				{Name: "api", Range: ports.MustParseRange("40000-40039")},
				{Name: "worker", Range: ports.MustParseRange("40036-40061")},
			}},
			{Name: "TypeScript", Range: ports.MustParseRange("40080-40179")},
		},
	}
	_, err := portscheme.New(spec)
	fmt.Println(err)

	spec.Languages[0].Components[1].Range = ports.MustParseRange("40040-40063")
	spec.Languages[1].Name = "typescript"
	spec.Languages[1].Range = ports.MustParseRange("40100-40199")
	s, err := portscheme.New(spec)
	fmt.Println(err)

	err = s.Validate(
		portscheme.Avoid{Name: "the Linux ephemeral range", Ports: ports.MustParseRangeSet("32768-60999")},
		portscheme.Avoid{Name: "the IANA Dynamic range", Ports: ports.RangeSetOf(ports.Dynamic.Range())},
	)
	fmt.Println(err)
	// Output:
	// portscheme: 4 problems:
	// 	kind "go/worker" (languages[0].kinds[1]): range 40036-40061 holds 26 ports, not a multiple of the 4 slots of a pod (6 pods and 2 ports left over)
	// 	kind "go/worker" (languages[0].kinds[1]): range 40036-40061 overlaps kind "go/api" (languages[0].kinds[0]), 40000-40039, on ports 40036-40039
	// 	language "TypeScript" (languages[1]): language name "TypeScript": character 'T' not allowed; want a-z, 0-9 and '-'
	// 	language "TypeScript" (languages[1]): range 40080-40179 overlaps language "go" (languages[0]), 40000-40099, on ports 40080-40099
	// <nil>
	// portscheme: language "go" (languages[0]): every pod, ports 40000-40063, lies in the Linux ephemeral range (32768-60999)
}

// The default scheme lies inside Linux's default ephemeral range and inside
// IANA's Dynamic range, and Validate says so.
func ExampleScheme_Validate() {
	err := portscheme.Default().Validate(
		portscheme.Avoid{Name: "Linux's default ephemeral range", Ports: ports.MustParseRangeSet("32768-60999")},
		portscheme.Avoid{Name: "IANA's Dynamic range", Ports: ports.RangeSetOf(ports.Dynamic.Range())},
	)
	fmt.Println(err)
	// Output:
	// portscheme: 12 problems:
	// 	language "rust" (languages[0]): every pod, ports 50050-50159, lies in Linux's default ephemeral range (32768-60999)
	// 	language "go" (languages[1]): every pod, ports 50200-50309, lies in Linux's default ephemeral range (32768-60999)
	// 	language "python" (languages[2]): every pod, ports 50400-50509, lies in Linux's default ephemeral range (32768-60999)
	// 	language "java" (languages[3]): every pod, ports 50550-50659, lies in Linux's default ephemeral range (32768-60999)
	// 	language "csharp" (languages[4]): every pod, ports 50700-50809, lies in Linux's default ephemeral range (32768-60999)
	// 	language "cpp" (languages[5]): every pod, ports 50850-50959, lies in Linux's default ephemeral range (32768-60999)
	// 	language "rust" (languages[0]): every pod, ports 50050-50159, lies in IANA's Dynamic range (49152-65535)
	// 	language "go" (languages[1]): every pod, ports 50200-50309, lies in IANA's Dynamic range (49152-65535)
	// 	language "python" (languages[2]): every pod, ports 50400-50509, lies in IANA's Dynamic range (49152-65535)
	// 	language "java" (languages[3]): every pod, ports 50550-50659, lies in IANA's Dynamic range (49152-65535)
	// 	language "csharp" (languages[4]): every pod, ports 50700-50809, lies in IANA's Dynamic range (49152-65535)
	// 	language "cpp" (languages[5]): every pod, ports 50850-50959, lies in IANA's Dynamic range (49152-65535)
}

// The container ports of a pod, with the REST proxy exposed.
func ExampleScheme_ContainerPorts() {
	cps, err := portscheme.Default().ContainerPorts(portscheme.Pod{Language: portscheme.Rust, Component: portscheme.Aggregate, Index: 0}, portscheme.REST)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cp := range cps {
		fmt.Printf("%-12s %v/%v in Service: %v\n", cp.Name, cp.Port, cp.KubernetesProtocol(), cp.InService)
	}
	// Output:
	// coordinator  50050/TCP in Service: true
	// rest         50051/TCP in Service: true
	// debug        50052/TCP in Service: false
	// logic        50053/TCP in Service: false
	// client-debug 50054/TCP in Service: false
	// control      50059/TCP in Service: false
}

// Container ports render into a manifest as Kubernetes reads them.
func ExampleContainerPort_MarshalJSON() {
	cps, _ := portscheme.Default().ContainerPorts(portscheme.Pod{Language: portscheme.Go, Component: portscheme.Saga, Index: 1})
	b, _ := json.Marshal(cps[:2])
	fmt.Println(string(b))
	// Output:
	// [{"name":"coordinator","containerPort":50270,"protocol":"TCP"},{"name":"rest","containerPort":50271,"protocol":"TCP"}]
}

// The Pod form of Port.
func ExampleScheme_PodPort() {
	pod := portscheme.Pod{Language: portscheme.Rust, Component: portscheme.Aggregate, Index: 2}
	p, err := portscheme.Default().PodPort(pod, portscheme.REST)
	fmt.Println(p, err)
	// Output:
	// 50071 <nil>
}

// A service that may also run where the platform sets PORT itself.
func ExampleScheme_ParseEnvAllowBare() {
	lookup := func(k string) (string, bool) {
		v, ok := map[string]string{"PORT": "8080"}[k]
		return v, ok
	}
	env, err := portscheme.Default().ParseEnvAllowBare(lookup)
	fmt.Println(err)
	fmt.Println(env.Bare, env.Note)
	p, _ := env.Port(portscheme.Coordinator)
	_, ok := env.Port(portscheme.REST)
	fmt.Println(p, ok)
	// Output:
	// <nil>
	// true PORT=8080 lies outside the scheme: taken as the service's own port, with no pod
	// 8080 false
}

// A scheme shared as a JSON file.
func ExampleParseJSON() {
	s, err := portscheme.ParseJSON([]byte(`{
		"slots": 2,
		"roles": [{"slot": 0, "name": "api", "exposure": "yes", "env": "PORT"}],
		"languages": [{"name": "go", "range": "7000-7019",
			"kinds": [{"name": "api", "range": "7000-7009"}]}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := s.PodPort(portscheme.Pod{Language: "go", Component: "api", Index: 4}, 1)
	fmt.Println(p)
	b, _ := s.MarshalJSON()
	fmt.Println(string(b))
	// Output:
	// 7009
	// {"slots":2,"roles":[{"slot":0,"name":"api","exposure":"yes","env":"PORT"}],"languages":[{"name":"go","range":"7000-7019","kinds":[{"name":"api","range":"7000-7009"}]}]}
}
