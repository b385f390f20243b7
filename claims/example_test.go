package claims_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/portalloc/ports/claims"
)

func Example() {
	dir, _ := os.MkdirTemp("", "claims-example")
	defer os.RemoveAll(dir)
	st, err := claims.Open(filepath.Join(dir, "store"))
	if err != nil {
		panic(err)
	}
	api, err := st.Claim(claims.Request{Name: "api"})
	if err != nil {
		panic(err)
	}
	grpc, _ := st.Claim(claims.Request{Name: "grpc", N: 3})
	again, _ := st.Claim(claims.Request{Name: "api"})
	fmt.Println("api keeps its port:", again == api)
	fmt.Println("grpc has a run of", grpc.Ports.Len())
	fmt.Println("they share a port:", api.Ports.Overlaps(grpc.Ports))
	// Output:
	// api keeps its port: true
	// grpc has a run of 3
	// they share a port: false
}
