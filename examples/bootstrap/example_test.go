package main

import "os"

// A pod of the scheme started with only PORT set: the other three ports
// follow from it, and the pod is named by its language, kind and slot.
func Example() {
	env := map[string]string{"PORT": "50260"}
	run(lookup(env), os.Stdout, os.Stdout, false)
	// Output:
	// pod go/saga/0
	//   PORT         50260  Coordinator gRPC   set
	//   REST_PORT    50261  REST Proxy         derived from PORT
	//   DEBUG_PORT   50262  Coordinator Debug  derived from PORT
	//   TARGET_PORT  50263  Client Logic       derived from PORT
}
