module github.com/portalloc/ports/benchmarks/intervals

go 1.26.0

replace github.com/portalloc/ports => ../..

require (
	github.com/Workiva/go-datastructures v1.1.7
	github.com/google/btree v1.1.3
	github.com/portalloc/ports v0.0.0
	github.com/rdleal/intervalst v1.4.1
	go.etcd.io/etcd/pkg/v3 v3.7.3
	pgregory.net/rapid v1.3.0
)
