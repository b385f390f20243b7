package porttest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// NewServer starts an [httptest.Server] serving h on 127.0.0.1 and a leased
// port, as httptest.NewServer does on a port the OS picks: the server's
// listener is the held socket of [Listen], so no other process of the pool
// gets the port, and no throwaway socket is opened first. The server is
// closed, and the port released, when the test ends; s.URL and s.Client
// work as usual.
func NewServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	s := &httptest.Server{Listener: listenTB(tb, "NewServer"), Config: &http.Server{Handler: h}}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// NewTLSServer is [NewServer] over TLS, as httptest.NewTLSServer: the
// server presents httptest's test certificate, which s.Client trusts.
func NewTLSServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	s := &httptest.Server{Listener: listenTB(tb, "NewTLSServer"), Config: &http.Server{Handler: h}}
	s.StartTLS()
	tb.Cleanup(s.Close)
	return s
}
