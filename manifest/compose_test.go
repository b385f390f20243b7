package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

func TestReadCompose(t *testing.T) {
	tests := []struct {
		name string
		l    Loader
		src  string
		want []string
	}{
		{
			name: "short syntax",
			src: `services:
  web:
    image: nginx
    ports:
      - "8080:80"
      - "127.0.0.1:5432:5432"
      - "[::1]:53:53/udp"
      - 9000:9000/sctp
      - "192.168.1.10:8443:443"
`,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 8080/tcp -> 80 (compose, host, public)",
				"testdata/demo/compose.yaml:6:9: demo/web 127.0.0.1:5432/tcp -> 5432 (compose, host, localhost)",
				"testdata/demo/compose.yaml:7:9: demo/web [::1]:53/udp -> 53 (compose, host, localhost)",
				"testdata/demo/compose.yaml:8:9: demo/web 9000/sctp -> 9000 (compose, host, public)",
				"testdata/demo/compose.yaml:9:9: demo/web 192.168.1.10:8443/tcp -> 443 (compose, host, internal)",
			},
		},
		{
			name: "ranges are merged back",
			src: `services:
  rtp:
    image: rtpengine
    ports:
      - "10000-20000:10000-20000/udp"
      - "127.0.0.1:7000-7002:8000-8002"
      - "5000-5005:80"
      - "3000-3002"
`,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/rtp 10000-20000/udp -> 10000-20000 (compose, host, public)",
				"testdata/demo/compose.yaml:6:9: demo/rtp 127.0.0.1:7000-7002/tcp -> 8000-8002 (compose, host, localhost)",
				"testdata/demo/compose.yaml:7:9: demo/rtp 5000-5005/tcp -> 80 (compose, host, public)",
				"testdata/demo/compose.yaml:8:9: demo/rtp */tcp -> 3000-3002 (compose, host, public)",
			},
		},
		{
			name: "ephemeral host ports",
			src: `services:
  app:
    image: app
    ports:
      - 80
      - "127.0.0.1::81"
`,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/app */tcp -> 80 (compose, host, public)",
				"testdata/demo/compose.yaml:6:9: demo/app 127.0.0.1:*/tcp -> 81 (compose, host, localhost)",
			},
		},
		{
			name: "long syntax",
			src: `services:
  app:
    image: app
    ports:
      - target: 80
        published: "8080"
        host_ip: 127.0.0.1
        protocol: tcp
        name: web
      - target: 53
        published: 5353
        protocol: udp
      - target: 9000
        published: "9000-9009"
`,
			want: []string{
				// Placed at published:, what the entry publishes.
				"testdata/demo/compose.yaml:6:9: demo/app 127.0.0.1:8080/tcp -> 80 (compose, host, localhost)",
				"testdata/demo/compose.yaml:11:9: demo/app 5353/udp -> 53 (compose, host, public)",
				"testdata/demo/compose.yaml:14:9: demo/app 9000-9009/tcp -> 9000 (compose, host, public)",
			},
		},
		{
			name: "expose",
			src: `services:
  worker:
    image: w
    expose:
      - "9091"
      - 4000-4002/udp
`,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/worker 9091/tcp (compose expose, container demo/worker, internal)",
				"testdata/demo/compose.yaml:6:9: demo/worker 4000-4002/udp (compose expose, container demo/worker, internal)",
			},
		},
		{
			name: "network_mode host binds targets and expose on the host",
			src: `services:
  rtpengine:
    image: rtpengine
    network_mode: host
    ports:
      - "22222:2222/udp"
    expose:
      - "10000-20000/udp"
`,
			want: []string{
				"testdata/demo/compose.yaml:6:9: demo/rtpengine 2222/udp (compose, host, public)",
				"testdata/demo/compose.yaml:8:9: demo/rtpengine 10000-20000/udp (compose expose, host, public)",
			},
		},
		{
			name: "network_mode host without ports binds its image's defaults",
			src: `services:
  homeassistant:
    image: ghcr.io/home-assistant/home-assistant:stable
    network_mode: host
  declared:
    image: homeassistant/home-assistant
    network_mode: host
    expose: ["8124"]
  unknown:
    image: example.org/own/app
    network_mode: host
  bridged:
    image: homeassistant/home-assistant
  scaled:
    image: grafana/grafana
    network_mode: host
    scale: 2
`,
			want: []string{
				"testdata/demo/compose.yaml:2:3: demo/homeassistant 8123/tcp (image default, host, public)",
				"testdata/demo/compose.yaml:8:14: demo/declared 8124/tcp (compose expose, host, public)",
				"testdata/demo/compose.yaml:14:3: demo/scaled 3000/tcp (image default, host, public)",
			},
		},
		{
			name: "network_mode service shares the other's container",
			src: `services:
  app:
    image: app
  sidecar:
    image: s
    network_mode: "service:app"
    expose: ["9100"]
`,
			want: []string{
				"testdata/demo/compose.yaml:7:14: demo/sidecar 9100/tcp (compose expose, container demo/app, internal)",
			},
		},
		{
			name: "interpolation from Env",
			l:    Loader{Env: map[string]string{"WEB_PORT": "8181", "BIND": "127.0.0.1"}},
			src: `services:
  web:
    image: nginx
    ports:
      - "${BIND}:${WEB_PORT}:80"
      - "${API_PORT:-3001}:3001"
      - target: 9000
        published: "${MINIO_PORT:-9000}"
`,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 127.0.0.1:8181/tcp -> 80 (compose, host, localhost)",
				"testdata/demo/compose.yaml:6:9: demo/web 3001/tcp -> 3001 (compose, host, public)",
				"testdata/demo/compose.yaml:8:9: demo/web 9000/tcp -> 9000 (compose, host, public)",
			},
		},
		{
			name: "no profile by default, as docker compose",
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
			},
		},
		{
			name: "every profile",
			l:    Loader{Profiles: []string{"*"}},
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
				"testdata/demo/compose.yaml:10:9: demo/grafana 3002/tcp -> 3000 (compose, host, public)",
				"testdata/demo/compose.yaml:15:9: demo/debug 9229/tcp -> 9229 (compose, host, public)",
			},
		},
		{
			name: "profiles from COMPOSE_PROFILES",
			l:    Loader{Env: map[string]string{"COMPOSE_PROFILES": "debug, observability"}},
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
				"testdata/demo/compose.yaml:10:9: demo/grafana 3002/tcp -> 3000 (compose, host, public)",
				"testdata/demo/compose.yaml:15:9: demo/debug 9229/tcp -> 9229 (compose, host, public)",
			},
		},
		{
			name: "Profiles over COMPOSE_PROFILES",
			l:    Loader{Profiles: []string{}, Env: map[string]string{"COMPOSE_PROFILES": "debug"}},
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
			},
		},
		{
			name: "project name from COMPOSE_PROJECT_NAME",
			l:    Loader{Env: map[string]string{"COMPOSE_PROJECT_NAME": "fromenv"}},
			src: `name: fromfile
services:
  web:
    image: nginx
    ports: ["80:80"]
`,
			want: []string{
				"testdata/demo/compose.yaml:5:13: fromenv/web 80/tcp -> 80 (compose, host, public)",
			},
		},
		{
			name: "no profile",
			l:    Loader{Profiles: []string{}},
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
			},
		},
		{
			name: "one profile",
			l:    Loader{Profiles: []string{"observability"}},
			src:  profilesSrc,
			want: []string{
				"testdata/demo/compose.yaml:5:9: demo/web 3000/tcp -> 3000 (compose, host, public)",
				"testdata/demo/compose.yaml:10:9: demo/grafana 3002/tcp -> 3000 (compose, host, public)",
			},
		},
		{
			name: "project name from the file and from the Loader",
			l:    Loader{ProjectName: "override"},
			src: `name: fromfile
services:
  web:
    image: nginx
    ports: ["80:80"]
`,
			want: []string{
				"testdata/demo/compose.yaml:5:13: override/web 80/tcp -> 80 (compose, host, public)",
			},
		},
		{
			name: "anchors, aliases and merge keys",
			src: `x-ports: &ports
  - "7000:7000" # shared
x-base: &base
  image: base
  ports: *ports
services:
  a:
    <<: *base
  b:
    <<: *base
    ports:
      - "7001:7000"
`,
			want: []string{
				"testdata/demo/compose.yaml:2:5: demo/a 7000/tcp -> 7000 (compose, host, public)",
				"testdata/demo/compose.yaml:12:9: demo/b 7001/tcp -> 7000 (compose, host, public)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := tt.l.ReadCompose("testdata/demo/compose.yaml", strings.NewReader(tt.src))
			if err != nil {
				t.Fatalf("ReadCompose: %v", err)
			}
			if diff := cmp.Diff(tt.want, strs(ds)); diff != "" {
				t.Errorf("ReadCompose declarations (-want +got):\n%s", diff)
			}
		})
	}
}

