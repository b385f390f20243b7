package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FuzzLoadPaths drives the whole compose load path over a project laid out
// in a temporary directory: the fuzzed compose file, an included file, a
// .env, and two files it may name (base.yaml for extends, vars.env for an
// include's env_file) that are, as mode says, regular files, links to
// /dev/zero, FIFOs, links to a secret outside the project, directories or
// missing. Each input must load or fail within a time and memory bound,
// with errors of type *Error that never quote the secret.
func FuzzLoadPaths(f *testing.F) {
	// A project that uses every reference, once per kind of special file.
	const main = "include:\n  - path: inc.yaml\n    env_file: vars.env\nservices:\n  web:\n    extends: {file: base.yaml, service: b}\n    ports: [\"${PORT:-8080}:80\", \"10000-10100:10000-10100/udp\"]\n"
	const inc = "services:\n  i:\n    image: x\n    ports: [\"${I_PORT:-9000}:9000\"]\n"
	for mode := range byte(25) {
		f.Add([]byte(main), []byte(inc), []byte("PORT=8181\n"), mode)
	}
	f.Add([]byte(aliasBomb), []byte(aliasBomb), []byte(""), byte(0))                                                          // alias bombs, given and included
	f.Add([]byte("include: [inc.yaml]\n"), []byte("include: [compose.yaml]\n"), []byte(""), byte(0))                          // an include cycle
	f.Add([]byte("services:\n  a:\n    extends: a\n"), []byte(""), []byte(""), byte(0))                                       // an extends cycle
	f.Add([]byte("include: [\"oci://x/y\"]\n"), []byte(""), []byte(""), byte(0))                                              // a remote include
	f.Add([]byte("include: [/proc/self/environ]\n"), []byte(""), []byte("X=\"unterminated\n"), byte(3))                       // outside, and a bad .env
	f.Add([]byte("services:\n  a:\n    image: x\n    ports: [\"${S}:80\"]\n"), []byte(""), []byte("S=FUZZSECRET\n"), byte(0)) // a secret in a bad port

	outside := f.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("S=FUZZSECRET\nservices: {FUZZSECRET: {}}\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mainSrc, incSrc, dotEnv []byte, mode byte) {
		dir := t.TempDir()
		write := func(name string, data []byte) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("compose.yaml", mainSrc)
		write("inc.yaml", incSrc)
		write(".env", dotEnv)
		special := func(name string, kind byte) {
			p := filepath.Join(dir, name)
			switch kind % 5 {
			case 0:
				write(name, incSrc)
			case 1:
				_ = os.Symlink("/dev/zero", p)
			case 2:
				if runtime.GOOS != "windows" {
					_ = mkfifo(p)
				}
			case 3:
				_ = os.Symlink(filepath.Join(outside, "secret"), p)
			case 4:
				_ = os.Mkdir(p, 0o755)
			}
		}
		special("base.yaml", mode)
		special("vars.env", mode/5)

		type result struct {
			res *Result
			err error
		}
		done := make(chan result, 1)
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		go func() {
			res, err := Loader{DotEnv: true, MaxFileSize: 1 << 20}.LoadPaths(filepath.Join(dir, "compose.yaml"))
			done <- result{res, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("LoadPaths took more than 20 s on:\n%s", mainSrc)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
			t.Fatalf("LoadPaths allocated %d MB on:\n%s", alloc>>20, mainSrc)
		}
		if r.err != nil && strings.Contains(r.err.Error(), "FUZZSECRET") && !strings.Contains(string(mainSrc)+string(incSrc)+string(dotEnv), "FUZZSECRET") {
			t.Fatalf("an error quotes the secret outside the project: %v", r.err)
		}
		for _, err := range r.res.Errors() {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want an *Error", err, err)
			}
		}
	})
}
