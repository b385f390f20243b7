package porttest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/portalloc/ports"
)

func TestNewServer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s", map[bool]string{false: "http", true: "https"}[r.TLS != nil])
	})
	pool, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	var used []ports.Port
	t.Run("servers", func(t *testing.T) {
		for _, tls := range []bool{false, true} {
			s := NewServer(t, h)
			want := "hello over http"
			if tls {
				s = NewTLSServer(t, h)
				want = "hello over https"
			}
			u, err := url.Parse(s.URL)
			if err != nil {
				t.Fatal(err)
			}
			if host := u.Hostname(); host != "127.0.0.1" {
				t.Errorf("server on %s, want 127.0.0.1", host)
			}
			p, err := strconv.Atoi(u.Port())
			if err != nil {
				t.Fatal(err)
			}
			if !pool.Candidates().Contains(ports.Port(p)) {
				t.Errorf("server on port %d, not a candidate of the pool", p)
			}
			used = append(used, ports.Port(p))
			if got := get(t, s.Client(), s.URL); got != want {
				t.Errorf("GET %s = %q, want %q", s.URL, got, want)
			}
		}
	})
	// The servers were closed and their ports given back when the subtest
	// ended.
	for _, p := range used {
		if ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p)); err != nil {
			t.Errorf("port %d still bound after the test: %v", p, err)
		} else {
			ln.Close()
		}
	}
	again, err := NewPool(Options{Dir: pool.Dir(), Within: ports.RangeSetOf(portRanges(used)...)})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := again.LeaseN(len(used))
	if err != nil {
		t.Fatalf("leasing the servers' ports after the test: %v", err)
	}
	releaseAll(ls)
}

func get(tb testing.TB, c *http.Client, u string) string {
	tb.Helper()
	resp, err := c.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	return string(b)
}
