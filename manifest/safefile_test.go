package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeFiles lays out files (path relative to dir: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

const oneService = "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n"

// TestHostileFiles holds every file the loader opens — given, found or
// referenced — to a regular file under the size cap, read without
// blocking: a .env linked to /dev/zero used to exhaust memory, a FIFO to
// hang for ever.
func TestHostileFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero or FIFOs")
	}
	special := func(t *testing.T, dir, name, kind string) {
		t.Helper()
		p := filepath.Join(dir, name)
		switch kind {
		case "zero":
			symlink(t, "/dev/zero", p)
		case "fifo":
			if err := mkfifo(p); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		case "dir":
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		files   map[string]string
		special string // the file made special
		main    string // the file loaded
		want    error
		msg     string // in the message
	}{
		{"a .env linked to /dev/zero", map[string]string{"compose.yml": oneService}, ".env", "compose.yml", ErrNotRegular, ".env: cannot read file: a character device"},
		{"the compose file linked to /dev/zero", nil, "compose.yml", "compose.yml", ErrNotRegular, "a character device"},
		{"an include linked to /dev/zero", map[string]string{"compose.yml": "include: [inc.yml]\n" + oneService}, "inc.yml", "compose.yml", ErrNotRegular, `compose.yml:1:11: include "inc.yml"`},
		{"an extends file linked to /dev/zero", map[string]string{"compose.yml": "services:\n  a:\n    extends: {file: base.yml, service: b}\n"}, "base.yml", "compose.yml", ErrNotRegular, `compose.yml:3:21: extends file "base.yml"`},
		{"an include's env_file linked to /dev/zero", map[string]string{
			"compose.yml":     "include:\n  - path: inc/compose.yml\n    env_file: inc.env\n" + oneService,
			"inc/compose.yml": "services:\n  b:\n    image: x\n"}, "inc.env", "compose.yml", ErrNotRegular, `compose.yml:3:15: include env_file "inc.env"`},
		{"a .env FIFO", map[string]string{"compose.yml": oneService}, ".env", "compose.yml", ErrNotRegular, "a FIFO"},
		{"an include FIFO", map[string]string{"compose.yml": "include: [inc.yml]\n" + oneService}, "inc.yml", "compose.yml", ErrNotRegular, "a FIFO"},
		{"the compose file a FIFO", nil, "compose.yml", "compose.yml", ErrNotRegular, "a FIFO"},
		{"a .env directory is no .env", map[string]string{"compose.yml": oneService}, ".env", "compose.yml", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			kind := "zero"
			switch {
			case strings.Contains(tt.name, "FIFO"):
				kind = "fifo"
			case strings.Contains(tt.name, "directory"):
				kind = "dir"
			}
			special(t, dir, tt.special, kind)
			// Root "/": the file itself is refused, not where it lies.
			_, err := Loader{DotEnv: true, Root: "/"}.Load(filepath.Join(dir, tt.main))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load: error %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Load: error %q, want it to say %q", err, tt.msg)
			}
		})
	}
}

func TestMaxFileSize(t *testing.T) {
	dir := t.TempDir()
	big := oneService + "# " + strings.Repeat("x", 200) + "\n"
	writeFiles(t, dir, map[string]string{
		"compose.yml":     big,
		"inc/compose.yml": "include: [../big.yml]\n",
		"big.yml":         big,
	})
	path := filepath.Join(dir, "compose.yml")
	_, err := Loader{MaxFileSize: 100}.Load(path)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path+": larger than the cap of 100 bytes") {
		t.Errorf("Load over the cap: %v, want ErrTooLarge naming the file and the cap", err)
	}
	if _, err := (Loader{MaxFileSize: 1000}).Load(path); err != nil {
		t.Errorf("Load under a raised cap: %v", err)
	}
	if _, err := (Loader{}).Read("compose.yml", strings.NewReader(big)); err != nil {
		t.Errorf("Read under the default cap: %v", err)
	}
	if _, err := (Loader{MaxFileSize: 100}).Read("-", strings.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read over the cap: %v, want ErrTooLarge", err)
	}
	if got, want := sizeText(DefaultMaxFileSize), "16 MiB"; got != want {
		t.Errorf("sizeText(DefaultMaxFileSize) = %q, want %q", got, want)
	}
}