const profilesSrc = `services:
  web:
    image: web
    ports:
      - "3000:3000"
  grafana:
    image: grafana
    profiles: [observability]
    ports:
      - "3002:3000"
  debug:
    image: debug
    profiles: [debug]
    ports:
      - "9229:9229"
`

func TestReadComposeFields(t *testing.T) {
	src := `services:
  api:
    image: api
    network_mode: bridge
    ports:
      - '3001:3001' # API
      # Grafana, moved off 3000
      - '3002:3000'
      - target: 14268 # Jaeger HTTP
        published: '14268'
        name: collector
`
	ds, err := Loader{}.ReadCompose("testdata/demo/compose.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Declaration{
		{
			Endpoint: ports.MustParseEndpoint("3001/tcp"), Protocol: ports.TCP,
			Target: ports.MustParseRange("3001"), Scope: HostScope(), Kind: KindCompose, Exposure: Public,
			Project: "demo", Service: "api", Image: "api", NetworkMode: "bridge", Description: "API",
			Pos: Position{File: "testdata/demo/compose.yaml", Line: 6, Column: 9},
		},
		{
			Endpoint: ports.MustParseEndpoint("3002/tcp"), Protocol: ports.TCP,
			Target: ports.MustParseRange("3000"), Scope: HostScope(), Kind: KindCompose, Exposure: Public,
			Project: "demo", Service: "api", Image: "api", NetworkMode: "bridge", Description: "Grafana, moved off 3000",
			Pos: Position{File: "testdata/demo/compose.yaml", Line: 8, Column: 9},
		},
		{
			Endpoint: ports.MustParseEndpoint("14268/tcp"), Protocol: ports.TCP,
			Target: ports.MustParseRange("14268"), Scope: HostScope(), Kind: KindCompose, Exposure: Public,
			Project: "demo", Service: "api", Image: "api", NetworkMode: "bridge", Name: "collector", Description: "Jaeger HTTP",
			Pos: Position{File: "testdata/demo/compose.yaml", Line: 10, Column: 9}, // published:
		},
	}
	if diff := cmp.Diff(want, ds, cmpOpts); diff != "" {
		t.Errorf("ReadCompose (-want +got):\n%s", diff)
	}
}

