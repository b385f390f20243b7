package etcd

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	"github.com/portalloc/ports/porttest"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// bitmapAllocator is the peer of the benchmarks: the way Kubernetes stores
// its NodePort allocations, the whole range as one bitmap in one etcd key,
// rewritten with a compare-and-swap on the key's revision on every change.
// Each client keeps the last value it read and retries with the value that
// a failed swap returns, the most favourable form of the scheme.
type bitmapAllocator struct {
	cli   *clientv3.Client
	key   string
	r     ports.Range
	rng   *rand.Rand
	value []byte // the bitmap as last read
	rev   int64  // its mod revision; 0: the key does not exist
}

func (a *bitmapAllocator) refresh(ctx context.Context) error {
	resp, err := a.cli.Get(ctx, a.key)
	if err != nil {
		return err
	}
	a.value, a.rev = make([]byte, (a.r.Len()+7)/8), 0
	if len(resp.Kvs) == 1 {
		a.value, a.rev = slices.Clone(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	return nil
}

// update applies change to the bitmap and swaps it in, retrying on a lost
// race with the value that the failed swap read.
func (a *bitmapAllocator) update(ctx context.Context, change func(b []byte) bool) error {
	for {
		b := slices.Clone(a.value)
		if !change(b) {
			return allocator.ErrExhausted
		}
		cmp := clientv3.Compare(clientv3.ModRevision(a.key), "=", a.rev)
		resp, err := a.cli.Txn(ctx).If(cmp).Then(clientv3.OpPut(a.key, string(b))).Else(clientv3.OpGet(a.key)).Commit()
		if err != nil {
			return err
		}
		if resp.Succeeded {
			a.value, a.rev = b, resp.Header.Revision
			return nil
		}
		kvs := resp.Responses[0].GetResponseRange().GetKvs()
		if len(kvs) == 1 {
			a.value, a.rev = slices.Clone(kvs[0].Value), kvs[0].ModRevision
		}
	}
}

// allocate takes a random free port, as Kubernetes' allocator does: a random
// start, then the first free bit after it, wrapping.
func (a *bitmapAllocator) allocate(ctx context.Context) (ports.Port, error) {
	var got int
	err := a.update(ctx, func(b []byte) bool {
		n := a.r.Len()
		start := a.rng.IntN(n)
		for i := range n {
			j := (start + i) % n
			if b[j/8]&(1<<(j%8)) == 0 {
				b[j/8] |= 1 << (j % 8)
				got = j
				return true
			}
		}
		return false
	})
	return a.r.Lo() + ports.Port(got), err
}

func (a *bitmapAllocator) release(ctx context.Context, p ports.Port) error {
	j := int(p - a.r.Lo())
	return a.update(ctx, func(b []byte) bool {
		b[j/8] &^= 1 << (j % 8)
		return true
	})
}

// serveEnv, when set, makes the test binary an etcd server for the
// benchmarks: "client port|peer port|data directory". It serves until its
// standard input ends; a line "profile FILE" on it starts a CPU profile of
// the server into FILE, and "stop" ends the profile and answers "stopped".
const serveEnv = "PORTS_ETCD_SERVE"

// etcdProfile is the directory to which BenchmarkAllocate writes a CPU
// profile of the etcd server during each sub-benchmark, named after it.
var etcdProfile = flag.String("etcdcpuprofile", "", "write CPU profiles of the benchmarks' etcd server `dir`/NAME.pprof")

func serveMain() int {
	f := strings.Split(os.Getenv(serveEnv), "|")
	if len(f) != 3 {
		fmt.Fprintln(os.Stderr, "server: bad", serveEnv)
		return 2
	}
	client, err1 := strconv.ParseUint(f[0], 10, 16)
	peer, err2 := strconv.ParseUint(f[1], 10, 16)
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		return 2
	}
	cfg, _, pu := newConfigOn("bench", f[2], ports.Port(client), ports.Port(peer))
	cfg.InitialCluster = "bench=" + pu
	m := &member{name: "bench", cfg: cfg}
	if err := m.start(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		return 1
	}
	defer m.stop()
	fmt.Println("ready")
	var prof *os.File
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch {
		case cmd == "profile" && prof == nil:
			f, err := os.Create(arg)
			if err == nil {
				err = pprof.StartCPUProfile(f)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "server: profile:", err)
				return 1
			}
			prof = f
		case cmd == "stop" && prof != nil:
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
			fmt.Println("stopped")
		}
	}
	return 0
}

// serverProcess is an etcd server in a process of its own, as a deployment
// runs it, so that its CPU time is measured apart from the clients'.
type serverProcess struct {
	url    string
	cmd    *exec.Cmd
	stdin  io.Writer
	stdout *bufio.Reader
}

