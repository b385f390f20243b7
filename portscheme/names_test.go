package portscheme

import "testing"

func TestLanguageString(t *testing.T) {
	// The names are the JSON form of the default scheme: they must not
	// change.
	tests := []struct {
		l    Language
		want string
	}{
		{Rust, "rust"}, {Go, "go"}, {Python, "python"}, {Java, "java"}, {CSharp, "csharp"}, {Cpp, "cpp"},
		{"", ""}, {"kotlin", "kotlin"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("Language(%q).String() = %q, want %q", string(tt.l), got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{Aggregate, "aggregate"}, {Saga, "saga"}, {Projector, "projector"}, {"", ""}, {"widget", "widget"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%q).String() = %q, want %q", string(tt.k), got, tt.want)
		}
	}
}

func TestSlotString(t *testing.T) {
	tests := []struct {
		s    Slot
		want string
	}{
		{Coordinator, "coordinator"},
		{REST, "rest"},
		{Debug, "debug"},
		{Logic, "logic"},
		{ClientDebug, "client-debug"},
		{5, "slot 5"},
		{8, "slot 8"},
		{Control, "control"},
		{10, "slot 10"},
		{65535, "slot 65535"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Slot(%d).String() = %q, want %q", uint16(tt.s), got, tt.want)
		}
	}
}

func TestExposureString(t *testing.T) {
	tests := []struct {
		e     Exposure
		want  string
		valid bool
	}{
		{NotExposed, "no", true},
		{Exposed, "yes", true},
		{Optional, "optional", true},
		{Internal, "internal", true},
		{4, "Exposure(4)", false},
		{255, "Exposure(255)", false},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("Exposure(%d).String() = %q, want %q", uint8(tt.e), got, tt.want)
		}
		if got := tt.e.IsValid(); got != tt.valid {
			t.Errorf("Exposure(%d).IsValid() = %v, want %v", uint8(tt.e), got, tt.valid)
		}
		if e, ok := lookupExposure(tt.want); ok != tt.valid || (ok && e != tt.e) {
			t.Errorf("lookupExposure(%q) = %v, %v", tt.want, e, ok)
		}
	}
	var zero Exposure
	if zero != NotExposed {
		t.Errorf("zero Exposure = %v, want %v", zero, NotExposed)
	}
}

func TestPodString(t *testing.T) {
	tests := []struct {
		in   interface{ String() string }
		want string
	}{
		{Pod{Go, Saga, 0}, "go/saga/0"},
		{Pod{CSharp, Projector, 12}, "csharp/projector/12"},
		{Pod{}, "//0"},
		{Location{Pod{Go, Saga, 0}, Logic}, "go/saga/0 slot 3"},
		{EnvVar{"REST_PORT", REST, 50051}, "REST_PORT=50051"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}