// TestReadComposeImagePorts checks every field of the declarations a
// service on the host network gets from its image, for an image of two
// ports and one of several replicas that depends on another.
func TestReadComposeImagePorts(t *testing.T) {
	src := `services:
  grafana:
    image: docker.io/grafana/grafana-oss:11.2.0
    network_mode: host
    scale: 2
    depends_on: [minio]
  minio:
    image: quay.io/minio/minio
    network_mode: "host"
`
	ds, err := Loader{}.ReadCompose("testdata/demo/compose.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	at := func(line int) Position { return Position{File: "testdata/demo/compose.yaml", Line: line, Column: 3} }
	want := []Declaration{
		{
			Endpoint: ports.MustParseEndpoint("3000/tcp"), Protocol: ports.TCP, Scope: HostScope(), Kind: KindImage,
			Exposure: Public, Project: "demo", Service: "grafana", Image: "docker.io/grafana/grafana-oss:11.2.0", NetworkMode: "host",
			Description: "Grafana web UI and HTTP API (http_port), the default of its image", Replicas: 2, DependsOn: []string{"minio"}, Pos: at(2),
		},
		{
			Endpoint: ports.MustParseEndpoint("9000/tcp"), Protocol: ports.TCP, Scope: HostScope(), Kind: KindImage,
			Exposure: Public, Project: "demo", Service: "minio", Image: "quay.io/minio/minio", NetworkMode: "host",
			Description: "S3-compatible object storage API, the default of its image", Pos: at(7),
		},
		{
			Endpoint: ports.MustParseEndpoint("9001/tcp"), Protocol: ports.TCP, Scope: HostScope(), Kind: KindImage,
			Exposure: Public, Project: "demo", Service: "minio", Image: "quay.io/minio/minio", NetworkMode: "host",
			Description: "MinIO Console (an object browser since RELEASE.2025-05-24), on the port of MinIO's examples (--console-address :9001), the default of its image", Pos: at(7),
		},
	}
	if diff := cmp.Diff(want, ds, cmpOpts); diff != "" {
		t.Errorf("ReadCompose (-want +got):\n%s", diff)
	}
}

func TestLoadComposeOverride(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "compose.yaml")
	over := filepath.Join(dir, "compose.override.yaml")
	write(t, base, `services:
  db:
    image: postgres
    ports:
      - "5432:5432"
  web:
    image: web
    ports:
      - "8080:80"
`)
	write(t, over, `services:
  db:
    ports:
      - "127.0.0.1:15432:5432"
`)
	ds, err := Loader{}.LoadCompose(base, over)
	if err != nil {
		t.Fatal(err)
	}
	// Files in the order given, then lines.
	want := []string{
		base + ":5:9: shop/db 5432/tcp -> 5432 (compose, host, public)",
		base + ":9:9: shop/web 8080/tcp -> 80 (compose, host, public)",
		over + ":4:9: shop/db 127.0.0.1:15432/tcp -> 5432 (compose, host, localhost)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("LoadCompose(base, override) (-want +got):\n%s", diff)
	}
}