// profile starts a CPU profile of the server if -etcdcpuprofile asks for
// one, and returns the function that stops it.
func (sp *serverProcess) profile(b *testing.B) (stop func()) {
	if *etcdProfile == "" {
		return func() {}
	}
	name := strings.NewReplacer("/", "_", "=", "-").Replace(b.Name())
	fmt.Fprintf(sp.stdin, "profile %s\n", filepath.Join(*etcdProfile, name+".pprof"))
	return func() {
		fmt.Fprintln(sp.stdin, "stop")
		if line, err := sp.stdout.ReadString('\n'); line != "stopped\n" {
			b.Fatalf("etcd server process said %q (%v)", line, err)
		}
	}
}

// startServer starts the test binary as a single-member etcd on two
// loopback ports leased from porttest; it stops when the benchmark ends.
func startServer(b *testing.B) *serverProcess {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	client, peer := porttest.Port(b), porttest.Port(b)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d|%d|%s", serveEnv, client, peer, b.TempDir()))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	out := bufio.NewReader(stdout)
	if line, err := out.ReadString('\n'); line != "ready\n" {
		b.Fatalf("etcd server process said %q (%v)", line, err)
	}
	return &serverProcess{url: fmt.Sprintf("http://127.0.0.1:%d", client), cmd: cmd, stdin: stdin, stdout: out}
}

// metrics returns the CPU time that the server process has used, in
// seconds, and the bytes it has written to its WAL, from its /metrics.
func (sp *serverProcess) metrics(tb testing.TB) (cpu, wal float64) {
	resp, err := http.Get(sp.url + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		var dst *float64
		switch name {
		case "process_cpu_seconds_total":
			dst = &cpu
		case "etcd_disk_wal_write_bytes_total":
			dst = &wal
		default:
			continue
		}
		if *dst, err = strconv.ParseFloat(value, 64); err != nil {
			tb.Fatalf("/metrics: %s: %v", name, err)
		}
		found++
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if found != 2 {
		tb.Fatalf("/metrics of the etcd server lacks process_cpu_seconds_total or etcd_disk_wal_write_bytes_total")
	}
	return cpu, wal
}

// benchPrefix returns a prefix of the length that a deployment would use,
// new for each run: "/ports/" and a number.
func benchPrefix() string {
	benchRuns++
	return fmt.Sprintf("/ports%d/", benchRuns)
}

var benchRuns int

// nodePorts is the range of both peers: Kubernetes' default NodePort range.
var nodePorts = ports.MustParseRange("30000-32767")

// benchClients runs the allocations of a benchmark over the given workers,
// clients of the etcd server sp: each iteration is one allocation by one of
// them, and a worker releases its oldest port once it holds 16, so that the
// range never fills. It reports allocations per second, the median and 99th
// percentile latency of an allocation, the WAL bytes per allocation, and
// the CPU time per allocation of the etcd server and of the clients. If
// clients is not nil, it also reports the transactions that allocations
// proposed per allocation, those refused, and the progress requests.
func benchClients(b *testing.B, sp *serverProcess, workers []func(ctx context.Context) (release func() error, err error), clients []*Client) {
	ctx := context.Background()
	work := make(chan struct{})
	lat := make([][]time.Duration, len(workers))
	var wg sync.WaitGroup
	errs := make(chan error, len(workers))
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held []func() error
			for range work {
				start := time.Now()
				rel, err := w(ctx)
				lat[i] = append(lat[i], time.Since(start))
				if err != nil {
					errs <- err
					for range work {
					}
					return
				}
				held = append(held, rel)
				if len(held) > 16 {
					if err := held[0](); err != nil {
						errs <- err
						for range work {
						}
						return
					}
					held = held[1:]
				}
			}
			for _, rel := range held {
				_ = rel()
			}
		}()
	}
	counts := func() (proposals, refused, progress int64) {
		for _, c := range clients {
			proposals += c.proposals.Load()
			refused += c.refused.Load()
			progress += c.progress.Load()
		}
		return
	}
	p0, r0, g0 := counts()
	ecpu0, wal0 := sp.metrics(b)
	cpu0 := cpuTime()
	stopProfile := sp.profile(b)
	start := time.Now()
	n := 0
	for b.Loop() {
		work <- struct{}{}
		n++
	}
	close(work)
	elapsed := time.Since(start)
	stopProfile()
	wg.Wait() // the releases of what is left are not timed
	cpu := cpuTime() - cpu0
	ecpu, wal := sp.metrics(b)
	ecpu, wal = ecpu-ecpu0, wal-wal0
	p, r, g := counts()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "allocs/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	// The WAL bytes include the releases, one per allocation in the steady
	// state, as in any real use.
	b.ReportMetric(wal/float64(n), "wal-B/alloc")
	// CPU time per allocation of the etcd server, which every client
	// shares, and of the clients, each of which would run on a machine of
	// its own in a deployment but here share the benchmark's process. On a
	// shared machine, throughput is the share of the cores the two
	// processes get divided by their sum.
	b.ReportMetric(ecpu*1e6/float64(n), "etcd-cpu-µs/alloc")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "clients-cpu-µs/alloc")
	if clients != nil {
		b.ReportMetric(float64(p-p0)/float64(n), "txns/alloc")
		b.ReportMetric(float64(r-r0)/float64(n), "refused/alloc")
		b.ReportMetric(float64(g-g0)/float64(n), "progress-reqs/alloc")
	}
}

