module github.com/portalloc/ports/benchmarks/freeport

go 1.26.7

require (
	github.com/hashicorp/consul/sdk v0.18.2
	github.com/phayes/freeport v0.0.0-20220201140144-74d24b5ae9f5
	github.com/portalloc/ports v0.0.0
)

require golang.org/x/sys v0.45.0 // indirect

replace github.com/portalloc/ports => ../..