func TestLoadComposeExtendsAndInclude(t *testing.T) {
	dir := t.TempDir()
	common := filepath.Join(dir, "common.yaml")
	inc := filepath.Join(dir, "sub", "infra.yaml")
	main := filepath.Join(dir, "compose.yaml")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, common, `services:
  base:
    image: base
    ports:
      - "9000:9000" # from the base
  web:
    extends: base
    ports:
      - "9100:9100"
`)
	write(t, inc, `services:
  db:
    image: postgres
    ports:
      - "127.0.0.1:5432:5432" # included
`)
	write(t, main, `name: ext
include:
  - sub/infra.yaml
services:
  app:
    extends:
      file: common.yaml
      service: base
  front:
    extends:
      file: common.yaml
      service: web
    ports:
      - "8080:80"
  local:
    extends: app
`)
	ds, err := Loader{}.LoadCompose(main)
	if err != nil {
		t.Fatal(err)
	}
	// Ports brought in by extends and include are placed in the file that
	// writes them, along extends chains; files in the order met.
	want := []string{
		main + ":14:9: ext/front 8080/tcp -> 80 (compose, host, public)",
		inc + ":5:9: ext/db 127.0.0.1:5432/tcp -> 5432 (compose, host, localhost)",
		common + ":5:9: ext/app 9000/tcp -> 9000 (compose, host, public)",
		common + ":5:9: ext/front 9000/tcp -> 9000 (compose, host, public)",
		common + ":5:9: ext/local 9000/tcp -> 9000 (compose, host, public)",
		common + ":9:9: ext/front 9100/tcp -> 9100 (compose, host, public)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("LoadCompose(extends, include) (-want +got):\n%s", diff)
	}
	for _, d := range ds {
		if d.Service == "app" && d.Description != "from the base" {
			t.Errorf("app: description %q, want the base's comment", d.Description)
		}
	}

	// A bad port in an included file is reported at its line.
	write(t, inc, "services:\n  db:\n    image: postgres\n    ports:\n      - \"x:5432\"\n")
	_, err = Loader{}.LoadCompose(main)
	checkErr(t, "LoadCompose(bad include)", err, "manifest: "+inc+`:5:9: service "db": port "x:5432": Invalid hostPort: x`)

	// A missing extends file is the compose loader's to report.
	write(t, main, "services:\n  app:\n    extends: {file: nowhere.yaml, service: base}\n")
	if _, err := (Loader{}).LoadCompose(main); err == nil || !strings.Contains(err.Error(), "nowhere.yaml") {
		t.Errorf("LoadCompose(missing extends file) = %v, want an error naming nowhere.yaml", err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadComposeErrors(t *testing.T) {
	const name = "testdata/demo/compose.yaml"
	tests := []struct {
		name string
		l    Loader
		src  string
		want string
	}{
		{
			name: "bad host port",
			src:  "services:\n  web:\n    image: x\n    ports:\n      - \"80:80\"\n      - \"abc:80\"\n",
			want: `manifest: testdata/demo/compose.yaml:6:9: service "web": port "abc:80": Invalid hostPort: abc`,
		},
		{
			name: "port out of range",
			src:  "services:\n  web:\n    image: x\n    ports: [\"70000:80\"]\n",
			want: `manifest: testdata/demo/compose.yaml:4:13: service "web": port "70000:80": Invalid hostPort: 70000`,
		},
		{
			name: "long syntax target not a number",
			src:  "services:\n  web:\n    image: x\n    ports:\n      - target: http\n",
			want: `manifest: testdata/demo/compose.yaml:5:9: service "web": port target "http": not a port number`,
		},
		{
			name: "long syntax nested value",
			src:  "services:\n  web:\n    image: x\n    ports:\n      - target: [80]\n",
			want: `manifest: testdata/demo/compose.yaml:5:9: service "web": port target: want a single value, got a list`,
		},
		{
			name: "expose of an unknown protocol",
			src:  "services:\n  web:\n    image: x\n    expose: [\"80/icmp\"]\n",
			want: `manifest: testdata/demo/compose.yaml:4:14: service "web": expose "80/icmp": protocol "icmp": unknown protocol; want tcp, udp, sctp or dccp`,
		},
		{
			name: "expose of an inverted range",
			src:  "services:\n  web:\n    image: x\n    expose: [\"90-80\"]\n",
			want: `manifest: testdata/demo/compose.yaml:4:14: service "web": expose "90-80": low port 90 is above high port 80`,
		},
		{
			name: "expose of an inverted range with a protocol",
			src:  "services:\n  web:\n    image: x\n    expose: [\"90-80/udp\"]\n",
			want: `manifest: testdata/demo/compose.yaml:4:14: service "web": expose "90-80/udp": ports "90-80": low port 90 is above high port 80`,
		},
		{
			name: "ports not a list",
			src:  "services:\n  web:\n    image: x\n    ports: 80\n",
			want: `manifest: testdata/demo/compose.yaml:4:5: services.web.ports must be a array`,
		},
		{
			name: "unknown service key",
			src:  "services:\n  web:\n    image: x\n    portz: [80]\n",
			want: `manifest: testdata/demo/compose.yaml:4:5: services.web.portz: unknown key, not in the compose specification`,
		},
		{
			name: "YAML syntax",
			src:  "services:\n  web:\n    image: x\n   ports: [80\n",
			// The YAML parser gives the line of the block that holds the
			// fault, here the top-level mapping.
			want: `manifest: testdata/demo/compose.yaml:1: invalid YAML: did not find expected key`,
		},
		{
			name: "required variable",
			src:  "services:\n  web:\n    image: x\n    ports:\n      - \"${PORT:?set PORT}:80\"\n",
			want: `manifest: testdata/demo/compose.yaml:5:9: service "web": port "${PORT:?set PORT}:80": required variable PORT is missing a value: set PORT`,
		},
		{
			name: "unset variable leaves an empty host port",
			src:  "services:\n  web:\n    image: x\n    ports:\n      - \"127.0.0.1:${PORT}:80\"\n",
			// compose reads an unset variable as empty: the host port is
			// then picked at run time, and that is not an error.
			want: "",
		},
		{
			name: "top level not a mapping",
			src:  "- a\n- b\n",
			want: `manifest: testdata/demo/compose.yaml: top-level object must be a mapping`,
		},
		{
			name: "empty file",
			src:  "",
			want: `manifest: testdata/demo/compose.yaml: empty compose file`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := tt.l.ReadCompose(name, strings.NewReader(tt.src))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ReadCompose: %v", err)
				}
				if len(ds) != 1 || !ds[0].Ephemeral {
					t.Errorf("ReadCompose = %v, want one ephemeral declaration", strs(ds))
				}
				return
			}
			checkErr(t, "ReadCompose", err, tt.want)
			if ds != nil {
				t.Errorf("ReadCompose returned %d declarations with an error", len(ds))
			}
		})
	}
}

