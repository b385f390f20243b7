package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/activation"
	"github.com/portalloc/ports/porttest"
)

// roleEnv names the environment variable that makes the program run as the
// backend child instead of the harness.
const roleEnv = "TESTHARNESS_ROLE"

// Ports are what the harness runs on. Frontend and API are held
// listeners, so no other process can take them between choice and use;
// Admin is a leased number that the backend binds itself, as a program
// configured by a port number does.
type Ports struct {
	Frontend *net.TCPListener // the harness's HTTP server
	API      *net.TCPListener // handed to the backend as inherited socket "api"
	Admin    ports.Port       // the backend's health endpoint, on 127.0.0.1
}

// Harness is a running frontend and backend: an HTTP server in this
// process that proxies /api/ to a backend child process.
type Harness struct {
	FrontendURL string // http://127.0.0.1:PORT of the frontend
	AdminURL    string // http://127.0.0.1:PORT of the backend's health endpoint

	server  *http.Server
	served  chan error
	backend *exec.Cmd
	stdin   io.WriteCloser
}

// Start starts the backend (backend is the command that runs this program;
// Start sets its role and hands it the API socket) and the frontend, and
// returns once both answer.
func Start(p Ports, backend *exec.Cmd) (*Harness, error) {
	backend.Env = append(backend.Environ(), roleEnv+"=backend", fmt.Sprintf("ADMIN_PORT=%d", p.Admin))
	files, err := porttest.Pass(backend, porttest.Socket{Name: "api", Conn: p.API})
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, f := range files {
			f.Close() // the child has its own copies once started
		}
	}()
	stdin, err := backend.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := backend.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := backend.Start(); err != nil {
		return nil, fmt.Errorf("testharness: starting the backend: %w", err)
	}
	h := &Harness{backend: backend, stdin: stdin, served: make(chan error, 1)}
	if err := waitReady(stdout, 10*time.Second); err != nil {
		h.stopBackend()
		return nil, err
	}

	api := &url.URL{Scheme: "http", Host: p.API.Addr().String()}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", httputil.NewSingleHostReverseProxy(api)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "frontend")
	})
	h.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { h.served <- h.server.Serve(p.Frontend) }()
	h.FrontendURL = "http://" + p.Frontend.Addr().String()
	h.AdminURL = fmt.Sprintf("http://127.0.0.1:%d", p.Admin)
	return h, nil
}

// waitReady waits for the backend to print "ready", which it does once its
// health endpoint is bound.
func waitReady(stdout io.Reader, timeout time.Duration) error {
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		switch {
		case err != nil:
			ready <- fmt.Errorf("testharness: the backend ended before it was ready: %w", err)
		case strings.TrimSpace(line) != "ready":
			ready <- fmt.Errorf("testharness: the backend said %q, want ready", line)
		default:
			ready <- nil
		}
	}()
	select {
	case err := <-ready:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("testharness: the backend was not ready within %v", timeout)
	}
}

// Close stops the frontend, then the backend (by closing its stdin), and
// waits for both.
func (h *Harness) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := h.server.Shutdown(ctx)
	if serr := <-h.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, h.stopBackend())
}

func (h *Harness) stopBackend() error {
	h.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- h.backend.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("testharness: backend: %w", err)
		}
		return nil
	case <-time.After(10 * time.Second):
		h.backend.Process.Kill()
		<-done
		return errors.New("testharness: the backend did not stop within 10s; killed it")
	}
}

// runBackend is the child process: it serves the API on the socket it
// inherited as "api", its health on 127.0.0.1:$ADMIN_PORT, which it binds
// itself, and stops when its stdin closes.
func runBackend() error {
	api, err := activation.Listener("api")
	if err != nil {
		return err
	}
	admin, err := net.Listen("tcp4", "127.0.0.1:"+os.Getenv("ADMIN_PORT"))
	if err != nil {
		return fmt.Errorf("testharness backend: binding the admin port: %w", err)
	}
	apiMux := http.NewServeMux()
	apiMux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from the backend, pid %d\n", os.Getpid())
	})
	adminMux := http.NewServeMux()
	adminMux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	apiSrv := &http.Server{Handler: apiMux, ReadHeaderTimeout: 10 * time.Second}
	adminSrv := &http.Server{Handler: adminMux, ReadHeaderTimeout: 10 * time.Second}
	go apiSrv.Serve(api)
	go adminSrv.Serve(admin)
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin) // until the harness closes our stdin
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(apiSrv.Shutdown(ctx), adminSrv.Shutdown(ctx))
}
