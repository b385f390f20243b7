package etcd

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/porttest"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// member is one etcd server started in this process.
type member struct {
	name      string
	cfg       *embed.Config
	etcd      *embed.Etcd
	clientURL string
	peerURL   string
	stopped   bool
	closed    chan struct{} // closed when a killed member has shut down
	stopMu    sync.Mutex
}

// cluster is an etcd cluster of members in this process, on loopback ports
// leased from porttest.
type cluster struct {
	t       testing.TB
	members []*member
}

// The timing of the test clusters: ticks of 50 ms and elections after 500 ms,
// so that a leader's loss is noticed in about half a second, and etcd's
// minimum lease TTL (1.5 elections) is under a second.
const (
	tickMs     = 50
	electionMs = 500
)

func newConfig(t testing.TB, name, dir string) (*embed.Config, string, string) {
	return newConfigOn(name, dir, porttest.Port(t), porttest.Port(t))
}

func newConfigOn(name, dir string, client, peer ports.Port) (*embed.Config, string, string) {
	cfg := embed.NewConfig()
	cfg.Name = name
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.TickMs = tickMs
	cfg.ElectionMs = electionMs
	cfg.UnsafeNoFsync = true
	cfg.InitialClusterToken = "ports-test"
	cu := fmt.Sprintf("http://127.0.0.1:%d", client)
	pu := fmt.Sprintf("http://127.0.0.1:%d", peer)
	c, _ := url.Parse(cu)
	p, _ := url.Parse(pu)
	cfg.ListenClientUrls = []url.URL{*c}
	cfg.AdvertiseClientUrls = []url.URL{*c}
	cfg.ListenPeerUrls = []url.URL{*p}
	cfg.AdvertisePeerUrls = []url.URL{*p}
	cfg.ListenMetricsUrls = nil
	return cfg, cu, pu
}

// startCluster starts n members and waits until they serve.
func startCluster(t testing.TB, n int) *cluster {
	t.Helper()
	c := &cluster{t: t}
	var initial []string
	for i := range n {
		name := fmt.Sprintf("m%d", i)
		cfg, cu, pu := newConfig(t, name, t.TempDir())
		c.members = append(c.members, &member{name: name, cfg: cfg, clientURL: cu, peerURL: pu})
		initial = append(initial, name+"="+pu)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, m := range c.members {
		m.cfg.InitialCluster = strings.Join(initial, ",")
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.start()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, m := range c.members {
			m.stop()
		}
	})
	return c
}

func (m *member) start() error {
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return fmt.Errorf("start etcd %s: %v", m.name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		e.Close()
		return fmt.Errorf("etcd %s did not become ready", m.name)
	}
	m.stopMu.Lock()
	m.etcd, m.stopped = e, false
	m.stopMu.Unlock()
	return nil
}

func (m *member) stop() {
	m.stopMu.Lock()
	defer m.stopMu.Unlock()
	if m.etcd != nil && !m.stopped {
		m.etcd.Close()
		m.stopped = true
	}
	if m.closed != nil {
		<-m.closed
	}
}

// restart starts a stopped member again on its data directory.
func (m *member) restart() error {
	if m.closed != nil {
		<-m.closed
	}
	m.cfg.ClusterState = embed.ClusterStateFlagExisting
	return m.start()
}

// endpoints returns the client URLs of the members.
func (c *cluster) endpoints() []string {
	var out []string
	for _, m := range c.members {
		out = append(out, m.clientURL)
	}
	return out
}

// leader returns the index of the member that leads, waiting for one.
func (c *cluster) leader() int {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i, m := range c.members {
			m.stopMu.Lock()
			up := !m.stopped && m.etcd != nil
			m.stopMu.Unlock()
			if up && m.etcd.Server.Leader() == m.etcd.Server.MemberID() {
				return i
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatal("no leader")
	return -1
}

// client returns a clientv3 client of the cluster, closed when the test ends.
func (c *cluster) client(t testing.TB, eps ...string) *clientv3.Client {
	t.Helper()
	if len(eps) == 0 {
		eps = c.endpoints()
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   eps,
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// newClient returns a Client of the cluster under prefix, closed when the
// test ends.
func (c *cluster) newClient(t testing.TB, opts Options, eps ...string) *Client {
	t.Helper()
	if opts.Prefix == "" {
		opts.Prefix = "/" + t.Name() + "/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := New(ctx, c.client(t, eps...), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// shared is the single-member cluster that most tests of the package share,
// started by TestMain; each test keeps to its own prefix (newClient's
// default, the test's name).
var shared *cluster

func single(t testing.TB) *cluster {
	t.Helper()
	if shared == nil {
		t.Fatal("the shared etcd did not start")
	}
	shared.t = t
	return &cluster{t: t, members: shared.members}
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv(childEnv) != "" {
		return childMain()
	}
	if os.Getenv(holdEnv) != "" {
		return holdMain()
	}
	if os.Getenv(serveEnv) != "" {
		return serveMain()
	}
	pool, err := porttest.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, "porttest:", err)
		return 1
	}
	leases, err := pool.LeaseN(2)
	if err != nil {
		fmt.Fprintln(os.Stderr, "porttest:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "ports-etcd-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cfg, cu, pu := newConfigOn("shared", dir, leases[0].Port(), leases[1].Port())
	cfg.InitialCluster = "shared=" + pu
	mb := &member{name: "shared", cfg: cfg, clientURL: cu, peerURL: pu}
	if err := mb.start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Ports are not needed once etcd has bound them.
	for _, l := range leases {
		defer l.Release()
	}
	defer mb.stop()
	shared = &cluster{members: []*member{mb}}
	return m.Run()
}