func TestLoadComposeMissingFile(t *testing.T) {
	_, err := Loader{}.LoadCompose("testdata/does-not-exist.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadCompose(missing) = %v, want an error that is os.ErrNotExist", err)
	}
	if _, err := (Loader{}).LoadCompose(); err == nil {
		t.Error("LoadCompose() with no file: no error")
	}
}

// TestLoadComposeDotEnv reads the .env file beside a compose file only when
// asked, with Loader.Env taking precedence, and names a malformed one.
func TestLoadComposeDotEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "compose.yaml")
	write(t, file, `services:
  web:
    image: web
    ports:
      - "${WEB_PORT}:80"
      - "${ADMIN_PORT:-9000}:9000"
`)
	write(t, filepath.Join(dir, ".env"), "# the shop's ports\nWEB_PORT=8080\nADMIN_PORT=9001\n")
	tests := []struct {
		name   string
		loader Loader
		want   []string
	}{
		{"no .env", Loader{}, []string{
			file + ":5:9: shop/web */tcp -> 80 (compose, host, public)",
			file + ":6:9: shop/web 9000/tcp -> 9000 (compose, host, public)",
		}},
		{".env", Loader{DotEnv: true}, []string{
			file + ":5:9: shop/web 8080/tcp -> 80 (compose, host, public)",
			file + ":6:9: shop/web 9001/tcp -> 9000 (compose, host, public)",
		}},
		{".env under Env", Loader{DotEnv: true, Env: map[string]string{"WEB_PORT": "8081"}}, []string{
			file + ":5:9: shop/web 8081/tcp -> 80 (compose, host, public)",
			file + ":6:9: shop/web 9001/tcp -> 9000 (compose, host, public)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := tt.loader.LoadCompose(file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, strs(ds)); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
		})
	}
	// A directory called .env is not read, as Docker Compose does not.
	os.Remove(filepath.Join(dir, ".env"))
	if err := os.Mkdir(filepath.Join(dir, ".env"), 0o755); err != nil {
		t.Fatal(err)
	}
	if ds, err := (Loader{DotEnv: true}).LoadCompose(file); err != nil || len(ds) != 2 {
		t.Errorf("LoadCompose with a directory .env = %v, %v", strs(ds), err)
	}
	os.Remove(filepath.Join(dir, ".env"))
	write(t, filepath.Join(dir, ".env"), "WEB_PORT='8080\n")
	if _, err := (Loader{DotEnv: true}).LoadCompose(file); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ".env")) {
		t.Errorf("LoadCompose with a malformed .env = %v, want an error naming it", err)
	}
}