// benchAllocator is what a client of this package allocates through: the
// Client itself, or a Session, whose reservations are bound to its lease.
type benchAllocator interface {
	Allocate(ctx context.Context, owner string, proto ports.Protocol, k int, within ports.Range) (allocator.Reservation, error)
	Release(ctx context.Context, e ports.Endpoint) (allocator.Reservation, bool, error)
}

// BenchmarkAllocate compares this package with the Kubernetes-style bitmap
// on the same embedded etcd, run in a process of its own, with 1, 4 and 16
// concurrent clients in the benchmark's process, each with its own
// connection (and, for this package, its own mirror), allocating single
// ports of the NodePort range at random: through the Client (peer=etcd),
// through a Session of each client, with a lease (peer=etcd-session), and
// with the bitmap (peer=bitmap).
func BenchmarkAllocate(b *testing.B) {
	sp := startServer(b)
	c := &cluster{t: b, members: []*member{{name: "bench", clientURL: sp.url}}}
	for _, n := range []int{1, 4, 16} {
		for _, leased := range []bool{false, true} {
			peer := "etcd"
			if leased {
				peer = "etcd-session"
			}
			b.Run(fmt.Sprintf("peer=%s/clients=%d", peer, n), func(b *testing.B) {
				prefix := benchPrefix()
				var workers []func(context.Context) (func() error, error)
				var clients []*Client
				for i := range n {
					cl := c.newClient(b, Options{Prefix: prefix, Policy: allocator.Policy{Order: allocator.Random, Seed: uint64(i) + 1}})
					clients = append(clients, cl)
					var a benchAllocator = cl
					if leased {
						s, err := cl.NewSession(context.Background(), 10*time.Second)
						if err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() { s.Close(context.Background()) })
						a = s
					}
					workers = append(workers, func(ctx context.Context) (func() error, error) {
						r, err := a.Allocate(ctx, "bench", ports.TCP, 1, nodePorts)
						if err != nil {
							return nil, err
						}
						return func() error {
							_, ok, err := a.Release(ctx, r.Endpoint)
							if err == nil && !ok {
								err = errors.New("release: not held")
							}
							return err
						}, nil
					})
				}
				benchClients(b, sp, workers, clients)
			})
		}
		b.Run(fmt.Sprintf("peer=bitmap/clients=%d", n), func(b *testing.B) {
			key := benchPrefix() + "range"
			var workers []func(context.Context) (func() error, error)
			for i := range n {
				a := &bitmapAllocator{cli: c.client(b), key: key, r: nodePorts, rng: rand.New(rand.NewPCG(uint64(i), 1))}
				if err := a.refresh(context.Background()); err != nil {
					b.Fatal(err)
				}
				workers = append(workers, func(ctx context.Context) (func() error, error) {
					p, err := a.allocate(ctx)
					if err != nil {
						return nil, err
					}
					return func() error { return a.release(ctx, p) }, nil
				})
			}
			benchClients(b, sp, workers, nil)
		})
	}
}

// BenchmarkQuery compares the answers of the mirror with those of an
// in-memory allocator holding the same 2,000 reservations: Holders of a
// port, and Suggest of a free port.
func BenchmarkQuery(b *testing.B) {
	c := single(b)
	cl := c.newClient(b, Options{Prefix: benchPrefix()})
	mem := allocator.New(allocator.Policy{})
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for len(mem.AppendOverlapping(nil, ports.MustParseEndpoint("30000-32767/tcp"))) < 2000 {
		p := nodePorts.Lo() + ports.Port(rng.IntN(nodePorts.Len()))
		e := ports.EndpointFrom(ports.TCP, netip.Addr{}, p.Range())
		if _, err := mem.Reserve("q", e); err != nil {
			continue
		}
		if _, err := cl.Reserve(ctx, "q", e); err != nil {
			b.Fatal(err)
		}
	}
	type querier interface {
		AppendHolders([]allocator.Reservation, ports.Protocol, ports.Port) []allocator.Reservation
		Suggest(string, ports.Endpoint, int) (ports.Endpoint, error)
	}
	within := ports.EndpointFrom(ports.TCP, netip.Addr{}, nodePorts)
	for _, peer := range []struct {
		name string
		q    querier
	}{{"mirror", cl}, {"allocator", mem}} {
		b.Run("op=Holders/peer="+peer.name, func(b *testing.B) {
			b.ReportAllocs()
			var dst []allocator.Reservation
			i := 0
			for b.Loop() {
				dst = peer.q.AppendHolders(dst[:0], ports.TCP, nodePorts.Lo()+ports.Port(i%nodePorts.Len()))
				i += 7
			}
		})
		b.Run("op=Suggest/peer="+peer.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := peer.q.Suggest("s", within, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
