package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/cluster/etcd"
	"github.com/portalloc/ports/porttest"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// startEtcd starts a single-member etcd in this process, on two loopback
// ports leased from porttest, and returns its client URL and a function
// that stops it.
func startEtcd() (string, func()) {
	pool, err := porttest.Default()
	if err != nil {
		log.Fatal(err)
	}
	leases, err := pool.LeaseN(2)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "etcd-example-")
	if err != nil {
		log.Fatal(err)
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", leases[0].Port())}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", leases[1].Port())}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatal(err)
	}
	<-e.Server.ReadyNotify()
	return client.String(), func() {
		e.Close()
		os.RemoveAll(dir)
		for _, l := range leases {
			l.Release()
		}
	}
}

// Two clients, as two machines would have, share one space of ports: each
// sees what the other holds, and a conflict names the holder.
func Example() {
	endpoint, stop := startEtcd()
	defer stop()
	ctx := context.Background()

	// Each client has its own connection, as on its own machine.
	newClient := func() (*etcd.Client, *clientv3.Client) {
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, Logger: zap.NewNop()})
		if err != nil {
			log.Fatal(err)
		}
		c, err := etcd.New(ctx, cli, etcd.Options{Prefix: "/example/"})
		if err != nil {
			log.Fatal(err)
		}
		return c, cli
	}
	a, acli := newClient()
	b, bcli := newClient()
	defer acli.Close()
	defer bcli.Close()
	defer a.Close()
	defer b.Close()

	r, err := a.Allocate(ctx, "api", ports.TCP, 2, ports.MustParseRange("30000-32767"))
	fmt.Println("a allocated:", r, err)

	// A session's reservations die with it (or with its process).
	s, err := a.NewSession(ctx, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	r, err = s.Reserve(ctx, "worker", ports.MustParseEndpoint("0.0.0.0:7000/udp"))
	fmt.Println("a's session reserved:", r, err)

	_, err = b.Reserve(ctx, "web", ports.MustParseEndpoint("30001/tcp"))
	var ce *allocator.ConflictError
	if errors.As(err, &ce) {
		fmt.Println("b refused:", ce.Holders, "suggested", ce.Suggestion)
	}

	if err := s.Close(ctx); err != nil {
		log.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		log.Fatal(err)
	}
	for r := range b.Overlapping(ports.MustParseEndpoint("1-65535/tcp")) {
		fmt.Println("b sees:", r)
	}
	fmt.Println("b sees on udp:", b.AppendOverlapping(nil, ports.MustParseEndpoint("1-65535/udp")))
	// Output:
	// a allocated: "api" 30000-30001/tcp <nil>
	// a's session reserved: "worker" 0.0.0.0:7000/udp <nil>
	// b refused: ["api" 30000-30001/tcp] suggested 30002/tcp
	// b sees: "api" 30000-30001/tcp
	// b sees on udp: []
}
