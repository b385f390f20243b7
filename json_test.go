package ports

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// config is how users write ports: numbers where a port is one number,
// strings elsewhere.
type config struct {
	Port     Port     `json:"port" yaml:"port"`
	Range    Range    `json:"range" yaml:"range"`
	Protocol Protocol `json:"protocol" yaml:"protocol"`
	Endpoint Endpoint `json:"endpoint" yaml:"endpoint"`
	Set      RangeSet `json:"set" yaml:"set"`
	Class    Class    `json:"class" yaml:"class"`
}

var configCmp = cmp.Comparer(func(a, b config) bool {
	return a.Port == b.Port && a.Range == b.Range && a.Protocol == b.Protocol && a.Endpoint == b.Endpoint && a.Set.Equal(b.Set) && a.Class == b.Class
})

func TestJSONNumbersAndStrings(t *testing.T) {
	want := config{
		Port: 8080, Range: MustParseRange("8080"), Protocol: UDP,
		Endpoint: MustParseEndpoint("8080/tcp"), Set: MustParseRangeSet("8080"), Class: User,
	}
	for _, in := range []string{
		`{"port": 8080, "range": 8080, "protocol": "udp", "endpoint": 8080, "set": 8080, "class": "user"}`,
		`{"port": "8080", "range": "8080", "protocol": "UDP", "endpoint": "8080/tcp", "set": "8080", "class": "User"}`,
		`{"port": "\u0038080", "range": "8080", "protocol": "udp", "endpoint": "8080\/tcp", "set": "8080", "class": "user"}`,
	} {
		var got config
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("json.Unmarshal(%s): %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got, configCmp); diff != "" {
			t.Errorf("json.Unmarshal(%s) mismatch (-want +got):\n%s", in, diff)
		}
	}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"port":8080,"range":"8080","protocol":"udp","endpoint":"8080/tcp","set":"8080","class":"user"}`
	if string(b) != wantJSON {
		t.Errorf("json.Marshal = %s, want %s", b, wantJSON)
	}
}

func TestJSONNullLeavesValue(t *testing.T) {
	got := config{Port: 1, Range: MustParseRange("2-3"), Endpoint: MustParseEndpoint("4/udp"), Set: MustParseRangeSet("5"), Class: System}
	want := got
	if err := json.Unmarshal([]byte(`{"port":null,"range":null,"endpoint":null,"set":null,"class":null}`), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, configCmp); diff != "" {
		t.Errorf("null mismatch (-want +got):\n%s", diff)
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"port": 70000}`, `ports: Port.UnmarshalJSON("70000"): out of range; ports go from 0 to 65535`},
		{`{"port": -1}`, `ports: Port.UnmarshalJSON("-1"): sign not allowed; want a decimal number from 0 to 65535`},
		{`{"port": 80.0}`, `ports: Port.UnmarshalJSON("80.0"): unexpected character '.'; want a decimal number from 0 to 65535`},
		{`{"port": 8e3}`, `ports: Port.UnmarshalJSON("8e3"): unexpected character 'e'; want a decimal number from 0 to 65535`},
		{`{"port": "http"}`, `ports: Port.UnmarshalJSON("http"): unexpected character 'h'; want a decimal number from 0 to 65535`},
		{`{"port": true}`, `ports: Port.UnmarshalJSON("true"): want a number or a string`},
		{`{"port": [80]}`, `ports: Port.UnmarshalJSON("[80]"): want a number or a string`},
		{`{"range": 9000.5}`, `ports: Range.UnmarshalJSON("9000.5"): unexpected character '.'; want a decimal number from 0 to 65535`},
		{`{"range": "9-8"}`, `ports: Range.UnmarshalJSON("9-8"): low port 9 is above high port 8`},
		{`{"range": {}}`, `ports: Range.UnmarshalJSON("{}"): want a number or a string`},
		{`{"endpoint": 99999}`, `ports: Endpoint.UnmarshalJSON("99999"): out of range; ports go from 0 to 65535`},
		{`{"set": 1e2}`, `ports: RangeSet.UnmarshalJSON("1e2"): unexpected character 'e'; want a decimal number from 0 to 65535`},
		{`{"class": "private"}`, `ports: Class.UnmarshalText("private"): unknown class; want system, user or dynamic`},
	}
	for _, tt := range tests {
		var c config
		err := json.Unmarshal([]byte(tt.in), &c)
		if err == nil || err.Error() != tt.want {
			t.Errorf("json.Unmarshal(%s) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestYAMLNumbersAndStrings(t *testing.T) {
	want := config{
		Port: 8080, Range: MustParseRange("8000-8100"), Protocol: TCP,
		Endpoint: MustParseEndpoint("127.0.0.1:53/udp"), Set: MustParseRangeSet("22,80"), Class: System,
	}
	for _, in := range []string{
		"port: 8080\nrange: 8000-8100\nprotocol: tcp\nendpoint: 127.0.0.1:53/udp\nset: 22,80\nclass: system\n",
		"port: \"8080\"\nrange: \"8000-8100\"\nprotocol: TCP\nendpoint: '127.0.0.1:53/udp'\nset: '22,80'\nclass: System\n",
	} {
		var got config
		if err := yaml.Unmarshal([]byte(in), &got); err != nil {
			t.Errorf("yaml.Unmarshal(%q): %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got, configCmp); diff != "" {
			t.Errorf("yaml.Unmarshal(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
	// A bare number is a one-port range and set.
	var one config
	if err := yaml.Unmarshal([]byte("range: 8080\nset: 22\nendpoint: 8080\n"), &one); err != nil {
		t.Fatal(err)
	}
	if one.Range != MustParseRange("8080") || !one.Set.Equal(MustParseRangeSet("22")) || one.Endpoint != MustParseEndpoint("8080/tcp") {
		t.Errorf("yaml.Unmarshal of bare numbers = %+v", one)
	}
	b, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	const wantYAML = "port: 8080\nrange: 8000-8100\nprotocol: tcp\nendpoint: 127.0.0.1:53/udp\nset: 22,80\nclass: system\n"
	if string(b) != wantYAML {
		t.Errorf("yaml.Marshal = %q, want %q", b, wantYAML)
	}
	var bad config
	err = yaml.Unmarshal([]byte("port: 70000\n"), &bad)
	if err == nil || !strings.Contains(err.Error(), `ports: Port.UnmarshalText("70000"): out of range`) {
		t.Errorf("yaml.Unmarshal(port: 70000) error = %v", err)
	}
}

func TestPortUnmarshalJSONAllocs(t *testing.T) {
	var p Port
	for _, in := range []string{`8080`, `"8080"`} {
		data := []byte(in)
		if a := testing.AllocsPerRun(100, func() { _ = p.UnmarshalJSON(data) }); a != 0 {
			t.Errorf("Port.UnmarshalJSON(%s): %v allocations, want 0", in, a)
		}
	}
}
