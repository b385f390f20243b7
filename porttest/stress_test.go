package porttest

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"

	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portalloc/ports"
)

const (
	stressProcs = 16 // processes, as go test ./... might run
	stressPorts = 64 // ports each takes, concurrently
)

// stressReport is what a stress child prints once it holds its ports.
type stressReport struct {
	Pid          int
	Ports        []ports.Port
	LeaseErrors  []string
	BindFailures []string
}

func init() {
	// Take stressPorts ports from the default pool at once, one goroutine
	// each; bind TCP and UDP on 127.0.0.1 on every one and hold them; report;
	// hold everything until stdin closes.
	childRoles["stress"] = func() error {
		within, err := ports.ParseRangeSet(os.Getenv("PORTTEST_STRESS_WITHIN"))
		if err != nil {
			return err
		}
		pool, err := NewPool(Options{Within: within})
		if err != nil {
			return err
		}
		var (
			mu  sync.Mutex
			rep = stressReport{Pid: os.Getpid()}
			wg  sync.WaitGroup
		)
		for range stressPorts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := pool.Lease()
				if err != nil {
					mu.Lock()
					rep.LeaseErrors = append(rep.LeaseErrors, err.Error())
					mu.Unlock()
					return
				}
				_, terr := l.ListenTCP(loopback4)
				_, uerr := l.ListenUDP(loopback4)
				mu.Lock()
				defer mu.Unlock()
				rep.Ports = append(rep.Ports, l.Port())
				for _, err := range []error{terr, uerr} {
					if err != nil {
						rep.BindFailures = append(rep.BindFailures, err.Error())
					}
				}
			}()
		}
		wg.Wait()
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n", b)
		waitStdin() // hold every lease and socket until the parent has checked
		return nil
	}
}

// TestStressProcesses starts stressProcs processes that each lease
// stressPorts ports concurrently, from the default lock directory, and hold
// them all at the same time: no port may be handed out twice, and every
// handed-out port must bind (TCP and UDP). The processes draw from a window
// of candidates only half again as large as what they take together, so
// that they must meet on the same ports and the locks must keep them apart.
func TestStressProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the leases are the same on Windows, but the child processes here assume Unix")
	}
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	window := highestN(pool.Candidates(), stressProcs*stressPorts*3/2)
	children := make([]*child, stressProcs)
	for i := range children {
		children[i] = startChild(t, childCmd("stress", "PORTTEST_STRESS_WITHIN="+window.String()))
	}
	reports := make([]stressReport, stressProcs)
	errs := make([]error, stressProcs)
	var wg sync.WaitGroup
	for i, c := range children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line, err := c.line()
			if err != nil {
				errs[i] = fmt.Errorf("child %d printed no report: %w", i, err)
				return
			}
			errs[i] = json.Unmarshal([]byte(line), &reports[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	owner := map[ports.Port]int{}
	var dups []string
	for _, r := range reports {
		for _, e := range r.LeaseErrors {
			t.Errorf("process %d: lease failed: %s", r.Pid, e)
		}
		for _, e := range r.BindFailures {
			t.Errorf("process %d: bind failed on a leased port: %s", r.Pid, e)
		}
		if len(r.Ports) != stressPorts {
			t.Errorf("process %d took %d ports, want %d", r.Pid, len(r.Ports), stressPorts)
		}
		for _, p := range r.Ports {
			if prev, ok := owner[p]; ok {
				dups = append(dups, fmt.Sprintf("%d (processes %d and %d)", p, prev, r.Pid))
			}
			owner[p] = r.Pid
		}
	}
	if len(dups) > 0 {
		t.Errorf("%d ports handed out twice: %s", len(dups), strings.Join(dups, ", "))
	}
	if got, want := len(owner), stressProcs*stressPorts; got != want {
		t.Errorf("%d distinct ports held at once, want %d", got, want)
	}
	for i, c := range children {
		c.stdin.Close()
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("process %d: %v", reports[i].Pid, err)
		}
	}
	if lo, hi, ok := procEphemeral(t); ok {
		for p := range owner {
			if lo <= p && p <= hi {
				t.Errorf("port %d lies in the ephemeral range %d-%d of /proc", p, lo, hi)
			}
		}
	}
	t.Logf("%d processes held %d distinct ports at once", stressProcs, len(owner))
}

// highestN returns the n highest ports of s (fewer if s is smaller). The
// highest, because on the usual hosts they lie above every ephemeral range
// and away from the ports services favour.
func highestN(s ports.RangeSet, n int) ports.RangeSet {
	all := make([]ports.Port, 0, s.Len())
	for p := range s.All() {
		all = append(all, p)
	}
	var b ports.RangeSetBuilder
	for _, p := range all[max(0, len(all)-n):] {
		b.AddPort(p)
	}
	return b.RangeSet()
}

// procEphemeral reads the ephemeral range from /proc directly, without the
// parsers of package hostports.
func procEphemeral(t *testing.T) (lo, hi ports.Port, ok bool) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return 0, 0, false
	}
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		t.Fatalf("ip_local_port_range = %q", b)
	}
	l, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("ip_local_port_range = %q", b)
	}
	return ports.Port(l), ports.Port(h), true
}
