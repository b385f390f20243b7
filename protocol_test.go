package ports

import (
	"strings"
	"testing"
)

func TestProtocolString(t *testing.T) {
	tests := []struct {
		p    Protocol
		want string
	}{
		{0, "unspecified"},
		{TCP, "tcp"},
		{UDP, "udp"},
		{SCTP, "sctp"},
		{DCCP, "dccp"},
		{5, "Protocol(5)"},
		{255, "Protocol(255)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Protocol(%d).String() = %q, want %q", uint8(tt.p), got, tt.want)
		}
	}
	if got := Protocols(); got != [4]Protocol{TCP, UDP, SCTP, DCCP} {
		t.Errorf("Protocols() = %v", got)
	}
}

func TestParseProtocol(t *testing.T) {
	tests := []struct {
		in      string
		want    Protocol
		wantErr string
	}{
		{in: "tcp", want: TCP},
		{in: "TCP", want: TCP},
		{in: "Udp", want: UDP},
		{in: "sctp", want: SCTP},
		{in: "DCCP", want: DCCP},
		{in: "", wantErr: "empty protocol"},
		{in: "icmp", wantErr: "unknown protocol"},
		{in: "tc", wantErr: "unknown protocol"},
		{in: "tcp ", wantErr: "unknown protocol"},
		{in: "unspecified", wantErr: "unknown protocol"},
	}
	for _, tt := range tests {
		got, err := ParseProtocol(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseProtocol(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "ParseProtocol(") {
			t.Errorf("ParseProtocol(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestProtocolText(t *testing.T) {
	for _, p := range []Protocol{0, TCP, UDP, SCTP, DCCP} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatalf("Protocol(%d).MarshalText() error: %v", p, err)
		}
		var q Protocol = 99
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, q, err, p)
		}
	}
	if _, err := Protocol(7).MarshalText(); err == nil {
		t.Errorf("Protocol(7).MarshalText() succeeded; want an error")
	}
	q := UDP
	if err := q.UnmarshalText([]byte("quic")); err == nil || q != UDP {
		t.Errorf("UnmarshalText(%q) = %v, %v; want error and the value unchanged", "quic", q, err)
	}
}
