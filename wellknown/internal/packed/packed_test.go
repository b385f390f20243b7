package packed

import (
	"strings"
	"testing"
)

func TestImageKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres", "postgres"},
		{"postgres:16", "postgres"},
		{"postgres@sha256:abc", "postgres"},
		{"postgres:16@sha256:abc", "postgres"},
		{"library/postgres", "postgres"},
		{"LIBRARY/postgres", "postgres"},
		{"docker.io/library/postgres:16-alpine", "postgres"},
		{"docker.io/postgres", "postgres"},
		{"registry:5000/postgres:16", "postgres"},
		{"localhost/postgres", "postgres"},
		{"LocalHost/postgres", "postgres"},
		{"public.ecr.aws/docker/library/redis:7", "redis"},
		{"quay.io/bitnami/postgresql@sha256:abc", "bitnami/postgresql"},
		{"docker.elastic.co/elasticsearch/elasticsearch:9.1.0", "elasticsearch/elasticsearch"},
		{"bitnami/postgresql", "bitnami/postgresql"},
		{"registry/postgres", "registry/postgres"}, // no dot, no colon: a namespace, not a host
		{"library", "library"},
		{"library/", ""},
		{"x/library", "x/library"},
		{"docker.io/", ""},
		{"", ""},
		{":16", ""},
		{"@sha256:abc", ""},
	}
	for _, tt := range tests {
		if got := ImageKey(tt.in); got != tt.want {
			t.Errorf("ImageKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHashString(t *testing.T) {
	// Known values of 32-bit FNV-1a.
	for in, want := range map[string]uint32{"": 0x811c9dc5, "a": 0xe40c292c, "foobar": 0xbf9cf968} {
		if got := HashString(in); got != want {
			t.Errorf("HashString(%q) = %#x, want %#x", in, got, want)
		}
	}
}

// FuzzImageKey checks that ImageKey returns a substring of its input with
// no tag or digest left, and that a key is its own key unless it holds a
// "library" component or looks like a host.
func FuzzImageKey(f *testing.F) {
	f.Add("docker.io/library/postgres:16")                   // host, library, tag
	f.Add("quay.io/bitnami/postgresql@sha256:00")            // digest
	f.Add("registry.example.com:5000/a/library/b:1@sha256:") // everything
	f.Add("::@@//")                                          // punctuation only
	f.Fuzz(func(t *testing.T, in string) {
		k := ImageKey(in)
		if !strings.Contains(in, k) {
			t.Errorf("ImageKey(%q) = %q, not a part of it", in, k)
		}
		if strings.Contains(k, "@") {
			t.Errorf("ImageKey(%q) = %q holds a digest", in, k)
		}
		if i := strings.LastIndexByte(k, ':'); i > strings.LastIndexByte(k, '/') {
			t.Errorf("ImageKey(%q) = %q holds a tag", in, k)
		}
		if kk := ImageKey(k); kk != k && !strings.Contains(strings.ToLower(k), "library/") && !strings.Contains(k, ".") && !strings.Contains(k, ":") && !strings.EqualFold(k[:max(0, strings.IndexByte(k, '/'))], "localhost") {
			t.Errorf("ImageKey(ImageKey(%q)) = %q, want %q", in, kk, k)
		}
	})
}