// TestReferencesStayInRoot: include, extends and env_file reach no file
// outside the project's directory unless the Loader's Root allows it, and
// no message prints what such a file holds.
func TestReferencesStayInRoot(t *testing.T) {
	outside := t.TempDir()
	secret := "AKIAsupersecretvalue42"
	writeFiles(t, outside, map[string]string{
		"shadow":      "root:$6$hash:19000:0:99999:7:::\n",
		"credentials": "aws_secret_access_key=" + secret + "\n",
		"base.yml":    "services:\n  b:\n    image: x\n",
	})
	tests := []struct {
		name string
		body string
		want string
	}{
		{"include", "include: [" + filepath.Join(outside, "shadow") + "]\n" + oneService, `include "` + filepath.Join(outside, "shadow") + `"`},
		{"extends", "services:\n  a:\n    image: x\n    extends: {file: " + filepath.Join(outside, "base.yml") + ", service: b}\n", "extends file"},
		{"env_file", "include:\n  - path: inc.yml\n    env_file: " + filepath.Join(outside, "credentials") + "\n" + oneService, "include env_file"},
		{"env_file /proc/self/environ", "include:\n  - path: inc.yml\n    env_file: /proc/self/environ\n" + oneService, "/proc/self/environ"},
		{"include through a link", "include: [link.yml]\n" + oneService, `include "link.yml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yml": tt.body, "inc.yml": "services:\n  i:\n    image: x\n"})
			symlink(t, filepath.Join(outside, "shadow"), filepath.Join(dir, "link.yml"))
			_, err := Loader{}.Load(filepath.Join(dir, "compose.yml"))
			if !errors.Is(err, ErrOutsideRoot) {
				t.Fatalf("Load: %v, want ErrOutsideRoot", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %q, want it to name %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "$6$") || strings.Contains(err.Error(), secret) {
				t.Errorf("Load: %q prints what the file outside holds", err)
			}
		})
	}

	// With a root above both, the same files are read.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yml": "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n    extends: {file: " + filepath.Join(outside, "base.yml") + ", service: b}\n"})
	if _, err := (Loader{Root: "/"}).Load(filepath.Join(dir, "compose.yml")); err != nil {
		t.Errorf("Load with Root /: %v", err)
	}
}

// TestSecretsNotPrinted: an error quotes the template a user wrote, never
// the value a variable put in its place.
func TestSecretsNotPrinted(t *testing.T) {
	const secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"compose.yml": "include:\n  - path: inc/compose.yml\n    env_file: creds.env\n",
		"creds.env":   "aws_secret_access_key=" + secret + "\n",
		"inc/compose.yml": "services:\n  a:\n    image: x\n    ports:\n      - \"${aws_secret_access_key}:80\"\n" +
			"      - target: 80\n        published: \"${aws_secret_access_key}\"\n",
	})
	_, err := Loader{}.Load(filepath.Join(dir, "compose.yml"))
	if err == nil {
		t.Fatal("Load: no error for a port that is a secret")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "${aws_secret_access_key}") {
		t.Errorf("Load: %q, want the template and not the secret", err)
	}

	// The long syntax too, and its message quotes the template, not "".
	writeFiles(t, dir, map[string]string{"inc/compose.yml": "services:\n  a:\n    image: x\n    ports:\n      - target: 80\n        published: \"${aws_secret_access_key}\"\n"})
	_, err = Loader{}.Load(filepath.Join(dir, "compose.yml"))
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "${aws_secret_access_key}") {
		t.Errorf("Load (long syntax): %v, want the template and not the secret", err)
	}
	_, err = Loader{}.ReadCompose("compose.yml", strings.NewReader("services:\n  a:\n    image: x\n    ports:\n      - target: 80\n        published: \"${P:?set P}\"\n"))
	if err == nil || !strings.Contains(err.Error(), `published "${P:?set P}"`) {
		t.Errorf("ReadCompose (long syntax, required variable): %v, want the template quoted", err)
	}
}

func TestRemoteIncludes(t *testing.T) {
	for _, ref := range []string{"oci://docker.io/library/app:latest", "git@github.com:a/b.git", "https://example.com/compose.yaml"} {
		for _, body := range []string{
			"include: [\"" + ref + "\"]\n" + oneService,
			"services:\n  a:\n    image: x\n    extends: {file: \"" + ref + "\", service: b}\n",
		} {
			_, err := Loader{}.ReadCompose("compose.yml", strings.NewReader(body))
			if !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), ref) || !strings.Contains(err.Error(), "remote resources are not read") {
				t.Errorf("ReadCompose of %q: %v, want ErrRemote naming it", body, err)
			}
		}
	}
}
