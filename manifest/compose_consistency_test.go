package manifest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConsistencyErrorsNameEveryService holds compose-go's consistency
// errors to one text on every run: where several services are at fault,
// each is named, in order, rather than whichever a map gives first.
func TestConsistencyErrorsNameEveryService(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"a secret three services use", `services:
  web: {image: w, secrets: [token]}
  api: {image: a, secrets: [token]}
  worker: {image: k, secrets: [token]}
  other: {image: o}
`, `services "api", "web" and "worker" refer to undefined secret token: invalid compose project`},
		{"one service", `services:
  web: {image: w, secrets: [token]}
  api: {image: a}
`, `service "web" refers to undefined secret token: invalid compose project`},
		{"a network", `services:
  b: {image: w, networks: [back]}
  a: {image: a, networks: [back]}
`, `services "a" and "b" refer to undefined network back: invalid compose project`},
		{"a config", `services:
  b: {image: w, configs: [conf]}
  a: {image: a, configs: [conf]}
`, `services "a" and "b" refer to undefined config conf: invalid compose project`},
		{"a volume", `services:
  b: {image: w, volumes: ["data:/d"]}
  a: {image: a, volumes: ["data:/d"]}
`, `services "a" and "b" refer to undefined volume data: invalid compose project`},
		{"no image", `services:
  web: {ports: ["80:80"]}
  api: {ports: ["81:81"]}
  db: {image: postgres}
`, `services "api" and "web" have neither an image nor a build context specified: invalid compose project`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			write(t, file, tt.src)
			// compose-go's map order changes from run to run; twenty runs
			// give each of three services its turn first.
			for range 20 {
				_, err := Loader{}.LoadCompose(file)
				if err == nil {
					t.Fatal("LoadCompose: no error")
				}
				if got := err.Error(); !strings.HasSuffix(got, ": "+tt.want) {
					t.Fatalf("LoadCompose: %q, want it to end in %q", got, tt.want)
				}
			}
		})
	}
}

// TestCommentAboveBlock checks that a comment above a list of ports, or
// above one of its entries, describes each entry after it that has no
// comment of its own, up to the next commented entry.
func TestCommentAboveBlock(t *testing.T) {
	file := filepath.Join(t.TempDir(), "compose.yaml")
	write(t, file, `services:
  gateway:
    image: envoy
    # public listeners
    ports:
      - "8080:8080"
      - "8443:8443" # TLS
      # admin
      - "9901:9901"
      - target: 9902
        published: "9902"
    expose:
      - "7000"
  other:
    image: x
    ports: ["1000:1000"]
`)
	decls, err := Loader{}.LoadCompose(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range decls {
		got = append(got, d.Service+" "+d.Endpoint.String()+": "+d.Description)
	}
	want := []string{
		"gateway 8080/tcp: public listeners",
		"gateway 8443/tcp: TLS",
		"gateway 9901/tcp: admin",
		"gateway 9902/tcp: admin",
		"gateway 7000/tcp: ",
		"other 1000/tcp: ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
}