// TestLoadComposeIncludeEnv checks that the ports of an included project are
// interpolated, and placed, with the variables compose-go gives it: its own
// .env file (or its include entry's env_file) under the including
// project's variables.
func TestLoadComposeIncludeEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	inc := filepath.Join(dir, "db", "compose.yaml")
	main := filepath.Join(dir, "compose.yaml")
	write(t, inc, `services:
  db:
    image: postgres
    ports:
      - "${DB_PORT:?set DB_PORT}:5432"
`)
	write(t, filepath.Join(dir, "db", ".env"), "DB_PORT=5433\n")
	write(t, filepath.Join(dir, "other.env"), "DB_PORT=5434\n")
	write(t, main, "name: p\ninclude:\n  - db/compose.yaml\n")
	for _, tt := range []struct {
		name, main string
		env        map[string]string
		want       string
	}{
		{"the included .env", "name: p\ninclude:\n  - db/compose.yaml\n", nil,
			inc + ":5:9: p/db 5433/tcp -> 5432 (compose, host, public)"},
		{"the including project's variable first", "name: p\ninclude:\n  - db/compose.yaml\n", map[string]string{"DB_PORT": "6543"},
			inc + ":5:9: p/db 6543/tcp -> 5432 (compose, host, public)"},
		{"env_file", "name: p\ninclude:\n  - path: db/compose.yaml\n    env_file: other.env\n", nil,
			inc + ":5:9: p/db 5434/tcp -> 5432 (compose, host, public)"},
		{"env_file a list", "name: p\ninclude:\n  - path: db/compose.yaml\n    env_file: [other.env]\n", nil,
			inc + ":5:9: p/db 5434/tcp -> 5432 (compose, host, public)"},
		{"env_file empty", "name: p\ninclude:\n  - path: db/compose.yaml\n    env_file: []\n", nil,
			inc + ":5:9: p/db 5433/tcp -> 5432 (compose, host, public)"},
		{"env_file null", "name: p\ninclude:\n  - path: db/compose.yaml\n    env_file: null\n", nil,
			inc + ":5:9: p/db 5433/tcp -> 5432 (compose, host, public)"},
	} {
		write(t, main, tt.main)
		ds, err := Loader{Env: tt.env}.LoadCompose(main)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff([]string{tt.want}, strs(ds)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestLoadComposePathsFromWorkingDir checks that the scan finds files where
// compose-go does: an included file's own include and extends paths from
// its project directory (project_directory when given), and the paths of
// every given file from the first one's directory.
func TestLoadComposePathsFromWorkingDir(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"db", "pd", "pd/inner", "db/inner", "over"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	main := filepath.Join(dir, "compose.yaml")
	write(t, main, "name: p\ninclude:\n  - path: db/compose.yaml\n    project_directory: pd\n")
	write(t, filepath.Join(dir, "db", "compose.yaml"), "include:\n  - inner/c.yaml\n")
	// compose-go reads pd/inner/c.yaml; db/inner/c.yaml is a decoy.
	inner := filepath.Join(dir, "pd", "inner", "c.yaml")
	write(t, inner, "services:\n  c:\n    image: x\n    ports:\n      - \"7002:81\"\n")
	write(t, filepath.Join(dir, "db", "inner", "c.yaml"), "services:\n  c:\n    image: x\n    ports:\n      - \"9999:81\"\n")
	ds, err := Loader{}.LoadCompose(main)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{inner + ":5:9: p/c 7002/tcp -> 81 (compose, host, public)"}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("include with project_directory (-want +got):\n%s", diff)
	}

	// An override file in another directory extends from the first file's
	// directory.
	write(t, main, "name: p\nservices:\n  web:\n    image: x\n")
	over := filepath.Join(dir, "over", "override.yaml")
	write(t, over, "services:\n  web:\n    extends: {file: base.yaml, service: base}\n")
	base := filepath.Join(dir, "base.yaml")
	write(t, base, "services:\n  base:\n    image: x\n    ports:\n      - \"8100:80\"\n")
	write(t, filepath.Join(dir, "over", "base.yaml"), "services:\n  base:\n    image: x\n    ports:\n      - \"8200:80\"\n")
	ds, err = Loader{}.LoadCompose(main, over)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{base + ":5:9: p/web 8100/tcp -> 80 (compose, host, public)"}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("override extends (-want +got):\n%s", diff)
	}
}

