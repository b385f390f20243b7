package ports

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    Endpoint
		str     string // canonical String; "" means in
		wantErr string
	}{
		{in: "8080/tcp", want: EndpointFrom(TCP, netip.Addr{}, RangeFrom(8080, 8080))},
		{in: "8080", want: EndpointFrom(TCP, netip.Addr{}, RangeFrom(8080, 8080)), str: "8080/tcp"},
		{in: "8000-8100/UDP", want: EndpointFrom(UDP, netip.Addr{}, RangeFrom(8000, 8100)), str: "8000-8100/udp"},
		{in: "127.0.0.1:8000-8100/udp", want: EndpointFrom(UDP, netip.MustParseAddr("127.0.0.1"), RangeFrom(8000, 8100))},
		{in: "[::1]:53/udp", want: EndpointFrom(UDP, netip.MustParseAddr("::1"), RangeFrom(53, 53))},
		{in: "[::]:80", want: EndpointFrom(TCP, netip.MustParseAddr("::"), RangeFrom(80, 80)), str: "[::]:80/tcp"},
		{in: "0.0.0.0:5432/tcp", want: EndpointFrom(TCP, netip.MustParseAddr("0.0.0.0"), RangeFrom(5432, 5432))},
		{in: "[fe80::1%eth0]:546/udp", want: EndpointFrom(UDP, netip.MustParseAddr("fe80::1%eth0"), RangeFrom(546, 546))},
		{in: "[::ffff:10.0.0.1]:22/sctp", want: EndpointFrom(SCTP, netip.MustParseAddr("10.0.0.1"), RangeFrom(22, 22)), str: "10.0.0.1:22/sctp"},
		{in: "9/dccp", want: EndpointFrom(DCCP, netip.Addr{}, RangeFrom(9, 9))},
		{in: "", wantErr: "empty endpoint"},
		{in: "8080/icmp", wantErr: `in "icmp": unknown protocol`},
		{in: "8080/", wantErr: "empty protocol"},
		{in: "/tcp", wantErr: "empty range"},
		{in: "::1:53/udp", wantErr: "must be written in brackets"},
		{in: "[::1:53/udp", wantErr: "missing ']'"},
		{in: "[::1]53/udp", wantErr: "missing ':'"},
		{in: "[127.0.0.1]:53", wantErr: `in "127.0.0.1": invalid IPv6 address`},
		{in: "localhost:80", wantErr: `in "localhost": invalid IPv4 address`},
		{in: "1.2.3:80", wantErr: "invalid IPv4 address"},
		{in: "1.2.3.4:80:90", wantErr: "too many ':'"},
		{in: ":80", wantErr: "missing address before ':'"},
		{in: "::1", wantErr: "IPv6 address without a port"},
		{in: "1.2.3.4:", wantErr: "empty range"},
		{in: "1.2.3.4:90-80/tcp", wantErr: "low port 90 is above high port 80"},
		{in: "1.2.3.4:8x/tcp", wantErr: `in "8x": unexpected character 'x'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEndpoint(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "ports: ParseEndpoint(") {
					t.Fatalf("ParseEndpoint(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseEndpoint(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
			str := tt.str
			if str == "" {
				str = tt.in
			}
			if got.String() != str {
				t.Errorf("ParseEndpoint(%q).String() = %q, want %q", tt.in, got.String(), str)
			}
		})
	}
}

func TestEndpointFrom(t *testing.T) {
	if e := EndpointFrom(0, netip.Addr{}, RangeFrom(1, 1)); e.IsValid() {
		t.Errorf("EndpointFrom with no protocol = %v, want invalid", e)
	}
	if e := EndpointFrom(TCP, netip.Addr{}, Range{}); e.IsValid() {
		t.Errorf("EndpointFrom with the zero Range = %v, want invalid", e)
	}
	e := EndpointFrom(UDP, netip.MustParseAddr("::ffff:1.2.3.4"), RangeFrom(5, 6))
	if e.Protocol() != UDP || e.Addr() != netip.MustParseAddr("1.2.3.4") || e.Range() != RangeFrom(5, 6) {
		t.Errorf("EndpointFrom = %v; accessors disagree", e)
	}
	if got := e.WithRange(RangeFrom(9, 9)).String(); got != "1.2.3.4:9/udp" {
		t.Errorf("WithRange = %q", got)
	}
	if got := e.WithAddr(netip.Addr{}).String(); got != "5-6/udp" {
		t.Errorf("WithAddr = %q", got)
	}
	if got := (Endpoint{}).String(); got != "invalid Endpoint" {
		t.Errorf("zero Endpoint String = %q", got)
	}
}

func TestAddrsOverlap(t *testing.T) {
	any := netip.Addr{}
	v4 := netip.MustParseAddr
	tests := []struct {
		a, b netip.Addr
		want bool
	}{
		{any, any, true},
		{any, v4("127.0.0.1"), true},
		{any, v4("::1"), true},
		{v4("127.0.0.1"), v4("127.0.0.1"), true},
		{v4("127.0.0.1"), v4("127.0.0.2"), false},
		{v4("127.0.0.1"), v4("::ffff:127.0.0.1"), true},
		{v4("0.0.0.0"), v4("10.1.2.3"), true},
		{v4("0.0.0.0"), v4("0.0.0.0"), true},
		{v4("0.0.0.0"), v4("::1"), false},    // 0.0.0.0 covers IPv4 only
		{v4("0.0.0.0"), v4("::"), true},      // :: covers IPv4 too (dual stack)
		{v4("::"), v4("127.0.0.1"), true},    // the dual-stack choice
		{v4("::"), v4("fe80::1%eth0"), true}, // :: covers every IPv6 address
		{v4("::1"), v4("127.0.0.1"), false},  // loopbacks of two families
		{v4("::1"), v4("::2"), false},
		{v4("fe80::1%eth0"), v4("fe80::1%eth1"), false},
		{v4("fe80::1%eth0"), v4("fe80::1%eth0"), true},
	}
	for _, tt := range tests {
		if got := AddrsOverlap(tt.a, tt.b); got != tt.want {
			t.Errorf("AddrsOverlap(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := AddrsOverlap(tt.b, tt.a); got != tt.want {
			t.Errorf("AddrsOverlap(%v, %v) = %v, want %v (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestEndpointConflicts(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"3000/tcp", "3000/tcp", true},
		{"3000/tcp", "3000/udp", false},
		{"3000/tcp", "0.0.0.0:3000/tcp", true},
		{"127.0.0.1:3000/tcp", "127.0.0.2:3000/tcp", false},
		{"127.0.0.1:3000/tcp", "[::]:3000/tcp", true},
		{"127.0.0.1:3000/tcp", "[::1]:3000/tcp", false},
		{"8000-8100/tcp", "8100-8200/tcp", true},
		{"8000-8100/tcp", "8101-8200/tcp", false},
		{"10000-20000/udp", "5060/udp", false},
		{"10000-20000/udp", "12000/udp", true},
	}
	for _, tt := range tests {
		a, b := MustParseEndpoint(tt.a), MustParseEndpoint(tt.b)
		if got := a.Conflicts(b); got != tt.want {
			t.Errorf("%v.Conflicts(%v) = %v, want %v", a, b, got, tt.want)
		}
		if got := b.Conflicts(a); got != tt.want {
			t.Errorf("%v.Conflicts(%v) = %v, want %v (symmetry)", b, a, got, tt.want)
		}
	}
	if (Endpoint{}).Conflicts(Endpoint{}) {
		t.Errorf("the zero Endpoint conflicts with itself")
	}
}

func TestEndpointCompare(t *testing.T) {
	order := []string{"80/tcp", "127.0.0.1:80/tcp", "[::1]:80/tcp", "80-81/tcp", "81/tcp", "1/udp"}
	for i, as := range order {
		for j, bs := range order {
			a, b := MustParseEndpoint(as), MustParseEndpoint(bs)
			c := a.Compare(b)
			if (c == 0) != (i == j) || (c < 0) != (i < j) {
				t.Errorf("%v.Compare(%v) = %d, inconsistent with the order %v", a, b, c, order)
			}
		}
	}
}

func TestEndpointText(t *testing.T) {
	e := MustParseEndpoint("[::1]:53/udp")
	b, err := json.Marshal(e)
	if err != nil || string(b) != `"[::1]:53/udp"` {
		t.Fatalf("json.Marshal(%v) = %s, %v", e, b, err)
	}
	var q Endpoint
	if err := json.Unmarshal(b, &q); err != nil || q != e {
		t.Errorf("json.Unmarshal(%s) = %v, %v", b, q, err)
	}
	if err := q.UnmarshalText([]byte("1.2.3.4:x")); err == nil || q != e || !strings.Contains(err.Error(), "Endpoint.UnmarshalText") {
		t.Errorf("UnmarshalText of bad text = %v; want an error and the endpoint unchanged (%v)", err, q)
	}
	if err := q.UnmarshalText(nil); err != nil || q.IsValid() {
		t.Errorf("UnmarshalText(empty) = %v, %v; want the zero Endpoint", q, err)
	}
}
