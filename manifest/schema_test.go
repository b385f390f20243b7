package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const schemaID = "https://github.com/portalloc/ports/manifest/schema/registry.schema.json"

// compileSchema compiles RegistrySchema with format assertions on (so that
// "ipv4" and "ipv6" are checked, as the parser checks addresses).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(RegistrySchema()))
	if err != nil {
		t.Fatalf("RegistrySchema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaID)
	if err != nil {
		t.Fatalf("RegistrySchema does not compile: %v", err)
	}
	return sch
}

// yamlToJSON turns a YAML document into the JSON value a schema validator
// reads.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestExampleRegistriesValidate checks every registry under
// examples/platforms against the JSON Schema and against the parser.
func TestExampleRegistriesValidate(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob("../examples/platforms/*/ports.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d example registries, want at least 2", len(files))
	}
	for _, f := range append(files, "testdata/registry/ports.yaml") {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(yamlToJSON(t, data)); err != nil {
				t.Errorf("schema rejects %s: %v", f, err)
			}
			if _, err := ParseRegistry(f, data); err != nil {
				t.Errorf("ParseRegistry rejects %s: %v", f, err)
			}
		})
	}
}

// TestSchemaAgreesWithParser holds the documented rules: the schema and the
// parser accept and reject the same documents, except for the rules the
// schema's description lists as the parser's alone.
func TestSchemaAgreesWithParser(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name         string
		src          string
		schemaOK     bool
		parserOK     bool
		parserOnlyOK string // why only the parser rejects it
	}{
		{name: "minimal", src: "version: 1\nports: []\n", schemaOK: true, parserOK: true},
		{name: "full entry", src: registrySrc, schemaOK: true, parserOK: true},
		{name: "target only", src: "version: 1\nports: [{service: w, target: 9091}]\n", schemaOK: true, parserOK: true},
		{name: "quoted single port", src: "version: 1\nports: [{service: w, port: \"80\"}]\n", schemaOK: true, parserOK: true},
		{name: "upper-case protocol", src: "version: 1\nports: [{service: w, port: 53, protocol: UDP}]\n", schemaOK: true, parserOK: true},
		{name: "IPv6 address", src: "version: 1\nports: [{service: w, port: 53, address: \"::1\", exposure: localhost}]\n", schemaOK: true, parserOK: true},
		{name: "extensions", src: "version: 1\nx-a: 1\nports: [{service: w, port: 1, x-b: [1]}]\n", schemaOK: true, parserOK: true},

		{name: "accepted", src: "version: 1\nports: []\naccepted: [{services: [a, b], reason: r}]\n", schemaOK: true, parserOK: true},
		{name: "accepted one service", src: "version: 1\nports: []\naccepted: [{services: [a], reason: r}]\n"},
		{name: "accepted no reason", src: "version: 1\nports: []\naccepted: [{services: [a, b]}]\n"},
		{name: "accepted blank reason", src: "version: 1\nports: []\naccepted: [{services: [a, b], reason: \" \"}]\n"},
		{name: "accepted service twice", src: "version: 1\nports: []\naccepted: [{services: [a, a], reason: r}]\n"},
		{name: "accepted empty rules", src: "version: 1\nports: []\naccepted: [{services: [a, b], rules: [], reason: r}]\n"},
		{name: "accepted unknown key", src: "version: 1\nports: []\naccepted: [{services: [a, b], reason: r, port: 80}]\n"},
		{name: "no version", src: "ports: []\n"},
		{name: "version 2", src: "version: 2\nports: []\n"},
		{name: "no ports", src: "version: 1\n"},
		{name: "unknown key", src: "version: 1\nports: []\nfoo: 1\n"},
		{name: "unknown entry key", src: "version: 1\nports: [{service: w, port: 1, proto: tcp}]\n"},
		{name: "no service", src: "version: 1\nports: [{port: 1}]\n"},
		{name: "empty service", src: "version: 1\nports: [{service: \"\", port: 1}]\n"},
		{name: "service with spaces at the end", src: "version: 1\nports: [{service: \"w \", port: 1}]\n"},
		{name: "no port nor target", src: "version: 1\nports: [{service: w}]\n"},
		{name: "port 0", src: "version: 1\nports: [{service: w, port: 0}]\n"},
		{name: "port 65536", src: "version: 1\nports: [{service: w, port: 65536}]\n"},
		{name: "port not a range", src: "version: 1\nports: [{service: w, port: \"80:80\"}]\n"},
		{name: "bad protocol", src: "version: 1\nports: [{service: w, port: 1, protocol: icmp}]\n"},
		{name: "protocol repeated", src: "version: 1\nports: [{service: w, port: 1, protocol: [tcp, tcp]}]\n"},
		{name: "protocol empty list", src: "version: 1\nports: [{service: w, port: 1, protocol: []}]\n"},
		{name: "bad address", src: "version: 1\nports: [{service: w, port: 1, address: localhost}]\n"},
		{name: "address without port", src: "version: 1\nports: [{service: w, target: 1, address: 127.0.0.1}]\n"},
		{name: "bad exposure", src: "version: 1\nports: [{service: w, port: 1, exposure: dmz}]\n"},

		{name: "range out of bounds in a string", src: "version: 1\nports: [{service: w, port: \"70000-70001\"}]\n",
			schemaOK: true, parserOnlyOK: "numbers inside strings"},
		{name: "inverted range", src: "version: 1\nports: [{service: w, port: \"9000-8000\"}]\n",
			schemaOK: true, parserOnlyOK: "low end above high end"},
		{name: "target range length", src: "version: 1\nports: [{service: w, port: \"8000-8010\", target: \"80-81\"}]\n",
			schemaOK: true, parserOnlyOK: "a target range as long as the port range"},
		{name: "localhost on a public address", src: "version: 1\nports: [{service: w, port: 1, address: 0.0.0.0, exposure: localhost}]\n",
			schemaOK: true, parserOnlyOK: "address and exposure agree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.src)
			serr := sch.Validate(yamlToJSON(t, data))
			_, perr := ParseRegistry("r.yaml", data)
			if (serr == nil) != tt.schemaOK {
				t.Errorf("schema: valid = %v, want %v (%v)", serr == nil, tt.schemaOK, serr)
			}
			if (perr == nil) != tt.parserOK {
				t.Errorf("ParseRegistry: valid = %v, want %v (%v)", perr == nil, tt.parserOK, perr)
			}
			if tt.schemaOK != tt.parserOK && tt.parserOnlyOK == "" {
				t.Errorf("schema and parser disagree on a rule the documentation does not give to the parser alone")
			}
		})
	}
}

// TestSchemaFileMatchesEmbedded checks that RegistrySchema is the file
// shipped in schema/, and returns a copy.
func TestSchemaFileMatchesEmbedded(t *testing.T) {
	data, err := os.ReadFile("schema/registry.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	got := RegistrySchema()
	if !bytes.Equal(data, got) {
		t.Error("RegistrySchema() differs from schema/registry.schema.json")
	}
	got[0] = 'x'
	if RegistrySchema()[0] == 'x' {
		t.Error("RegistrySchema returns the package's own slice")
	}
}