// TestLoadComposeFileTwice checks files that compose-go reads twice: a file
// that the main project and an included one both extend, each with its own
// variables; and a file that an extended file includes, which compose-go
// does not follow, and the project includes.
func TestLoadComposeFileTwice(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"sub", "common"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	main := filepath.Join(dir, "compose.yaml")
	base := filepath.Join(dir, "common", "base.yaml")
	write(t, main, "name: p\ninclude: [sub/compose.yaml]\nservices:\n  web: {image: x, extends: {file: common/base.yaml, service: b}}\n")
	write(t, filepath.Join(dir, "sub", "compose.yaml"), "services:\n  api: {image: x, extends: {file: ../common/base.yaml, service: b}}\n")
	write(t, filepath.Join(dir, "sub", ".env"), "PORT=8062\n")
	write(t, base, "services:\n  b:\n    image: x\n    ports:\n      - \"${PORT:-8060}:80\"\n")
	ds, err := Loader{}.LoadCompose(main)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		base + ":5:9: p/api 8062/tcp -> 80 (compose, host, public)",
		base + ":5:9: p/web 8060/tcp -> 80 (compose, host, public)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("a file extended with two sets of variables (-want +got):\n%s", diff)
	}

	write(t, main, "name: p\ninclude: [a.yaml, b.yaml]\n")
	write(t, filepath.Join(dir, "a.yaml"), "services:\n  web: {image: x, extends: {file: base2.yaml, service: b}}\n")
	write(t, filepath.Join(dir, "base2.yaml"), "include: [inc.yaml]\nservices:\n  b:\n    image: x\n    ports:\n      - \"8090:80\"\n")
	inc := filepath.Join(dir, "inc.yaml")
	write(t, inc, "services:\n  i:\n    image: x\n    ports:\n      - \"8091:80\"\n")
	write(t, filepath.Join(dir, "b.yaml"), "include: [inc.yaml]\n")
	ds, err = Loader{}.LoadCompose(main)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		filepath.Join(dir, "base2.yaml") + ":6:9: p/web 8090/tcp -> 80 (compose, host, public)",
		inc + ":5:9: p/i 8091/tcp -> 80 (compose, host, public)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("a file an extended file includes (-want +got):\n%s", diff)
	}
}

