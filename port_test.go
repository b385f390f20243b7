package ports

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestParsePort(t *testing.T) {
	tests := []struct {
		in      string
		want    Port
		wantErr string // substring of the error; "" means success
	}{
		{in: "0", want: 0},
		{in: "80", want: 80},
		{in: "080", want: 80},
		{in: "1023", want: 1023},
		{in: "65535", want: 65535},
		{in: "00000000000000000000065535", want: 65535},
		{in: "", wantErr: "empty port number"},
		{in: "-1", wantErr: "sign not allowed"},
		{in: "+80", wantErr: "sign not allowed"},
		{in: "65536", wantErr: "out of range"},
		{in: "99999999999999999999", wantErr: "out of range"},
		{in: "80x", wantErr: "unexpected character 'x'"},
		{in: " 80", wantErr: "white space"},
		{in: "80 ", wantErr: "white space"},
		{in: "0x50", wantErr: "unexpected character 'x'"},
		{in: "８０", wantErr: "non-ASCII"},
		{in: "8-0", wantErr: "unexpected character '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePort(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParsePort(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParsePort(%q) = %v, nil; want error containing %q", tt.in, got, tt.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) || !strings.HasPrefix(msg, "ports: ParsePort(") || !strings.Contains(msg, strconv.Quote(tt.in)) {
				t.Errorf("ParsePort(%q) error = %q; want it to name the function, quote the input and contain %q", tt.in, msg, tt.wantErr)
			}
		})
	}
}

func TestMustParsePortPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("MustParsePort(%q) did not panic", "x")
		}
	}()
	MustParsePort("x")
}

func TestPortText(t *testing.T) {
	for _, p := range []Port{0, 1, 80, 1023, 1024, 49151, 49152, 65535} {
		b, err := p.MarshalText()
		if err != nil || string(b) != p.String() {
			t.Errorf("Port(%d).MarshalText() = %q, %v; want %q", p, b, err, p.String())
		}
		var q Port
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, q, err, p)
		}
	}
	var q Port = 7
	if err := q.UnmarshalText([]byte("70000")); err == nil || q != 7 {
		t.Errorf("UnmarshalText(%q) = %v, %v; want error and the port unchanged", "70000", q, err)
	}
	// A port is a JSON number.
	b, err := json.Marshal(struct{ P Port }{8080})
	if err != nil || string(b) != `{"P":8080}` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
}

func TestPortCompare(t *testing.T) {
	tests := []struct {
		a, b Port
		want int
	}{{1, 2, -1}, {2, 1, 1}, {5, 5, 0}, {0, 65535, -1}}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("Port(%d).Compare(%d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPortClass(t *testing.T) {
	tests := []struct {
		p    Port
		want Class
	}{
		{0, System}, {22, System}, {1023, System},
		{1024, User}, {8080, User}, {49151, User},
		{49152, Dynamic}, {60000, Dynamic}, {65535, Dynamic},
	}
	for _, tt := range tests {
		if got := tt.p.Class(); got != tt.want {
			t.Errorf("Port(%d).Class() = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestPortPredicates(t *testing.T) {
	reserved := map[Port]bool{0: true, 1023: true, 1024: true, 49151: true}
	for p := range FullRange().All() {
		if got := p.IsReserved(); got != reserved[p] {
			t.Errorf("Port(%d).IsReserved() = %v, want %v", p, got, reserved[p])
		}
		if got, want := p.IsPrivileged(), p < 1024; got != want {
			t.Errorf("Port(%d).IsPrivileged() = %v, want %v", p, got, want)
		}
		if r := p.Range(); r.Lo() != p || r.Hi() != p || !r.IsSingle() {
			t.Errorf("Port(%d).Range() = %v", p, r)
		}
	}
}

func TestClass(t *testing.T) {
	tests := []struct {
		c          Class
		str, title string
		rng        Range
	}{
		{System, "system", "System Ports", RangeFrom(0, 1023)},
		{User, "user", "User Ports", RangeFrom(1024, 49151)},
		{Dynamic, "dynamic", "Dynamic and/or Private Ports", RangeFrom(49152, 65535)},
		{0, "invalid Class", "invalid Class", Range{}},
		{9, "invalid Class", "invalid Class", Range{}},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.str {
			t.Errorf("Class(%d).String() = %q, want %q", tt.c, got, tt.str)
		}
		if got := tt.c.Title(); got != tt.title {
			t.Errorf("Class(%d).Title() = %q, want %q", tt.c, got, tt.title)
		}
		if got := tt.c.Range(); got != tt.rng {
			t.Errorf("Class(%d).Range() = %v, want %v", tt.c, got, tt.rng)
		}
	}
	if got := Classes(); got != [3]Class{System, User, Dynamic} {
		t.Errorf("Classes() = %v", got)
	}
}

// TestClassesPartition checks that every port falls in exactly one class and
// that Port.Class agrees with Class.Range, port by port.
func TestClassesPartition(t *testing.T) {
	for p := range FullRange().All() {
		n := 0
		for _, c := range Classes() {
			if c.Range().Contains(p) {
				n++
				if p.Class() != c {
					t.Fatalf("Port(%d).Class() = %v, but %v.Range() contains it", p, p.Class(), c)
				}
			}
		}
		if n != 1 {
			t.Fatalf("port %d is in %d classes, want 1", p, n)
		}
	}
}