// TestComposeParseErrorsUnwrap checks that a compose error from a parser of
// package ports shows its Detail and unwraps to the *ports.ParseError.
func TestComposeParseErrorsUnwrap(t *testing.T) {
	src := "services:\n  web:\n    image: x\n    expose: [\"80/icmp\"]\n"
	_, err := Loader{}.ReadCompose("compose.yaml", strings.NewReader(src))
	var pe *ports.ParseError
	if !errors.As(err, &pe) || pe.Func != "ParseProtocol" || strings.Contains(err.Error(), "ParseProtocol") {
		t.Errorf("ReadCompose = %v; want a message without ParseProtocol that unwraps to its *ports.ParseError", err)
	}
}

// TestComposeDependsOn checks that a compose declaration names every
// service its own starts after: its depends_on, short or long form, and
// theirs in turn.
func TestComposeDependsOn(t *testing.T) {
	src := `services:
  web:
    image: x
    ports: ["8080:80"]
    depends_on: [api]
  api:
    image: x
    expose: ["9000"]
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started, required: false}
  db: {image: x, ports: ["5432:5432"]}
  cache: {image: x}
`
	ds, err := Loader{}.ReadCompose("compose.yaml", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, d := range ds {
		got[d.Service] = d.DependsOn
	}
	want := map[string][]string{"web": {"api", "cache", "db"}, "api": {"cache", "db"}, "db": nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DependsOn (-want +got):\n%s", diff)
	}
}

// TestLoadComposeIncludeLongForm checks the long forms of an include entry:
// {path: file}, and {path: [file, override]}, whose override is merged into
// the file as compose-go merges them.
func TestLoadComposeIncludeLongForm(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "compose.yaml")
	base := filepath.Join(dir, "db", "compose.yaml")
	over := filepath.Join(dir, "db", "override.yaml")
	one := filepath.Join(dir, "one.yaml")
	write(t, main, "name: p\ninclude:\n  - path: one.yaml\n  - path: [db/compose.yaml, db/override.yaml]\n")
	write(t, one, "services:\n  one:\n    image: x\n    ports:\n      - \"7000:80\"\n")
	write(t, base, "services:\n  db:\n    image: x\n    ports:\n      - \"5432:5432\"\n")
	write(t, over, "services:\n  db:\n    ports:\n      - \"5433:5432\"\n")
	ds, err := Loader{}.LoadCompose(main)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		one + ":5:9: p/one 7000/tcp -> 80 (compose, host, public)",
		base + ":5:9: p/db 5432/tcp -> 5432 (compose, host, public)",
		over + ":4:9: p/db 5433/tcp -> 5432 (compose, host, public)",
	}
	if diff := cmp.Diff(want, strs(ds)); diff != "" {
		t.Errorf("include long forms (-want +got):\n%s", diff)
	}
}

// TestReferences checks the test that decides which variables' values a
// message may hold: a name counts only where it is whole, and a blank
// name, which an env_file line ":" gives, is never referred to.
func TestReferences(t *testing.T) {
	for _, tt := range []struct {
		data, k string
		want    bool
	}{
		{"${A}", "A", true},
		{"$A:80", "A", true},
		{"${A:-1}", "A", true},
		{"$AB ${AB}", "A", false},
		{"${AB} $A", "A", true},
		{"$", "", false},
		{"${} $ $$", "", false},
		{"", "A", false},
	} {
		if got := references([]byte(tt.data), tt.k); got != tt.want {
			t.Errorf("references(%q, %q) = %v, want %v", tt.data, tt.k, got, tt.want)
		}
	}
}

// TestLoadComposeEnvFileBlankName checks that an include's env_file whose
// line gives a blank name (found by FuzzLoadPaths) is loaded or refused,
// never a panic.
func TestLoadComposeEnvFileBlankName(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "compose.yaml")
	write(t, main, "include:\n  - path: inc.yaml\n    env_file: vars.env\n")
	write(t, filepath.Join(dir, "inc.yaml"), "services:\n  i:\n    image: x\n    ports: [\"${I_PORT:-9000}:9000\"]\n")
	write(t, filepath.Join(dir, "vars.env"), ":\n")
	_, _ = Loader{}.LoadCompose(main)
}
